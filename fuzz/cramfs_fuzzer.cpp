// Feeds arbitrary bytes to the cramfs backend from memory (either byte order, superblock at 0
// or after a boot block); see image_fuzz.hpp for what is exercised.

#include "image_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fwcert::fuzz::open_walk_and_read(data, size, &fwcert::vfs::open_cramfs);
}
