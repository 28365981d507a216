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
//   the extent's decoded length; every step is bounded by the index and by limits.hpp. That
//   reader is erofs_zmap.cpp; the layout facts both files use are in erofs_format.hpp.
// - Algorithms: LZ4 (zero-padded or not) and uncompressed pclusters (shifted or interlaced).
//   LZMA, DEFLATE, ZSTD and fragment/packed-inode data are reported as unsupported for the file
//   that uses them; its metadata is still listed.
// - A damaged inode or directory block fails that lookup with kCorrupt, which the inventory
//   walk reports as a warning (the scan is partial); nothing else is lost.

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "core/byte_reader.hpp"
#include "core/checked.hpp"
#include "core/limits.hpp"
#include "vfs/erofs_format.hpp"
#include "vfs/listing.hpp"
#include "vfs/mode.hpp"
#include "vfs/open.hpp"

namespace fwcert::vfs {

namespace erofs {
namespace {

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
    img_.blkbits = r.u8().value_or(0);
    const std::uint8_t extslots = r.u8().value_or(0);
    root_nid_ = r.u16().value_or(0);
    r.skip(8);  // inos
    build_time_ = static_cast<std::int64_t>(r.u64().value_or(0));
    r.skip(4);  // build_time_nsec
    blocks_ = r.u32().value_or(0);
    meta_blkaddr_ = r.u32().value_or(0);
    xattr_blkaddr_ = r.u32().value_or(0);
    r.seek(80);
    img_.incompat = r.u32().value_or(0);
    img_.algs = r.u16().value_or(0);
    const std::uint16_t extra_devices = r.u16().value_or(0);
    r.seek(90);
    const std::uint8_t dirblkbits = r.u8().value_or(0);
    (void)extslots;

    if (img_.blkbits < 9 || img_.blkbits > 12) {
      return corrupt(fmt::format("erofs block size 2^{} outside 512..4096 bytes", img_.blkbits), where);
    }
    img_.blksz = std::uint64_t{1} << img_.blkbits;
    if (img_.incompat & ~kIncompatKnown) {
      return make_error(ErrorCode::kUnsupported,
                        fmt::format("erofs image uses incompatible features {:#x} fwcert does not read",
                                    img_.incompat & ~kIncompatKnown),
                        where);
    }
    if (dirblkbits != 0) {
      return make_error(ErrorCode::kUnsupported, "erofs directory blocks larger than the block size", where);
    }
    if (compat & kCompatSbChecksum) {
      // The checksum covers the rest of the first block from the superblock on (a 512-byte
      // block: one block), with the checksum field read as zero.
      std::vector<std::byte> block(img_.blksz > kSuperOffset ? img_.blksz - kSuperOffset : img_.blksz);
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
    if (extra_devices > 0 && (img_.incompat & kIncompatDeviceTable)) {
      diagnostics.push_back(
          {Diagnostic::Level::kNote, "/",
           fmt::format("erofs image refers to {} extra devices; data stored on them is not read", extra_devices)});
    }
    auto image_bytes = core::checked_mul(blocks_, img_.blksz);
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
    auto base = core::checked_mul(meta_blkaddr_, img_.blksz);
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
    if (in.layout == kChunkBased && !(img_.incompat & kIncompatChunkedFile)) {
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
    std::vector<std::byte> block(img_.blksz);
    for (std::uint64_t off = 0; off < dir.size; off += img_.blksz) {
      const std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(img_.blksz, dir.size - off));
      auto n = read_data(dir, off, std::span<std::byte>(block.data(), len));
      if (!n) return with_path(n.error(), path);
      if (*n != len) return corrupt("directory data truncated", path);
      if (auto ok = parse_dir_block(std::span<const std::byte>(block.data(), len), list, path); !ok) {
        return corrupt(fmt::format("directory block {} damaged: {}", off / img_.blksz, ok.error().message), path);
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

  /// One contiguous piece of a flat or chunk-based file starting at `at`.
  Result<std::size_t> read_flat(const Inode& in, std::uint64_t at, std::span<std::byte> out) const {
    std::uint64_t run = 0;
    std::optional<std::uint64_t> pos;  // nullopt: a hole
    const std::uint64_t remaining = in.size - at;
    if (in.layout == kFlatPlain || in.layout == kFlatInline) {
      const std::uint64_t nblocks = (in.size + img_.blksz - 1) / img_.blksz;
      const std::uint64_t tail_start = in.layout == kFlatInline ? (nblocks - 1) * img_.blksz : in.size;
      if (at < tail_start) {
        auto start = core::checked_mul(in.u, img_.blksz);
        pos = start ? core::checked_add(*start, at) : std::nullopt;
        if (!pos) return corrupt("block address overflows");
        run = tail_start - at;
      } else {
        // The last partial block is stored right after the inode and its xattrs, inside that block.
        const std::uint64_t tail_len = in.size - tail_start;
        if ((in.body_end() % img_.blksz) + tail_len > img_.blksz) {
          return corrupt(fmt::format("inline tail of {} bytes crosses a block boundary", tail_len));
        }
        pos = in.body_end() + (at - tail_start);
        run = remaining;
      }
    } else {
      const unsigned chunkbits = img_.blkbits + (in.u & kChunkBitsMask);
      if (chunkbits > 40) return corrupt(fmt::format("chunk size 2^{} out of range", chunkbits));
      const std::uint64_t chunk = at >> chunkbits;
      if (((in.size - 1) >> chunkbits) + 1 > limits::kMaxImageFileBlocks) {
        return make_error(ErrorCode::kLimitExceeded, fmt::format("file claims {} bytes", in.size));
      }
      const unsigned unit = (in.u & kChunkIndexes) ? 8 : 4;
      const std::uint64_t entry = align_up(in.body_end(), unit) + unit * chunk;
      std::array<std::byte, 8> raw{};
      if (auto ok = img_.copy(entry, std::span<std::byte>(raw.data(), unit)); !ok) return ok.error();
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
      if (blkaddr != kNullAddr) pos = std::uint64_t{blkaddr} * img_.blksz + in_chunk;
    }
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(run, out.size()));
    if (!pos) {
      std::fill_n(out.begin(), n, std::byte{0});
      return n;
    }
    if (auto ok = img_.copy(*pos, out.first(n)); !ok) return ok.error();
    return n;
  }

  // ---- compressed files ----

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
      auto z = read_zinfo(img_, in);
      if (!z) return z.error();
      zinfo_ = *z;
      zinfo_nid_ = in.nid;
    }
    auto e = map_extent(img_, in, *zinfo_, at);
    if (!e) return e.error();
    auto victim = std::min_element(cache_.begin(), cache_.end(),
                                   [](const CachedExtent& a, const CachedExtent& b) { return a.used < b.used; });
    victim->nid = ~std::uint64_t{0};
    if (auto ok = decode_extent(img_, *e, *zinfo_, victim->data); !ok) {
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
    if (auto ok = img_.copy(pos, hdr); !ok) return ok.error();
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
    if (auto ok = img_.copy(pos + 4, std::span<std::byte>(reinterpret_cast<std::byte*>(body.data()), body.size()));
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
    if (auto ok = img_.copy(area, hdr); !ok) return ok.error();
    const std::uint8_t shared = static_cast<std::uint8_t>(hdr[4]);
    std::uint64_t pos = area + 12;
    if (pos + 4 * std::uint64_t{shared} > end) return corrupt("shared xattr list beyond the xattr area");
    for (unsigned i = 0; i < shared; ++i, pos += 4) {
      std::array<std::byte, 4> raw{};
      if (auto ok = img_.copy(pos, raw); !ok) return ok.error();
      core::ByteReader r(raw);
      const std::uint64_t id = r.u32().value_or(0);
      const std::uint64_t at = std::uint64_t{xattr_blkaddr_} * img_.blksz + id * 4;
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
  Image img_{src_.get()};
  std::uint64_t root_nid_ = 0;
  std::int64_t build_time_ = 0;
  std::uint64_t blocks_ = 0;
  std::uint64_t meta_blkaddr_ = 0;
  std::uint32_t xattr_blkaddr_ = 0;

  mutable std::mutex mu_;
  mutable ListingCache<std::uint64_t, Child> listings_;
  mutable std::unordered_map<std::uint64_t, std::uint64_t> parent_of_;  ///< directory nid -> parent nid
  mutable std::array<CachedExtent, limits::kErofsCachedExtents> cache_;
  mutable std::uint64_t clock_ = 0;
  mutable std::optional<ZInfo> zinfo_;
  mutable std::uint64_t zinfo_nid_ = 0;
};

}  // namespace
}  // namespace erofs

Result<std::shared_ptr<Vfs>> open_erofs(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial) {
  auto vfs = std::make_shared<erofs::ErofsVfs>(std::move(src));
  if (auto ok = vfs->open(diagnostics, partial); !ok) return ok.error();
  return std::shared_ptr<Vfs>(std::move(vfs));
}

}  // namespace fwcert::vfs
