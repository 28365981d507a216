// Feeds arbitrary bytes to the EROFS backend from memory; see image_fuzz.hpp for what is exercised.

#include "image_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fwcert::fuzz::open_walk_and_read(data, size, &fwcert::vfs::open_erofs);
}
