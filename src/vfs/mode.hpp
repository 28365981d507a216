#pragma once
// The file type a POSIX mode word (st_mode, S_IFMT bits) names, as every image format that
// stores one (ext, cramfs, JFFS2, UBIFS, EROFS) writes it.

#include <cstdint>

#include "vfs/vfs.hpp"

namespace fwcert::vfs {

inline FileType type_of_mode(std::uint32_t mode) {
  switch (mode & 0xF000) {
    case 0x8000:
      return FileType::kRegular;
    case 0x4000:
      return FileType::kDirectory;
    case 0xA000:
      return FileType::kSymlink;
    case 0x2000:
      return FileType::kCharDevice;
    case 0x6000:
      return FileType::kBlockDevice;
    case 0x1000:
      return FileType::kFifo;
    case 0xC000:
      return FileType::kSocket;
    default:
      return FileType::kUnknown;
  }
}

}  // namespace fwcert::vfs
