#pragma once
// EROFS on-disk format shared by the Vfs (erofs_vfs.cpp) and the reader of compressed files
// (erofs_zmap.cpp): superblock features, inode layouts, the decoded inode, and the few facts
// of the image both need. Internal to src/vfs.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fwcert/result.hpp"
#include "vfs/byte_source.hpp"

namespace fwcert::vfs::erofs {

constexpr std::uint32_t kMagic = 0xE0F5E1E2;
constexpr std::uint64_t kSuperOffset = 1024;
constexpr std::size_t kSuperSize = 128;
constexpr std::uint32_t kNullAddr = 0xFFFFFFFFu;

// feature_compat
constexpr std::uint32_t kCompatSbChecksum = 0x1;
// feature_incompat
constexpr std::uint32_t kIncompatZeroPadding = 0x1;
constexpr std::uint32_t kIncompatComprCfgs = 0x2;  // also big pclusters
constexpr std::uint32_t kIncompatChunkedFile = 0x4;
constexpr std::uint32_t kIncompatDeviceTable = 0x8;
constexpr std::uint32_t kIncompatZtailpacking = 0x10;
constexpr std::uint32_t kIncompatFragments = 0x20;  // also dedupe
constexpr std::uint32_t kIncompatXattrPrefixes = 0x40;
constexpr std::uint32_t kIncompatKnown = kIncompatZeroPadding | kIncompatComprCfgs | kIncompatChunkedFile |
                                         kIncompatDeviceTable | kIncompatZtailpacking | kIncompatFragments |
                                         kIncompatXattrPrefixes;

// i_format data layouts
constexpr unsigned kFlatPlain = 0;
constexpr unsigned kCompressedFull = 1;
constexpr unsigned kFlatInline = 2;
constexpr unsigned kCompressedCompact = 3;
constexpr unsigned kChunkBased = 4;

// chunk info
constexpr std::uint32_t kChunkBitsMask = 0x1F;
constexpr std::uint32_t kChunkIndexes = 0x20;

// z_erofs_map_header h_advise
constexpr std::uint16_t kAdviseCompacted2B = 0x0001;
constexpr std::uint16_t kAdviseBigPcluster1 = 0x0002;
constexpr std::uint16_t kAdviseBigPcluster2 = 0x0004;
constexpr std::uint16_t kAdviseInlinePcluster = 0x0008;
constexpr std::uint16_t kAdviseInterlacedPcluster = 0x0010;
constexpr std::uint16_t kAdviseFragmentPcluster = 0x0020;

// logical cluster types
constexpr unsigned kLclusterPlain = 0;
constexpr unsigned kLclusterHead1 = 1;
constexpr unsigned kLclusterNonhead = 2;
constexpr unsigned kLclusterHead2 = 3;
constexpr std::uint32_t kD0CompressedBlockCount = 1u << 11;

constexpr unsigned kAlgLz4 = 0;

inline std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

inline Error corrupt(std::string message, std::string where = "") {
  return make_error(ErrorCode::kCorrupt, std::move(message), std::move(where));
}

/// What reads of file data need to know of the image, set once the superblock is read.
struct Image {
  const ByteSource* src = nullptr;
  unsigned blkbits = 12;
  std::uint64_t blksz = 4096;
  std::uint32_t incompat = 0;  ///< feature_incompat
  std::uint16_t algs = 0;      ///< available compression algorithms

  /// Copies image bytes [pos, pos + out.size()); fails when they lie beyond the image.
  OkResult copy(std::uint64_t pos, std::span<std::byte> out) const;
};

/// One parsed on-disk inode.
struct Inode {
  std::uint64_t nid = 0;
  std::uint64_t pos = 0;  ///< absolute byte offset of the inode
  unsigned isize = 32;    ///< 32 (compact) or 64 (extended)
  std::uint64_t xattr_isize = 0;
  unsigned layout = 0;
  std::uint32_t mode = 0;  ///< full st_mode
  std::uint64_t size = 0;
  std::uint32_t u = 0;  ///< raw_blkaddr, rdev, compressed block count or chunk info
  std::uint32_t uid = 0, gid = 0;
  std::uint64_t nlink = 1;
  std::int64_t mtime = 0;

  std::uint64_t body_end() const { return pos + isize + xattr_isize; }
  bool compressed() const { return layout == kCompressedFull || layout == kCompressedCompact; }
};

// ---- compressed files (erofs_zmap.cpp) ----

/// A compressed file's map header, decoded.
struct ZInfo {
  std::uint16_t advise = 0;
  unsigned algorithm[2] = {0, 0};
  unsigned lclusterbits = 12;
  std::uint32_t idata_size = 0;
  // tail extent of a ztailpacking file (found on first use)
  bool tail_known = false;
  std::uint64_t tail_head_lcn = 0;
  std::uint64_t idata_off = 0;
};

/// A decoded extent: [la, la + llen) of the file comes from [pa, pa + plen) of the image.
struct Extent {
  std::uint64_t la = 0, llen = 0;
  std::uint64_t pa = 0, plen = 0;
  unsigned head_type = 0;
  bool plain = false;  ///< stored uncompressed
  unsigned algorithm = 0;
};

/// The map header of compressed file `in`: algorithms, cluster size, big and inline pclusters.
Result<ZInfo> read_zinfo(const Image& img, const Inode& in);

/// The extent holding byte `at` of a compressed file (the kernel's z_erofs_map_blocks); finds
/// and remembers in `z` the file's inline tail extent on first use.
Result<Extent> map_extent(const Image& img, const Inode& in, ZInfo& z, std::uint64_t at);

/// Decodes one extent into `out` (e.llen bytes).
OkResult decode_extent(const Image& img, const Extent& e, const ZInfo& z, std::vector<std::byte>& out);

}  // namespace fwcert::vfs::erofs
