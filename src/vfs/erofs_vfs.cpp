// EROFS backend: our own reader of the on-disk format (Linux fs/erofs/erofs_fs.h; no Debian
// library reads it). Android system/vendor partitions and newer embedded root filesystems.
//
// Decided:
// - Only metadata is kept: the superblock, cached directory listings (bounded like the other
//   backends) and a few decompressed extents. Inodes are parsed again on each access; that is
//   one small read of a mapped image.
// - Data layouts: flat plain, flat inline (tail packing), chunk-based (block map and chunk
//   indexes, holes as zeros), compressed with full or compact logical-cluster indexes, big
//   pclusters and inline (tail-packed) pclusters. Decompression follows the index walk of the
//   kernel's zmap: lookback over NONHEAD clusters to the HEAD, then forward to the next HEAD for
//   the extent's decoded length; every step is bounded by the index and by limits.hpp.
// - Algorithms: LZ4 (zero-padded or not) and uncompressed pclusters (shifted or interlaced).
//   LZMA, DEFLATE, ZSTD and fragment/packed-inode data are reported as unsupported for the file
//   that uses them; its metadata is still listed.
// - A damaged inode or directory block fails that lookup with kCorrupt, which the inventory
//   walk reports as a warning (the scan is partial); nothing else is lost.

#include <fmt/format.h>
#include <lz4.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "core/byte_reader.hpp"
#include "core/checked.hpp"
#include "core/limits.hpp"
#include "vfs/listing.hpp"
#include "vfs/mode.hpp"
#include "vfs/open.hpp"

namespace fwcert::vfs {

namespace {

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

/// crc32c (Castagnoli, reflected 0x82F63B78) without the final inversion, as the kernel's
/// crc32c(~0, ...) that EROFS stores.
std::uint32_t crc32c_raw(std::uint32_t crc, std::span<const std::byte> data) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  for (std::byte b : data) crc = table[(crc ^ static_cast<std::uint8_t>(b)) & 0xFF] ^ (crc >> 8);
  return crc;
}

std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

FileType type_of_dirent(std::uint8_t t) {
  switch (t) {
    case 1:
      return FileType::kRegular;
    case 2:
      return FileType::kDirectory;
    case 3:
      return FileType::kCharDevice;
    case 4:
      return FileType::kBlockDevice;
    case 5:
      return FileType::kFifo;
    case 6:
      return FileType::kSocket;
    case 7:
      return FileType::kSymlink;
    default:
      return FileType::kUnknown;
  }
}

const char* xattr_prefix(std::uint8_t index) {
  switch (index) {
    case 1:
      return "user.";
    case 2:
      return "system.posix_acl_access";
    case 3:
      return "system.posix_acl_default";
    case 4:
      return "trusted.";
    case 5:
      return "lustre.";
    case 6:
      return "security.";
    default:
      return nullptr;
  }
}

Error corrupt(std::string message, std::string where = "") {
  return make_error(ErrorCode::kCorrupt, std::move(message), std::move(where));
}

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

/// What one logical cluster index says.
struct Lcluster {
  unsigned type = 0;
  std::uint32_t clusterofs = 0;
  std::uint32_t pblk = 0;
  std::uint32_t delta0 = 0;
  std::uint32_t compressed_blocks = 0;  ///< from a CBLKCNT NONHEAD, else 0
  std::uint64_t next_pack = 0;          ///< byte after this index's pack (where inline data starts)
};

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

class ErofsVfs final : public Vfs {
 public:
  explicit ErofsVfs(ByteSourcePtr src) : src_(std::move(src)) {}

  std::string format() const override { return "erofs"; }

  OkResult open(std::vector<Diagnostic>& diagnostics, bool& partial) {
    const std::string where = src_->describe();
    std::array<std::byte, kSuperSize> sb{};
    if (!read_exact(*src_, kSuperOffset, sb)) return corrupt("erofs superblock truncated", where);
    core::ByteReader r(sb);
    if (r.u32().value_or(0) != kMagic) return corrupt("no erofs superblock magic", where);
    const std::uint32_t checksum = r.u32().value_or(0);
    const std::uint32_t compat = r.u32().value_or(0);
    blkbits_ = r.u8().value_or(0);
    const std::uint8_t extslots = r.u8().value_or(0);
    root_nid_ = r.u16().value_or(0);
    r.skip(8);  // inos
    build_time_ = static_cast<std::int64_t>(r.u64().value_or(0));
    r.skip(4);  // build_time_nsec
    blocks_ = r.u32().value_or(0);
    meta_blkaddr_ = r.u32().value_or(0);
    xattr_blkaddr_ = r.u32().value_or(0);
    r.seek(80);
    incompat_ = r.u32().value_or(0);
    algs_ = r.u16().value_or(0);
    const std::uint16_t extra_devices = r.u16().value_or(0);
    r.seek(90);
    const std::uint8_t dirblkbits = r.u8().value_or(0);
    (void)extslots;

    if (blkbits_ < 9 || blkbits_ > 12) {
      return corrupt(fmt::format("erofs block size 2^{} outside 512..4096 bytes", blkbits_), where);
    }
    blksz_ = std::uint64_t{1} << blkbits_;
    if (incompat_ & ~kIncompatKnown) {
      return make_error(
          ErrorCode::kUnsupported,
          fmt::format("erofs image uses incompatible features {:#x} fwcert does not read", incompat_ & ~kIncompatKnown),
          where);
    }
    if (dirblkbits != 0) {
      return make_error(ErrorCode::kUnsupported, "erofs directory blocks larger than the block size", where);
    }
    if (compat & kCompatSbChecksum) {
      // The checksum covers the rest of the first block from the superblock on (a 512-byte
      // block: one block), with the checksum field read as zero.
      std::vector<std::byte> block(blksz_ > kSuperOffset ? blksz_ - kSuperOffset : blksz_);
      if (!read_exact(*src_, kSuperOffset, block)) return corrupt("erofs superblock block truncated", where);
      std::fill(block.begin() + 4, block.begin() + 8, std::byte{0});
      std::uint32_t crc = crc32c_raw(0xFFFFFFFFu, block);
      if (crc != checksum) {
        diagnostics.push_back({Diagnostic::Level::kWarning, "/",
                               fmt::format("erofs superblock checksum mismatch (stored {:#010x}, computed {:#010x}); "
                                           "the superblock may be damaged",
                                           checksum, crc)});
        partial = true;
      }
    }
    if (extra_devices > 0 && (incompat_ & kIncompatDeviceTable)) {
      diagnostics.push_back(
          {Diagnostic::Level::kNote, "/",
           fmt::format("erofs image refers to {} extra devices; data stored on them is not read", extra_devices)});
    }
    auto image_bytes = core::checked_mul(blocks_, blksz_);
    if (!image_bytes || *image_bytes < kSuperOffset + kSuperSize) {
      return corrupt(fmt::format("erofs superblock claims {} blocks", blocks_), where);
    }
    if (*image_bytes > src_->size()) {
      diagnostics.push_back(
          {Diagnostic::Level::kWarning, "/",
           fmt::format("erofs image is truncated: superblock says {} bytes, {} present", *image_bytes, src_->size())});
      partial = true;
    }
    auto root = read_inode(root_nid_);
    if (!root) return make_error(root.error().code, "erofs root inode: " + root.error().message, where);
    if (type_of_mode(root->mode) != FileType::kDirectory) return corrupt("erofs root inode is not a directory", where);
    return Ok{};
  }

  Result<Stat> lstat_raw(const std::string& canonical) const override {
    std::lock_guard lock(mu_);
    auto in = lookup_inode(canonical);
    if (!in) return in.error();
    Stat st;
    st.type = type_of_mode(in->mode);
    st.mode = in->mode & 07777;
    st.uid = in->uid;
    st.gid = in->gid;
    st.size = in->size;
    st.nlink = in->nlink;
    st.inode = in->nid;
    st.mtime = in->mtime;
    if (st.type == FileType::kCharDevice || st.type == FileType::kBlockDevice) {
      // Linux's new_encode_dev layout: minor bits 0-7 and 20-31, major bits 8-19.
      st.rdev_major = (in->u >> 8) & 0xFFF;
      st.rdev_minor = (in->u & 0xFF) | ((in->u >> 12) & 0xFFF00);
      st.size = 0;
    }
    return st;
  }

  Result<std::vector<DirEntry>> readdir_raw(const std::string& canonical) const override {
    std::lock_guard lock(mu_);
    auto in = lookup_inode(canonical);
    if (!in) return in.error();
    auto list = listing(*in, canonical);
    if (!list) return list.error();
    return to_dir_entries(*list);
  }

  Result<std::string> readlink_raw(const std::string& canonical) const override {
    std::lock_guard lock(mu_);
    auto in = lookup_inode(canonical);
    if (!in) return in.error();
    if (type_of_mode(in->mode) != FileType::kSymlink) {
      return make_error(ErrorCode::kInvalidArgument, "not a symlink", canonical);
    }
    if (in->size > limits::kMaxSymlinkTarget) {
      return make_error(ErrorCode::kLimitExceeded, "symlink target longer than the limit", canonical);
    }
    std::string target(static_cast<std::size_t>(in->size), '\0');
    auto n = read_data(*in, 0, std::span<std::byte>(reinterpret_cast<std::byte*>(target.data()), target.size()));
    if (!n) return with_path(n.error(), canonical);
    if (*n != target.size()) return corrupt("symlink target truncated", canonical);
    return target;
  }

  Result<std::size_t> read_raw(const std::string& canonical, std::uint64_t offset,
                               std::span<std::byte> out) const override {
    std::lock_guard lock(mu_);
    auto in = lookup_inode(canonical);
    if (!in) return in.error();
    FileType t = type_of_mode(in->mode);
    if (t == FileType::kDirectory) return make_error(ErrorCode::kIsADirectory, "is a directory", canonical);
    if (t != FileType::kRegular) return make_error(ErrorCode::kInvalidArgument, "not a regular file", canonical);
    auto n = read_data(*in, offset, out);
    if (!n) return with_path(n.error(), canonical);
    return n;
  }

  Result<std::vector<Xattr>> xattrs_raw(const std::string& canonical) const override {
    std::lock_guard lock(mu_);
    auto in = lookup_inode(canonical);
    if (!in) return in.error();
    auto xs = read_xattrs(*in);
    if (!xs) return with_path(xs.error(), canonical);
    return xs;
  }

 private:
  struct Child {
    std::string name;
    FileType type;
    std::uint64_t nid;
    bool loop = false;  ///< a directory already listed under another parent
  };
  using Listing = std::vector<Child>;  // sorted by name

  struct CachedExtent {
    std::uint64_t nid = ~std::uint64_t{0};
    std::uint64_t la = 0;
    std::vector<std::byte> data;
    std::uint64_t used = 0;
  };

  static Error with_path(Error e, const std::string& path) {
    if (e.where.empty()) e.where = path;
    return e;
  }

  // ---- inodes ----

  Result<Inode> read_inode(std::uint64_t nid) const {
    auto base = core::checked_mul(meta_blkaddr_, blksz_);
    auto rel = core::checked_mul(nid, 32);
    auto pos = base && rel ? core::checked_add(*base, *rel) : std::nullopt;
    if (!pos || *pos >= src_->size()) return corrupt(fmt::format("inode {} lies outside the image", nid));
    std::array<std::byte, 64> raw{};
    auto n = src_->read_at(*pos, raw);
    if (!n) return n.error();
    if (*n < 32) return corrupt(fmt::format("inode {} truncated", nid));
    core::ByteReader r(std::span<const std::byte>(raw.data(), *n));
    Inode in;
    in.nid = nid;
    in.pos = *pos;
    const std::uint16_t format = r.u16().value_or(0);
    const std::uint16_t icount = r.u16().value_or(0);
    in.mode = r.u16().value_or(0);
    in.layout = (format >> 1) & 0x7;
    const bool extended = format & 1;
    if (extended) {
      if (*n < 64) return corrupt(fmt::format("inode {} truncated", nid));
      in.isize = 64;
      r.seek(8);
      in.size = r.u64().value_or(0);
      in.u = r.u32().value_or(0);
      r.skip(4);  // i_ino
      in.uid = r.u32().value_or(0);
      in.gid = r.u32().value_or(0);
      in.mtime = static_cast<std::int64_t>(r.u64().value_or(0));
      r.skip(4);  // i_mtime_nsec
      in.nlink = r.u32().value_or(0);
    } else {
      in.isize = 32;
      in.nlink = r.u16().value_or(0);
      in.size = r.u32().value_or(0);
      r.skip(4);
      in.u = r.u32().value_or(0);
      r.skip(4);  // i_ino
      in.uid = r.u16().value_or(0);
      in.gid = r.u16().value_or(0);
      in.mtime = build_time_;
    }
    in.xattr_isize = icount ? 12 + 4 * (std::uint64_t{icount} - 1) : 0;
    if (in.layout > kChunkBased) return corrupt(fmt::format("inode {} has unknown data layout {}", nid, in.layout));
    if (type_of_mode(in.mode) == FileType::kUnknown) {
      return corrupt(fmt::format("inode {} has an unknown file type (mode {:o})", nid, in.mode));
    }
    if (in.layout == kChunkBased && !(incompat_ & kIncompatChunkedFile)) {
      return corrupt(fmt::format("inode {} is chunk-based but the superblock has no chunked files", nid));
    }
    return in;
  }

  /// The inode of a canonical path, walking cached listings from the root.
  Result<Inode> lookup_inode(const std::string& canonical) const {
    // Intermediate directories are found through cached listings alone; only the last
    // component's inode is read.
    struct Found {
      std::uint64_t nid;
      bool entry_says_directory;
    };
    auto found = walk_listings(
        canonical, Found{root_nid_, true},
        [this](const Found& dir, const std::string& path) { return listing_of(dir.nid, path); },
        [](const Child& c, const std::string& path, bool last) -> Result<Found> {
          if (c.loop) return corrupt("directory already listed under another directory (a cycle)", path);
          if (!last && c.type != FileType::kDirectory) {
            return make_error(ErrorCode::kNotADirectory, "not a directory", path);
          }
          return Found{c.nid, c.type == FileType::kDirectory};
        });
    if (!found) return found.error();
    auto in = read_inode(found->nid);
    if (!in) return with_path(in.error(), canonical);
    if (type_of_mode(in->mode) == FileType::kDirectory && !found->entry_says_directory) {
      return corrupt("a directory whose directory entry names another file type", canonical);
    }
    return in;
  }

  /// The listing of directory `nid`, reading its inode only when the listing is not cached.
  Result<std::span<const Child>> listing_of(std::uint64_t nid, const std::string& path) const {
    if (const Listing* cached = listings_.find(nid)) return std::span<const Child>(*cached);
    auto in = read_inode(nid);
    if (!in) return with_path(in.error(), path);
    return listing(*in, path);
  }

  // ---- directories ----

  Result<std::span<const Child>> listing(const Inode& dir, const std::string& path) const {
    if (const Listing* cached = listings_.find(dir.nid)) return std::span<const Child>(*cached);
    if (type_of_mode(dir.mode) != FileType::kDirectory) {
      return make_error(ErrorCode::kNotADirectory, "not a directory", path);
    }
    if (dir.size > limits::kMaxErofsDirectoryBytes) {
      return make_error(ErrorCode::kLimitExceeded, fmt::format("directory claims {} bytes", dir.size), path);
    }
    Listing list;
    std::vector<std::byte> block(blksz_);
    for (std::uint64_t off = 0; off < dir.size; off += blksz_) {
      const std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(blksz_, dir.size - off));
      auto n = read_data(dir, off, std::span<std::byte>(block.data(), len));
      if (!n) return with_path(n.error(), path);
      if (*n != len) return corrupt("directory data truncated", path);
      if (auto ok = parse_dir_block(std::span<const std::byte>(block.data(), len), list, path); !ok) {
        return corrupt(fmt::format("directory block {} damaged: {}", off / blksz_, ok.error().message), path);
      }
    }
    sort_by_name(list);
    // A directory has one parent: the root, itself, or a directory first listed elsewhere as a
    // child is a cycle, so every walk of the tree ends.
    for (Child& c : list) {
      if (c.type != FileType::kDirectory) continue;
      auto [it, inserted] = parent_of_.emplace(c.nid, dir.nid);
      c.loop = c.nid == root_nid_ || c.nid == dir.nid || (!inserted && it->second != dir.nid);
    }
    return listings_.add(dir.nid, std::move(list));
  }

  /// Dirents (nid u64, nameoff u16, file_type u8, reserved u8) then names; the first nameoff
  /// gives the count; a name runs to the next nameoff, the last to the block end or a NUL.
  OkResult parse_dir_block(std::span<const std::byte> b, Listing& list, const std::string& path) const {
    core::ByteReader r(b);
    r.seek(8);
    const std::uint32_t first = r.u16().value_or(0);
    if (first < 12 || first >= b.size() || first % 12 != 0) return corrupt(fmt::format("first name offset {}", first));
    const std::size_t count = first / 12;
    for (std::size_t i = 0; i < count; ++i) {
      r.seek(i * 12);
      const std::uint64_t nid = r.u64().value_or(0);
      const std::uint32_t nameoff = r.u16().value_or(0);
      const std::uint8_t type = r.u8().value_or(0);
      std::uint32_t end = static_cast<std::uint32_t>(b.size());
      if (i + 1 < count) {
        r.seek((i + 1) * 12 + 8);
        end = r.u16().value_or(0);
      }
      if (r.failed() || nameoff < first || nameoff >= end || end > b.size()) {
        return corrupt(fmt::format("entry {} has name offsets {}..{}", i, nameoff, end));
      }
      const char* p = reinterpret_cast<const char*>(b.data()) + nameoff;
      std::size_t len = end - nameoff;
      if (i + 1 == count) len = strnlen(p, len);
      if (len == 0 || len > limits::kMaxNameLength) return corrupt(fmt::format("entry {} has a bad name length", i));
      std::string name(p, len);
      if (name == "." || name == "..") continue;
      if (list.size() >= limits::kMaxDirectoryEntries) {
        return make_error(ErrorCode::kLimitExceeded, "directory has too many entries", path);
      }
      list.push_back({std::move(name), type_of_dirent(type), nid});
    }
    return Ok{};
  }

  // ---- data ----

  /// Reads file bytes [offset, offset + out.size()) of any layout; short only at end of file.
  Result<std::size_t> read_data(const Inode& in, std::uint64_t offset, std::span<std::byte> out) const {
    if (offset >= in.size) return std::size_t{0};
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), in.size - offset));
    std::size_t done = 0;
    while (done < want) {
      const std::uint64_t at = offset + done;
      auto n = in.compressed() ? read_compressed(in, at, out.subspan(done, want - done))
                               : read_flat(in, at, out.subspan(done, want - done));
      if (!n) return n.error();
      if (*n == 0) return corrupt("file data ends early");
      done += *n;
    }
    return done;
  }

  /// Copies image bytes [pos, pos + out.size()); fails when they lie beyond the image.
  OkResult copy_from_image(std::uint64_t pos, std::span<std::byte> out) const {
    if (!core::in_bounds(pos, out.size(), src_->size())) {
      return corrupt(fmt::format("file data at {:#x} lies beyond the end of the image", pos));
    }
    return read_exact(*src_, pos, out);
  }

  /// One contiguous piece of a flat or chunk-based file starting at `at`.
  Result<std::size_t> read_flat(const Inode& in, std::uint64_t at, std::span<std::byte> out) const {
    std::uint64_t run = 0;
    std::optional<std::uint64_t> pos;  // nullopt: a hole
    const std::uint64_t remaining = in.size - at;
    if (in.layout == kFlatPlain || in.layout == kFlatInline) {
      const std::uint64_t nblocks = (in.size + blksz_ - 1) / blksz_;
      const std::uint64_t tail_start = in.layout == kFlatInline ? (nblocks - 1) * blksz_ : in.size;
      if (at < tail_start) {
        auto start = core::checked_mul(in.u, blksz_);
        pos = start ? core::checked_add(*start, at) : std::nullopt;
        if (!pos) return corrupt("block address overflows");
        run = tail_start - at;
      } else {
        // The last partial block is stored right after the inode and its xattrs, inside that block.
        const std::uint64_t tail_len = in.size - tail_start;
        if ((in.body_end() % blksz_) + tail_len > blksz_) {
          return corrupt(fmt::format("inline tail of {} bytes crosses a block boundary", tail_len));
        }
        pos = in.body_end() + (at - tail_start);
        run = remaining;
      }
    } else {
      const unsigned chunkbits = blkbits_ + (in.u & kChunkBitsMask);
      if (chunkbits > 40) return corrupt(fmt::format("chunk size 2^{} out of range", chunkbits));
      const std::uint64_t chunk = at >> chunkbits;
      if (((in.size - 1) >> chunkbits) + 1 > limits::kMaxImageFileBlocks) {
        return make_error(ErrorCode::kLimitExceeded, fmt::format("file claims {} bytes", in.size));
      }
      const unsigned unit = (in.u & kChunkIndexes) ? 8 : 4;
      const std::uint64_t entry = align_up(in.body_end(), unit) + unit * chunk;
      std::array<std::byte, 8> raw{};
      if (auto ok = copy_from_image(entry, std::span<std::byte>(raw.data(), unit)); !ok) return ok.error();
      core::ByteReader r(raw);
      std::uint32_t blkaddr = 0;
      if (unit == 8) {
        r.skip(2);  // advise
        const std::uint16_t device = r.u16().value_or(0);
        blkaddr = r.u32().value_or(0);
        if (device != 0 && blkaddr != kNullAddr) {
          return make_error(ErrorCode::kUnsupported, fmt::format("file data is on extra device {}", device));
        }
      } else {
        blkaddr = r.u32().value_or(0);
      }
      const std::uint64_t in_chunk = at - (chunk << chunkbits);
      run = std::min<std::uint64_t>((std::uint64_t{1} << chunkbits) - in_chunk, remaining);
      if (blkaddr != kNullAddr) pos = std::uint64_t{blkaddr} * blksz_ + in_chunk;
    }
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(run, out.size()));
    if (!pos) {
      std::fill_n(out.begin(), n, std::byte{0});
      return n;
    }
    if (auto ok = copy_from_image(*pos, out.first(n)); !ok) return ok.error();
    return n;
  }

  // ---- compressed files ----

  Result<ZInfo> read_zinfo(const Inode& in) const {
    const std::uint64_t at = align_up(in.body_end(), 8);
    std::array<std::byte, 8> raw{};
    if (auto ok = copy_from_image(at, raw); !ok) return ok.error();
    core::ByteReader r(raw);
    ZInfo z;
    r.skip(2);
    z.idata_size = r.u16().value_or(0);
    z.advise = r.u16().value_or(0);
    const std::uint8_t alg = r.u8().value_or(0);
    const std::uint8_t clusterbits = r.u8().value_or(0);
    if (clusterbits & 0x80) {
      return make_error(ErrorCode::kUnsupported, "file is stored in the packed inode (fragments), not read");
    }
    if (z.advise & kAdviseFragmentPcluster) {
      return make_error(ErrorCode::kUnsupported, "file tail is a fragment of the packed inode, not read");
    }
    z.algorithm[0] = alg & 0xF;
    z.algorithm[1] = alg >> 4;
    z.lclusterbits = blkbits_ + (clusterbits & 7);
    if ((z.advise & (kAdviseBigPcluster1 | kAdviseBigPcluster2)) && !(incompat_ & kIncompatComprCfgs)) {
      return corrupt("big pclusters without the superblock feature");
    }
    if (in.layout == kCompressedCompact) {
      if (z.lclusterbits > 14) return corrupt(fmt::format("compact indexes with 2^{} clusters", z.lclusterbits));
      if (!(z.advise & kAdviseBigPcluster1) != !(z.advise & kAdviseBigPcluster2)) {
        return corrupt("compact indexes with inconsistent big-pcluster flags");
      }
    }
    if ((z.advise & kAdviseInlinePcluster) && !(incompat_ & kIncompatZtailpacking)) {
      return corrupt("inline pcluster without the superblock feature");
    }
    return z;
  }

  Result<Lcluster> load_lcluster(const Inode& in, const ZInfo& z, std::uint64_t lcn) const {
    const std::uint64_t lcsize = std::uint64_t{1} << z.lclusterbits;
    if (lcn > (in.size - 1) / lcsize) return corrupt(fmt::format("cluster index {} beyond the end of file", lcn));
    Lcluster m;
    if (in.layout == kCompressedFull) {
      // Full indexes start after the 8-byte map header and 8 more reserved bytes.
      const std::uint64_t pos = align_up(in.body_end(), 8) + 16 + lcn * 8;
      std::array<std::byte, 8> raw{};
      if (auto ok = copy_from_image(pos, raw); !ok) return ok.error();
      core::ByteReader r(raw);
      const std::uint16_t advise = r.u16().value_or(0);
      const std::uint16_t clusterofs = r.u16().value_or(0);
      const std::uint32_t u = r.u32().value_or(0);
      m.next_pack = pos + 8;
      m.type = advise & 3;
      if (m.type == kLclusterNonhead) {
        m.clusterofs = static_cast<std::uint32_t>(lcsize);
        m.delta0 = u & 0xFFFF;
        if (m.delta0 & kD0CompressedBlockCount) {
          if (!(z.advise & (kAdviseBigPcluster1 | kAdviseBigPcluster2)))
            return corrupt("block count without big pclusters");
          m.compressed_blocks = m.delta0 & ~kD0CompressedBlockCount;
          m.delta0 = 1;
        }
      } else {
        m.clusterofs = clusterofs;
        if (m.clusterofs >= lcsize) return corrupt(fmt::format("cluster offset {} out of range", m.clusterofs));
        m.pblk = u;
      }
      return m;
    }
    // Compact: a run of 4-byte packs up to 32-byte alignment, then 2-byte packs (16 per 32
    // bytes) when the file asks for them, then 4-byte packs again.
    const std::uint64_t ebase = align_up(in.body_end(), 8) + 8;
    const std::uint64_t totalidx = (in.size + blksz_ - 1) / blksz_;
    std::uint64_t initial4 = (32 - ebase % 32) / 4;
    if (initial4 == 8) initial4 = 0;
    std::uint64_t compacted2 = 0;
    if ((z.advise & kAdviseCompacted2B) && initial4 < totalidx) compacted2 = (totalidx - initial4) / 16 * 16;
    std::uint64_t pos = ebase;
    std::uint64_t idx = lcn;
    unsigned shift = 2;
    if (idx >= initial4) {
      pos += initial4 * 4;
      idx -= initial4;
      if (idx < compacted2) {
        shift = 1;
      } else {
        pos += compacted2 * 2;
        idx -= compacted2;
      }
    }
    pos += idx << shift;
    unsigned vcnt = 0;
    if (shift == 2 && z.lclusterbits <= 14) {
      vcnt = 2;
    } else if (shift == 1 && z.lclusterbits <= 12) {
      vcnt = 16;
    } else {
      return corrupt("compact index form not valid for the cluster size");
    }
    const std::uint64_t packsize = std::uint64_t{vcnt} << shift;
    const std::uint64_t base = pos / packsize * packsize;
    std::array<std::byte, 32 + 4> pack{};  // +4: the bit decoder reads 32 bits at a time
    if (auto ok = copy_from_image(base, std::span<std::byte>(pack.data(), packsize)); !ok) return ok.error();
    m.next_pack = base + packsize;
    const bool big = z.advise & kAdviseBigPcluster1;
    const unsigned lobits = std::max(z.lclusterbits, 12u);
    const unsigned encodebits = static_cast<unsigned>((packsize - 4) * 8 / vcnt);
    int i = static_cast<int>((pos - base) >> shift);
    auto decode = [&](int k, unsigned& type) {
      const unsigned bit = encodebits * static_cast<unsigned>(k);
      core::ByteReader word(std::span<const std::byte>(pack.data() + bit / 8, 4));
      const std::uint32_t v = word.u32().value_or(0) >> (bit & 7);
      type = (v >> lobits) & 3;
      return v & ((1u << lobits) - 1);
    };
    unsigned type = 0;
    std::uint32_t lo = decode(i, type);
    m.type = type;
    if (type == kLclusterNonhead) {
      m.clusterofs = static_cast<std::uint32_t>(lcsize);
      if (lo & kD0CompressedBlockCount) {
        if (!big) return corrupt("block count without big pclusters");
        m.compressed_blocks = lo & ~kD0CompressedBlockCount;
        m.delta0 = 1;
        return m;
      }
      if (i + 1 != static_cast<int>(vcnt)) {
        m.delta0 = lo;
        return m;
      }
      // The last entry of a pack holds delta[1]; delta[0] comes from the one before it.
      unsigned t2 = 0;
      lo = decode(i - 1, t2);
      if (t2 != kLclusterNonhead) {
        lo = 0;
      } else if (lo & kD0CompressedBlockCount) {
        lo = 1;
      }
      m.delta0 = lo + 1;
      return m;
    }
    m.clusterofs = lo;
    if (m.clusterofs >= lcsize) return corrupt(fmt::format("cluster offset {} out of range", m.clusterofs));
    std::uint64_t nblk = 0;
    if (!big) {
      nblk = 1;
      while (i > 0) {
        --i;
        unsigned t = 0;
        std::uint32_t l = decode(i, t);
        if (t == kLclusterNonhead) i -= static_cast<int>(l);
        if (i >= 0) ++nblk;
      }
    } else {
      while (i > 0) {
        --i;
        unsigned t = 0;
        std::uint32_t l = decode(i, t);
        if (t == kLclusterNonhead) {
          if (l & kD0CompressedBlockCount) {
            --i;
            nblk += l & ~kD0CompressedBlockCount;
            continue;
          }
          if (l <= 1) return corrupt("bad lookback distance in a compact pack");
          i -= static_cast<int>(l) - 2;
          continue;
        }
        ++nblk;
      }
    }
    core::ByteReader r(std::span<const std::byte>(pack.data() + packsize - 4, 4));
    auto pblk = core::checked_add(r.u32().value_or(0), nblk);
    if (!pblk || *pblk > 0xFFFFFFFFu) return corrupt("block address overflows");
    m.pblk = static_cast<std::uint32_t>(*pblk);
    return m;
  }

  /// The extent holding byte `at` of a compressed file (the kernel's z_erofs_map_blocks).
  Result<Extent> map_extent(const Inode& in, ZInfo& z, std::uint64_t at) const {
    const unsigned lcb = z.lclusterbits;
    const std::uint64_t lcsize = std::uint64_t{1} << lcb;
    auto head_of = [&](std::uint64_t off, std::uint64_t& head_lcn, Lcluster& head) -> OkResult {
      std::uint64_t lcn = off >> lcb;
      auto m = load_lcluster(in, z, lcn);
      if (!m) return m.error();
      std::uint32_t distance = 0;
      if (m->type != kLclusterNonhead) {
        if ((off & (lcsize - 1)) >= m->clusterofs) {
          head_lcn = lcn;
          head = *m;
          return Ok{};
        }
        if (lcn == 0) return corrupt("the first cluster does not start an extent");
        distance = 1;
      } else {
        distance = m->delta0;
      }
      // Look back over NONHEAD clusters; every step moves strictly back, so this ends.
      for (;;) {
        if (distance == 0 || lcn < distance) return corrupt(fmt::format("bogus lookback distance {}", distance));
        lcn -= distance;
        m = load_lcluster(in, z, lcn);
        if (!m) return m.error();
        if (m->type == kLclusterNonhead) {
          distance = m->delta0;
          continue;
        }
        head_lcn = lcn;
        head = *m;
        return Ok{};
      }
    };
    const bool ztail = z.advise & kAdviseInlinePcluster;
    if (ztail && !z.tail_known) {
      auto last = load_lcluster(in, z, (in.size - 1) >> lcb);
      if (!last) return last.error();
      std::uint64_t tail_lcn = 0;
      Lcluster tail_head;
      if (auto ok = head_of(in.size - 1, tail_lcn, tail_head); !ok) return ok.error();
      z.idata_off = last->next_pack;
      z.tail_head_lcn = tail_lcn;
      z.tail_known = true;
    }
    std::uint64_t head_lcn = 0;
    Lcluster head;
    if (auto ok = head_of(at, head_lcn, head); !ok) return ok.error();
    Extent e;
    e.head_type = head.type;
    e.la = (head_lcn << lcb) | head.clusterofs;
    // Forward to the next HEAD cluster for the extent's decoded length.
    std::uint64_t end = in.size;
    for (std::uint64_t lcn = head_lcn + 1; (lcn << lcb) < in.size; ++lcn) {
      if ((lcn << lcb) - e.la > limits::kMaxErofsExtentBytes) break;
      auto m = load_lcluster(in, z, lcn);
      if (!m) return m.error();
      if (m->type != kLclusterNonhead) {
        end = std::min(end, (lcn << lcb) | m->clusterofs);
        break;
      }
    }
    if (end <= e.la || at < e.la || at >= end) return corrupt(fmt::format("no extent maps byte {}", at));
    e.llen = end - e.la;
    if (e.llen > limits::kMaxErofsExtentBytes) {
      return make_error(ErrorCode::kLimitExceeded, fmt::format("compressed extent decodes to {} bytes", e.llen));
    }
    if (ztail && head_lcn == z.tail_head_lcn) {
      e.pa = z.idata_off;
      e.plen = z.idata_size;
      if ((e.pa % blksz_) + e.plen > blksz_) return corrupt("inline pcluster crosses a block boundary");
    } else {
      const bool big1 = z.advise & kAdviseBigPcluster1;
      const bool big2 = z.advise & kAdviseBigPcluster2;
      std::uint64_t blocks = std::uint64_t{1} << (lcb - blkbits_);
      const bool big_head = (head.type == kLclusterHead1 && big1) ||
                            ((head.type == kLclusterPlain || head.type == kLclusterHead2) && big2);
      if (big_head && ((head_lcn + 1) << lcb) < in.size) {
        auto next = load_lcluster(in, z, head_lcn + 1);
        if (!next) return next.error();
        if (next->type == kLclusterNonhead) {
          if (next->compressed_blocks == 0 || next->delta0 != 1) return corrupt("big pcluster without its block count");
          blocks = next->compressed_blocks;
        }
      }
      e.pa = std::uint64_t{head.pblk} << blkbits_;
      e.plen = blocks << blkbits_;
    }
    if (e.plen == 0 || e.plen > limits::kMaxErofsPclusterBytes) {
      return corrupt(fmt::format("pcluster of {} bytes", e.plen));
    }
    if (head.type == kLclusterPlain) {
      e.plain = true;
    } else {
      e.algorithm = head.type == kLclusterHead2 ? z.algorithm[1] : z.algorithm[0];
    }
    return e;
  }

  /// Decodes one extent into `out` (e.llen bytes).
  OkResult decode_extent(const Extent& e, const ZInfo& z, std::vector<std::byte>& out) const {
    std::vector<std::byte> in(static_cast<std::size_t>(e.plen));
    if (auto ok = copy_from_image(e.pa, in); !ok) return ok.error();
    out.resize(static_cast<std::size_t>(e.llen));
    if (e.plain) {
      if (e.llen > e.plen) return corrupt("uncompressed pcluster shorter than its extent");
      std::size_t first = 0;
      if (z.advise & kAdviseInterlacedPcluster) {
        // The extent's first block part is stored at the end of the pcluster.
        first = static_cast<std::size_t>(std::min<std::uint64_t>(blksz_ - (e.la % blksz_), e.llen));
        std::memcpy(out.data(), in.data() + (in.size() - first), first);
      }
      std::memcpy(out.data() + first, in.data(), out.size() - first);
      return Ok{};
    }
    if (e.algorithm != kAlgLz4) {
      static const char* kNames[] = {"lz4", "lzma", "deflate", "zstd"};
      return make_error(ErrorCode::kUnsupported,
                        fmt::format("{}-compressed data is not decoded", e.algorithm < 4 ? kNames[e.algorithm] : "?"));
    }
    if ((incompat_ & kIncompatComprCfgs) && !(algs_ & 1)) return corrupt("lz4 data but lz4 is not enabled");
    std::size_t skip = 0;
    if (incompat_ & kIncompatZeroPadding) {
      // The compressed bytes end the pcluster; the zeros before them are padding.
      const std::size_t pad_window = static_cast<std::size_t>(std::min<std::uint64_t>(in.size(), blksz_));
      while (skip < pad_window && in[skip] == std::byte{0}) ++skip;
      if (skip == pad_window) return corrupt("compressed pcluster holds only padding");
    }
    const int got = LZ4_decompress_safe_partial(reinterpret_cast<const char*>(in.data() + skip),
                                                reinterpret_cast<char*>(out.data()), static_cast<int>(in.size() - skip),
                                                static_cast<int>(out.size()), static_cast<int>(out.size()));
    if (got < 0 || static_cast<std::size_t>(got) != out.size()) {
      return corrupt(fmt::format("lz4 pcluster at {:#x} does not decode ({} of {} bytes)", e.pa, got, out.size()));
    }
    return Ok{};
  }

  Result<std::size_t> read_compressed(const Inode& in, std::uint64_t at, std::span<std::byte> out) const {
    // A decoded extent already in the cache?
    for (auto& c : cache_) {
      if (c.nid == in.nid && at >= c.la && at < c.la + c.data.size()) {
        c.used = ++clock_;
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), c.la + c.data.size() - at));
        std::memcpy(out.data(), c.data.data() + (at - c.la), n);
        return n;
      }
    }
    if (!zinfo_ || zinfo_nid_ != in.nid) {
      auto z = read_zinfo(in);
      if (!z) return z.error();
      zinfo_ = *z;
      zinfo_nid_ = in.nid;
    }
    auto e = map_extent(in, *zinfo_, at);
    if (!e) return e.error();
    auto victim = std::min_element(cache_.begin(), cache_.end(),
                                   [](const CachedExtent& a, const CachedExtent& b) { return a.used < b.used; });
    victim->nid = ~std::uint64_t{0};
    if (auto ok = decode_extent(*e, *zinfo_, victim->data); !ok) {
      victim->data.clear();
      victim->data.shrink_to_fit();
      return ok.error();
    }
    victim->nid = in.nid;
    victim->la = e->la;
    victim->used = ++clock_;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), e->la + e->llen - at));
    std::memcpy(out.data(), victim->data.data() + (at - e->la), n);
    return n;
  }

  // ---- xattrs ----

  /// Appends the xattr entry at `pos` (header, name, value); returns its padded size.
  Result<std::uint64_t> read_xattr_entry(std::uint64_t pos, std::uint64_t limit, std::vector<Xattr>& out) const {
    std::array<std::byte, 4> hdr{};
    if (!core::in_bounds(pos, 4, limit)) return corrupt("xattr entry beyond its area");
    if (auto ok = copy_from_image(pos, hdr); !ok) return ok.error();
    core::ByteReader r(hdr);
    const std::uint8_t name_len = r.u8().value_or(0);
    const std::uint8_t index = r.u8().value_or(0);
    const std::size_t value_size = r.u16().value_or(0);
    const std::uint64_t total = align_up(4 + std::uint64_t{name_len} + value_size, 4);
    if (!core::in_bounds(pos, total, limit)) return corrupt("xattr entry beyond its area");
    if (index & 0x80) return make_error(ErrorCode::kUnsupported, "xattr with a long name prefix is not read");
    const char* prefix = xattr_prefix(index);
    if (!prefix || value_size > limits::kMaxXattrValue) return total;  // unknown namespace or oversized: skipped
    if (out.size() >= limits::kMaxXattrsPerFile) {
      return make_error(ErrorCode::kLimitExceeded, fmt::format("more than {} xattrs on one file", out.size()));
    }
    std::string body(std::size_t{name_len} + value_size, '\0');
    if (auto ok =
            copy_from_image(pos + 4, std::span<std::byte>(reinterpret_cast<std::byte*>(body.data()), body.size()));
        !ok) {
      return ok.error();
    }
    out.push_back({prefix + body.substr(0, name_len), body.substr(name_len)});
    return total;
  }

  Result<std::vector<Xattr>> read_xattrs(const Inode& in) const {
    std::vector<Xattr> out;
    if (in.xattr_isize == 0) return out;
    const std::uint64_t area = in.pos + in.isize;
    const std::uint64_t end = area + in.xattr_isize;
    if (end > src_->size()) return corrupt("xattrs beyond the end of the image");
    std::array<std::byte, 12> hdr{};
    if (auto ok = copy_from_image(area, hdr); !ok) return ok.error();
    const std::uint8_t shared = static_cast<std::uint8_t>(hdr[4]);
    std::uint64_t pos = area + 12;
    if (pos + 4 * std::uint64_t{shared} > end) return corrupt("shared xattr list beyond the xattr area");
    for (unsigned i = 0; i < shared; ++i, pos += 4) {
      std::array<std::byte, 4> raw{};
      if (auto ok = copy_from_image(pos, raw); !ok) return ok.error();
      core::ByteReader r(raw);
      const std::uint64_t id = r.u32().value_or(0);
      const std::uint64_t at = std::uint64_t{xattr_blkaddr_} * blksz_ + id * 4;
      auto n = read_xattr_entry(at, src_->size(), out);
      if (!n) return n.error();
    }
    while (pos + 4 <= end) {
      auto n = read_xattr_entry(pos, end, out);
      if (!n) return n.error();
      pos += *n;
    }
    return out;
  }

  ByteSourcePtr src_;
  unsigned blkbits_ = 12;
  std::uint64_t blksz_ = 4096;
  std::uint64_t root_nid_ = 0;
  std::int64_t build_time_ = 0;
  std::uint64_t blocks_ = 0;
  std::uint64_t meta_blkaddr_ = 0;
  std::uint32_t xattr_blkaddr_ = 0;
  std::uint32_t incompat_ = 0;
  std::uint16_t algs_ = 0;

  mutable std::mutex mu_;
  mutable ListingCache<std::uint64_t, Child> listings_;
  mutable std::unordered_map<std::uint64_t, std::uint64_t> parent_of_;  ///< directory nid -> parent nid
  mutable std::array<CachedExtent, limits::kErofsCachedExtents> cache_;
  mutable std::uint64_t clock_ = 0;
  mutable std::optional<ZInfo> zinfo_;
  mutable std::uint64_t zinfo_nid_ = 0;
};

}  // namespace

Result<std::shared_ptr<Vfs>> open_erofs(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial) {
  auto vfs = std::make_shared<ErofsVfs>(std::move(src));
  if (auto ok = vfs->open(diagnostics, partial); !ok) return ok.error();
  return std::shared_ptr<Vfs>(std::move(vfs));
}

}  // namespace fwcert::vfs
