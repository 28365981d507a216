// Feeds arbitrary bytes to the JFFS2 backend from memory (either byte order, any node mix);
// see image_fuzz.hpp for what is exercised. Also measures the extent a carve would take.

#include "image_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> bytes(size);
  if (size) std::memcpy(bytes.data(), data, size);
  auto src = fwcert::vfs::memory_source(std::move(bytes), "fuzz-input");
  (void)fwcert::vfs::jffs2_extent(*src, 0);
  return fwcert::fuzz::open_walk_and_read(data, size, &fwcert::vfs::open_jffs2);
}
