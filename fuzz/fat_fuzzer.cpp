// Feeds arbitrary bytes, as a FAT12/16/32 volume, to the FAT backend: the boot sector is
// checked, directories (long names included) listed, cluster chains followed within their
// bounds, and every file read near its start and end (image_fuzz.hpp).

#include "image_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fwcert::fuzz::open_walk_and_read(data, size, &fwcert::vfs::open_fat);
}
