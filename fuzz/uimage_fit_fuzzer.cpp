// Feeds arbitrary bytes to the U-Boot container backend: legacy uImages (single and multi-file)
// and FIT images (inline, external and absolute data), listed and read (image_fuzz.hpp).

#include "image_fuzz.hpp"
#include "vfs/containers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fwcert::fuzz::open_walk_and_read(data, size, &fwcert::vfs::open_container);
}
