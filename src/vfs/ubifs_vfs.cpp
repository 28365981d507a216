// UBIFS backend: reads a UBIFS file system from its LEBs, either a bare image (mkfs.ubifs output,
// LEB n at n × the superblock's LEB size) or a UBI volume's source (vfs/ubi.hpp), in place.
//
// Decided:
// - Only the committed index is read: superblock (LEB 0), the newest valid master node (LEBs 1
//   and 2), then the index B-tree from the master's root. A master marked dirty (dumped from a
//   running unit) may have newer nodes in the journal; that is said (partial), not replayed.
// - Opening walks the whole index once and keeps metadata only: inodes (owner, mode, size,
//   links, symlink target, device number, xattr values), directory and xattr entries, and the
//   location of every data node. File content is decompressed on demand, one 4 KiB block at a
//   time (none, LZO, raw deflate, zstd).
// - Every node read is CRC-checked, data nodes included, so damage is reported at open (a
//   warning, the image partial) rather than discovered by whichever analyzer reads the file;
//   a damaged data node reads back as an error, never as silently wrong bytes.
// - The walk is bounded in depth, node count and node size, and an index node is visited once
//   however many branches point at it, so a crafted index cannot make the walk explode.
// - Authenticated images (branch hashes) are refused; key formats other than the simple one
//   (the only one Linux defines) are refused.

#include <fmt/format.h>
#include <lzo/lzo1x.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "core/byte_reader.hpp"
#include "core/checked.hpp"
#include "core/limits.hpp"
#include "vfs/mode.hpp"
#include "vfs/open.hpp"
#include "vfs/ubi.hpp"

namespace fwcert::vfs {

namespace {

// fs/ubifs/ubifs-media.h; every field is little-endian.
constexpr std::uint32_t kNodeMagic = 0x06101831u;
constexpr std::size_t kCommonHeader = 24;
enum NodeType : std::uint8_t {
  kInoNode = 0,
  kDataNode = 1,
  kDentNode = 2,
  kXentNode = 3,
  kSbNode = 6,
  kMstNode = 7,
  kIdxNode = 9,
};
constexpr std::uint32_t kSbNodeBytes = 4096;
constexpr std::uint32_t kMstNodeBytes = 512;
constexpr std::size_t kInoNodeBytes = 160;
constexpr std::size_t kDentNodeBytes = 56;
constexpr std::size_t kDataNodeBytes = 48;
constexpr std::size_t kBlockBytes = 4096;
constexpr std::size_t kMaxNameBytes = 255;
constexpr std::size_t kMaxInodeData = 4096;
constexpr std::uint64_t kRootInum = 1;
constexpr std::uint32_t kXattrInodeFlag = 0x20;
constexpr std::uint32_t kFlagAuthenticated = 0x20, kFlagEncrypted = 0x10;
constexpr std::uint32_t kMasterDirty = 1;
constexpr std::uint16_t kComprNone = 0, kComprLzo = 1, kComprZlib = 2, kComprZstd = 3;
constexpr std::size_t kKeyBytes = 8;  // simple key format: inode number, type and hash/block
constexpr std::size_t kBranchBytes = 12 + kKeyBytes;

struct Inode {
  std::uint64_t size = 0;
  std::int64_t mtime = 0;
  std::uint32_t nlink = 0, uid = 0, gid = 0, mode = 0, flags = 0;
  std::uint32_t rdev_major = 0, rdev_minor = 0;
  std::string data;  ///< symlink target or xattr value (inline data)
};

struct Child {
  std::string name;
  std::uint64_t inum = 0;
};

struct DataRef {
  std::uint32_t block = 0;
  std::uint32_t lnum = 0;
  std::uint32_t offs = 0;
  std::uint32_t len = 0;
  bool damaged = false;
};

/// A node the index points at, with the key its branch gives it.
struct Location {
  std::uint32_t lnum = 0, offs = 0, len = 0;
  int depth = 0;
  std::uint32_t key_inum = 0;
  std::uint32_t key_rest = 0;  ///< key type in the top 3 bits, block number or name hash below
};

class UbifsVfs final : public Vfs {
 public:
  explicit UbifsVfs(ByteSourcePtr src) : src_(std::move(src)) {}
  ~UbifsVfs() override {
    if (zlib_ready_) inflateEnd(&zlib_);
    if (zstd_) ZSTD_freeDCtx(zstd_);
  }
  UbifsVfs(const UbifsVfs&) = delete;
  UbifsVfs& operator=(const UbifsVfs&) = delete;

  std::string format() const override { return "ubifs"; }

  OkResult open(std::vector<Diagnostic>& diagnostics, bool& partial) {
    diagnostics_ = &diagnostics;
    partial_ = &partial;
    if (auto ok = read_superblock(); !ok) return ok.error();
    auto root = read_master();
    if (!root) return root.error();
    walk(*root);
    finish_tree();
    if (damaged_ > limits::kMaxUbiWarnings) {
      diagnostics.push_back(
          {Diagnostic::Level::kWarning, "/",
           fmt::format("{} more damaged UBIFS nodes not listed", damaged_ - limits::kMaxUbiWarnings)});
    }
    auto it = inodes_.find(kRootInum);
    if (it == inodes_.end() || type_of_mode(it->second.mode) != FileType::kDirectory) {
      return make_error(ErrorCode::kCorrupt, "UBIFS index has no root directory inode", src_->describe());
    }
    diagnostics_ = nullptr;
    partial_ = nullptr;
    return Ok{};
  }

  Result<Stat> lstat_raw(const std::string& canonical) const override {
    auto inum = lookup(canonical);
    if (!inum) return inum.error();
    const Inode& in = inodes_.at(*inum);
    Stat st;
    st.type = type_of_mode(in.mode);
    st.mode = in.mode & 07777;
    st.uid = in.uid;
    st.gid = in.gid;
    st.size = in.size;
    st.nlink = in.nlink;
    st.inode = *inum;
    st.rdev_major = in.rdev_major;
    st.rdev_minor = in.rdev_minor;
    st.mtime = in.mtime;
    return st;
  }

  Result<std::vector<DirEntry>> readdir_raw(const std::string& canonical) const override {
    auto inum = lookup(canonical);
    if (!inum) return inum.error();
    if (type_of_mode(inodes_.at(*inum).mode) != FileType::kDirectory) {
      return make_error(ErrorCode::kNotADirectory, "not a directory", canonical);
    }
    std::vector<DirEntry> out;
    auto it = dirs_.find(*inum);
    if (it == dirs_.end()) return out;
    out.reserve(it->second.size());
    for (const auto& c : it->second) out.push_back({c.name, type_of_mode(inodes_.at(c.inum).mode)});
    return out;
  }

  Result<std::string> readlink_raw(const std::string& canonical) const override {
    auto inum = lookup(canonical);
    if (!inum) return inum.error();
    const Inode& in = inodes_.at(*inum);
    if (type_of_mode(in.mode) != FileType::kSymlink) {
      return make_error(ErrorCode::kInvalidArgument, "not a symlink", canonical);
    }
    return in.data;
  }

  Result<std::size_t> read_raw(const std::string& canonical, std::uint64_t offset,
                               std::span<std::byte> out) const override {
    auto inum = lookup(canonical);
    if (!inum) return inum.error();
    const Inode& in = inodes_.at(*inum);
    FileType t = type_of_mode(in.mode);
    if (t == FileType::kDirectory) return make_error(ErrorCode::kIsADirectory, "is a directory", canonical);
    if (t != FileType::kRegular) return make_error(ErrorCode::kInvalidArgument, "not a regular file", canonical);
    if (offset >= in.size) return std::size_t{0};
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), in.size - offset));
    static const std::vector<DataRef> kNone;
    auto d = data_.find(*inum);
    const std::vector<DataRef>& refs = d == data_.end() ? kNone : d->second;
    std::lock_guard lock(mu_);
    std::size_t done = 0;
    while (done < want) {
      const std::uint64_t at = offset + done;
      const std::uint64_t block = at / kBlockBytes;
      const std::size_t within = static_cast<std::size_t>(at % kBlockBytes);
      const std::size_t n = std::min<std::size_t>(want - done, kBlockBytes - within);
      auto it = std::lower_bound(refs.begin(), refs.end(), block,
                                 [](const DataRef& r, std::uint64_t b) { return r.block < b; });
      if (it == refs.end() || it->block != block) {
        std::memset(out.data() + done, 0, n);  // a hole
      } else {
        auto bytes = block_bytes(*inum, *it, canonical);
        if (!bytes) return bytes.error();
        const std::vector<std::byte>& b = **bytes;
        const std::size_t have = within < b.size() ? std::min(n, b.size() - within) : 0;
        if (have) std::memcpy(out.data() + done, b.data() + within, have);
        if (have < n) std::memset(out.data() + done + have, 0, n - have);
      }
      done += n;
    }
    return done;
  }

  Result<std::vector<Xattr>> xattrs_raw(const std::string& canonical) const override {
    auto inum = lookup(canonical);
    if (!inum) return inum.error();
    std::vector<Xattr> out;
    auto it = xattrs_.find(*inum);
    if (it == xattrs_.end()) return out;
    for (const auto& x : it->second) {
      auto v = inodes_.find(x.inum);
      if (v == inodes_.end()) continue;
      out.push_back({x.name, v->second.data});
    }
    return out;
  }

 private:
  // ---- opening ----

  void damage(std::string message) {
    *partial_ = true;
    if (++damaged_ <= limits::kMaxUbiWarnings) {
      diagnostics_->push_back({Diagnostic::Level::kWarning, "/", std::move(message)});
    }
  }

  /// Reads the node at (lnum, offs) of `len` bytes (0: the length its header says) into `buf`
  /// after checking its place, magic, length and CRC. The message says what is wrong.
  Result<std::span<const std::byte>> read_node(std::uint32_t lnum, std::uint32_t offs, std::uint32_t len,
                                               std::vector<std::byte>& buf) const {
    if (lnum >= leb_cnt_ || offs % 8 != 0 || offs >= leb_size_) {
      return make_error(ErrorCode::kCorrupt, fmt::format("node position {}:{} is outside the file system", lnum, offs));
    }
    const std::uint64_t at = static_cast<std::uint64_t>(lnum) * leb_size_ + offs;
    std::array<std::byte, kCommonHeader> head{};
    if (!read_exact(*src_, at, head)) {
      return make_error(ErrorCode::kCorrupt, fmt::format("node at {}:{} lies past the end of the image", lnum, offs));
    }
    core::ByteReader r(head);
    if (r.u32().value_or(0) != kNodeMagic) {
      return make_error(ErrorCode::kCorrupt, fmt::format("no node at {}:{} (magic missing)", lnum, offs));
    }
    r.seek(16);
    const std::uint32_t node_len = r.u32().value_or(0);
    if (len != 0 && node_len != len) {
      return make_error(ErrorCode::kCorrupt,
                        fmt::format("node at {}:{} is {} bytes, its index entry says {}", lnum, offs, node_len, len));
    }
    if (node_len < kCommonHeader || node_len > limits::kMaxUbifsNodeBytes || node_len > leb_size_ - offs) {
      return make_error(ErrorCode::kCorrupt, fmt::format("node at {}:{} claims {} bytes", lnum, offs, node_len));
    }
    buf.resize(node_len);
    if (!read_exact(*src_, at, buf)) {
      return make_error(ErrorCode::kCorrupt,
                        fmt::format("node at {}:{} is cut off by the end of the image", lnum, offs));
    }
    r.seek(4);
    const std::uint32_t crc = r.u32().value_or(0);
    if (ubi_crc32(std::span<const std::byte>(buf).subspan(8)) != crc) {
      return make_error(ErrorCode::kCorrupt, fmt::format("node at {}:{}: CRC mismatch", lnum, offs));
    }
    return std::span<const std::byte>(buf);
  }

  OkResult read_superblock() {
    const std::string where = src_->describe();
    std::vector<std::byte> sb(kSbNodeBytes);
    if (!read_exact(*src_, 0, sb)) return make_error(ErrorCode::kCorrupt, "UBIFS superblock is cut short", where);
    core::ByteReader r(sb);
    if (r.u32().value_or(0) != kNodeMagic || sb[20] != std::byte{kSbNode}) {
      return make_error(ErrorCode::kCorrupt, "no UBIFS superblock node", where);
    }
    r.seek(4);
    const std::uint32_t crc = r.u32().value_or(0);
    r.seek(16);
    const std::uint32_t len = r.u32().value_or(0);
    if (len != kSbNodeBytes || ubi_crc32(std::span<const std::byte>(sb).subspan(8)) != crc) {
      damage("UBIFS superblock CRC mismatch; its fields are used as they are");
    }
    r.seek(27);
    const std::uint8_t key_fmt = r.u8().value_or(0xFF);
    const std::uint32_t flags = r.u32().value_or(0);
    min_io_ = r.u32().value_or(0);
    leb_size_ = r.u32().value_or(0);
    leb_cnt_ = r.u32().value_or(0);
    r.seek(80);
    const std::uint32_t fmt_version = r.u32().value_or(0);
    if (key_fmt != 0) return make_error(ErrorCode::kUnsupported, fmt::format("UBIFS key format {}", key_fmt), where);
    if (flags & kFlagAuthenticated) {
      return make_error(ErrorCode::kUnsupported, "authenticated UBIFS (hashed index) is not read", where);
    }
    if (fmt_version < 1 || fmt_version > 5) {
      return make_error(ErrorCode::kUnsupported, fmt::format("UBIFS format version {}", fmt_version), where);
    }
    if (leb_size_ < limits::kMinUbifsLebBytes || leb_size_ > limits::kMaxUbifsLebBytes || leb_size_ % 8 != 0 ||
        min_io_ == 0 || (min_io_ & (min_io_ - 1)) != 0 || min_io_ > leb_size_ || leb_cnt_ < 3 ||
        leb_cnt_ > limits::kMaxUbiPebs) {
      return make_error(ErrorCode::kCorrupt,
                        fmt::format("UBIFS superblock geometry is invalid (LEB {} bytes, {} LEBs, min I/O {})",
                                    leb_size_, leb_cnt_, min_io_),
                        where);
    }
    if (const std::uint64_t need = static_cast<std::uint64_t>(leb_cnt_) * leb_size_; src_->size() < need) {
      damage(fmt::format("the image is {} bytes, its superblock says {} LEBs of {} ({} bytes): truncated", src_->size(),
                         leb_cnt_, leb_size_, need));
    }
    if (flags & kFlagEncrypted) {
      diagnostics_->push_back({Diagnostic::Level::kWarning, "/",
                               "UBIFS file encryption is enabled: encrypted names and contents are not decoded"});
      *partial_ = true;
    }
    return Ok{};
  }

  /// The index root of the newest valid master node in LEBs 1 and 2.
  Result<Location> read_master() {
    std::optional<Location> best;
    std::uint64_t best_sqnum = 0;
    std::uint32_t best_flags = 0;
    std::vector<std::byte> buf;
    const std::uint32_t step = std::max<std::uint32_t>((kMstNodeBytes + min_io_ - 1) / min_io_ * min_io_, 8);
    std::size_t bad = 0;
    for (std::uint32_t lnum = 1; lnum <= 2; ++lnum) {
      for (std::uint32_t offs = 0; offs + kMstNodeBytes <= leb_size_; offs += step) {
        auto node = read_node(lnum, offs, 0, buf);
        if (!node) {
          // Master nodes are written one after another; the first gap (erased flash) ends them.
          if (node.error().message.find("magic missing") != std::string::npos) break;
          ++bad;
          continue;
        }
        if ((*node)[20] != std::byte{kMstNode} || node->size() < kMstNodeBytes) {
          ++bad;
          continue;
        }
        core::ByteReader r(*node);
        r.seek(8);
        const std::uint64_t sqnum = r.u64().value_or(0);
        if (best && sqnum <= best_sqnum) continue;
        r.seek(40);
        best_flags = r.u32().value_or(0);
        r.seek(48);
        Location root;
        root.lnum = r.u32().value_or(0);
        root.offs = r.u32().value_or(0);
        root.len = r.u32().value_or(0);
        best = root;
        best_sqnum = sqnum;
      }
    }
    if (!best) return make_error(ErrorCode::kCorrupt, "no valid UBIFS master node in LEBs 1-2", src_->describe());
    if (bad) damage(fmt::format("{} damaged UBIFS master nodes; the newest valid one is used", bad));
    if (best_flags & kMasterDirty) {
      diagnostics_->push_back({Diagnostic::Level::kWarning, "/",
                               "UBIFS was not cleanly unmounted: changes still in its journal are not replayed (the "
                               "committed index is read)"});
      *partial_ = true;
    }
    return *best;
  }

  /// Walks the index from `root`, collecting every leaf it reaches.
  void walk(const Location& root) {
    std::vector<Location> stack{root};
    std::unordered_set<std::uint64_t> seen_index;
    std::vector<std::byte> buf;
    std::size_t visited = 0;
    while (!stack.empty()) {
      Location loc = stack.back();
      stack.pop_back();
      if (++visited > limits::kMaxUbifsNodes) {
        damage(fmt::format("more than {} UBIFS nodes; the rest of the index is not read", limits::kMaxUbifsNodes));
        return;
      }
      auto node = read_node(loc.lnum, loc.offs, loc.len, buf);
      if (!node) {
        damage("UBIFS " + node.error().message + "; skipped");
        if (loc.depth > 0 && (loc.key_rest >> 29) == kDataNode) {
          // A damaged block of a file: keep its place so reading it fails instead of giving zeros.
          data_[loc.key_inum].push_back({loc.key_rest & 0x1FFFFFFFu, loc.lnum, loc.offs, loc.len, true});
        }
        continue;
      }
      const auto type = static_cast<std::uint8_t>((*node)[20]);
      if (type == kIdxNode) {
        if (!seen_index.insert((static_cast<std::uint64_t>(loc.lnum) << 32) | loc.offs).second) continue;
        if (loc.depth >= limits::kMaxUbifsIndexDepth) {
          damage(fmt::format("UBIFS index deeper than {} levels at {}:{}; not followed", limits::kMaxUbifsIndexDepth,
                             loc.lnum, loc.offs));
          continue;
        }
        core::ByteReader r(*node);
        r.seek(24);
        const std::uint16_t children = r.u16().value_or(0);
        r.seek(28);
        if (28 + static_cast<std::size_t>(children) * kBranchBytes > node->size()) {
          damage(fmt::format("UBIFS index node at {}:{} claims {} branches", loc.lnum, loc.offs, children));
          continue;
        }
        if (stack.size() + children > limits::kMaxUbifsNodes) {
          damage(fmt::format("more than {} UBIFS nodes pending; the rest of the index is not read",
                             limits::kMaxUbifsNodes));
          return;
        }
        for (std::uint16_t i = 0; i < children; ++i) {
          Location child;
          child.lnum = r.u32().value_or(0);
          child.offs = r.u32().value_or(0);
          child.len = r.u32().value_or(0);
          child.depth = loc.depth + 1;
          child.key_inum = r.u32().value_or(0);
          child.key_rest = r.u32().value_or(0);
          stack.push_back(child);
        }
        continue;
      }
      leaf(type, *node, loc);
    }
  }

  void leaf(std::uint8_t type, std::span<const std::byte> node, const Location& loc) {
    core::ByteReader r(node);
    r.seek(24);
    const std::uint64_t inum = r.u32().value_or(0);
    switch (type) {
      case kInoNode: {
        if (node.size() < kInoNodeBytes)
          return damage(fmt::format("UBIFS inode node at {}:{} too short", loc.lnum, loc.offs));
        Inode in;
        r.seek(48);
        in.size = r.u64().value_or(0);
        r.seek(72);
        in.mtime = static_cast<std::int64_t>(r.u64().value_or(0));
        r.seek(92);
        in.nlink = r.u32().value_or(0);
        in.uid = r.u32().value_or(0);
        in.gid = r.u32().value_or(0);
        in.mode = r.u32().value_or(0);
        in.flags = r.u32().value_or(0);
        const std::uint32_t data_len = r.u32().value_or(0);
        if (data_len > kMaxInodeData || kInoNodeBytes + data_len > node.size()) {
          return damage(fmt::format("UBIFS inode {} claims {} bytes of inline data", inum, data_len));
        }
        if (in.size > limits::kMaxUbifsFileBytes) {
          return damage(fmt::format("UBIFS inode {} claims a size of {} bytes", inum, in.size));
        }
        auto inline_data = node.subspan(kInoNodeBytes, data_len);
        const FileType t = type_of_mode(in.mode);
        if ((in.flags & kXattrInodeFlag) || t == FileType::kSymlink) {
          in.data.assign(reinterpret_cast<const char*>(inline_data.data()),
                         std::min<std::size_t>(data_len, limits::kMaxSymlinkTarget));
        } else if ((t == FileType::kCharDevice || t == FileType::kBlockDevice) && data_len >= 4) {
          // The kernel stores new_encode_dev() in 4 bytes, mkfs.ubifs glibc's makedev() in 8;
          // both put minor bits 0-7 and 20-31 and major bits 8-19 in the low word.
          core::ByteReader d(inline_data);
          const std::uint64_t dev = data_len >= 8 ? d.u64().value_or(0) : d.u32().value_or(0);
          in.rdev_major = static_cast<std::uint32_t>(((dev >> 8) & 0xFFF) | ((dev >> 32) & ~std::uint64_t{0xFFF}));
          in.rdev_minor = static_cast<std::uint32_t>((dev & 0xFF) | ((dev >> 12) & 0xFFFFFF00));
        }
        inodes_[inum] = std::move(in);
        return;
      }
      case kDentNode:
      case kXentNode: {
        if (node.size() < kDentNodeBytes + 1)
          return damage(fmt::format("UBIFS entry node at {}:{} too short", loc.lnum, loc.offs));
        r.seek(40);
        const std::uint64_t target = r.u64().value_or(0);
        r.seek(50);
        const std::uint16_t nlen = r.u16().value_or(0);
        if (nlen == 0 || nlen > kMaxNameBytes || kDentNodeBytes + nlen > node.size()) {
          return damage(fmt::format("UBIFS entry node at {}:{} has a name of {} bytes", loc.lnum, loc.offs, nlen));
        }
        std::string name(reinterpret_cast<const char*>(node.data() + kDentNodeBytes), nlen);
        if (type == kDentNode && (name == "." || name == ".." || name.find('/') != std::string::npos ||
                                  name.find('\0') != std::string::npos)) {
          return damage(fmt::format("UBIFS directory entry at {}:{} has an invalid name", loc.lnum, loc.offs));
        }
        if (target == 0) return;  // a deletion entry (journal only)
        auto& list = type == kDentNode ? dirs_[inum] : xattrs_[inum];
        list.push_back({std::move(name), target});
        return;
      }
      case kDataNode: {
        if (node.size() < kDataNodeBytes)
          return damage(fmt::format("UBIFS data node at {}:{} too short", loc.lnum, loc.offs));
        r.seek(28);
        const std::uint32_t block = r.u32().value_or(0) & 0x1FFFFFFFu;
        data_[inum].push_back({block, loc.lnum, loc.offs, static_cast<std::uint32_t>(node.size()), false});
        return;
      }
      default:
        return damage(fmt::format("UBIFS index points at a node of type {} at {}:{}", type, loc.lnum, loc.offs));
    }
  }

  /// Sorts and de-duplicates what the walk collected, and drops entries that point nowhere.
  void finish_tree() {
    for (auto& [parent_inum, list] : dirs_) {
      const std::uint64_t parent = parent_inum;  // a structured binding cannot be captured (clang 14)
      std::stable_sort(list.begin(), list.end(), [](const Child& a, const Child& b) { return a.name < b.name; });
      list.erase(std::unique(list.begin(), list.end(), [](const Child& a, const Child& b) { return a.name == b.name; }),
                 list.end());
      list.erase(std::remove_if(list.begin(), list.end(),
                                [&](const Child& c) {
                                  auto it = inodes_.find(c.inum);
                                  if (it != inodes_.end() && !(it->second.flags & kXattrInodeFlag)) return false;
                                  damage(
                                      fmt::format("UBIFS entry {} of directory inode {} points at a missing inode "
                                                  "{}; not listed",
                                                  c.name, parent, c.inum));
                                  return true;
                                }),
                 list.end());
    }
    for (auto& [host, list] : xattrs_) {
      std::stable_sort(list.begin(), list.end(), [](const Child& a, const Child& b) { return a.name < b.name; });
      list.erase(std::unique(list.begin(), list.end(), [](const Child& a, const Child& b) { return a.name == b.name; }),
                 list.end());
      if (list.size() > limits::kMaxXattrsPerFile) list.resize(limits::kMaxXattrsPerFile);
    }
    for (auto& [inum, refs] : data_) {
      std::sort(refs.begin(), refs.end(), [](const DataRef& a, const DataRef& b) { return a.block < b.block; });
      refs.erase(
          std::unique(refs.begin(), refs.end(), [](const DataRef& a, const DataRef& b) { return a.block == b.block; }),
          refs.end());
    }
  }

  // ---- reading ----

  Result<std::uint64_t> lookup(const std::string& canonical) const {
    std::uint64_t inum = kRootInum;
    std::size_t i = 1;
    while (i < canonical.size()) {
      std::size_t j = canonical.find('/', i);
      if (j == std::string::npos) j = canonical.size();
      std::string_view name(canonical.data() + i, j - i);
      auto d = dirs_.find(inum);
      if (d == dirs_.end()) {
        if (type_of_mode(inodes_.at(inum).mode) != FileType::kDirectory) {
          return make_error(ErrorCode::kNotADirectory, "not a directory", canonical.substr(0, i));
        }
        return make_error(ErrorCode::kNotFound, "no such file", canonical.substr(0, j));
      }
      auto it = std::lower_bound(d->second.begin(), d->second.end(), name,
                                 [](const Child& c, std::string_view n) { return c.name < n; });
      if (it == d->second.end() || it->name != name) {
        return make_error(ErrorCode::kNotFound, "no such file", canonical.substr(0, j));
      }
      inum = it->inum;
      i = j + 1;
    }
    return inum;
  }

  /// The decompressed bytes of one data node (cached: the last block read).
  Result<const std::vector<std::byte>*> block_bytes(std::uint64_t inum, const DataRef& ref,
                                                    const std::string& path) const {
    if (cache_valid_ && cache_inum_ == inum && cache_block_ == ref.block) return &cache_;
    cache_valid_ = false;
    if (ref.damaged) {
      return make_error(ErrorCode::kCorrupt,
                        fmt::format("UBIFS data node of block {} at {}:{} is damaged", ref.block, ref.lnum, ref.offs),
                        path);
    }
    auto node = read_node(ref.lnum, ref.offs, ref.len, node_buf_);
    if (!node) return make_error(ErrorCode::kCorrupt, "UBIFS data " + node.error().message, path);
    core::ByteReader r(*node);
    r.seek(40);
    const std::uint32_t size = r.u32().value_or(0);
    const std::uint16_t compr = r.u16().value_or(0xFFFF);
    if (size > kBlockBytes) {
      return make_error(ErrorCode::kCorrupt, fmt::format("UBIFS data node claims {} bytes", size), path);
    }
    auto payload = node->subspan(kDataNodeBytes);
    cache_.assign(size, std::byte{0});
    bool ok = false;
    switch (compr) {
      case kComprNone:
        ok = payload.size() >= size;
        if (ok) std::memcpy(cache_.data(), payload.data(), size);
        break;
      case kComprLzo: {
        static const bool lzo_ready = lzo_init() == LZO_E_OK;
        lzo_uint out_len = size;
        ok = lzo_ready &&
             lzo1x_decompress_safe(reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                                   reinterpret_cast<unsigned char*>(cache_.data()), &out_len, nullptr) == LZO_E_OK &&
             out_len == size;
        break;
      }
      case kComprZlib: {
        if (!zlib_ready_) {
          zlib_ = z_stream{};
          if (inflateInit2(&zlib_, -MAX_WBITS) != Z_OK) return make_error(ErrorCode::kIo, "zlib unavailable", path);
          zlib_ready_ = true;
        }
        inflateReset(&zlib_);
        zlib_.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(payload.data()));
        zlib_.avail_in = static_cast<uInt>(payload.size());
        zlib_.next_out = reinterpret_cast<Bytef*>(cache_.data());
        zlib_.avail_out = static_cast<uInt>(size);
        int rc = inflate(&zlib_, Z_FINISH);
        ok = (rc == Z_STREAM_END || rc == Z_OK || rc == Z_BUF_ERROR) && zlib_.avail_out == 0;
        break;
      }
      case kComprZstd: {
        if (!zstd_) zstd_ = ZSTD_createDCtx();
        if (!zstd_) return make_error(ErrorCode::kIo, "zstd unavailable", path);
        std::size_t n = ZSTD_decompressDCtx(zstd_, cache_.data(), size, payload.data(), payload.size());
        ok = !ZSTD_isError(n) && n == size;
        break;
      }
      default:
        return make_error(ErrorCode::kUnsupported, fmt::format("UBIFS compression type {}", compr), path);
    }
    if (!ok) {
      return make_error(
          ErrorCode::kCorrupt,
          fmt::format("UBIFS data node at {}:{} does not decompress to {} bytes", ref.lnum, ref.offs, size), path);
    }
    cache_valid_ = true;
    cache_inum_ = inum;
    cache_block_ = ref.block;
    return &cache_;
  }

  ByteSourcePtr src_;
  std::uint32_t min_io_ = 0, leb_size_ = 0, leb_cnt_ = 0;
  std::unordered_map<std::uint64_t, Inode> inodes_;
  std::unordered_map<std::uint64_t, std::vector<Child>> dirs_;
  std::unordered_map<std::uint64_t, std::vector<Child>> xattrs_;
  std::unordered_map<std::uint64_t, std::vector<DataRef>> data_;
  std::size_t damaged_ = 0;
  std::vector<Diagnostic>* diagnostics_ = nullptr;
  bool* partial_ = nullptr;

  mutable std::mutex mu_;
  mutable std::vector<std::byte> node_buf_;
  mutable std::vector<std::byte> cache_;
  mutable bool cache_valid_ = false;
  mutable std::uint64_t cache_inum_ = 0;
  mutable std::uint32_t cache_block_ = 0;
  mutable z_stream zlib_{};
  mutable bool zlib_ready_ = false;
  mutable ZSTD_DCtx* zstd_ = nullptr;
};

}  // namespace

Result<std::shared_ptr<Vfs>> open_ubifs(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial) {
  auto vfs = std::make_shared<UbifsVfs>(std::move(src));
  if (auto ok = vfs->open(diagnostics, partial); !ok) return ok.error();
  return std::shared_ptr<Vfs>(std::move(vfs));
}

}  // namespace fwcert::vfs
