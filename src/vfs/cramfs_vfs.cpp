// cramfs backend: the compressed read-only filesystem of small NOR flash devices, read with our
// own parser. Layout: linux include/uapi/linux/cramfs_fs.h and fs/cramfs/inode.c.
//
// Decided:
// - Byte order from the magic 0x28cd3d45 (mkfs.cramfs -N big and cramfsswap write big-endian
//   images, whose inode bit fields are packed from the most significant bit). The superblock is
//   at 0, or at 512 after a boot block (mkfs.cramfs -p); offsets count from the image start.
// - The whole directory tree (12 bytes + name per entry) is read at open, bounded by
//   limits::kMaxCramfsEntries; a directory whose entries were already read (a crafted cycle) is
//   listed empty with a warning. File data is decompressed from the image on each read.
// - What the format stores, and so what is shown: mode (16 bits), uid (16 bits), gid (its low
//   8 bits only), size (24 bits: mkfs.cramfs cuts larger files), no times (mtime 0), no hard
//   links (mkfs.cramfs shares the data of identical files; each name is its own inode here,
//   nlink 1, as the kernel shows them), device numbers as the kernel decodes them
//   (old_decode_dev: 8-bit major and minor), no xattrs.
// - Blocks are one page; the image does not say which page size it was made for, so it is
//   probed on the first multi-block files (4 KiB, mkfs.cramfs's default, up to 64 KiB).
// - The CRC in the superblock (fsid version 2) is checked over the whole image at open: a
//   mismatch is a warning and makes the filesystem partial, since any byte may be damaged.

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <unordered_set>

#include "core/checked.hpp"
#include "core/limits.hpp"
#include "vfs/mode.hpp"
#include "vfs/open.hpp"

namespace fwcert::vfs {

namespace {

constexpr std::uint32_t kMagic = 0x28cd3d45;
constexpr std::size_t kSuperBytes = 76;
constexpr std::size_t kInodeBytes = 12;
constexpr std::uint64_t kBootBlock = 512;
constexpr std::string_view kSignature = "Compressed ROMFS";

constexpr std::uint32_t kFlagFsidV2 = 0x1;
constexpr std::uint32_t kFlagHoles = 0x100;
constexpr std::uint32_t kFlagWrongSignature = 0x200;
constexpr std::uint32_t kFlagShiftedRoot = 0x400;
constexpr std::uint32_t kFlagExtBlockPointers = 0x800;
constexpr std::uint32_t kSupportedFlags =
    0xFF | kFlagHoles | kFlagWrongSignature | kFlagShiftedRoot | kFlagExtBlockPointers;

constexpr std::uint32_t kBlkUncompressed = 1u << 31;
constexpr std::uint32_t kBlkDirect = 1u << 30;
constexpr std::uint32_t kBlkFlags = kBlkUncompressed | kBlkDirect;

std::uint32_t u32_at(std::span<const std::byte> b, std::size_t at, bool big) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(b[at + i]) << (8 * (big ? 3 - i : i));
  return v;
}

/// 0 (little-endian), 1 (big-endian) or -1: the byte order of a superblock at `b`.
int superblock_order(std::span<const std::byte> b) {
  if (b.size() < kSuperBytes) return -1;
  if (std::memcmp(b.data() + 16, kSignature.data(), kSignature.size()) != 0) return -1;
  if (u32_at(b, 0, false) == kMagic) return 0;
  if (u32_at(b, 0, true) == kMagic) return 1;
  return -1;
}

struct RawInode {
  std::uint32_t mode, uid, size, gid, namelen, offset;
};

RawInode decode_inode(std::span<const std::byte> b, bool big) {
  const std::uint32_t w0 = u32_at(b, 0, big), w1 = u32_at(b, 4, big), w2 = u32_at(b, 8, big);
  if (big) return {w0 >> 16, w0 & 0xFFFF, w1 >> 8, w1 & 0xFF, w2 >> 26, w2 & 0x3FFFFFF};
  return {w0 & 0xFFFF, w0 >> 16, w1 & 0xFFFFFF, w1 >> 24, w2 & 0x3F, w2 >> 6};
}

/// Reads [offset, offset+len) of `src`: the mapping when there is one, otherwise into `buf`.
std::optional<std::span<const std::byte>> bytes_at(const ByteSource& src, std::uint64_t offset, std::size_t len,
                                                   std::vector<std::byte>& buf) {
  if (!core::in_bounds(offset, len, src.size())) return std::nullopt;
  if (auto whole = src.contiguous(); !whole.empty()) return whole.subspan(static_cast<std::size_t>(offset), len);
  buf.resize(len);
  if (!read_exact(src, offset, buf)) return std::nullopt;
  return std::span<const std::byte>(buf);
}

class CramfsVfs final : public Vfs {
 public:
  explicit CramfsVfs(ByteSourcePtr src) : src_(std::move(src)) {}

  std::string format() const override { return "cramfs"; }

  OkResult open(std::vector<Diagnostic>& diagnostics, bool& partial) {
    const std::string where = src_->describe();
    std::array<std::byte, kBootBlock + kSuperBytes> head{};
    auto n = src_->read_at(0, head);
    if (!n) return n.error();
    std::span<const std::byte> h(head.data(), *n);
    std::size_t super_at = 0;
    int order = superblock_order(h);
    if (order < 0 && h.size() >= kBootBlock + kSuperBytes) {
      super_at = kBootBlock;
      order = superblock_order(h.subspan(kBootBlock));
    }
    if (order < 0) return make_error(ErrorCode::kCorrupt, "no cramfs superblock", where);
    big_ = order == 1;
    auto sb = h.subspan(super_at, kSuperBytes);
    const std::uint32_t size = u32_at(sb, 4, big_);
    const std::uint32_t flags = u32_at(sb, 8, big_);
    if (flags & ~kSupportedFlags) {
      return make_error(ErrorCode::kUnsupported, fmt::format("cramfs feature flags {:#x} not supported", flags), where);
    }
    if (size < super_at + kSuperBytes) {
      return make_error(ErrorCode::kCorrupt, fmt::format("cramfs superblock claims {} bytes", size), where);
    }
    if (size > src_->size()) {
      diagnostics.push_back(
          {Diagnostic::Level::kWarning, "/",
           fmt::format("cramfs image is truncated: superblock says {} bytes, {} present", size, src_->size())});
      partial = true;
    } else if ((flags & kFlagFsidV2) && !crc_matches(super_at, size, u32_at(sb, 32, big_))) {
      diagnostics.push_back({Diagnostic::Level::kWarning, "/",
                             "cramfs image CRC mismatch: the image was damaged or changed after mkfs.cramfs"});
      partial = true;
    }
    limit_ = std::min<std::uint64_t>(size, src_->size());
    diags_ = &diagnostics;
    partial_ = &partial;
    RawInode root = decode_inode(sb.subspan(64), big_);
    if (type_of_mode(root.mode) != FileType::kDirectory) {
      return make_error(ErrorCode::kCorrupt, "cramfs root inode is not a directory", where);
    }
    nodes_.push_back(to_node(root, ""));
    read_tree();
    probe_block_size();
    diags_ = nullptr;
    partial_ = nullptr;
    return Ok{};
  }

  Result<Stat> lstat_raw(const std::string& canonical) const override {
    auto idx = lookup(canonical);
    if (!idx) return idx.error();
    const Node& nd = nodes_[*idx];
    Stat st;
    st.type = type_of_mode(nd.mode);
    st.mode = nd.mode & 07777;
    st.uid = nd.uid;
    st.gid = nd.gid;
    st.nlink = 1;
    st.inode = *idx + 1;
    if (st.type == FileType::kCharDevice || st.type == FileType::kBlockDevice) {
      st.rdev_major = (nd.size >> 8) & 0xFF;
      st.rdev_minor = nd.size & 0xFF;
    } else if (st.type != FileType::kFifo && st.type != FileType::kSocket) {
      st.size = nd.size;
    }
    return st;
  }

  Result<std::vector<DirEntry>> readdir_raw(const std::string& canonical) const override {
    auto idx = lookup(canonical);
    if (!idx) return idx.error();
    const Node& nd = nodes_[*idx];
    if (type_of_mode(nd.mode) != FileType::kDirectory) {
      return make_error(ErrorCode::kNotADirectory, "not a directory", canonical);
    }
    std::vector<DirEntry> out;
    out.reserve(nd.child_count);
    for (std::uint32_t i = 0; i < nd.child_count; ++i) {
      const Node& c = nodes_[nd.first_child + i];
      out.push_back({c.name, type_of_mode(c.mode)});
    }
    return out;
  }

  Result<std::string> readlink_raw(const std::string& canonical) const override {
    auto idx = lookup(canonical);
    if (!idx) return idx.error();
    const Node& nd = nodes_[*idx];
    if (type_of_mode(nd.mode) != FileType::kSymlink) {
      return make_error(ErrorCode::kInvalidArgument, "not a symlink", canonical);
    }
    if (nd.size > limits::kMaxSymlinkTarget) {
      return make_error(ErrorCode::kLimitExceeded, "symlink target longer than the limit", canonical);
    }
    std::string target(nd.size, '\0');
    auto n = read_data(nd, 0, std::as_writable_bytes(std::span<char>(target)), canonical);
    if (!n) return n.error();
    target.resize(*n);
    return target;
  }

  Result<std::size_t> read_raw(const std::string& canonical, std::uint64_t offset,
                               std::span<std::byte> out) const override {
    auto idx = lookup(canonical);
    if (!idx) return idx.error();
    const Node& nd = nodes_[*idx];
    const FileType t = type_of_mode(nd.mode);
    if (t == FileType::kDirectory) return make_error(ErrorCode::kIsADirectory, "is a directory", canonical);
    if (t != FileType::kRegular) return make_error(ErrorCode::kInvalidArgument, "not a regular file", canonical);
    return read_data(nd, offset, out, canonical);
  }

  Result<std::vector<Xattr>> xattrs_raw(const std::string& canonical) const override {
    auto idx = lookup(canonical);
    if (!idx) return idx.error();
    return std::vector<Xattr>{};
  }

 private:
  struct Node {
    std::string name;
    std::uint32_t mode = 0, uid = 0, gid = 0, size = 0;
    std::uint64_t offset = 0;  ///< bytes: directory entries, or a file's block pointers
    std::uint32_t first_child = 0, child_count = 0;
  };

  static Node to_node(const RawInode& r, std::string name) {
    Node n;
    n.name = std::move(name);
    n.mode = r.mode;
    n.uid = r.uid;
    n.gid = r.gid;
    n.size = r.size;
    n.offset = static_cast<std::uint64_t>(r.offset) * 4;
    return n;
  }

  void warn(std::string message) {
    *partial_ = true;
    if (damage_reported_ >= limits::kMaxDamageDiagnostics) return;
    ++damage_reported_;
    diags_->push_back({Diagnostic::Level::kWarning, "/", std::move(message)});
  }

  bool crc_matches(std::size_t super_at, std::uint64_t size, std::uint32_t stored) const {
    // CRC-32 of the image from the superblock on, with the CRC field taken as 0.
    uLong crc = crc32(0L, Z_NULL, 0);
    std::vector<std::byte> buf(1u << 20);
    for (std::uint64_t at = super_at; at < size;) {
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size - at));
      if (!read_exact(*src_, at, std::span<std::byte>(buf.data(), want))) return false;
      const std::uint64_t field = super_at + 32;
      if (field >= at && field + 4 <= at + want) std::memset(buf.data() + (field - at), 0, 4);
      crc = crc32(crc, reinterpret_cast<const Bytef*>(buf.data()), static_cast<uInt>(want));
      at += want;
    }
    return static_cast<std::uint32_t>(crc) == stored;
  }

  /// Reads every directory breadth-first; children of one directory are contiguous in nodes_.
  void read_tree() {
    std::unordered_set<std::uint64_t> seen_dirs;
    std::vector<std::byte> buf;
    struct Pending {
      std::uint32_t node;
      int depth;
      std::string path;
    };
    std::vector<Pending> queue{{0, 0, ""}};
    for (std::size_t q = 0; q < queue.size(); ++q) {
      const std::uint32_t di = queue[q].node;
      const int depth = queue[q].depth;
      const std::string dir_path = queue[q].path;
      const std::uint64_t start = nodes_[di].offset;
      const std::uint64_t bytes = nodes_[di].size;
      const std::string label = dir_path.empty() ? "/" : dir_path;
      if (bytes == 0) continue;
      if (depth >= limits::kMaxDirectoryDepth) {
        warn(fmt::format("cramfs: directory {} nested deeper than {} levels; not listed", label,
                         limits::kMaxDirectoryDepth));
        continue;
      }
      if (!seen_dirs.insert(start).second) {
        warn(fmt::format("cramfs: directory {} lists entries at {:#x} that another directory lists; not listed", label,
                         start));
        continue;
      }
      auto entries = bytes_at(*src_, start, bytes, buf);
      if (!entries || start + bytes > limit_) {
        warn(fmt::format("cramfs: directory {} claims entries at {:#x}-{:#x}, outside the image; not listed", label,
                         start, start + bytes));
        continue;
      }
      const auto first = static_cast<std::uint32_t>(nodes_.size());
      std::vector<Node> kids;
      for (std::size_t at = 0; at < entries->size();) {
        if (entries->size() - at < kInodeBytes) {
          warn(fmt::format("cramfs: directory {}: entry at {:#x} cut short", label, start + at));
          break;
        }
        RawInode r = decode_inode(entries->subspan(at), big_);
        const std::size_t name_bytes = static_cast<std::size_t>(r.namelen) * 4;
        if (name_bytes == 0 || entries->size() - at - kInodeBytes < name_bytes) {
          warn(fmt::format("cramfs: directory {}: entry at {:#x} has an impossible name length", label, start + at));
          break;
        }
        auto raw = entries->subspan(at + kInodeBytes, name_bytes);
        std::string name(reinterpret_cast<const char*>(raw.data()), raw.size());
        name.resize(std::min(name.find('\0'), name.size()));
        at += kInodeBytes + name_bytes;
        if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
          warn(fmt::format("cramfs: directory {}: invalid name at {:#x}; skipped", label, start + at - name_bytes));
          continue;
        }
        if (nodes_.size() + kids.size() >= limits::kMaxCramfsEntries) {
          warn(fmt::format("cramfs: more than {} entries; the rest is not listed", limits::kMaxCramfsEntries));
          break;
        }
        kids.push_back(to_node(r, std::move(name)));
      }
      std::stable_sort(kids.begin(), kids.end(), [](const Node& a, const Node& b) { return a.name < b.name; });
      kids.erase(std::unique(kids.begin(), kids.end(), [](const Node& a, const Node& b) { return a.name == b.name; }),
                 kids.end());
      nodes_[di].first_child = first;
      nodes_[di].child_count = static_cast<std::uint32_t>(kids.size());
      for (auto& k : kids) {
        const bool is_dir = type_of_mode(k.mode) == FileType::kDirectory;
        std::string child_path = is_dir ? dir_path + "/" + k.name : std::string();
        nodes_.push_back(std::move(k));
        if (is_dir) queue.push_back({static_cast<std::uint32_t>(nodes_.size() - 1), depth + 1, std::move(child_path)});
      }
    }
  }

  /// Picks the page size that makes the first multi-block files' first block decompress to a
  /// full block.
  void probe_block_size() {
    int tried = 0;
    for (const Node& n : nodes_) {
      if (type_of_mode(n.mode) != FileType::kRegular || n.size <= 4096) continue;
      if (++tried > 8) break;
      for (std::uint32_t bs = 4096; bs <= 65536; bs *= 2) {
        block_size_ = bs;
        std::vector<std::byte> out;
        if (decompress_block(n, 0, out) && out.size() == std::min<std::uint32_t>(bs, n.size)) return;
      }
      block_size_ = 4096;
    }
    block_size_ = 4096;
  }

  /// Decompresses block `index` of a file or symlink into `out` (resized to what it holds).
  bool decompress_block(const Node& n, std::uint32_t index, std::vector<std::byte>& out) const {
    const std::uint64_t nblocks = (static_cast<std::uint64_t>(n.size) + block_size_ - 1) / block_size_;
    if (index >= nblocks) return false;
    std::array<std::byte, 8> ptrs{};
    const std::uint64_t ptr_at = n.offset + static_cast<std::uint64_t>(index) * 4;
    const bool has_prev = index > 0;
    if (!core::in_bounds(ptr_at, 4, limit_)) return false;
    if (has_prev && !read_exact(*src_, ptr_at - 4, ptrs)) return false;
    if (!has_prev && !read_exact(*src_, ptr_at, std::span<std::byte>(ptrs).subspan(4))) return false;
    const std::uint32_t ptr = u32_at(ptrs, 4, big_);
    const bool uncompressed = ptr & kBlkUncompressed;
    std::uint64_t start = 0, len = 0;
    auto u16_at = [&](std::uint64_t at) -> std::optional<std::uint32_t> {
      std::array<std::byte, 2> b{};
      if (!read_exact(*src_, at, b)) return std::nullopt;
      auto x = static_cast<std::uint32_t>(b[0]), y = static_cast<std::uint32_t>(b[1]);
      return big_ ? (x << 8) | y : (y << 8) | x;
    };
    const std::uint64_t want =
        std::min<std::uint64_t>(block_size_, n.size - static_cast<std::uint64_t>(index) * block_size_);
    if (ptr & kBlkDirect) {
      // An absolute start (shifted by 2); a compressed block begins with its 16-bit length.
      start = static_cast<std::uint64_t>(ptr & ~kBlkFlags) << 2;
      if (uncompressed) {
        len = want;
      } else {
        auto l = u16_at(start);
        if (!l) return false;
        len = *l;
        start += 2;
      }
    } else {
      // One past the end of this block; it starts where the previous block ended.
      start = n.offset + nblocks * 4;
      if (has_prev) {
        const std::uint32_t prev = u32_at(ptrs, 0, big_);
        start = prev & ~kBlkFlags;
        if (prev & kBlkDirect) {
          start <<= 2;
          if (prev & kBlkUncompressed) {
            start += block_size_;
          } else {
            auto l = u16_at(start);
            if (!l) return false;
            start += 2 + *l;
          }
        }
      }
      const std::uint64_t end = ptr & ~kBlkFlags;
      if (end < start) return false;
      len = end - start;
    }
    if (len == 0) {  // a hole
      out.assign(want, std::byte{0});
      return true;
    }
    if (len > 2ull * block_size_ || (uncompressed && len > block_size_) || !core::in_bounds(start, len, limit_)) {
      return false;
    }
    std::vector<std::byte> in(len);
    if (!read_exact(*src_, start, in)) return false;
    if (uncompressed) {
      out = std::move(in);
      return true;
    }
    out.resize(block_size_);
    uLongf got = block_size_;
    if (uncompress(reinterpret_cast<Bytef*>(out.data()), &got, reinterpret_cast<const Bytef*>(in.data()),
                   static_cast<uLong>(len)) != Z_OK) {
      return false;
    }
    out.resize(got);
    return true;
  }

  Result<std::size_t> read_data(const Node& n, std::uint64_t offset, std::span<std::byte> out,
                                const std::string& path) const {
    if (offset >= n.size) return std::size_t{0};
    const std::size_t total = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), n.size - offset));
    std::size_t done = 0;
    std::lock_guard lock(mu_);
    while (done < total) {
      const std::uint64_t at = offset + done;
      const auto index = static_cast<std::uint32_t>(at / block_size_);
      if (cached_node_ != &n || cached_index_ != index) {
        cached_node_ = nullptr;
        if (!decompress_block(n, index, cached_)) {
          return make_error(ErrorCode::kCorrupt, fmt::format("cramfs block {} is damaged", index), path);
        }
        const std::uint64_t want =
            std::min<std::uint64_t>(block_size_, n.size - static_cast<std::uint64_t>(index) * block_size_);
        if (cached_.size() != want) {
          return make_error(ErrorCode::kCorrupt,
                            fmt::format("cramfs block {} holds {} bytes, not {}", index, cached_.size(), want), path);
        }
        cached_node_ = &n;
        cached_index_ = index;
      }
      const std::size_t in_block = static_cast<std::size_t>(at - static_cast<std::uint64_t>(index) * block_size_);
      const std::size_t take = std::min(total - done, cached_.size() - in_block);
      std::memcpy(out.data() + done, cached_.data() + in_block, take);
      done += take;
    }
    return done;
  }

  Result<std::uint32_t> lookup(const std::string& canonical) const {
    std::uint32_t idx = 0;
    std::size_t i = 1;
    while (i < canonical.size()) {
      std::size_t j = canonical.find('/', i);
      if (j == std::string::npos) j = canonical.size();
      std::string_view name(canonical.data() + i, j - i);
      const Node& d = nodes_[idx];
      if (type_of_mode(d.mode) != FileType::kDirectory) {
        return make_error(ErrorCode::kNotADirectory, "not a directory", canonical.substr(0, i - 1));
      }
      auto begin = nodes_.begin() + d.first_child;
      auto end = begin + d.child_count;
      auto it = std::lower_bound(begin, end, name, [](const Node& n, std::string_view v) { return n.name < v; });
      if (it == end || it->name != name)
        return make_error(ErrorCode::kNotFound, "no such file", canonical.substr(0, j));
      idx = static_cast<std::uint32_t>(it - nodes_.begin());
      i = j + 1;
    }
    return idx;
  }

  ByteSourcePtr src_;
  bool big_ = false;
  std::uint64_t limit_ = 0;
  std::uint32_t block_size_ = 4096;
  std::vector<Node> nodes_;  // [0] is the root
  std::vector<Diagnostic>* diags_ = nullptr;
  bool* partial_ = nullptr;
  std::size_t damage_reported_ = 0;

  mutable std::mutex mu_;
  mutable std::vector<std::byte> cached_;
  mutable const Node* cached_node_ = nullptr;
  mutable std::uint32_t cached_index_ = 0;
};

}  // namespace

std::optional<std::uint64_t> cramfs_claimed_size(std::span<const std::byte> head) {
  int order = superblock_order(head);
  if (order >= 0) return u32_at(head, 4, order == 1);
  // After a 512-byte boot block the root's entries follow the superblock there: offsets count
  // from the start of the boot block. A plain image 512 bytes further on has its root at 76.
  if (head.size() < kBootBlock + kSuperBytes) return std::nullopt;
  auto sb = head.subspan(kBootBlock);
  order = superblock_order(sb);
  if (order < 0) return std::nullopt;
  RawInode root = decode_inode(sb.subspan(64), order == 1);
  if (static_cast<std::uint64_t>(root.offset) * 4 < kBootBlock + kSuperBytes && root.size != 0) return std::nullopt;
  return u32_at(sb, 4, order == 1);
}

Result<std::shared_ptr<Vfs>> open_cramfs(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial) {
  auto vfs = std::make_shared<CramfsVfs>(std::move(src));
  if (auto ok = vfs->open(diagnostics, partial); !ok) return ok.error();
  return std::shared_ptr<Vfs>(std::move(vfs));
}

}  // namespace fwcert::vfs
