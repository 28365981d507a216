// JFFS2 backend: the log-structured flash filesystem of NOR flash, read with our own parser
// (Debian ships no library for it). Layout facts: linux include/uapi/linux/jffs2.h and
// fs/jffs2/ (scan.c, readinode.c); they are summarised in the design notes on formats.
//
// Decided:
// - One linear pass over the image at open. Every node is checked (header CRC, node CRC, data
//   CRC); a node that fails is skipped with a warning naming its offset and the pass goes on at
//   the next 4-byte word, as the kernel's scan does. 0xFF runs (erased flash, erase block
//   tails) are skipped a word at a time; cleanmarkers, padding and summary nodes carry nothing.
// - Only metadata and data-node locations are kept: per inode the newest inode node's
//   metadata, and for its data the list of (flash offset, file offset, sizes, compression) of
//   every node, overlaid by version so that newer nodes hide the ranges they rewrite. File
//   content is decompressed from flash on each read (a small cache keeps the last nodes).
// - The tree: per (parent, name) the dirent with the highest version wins; ino 0 deletes.
//   The root is inode 1, which mkfs.jffs2 gives no inode node (it is 0755 root:root then).
// - A damaged node makes the filesystem partial only when something needed may be lost: a
//   damaged header or node CRC (what it held is unknown), or a damaged data node whose range of
//   a live file no newer node rewrites. A damaged old version that was rewritten is a warning.
// - Bytes of a live file that no node covers are a warning and partial (the kernel writes hole
//   nodes, so a gap is lost data, e.g. a truncated image); they read as zeros.
// - Compression: none, zero, rtime, zlib (zlib-wrapped) and lzo are decompressed. rubin,
//   dynrubin and lzma (no mkfs.jffs2 here writes them) are reported, their files unreadable.
// - Xattrs: per xid the newest xattr node, per (inode, xid) the xref with the highest sequence
//   number (odd = deleted); values are read from flash when asked for.
//
// The node format (header check, byte order, erased flash, decompression) is jffs2_node.cpp;
// this file is the scan, the tree built from it, and the Vfs.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/checked.hpp"
#include "core/limits.hpp"
#include "vfs/jffs2_node.hpp"
#include "vfs/mode.hpp"
#include "vfs/open.hpp"

namespace fwcert::vfs {

namespace jffs2 {
namespace {

struct Fragment {
  std::uint64_t flash = 0;  ///< offset of the compressed data in the image
  std::uint32_t file_offset = 0;
  std::uint32_t dsize = 0;
  std::uint32_t csize = 0;
  std::uint32_t version = 0;
  std::uint8_t compr = 0;
};

/// A piece of a file's content: `length` bytes at `file_offset`, taken from fragment `frag`
/// starting `skip` bytes into its decompressed data.
struct Extent {
  std::uint32_t file_offset = 0;
  std::uint32_t length = 0;
  std::uint32_t skip = 0;
  std::uint32_t frag = 0;
};

struct Inode {
  bool has_meta = false;
  std::uint32_t meta_version = 0;
  std::uint64_t meta_at = 0;  ///< where the newest inode node is (for messages)
  std::uint32_t mode = 0;
  std::uint32_t uid = 0, gid = 0;
  std::uint32_t isize = 0;
  std::int64_t mtime = 0;
  std::uint32_t rdev_major = 0, rdev_minor = 0;
  std::uint32_t nlink = 0;
  bool unreadable = false;  ///< too many extents, or an unsupported compression
  std::vector<Fragment> frags;
  std::vector<Extent> extents;  ///< sorted, non-overlapping, after overlaying by version
};

struct DirentRec {
  std::uint32_t version = 0;
  std::uint32_t ino = 0;
  std::uint64_t at = 0;
};

struct XattrRec {
  std::uint32_t version = 0;
  std::string name;
  std::uint64_t value_at = 0;
  std::uint32_t value_len = 0;
};

struct XrefRec {
  std::uint32_t xseqno = 0;
};

/// A data node whose data CRC failed: its range is lost unless a newer node rewrites it.
struct LostRange {
  std::uint32_t ino, version, offset, length;
  std::uint64_t at;
};

class Jffs2Vfs final : public Vfs {
 public:
  explicit Jffs2Vfs(ByteSourcePtr src) : src_(std::move(src)) {}

  std::string format() const override { return "jffs2"; }

  OkResult open(std::vector<Diagnostic>& diagnostics, bool& partial) {
    diags_ = &diagnostics;
    partial_ = &partial;
    if (auto ok = detect_endian(); !ok) return ok;
    scan();
    if (auto ok = build(); !ok) return ok;
    flush_damage_count();
    diags_ = nullptr;
    partial_ = nullptr;
    return Ok{};
  }

  Result<Stat> lstat_raw(const std::string& canonical) const override {
    auto ino = lookup(canonical);
    if (!ino) return ino.error();
    const Inode& in = inodes_.at(*ino);
    Stat st;
    st.type = type_of_mode(in.mode);
    st.mode = in.mode & 07777;
    st.uid = in.uid;
    st.gid = in.gid;
    st.size = st.type == FileType::kRegular || st.type == FileType::kSymlink ? in.isize : 0;
    st.nlink = std::max<std::uint32_t>(in.nlink, 1);
    st.inode = *ino;
    st.mtime = in.mtime;
    st.rdev_major = in.rdev_major;
    st.rdev_minor = in.rdev_minor;
    return st;
  }

  Result<std::vector<DirEntry>> readdir_raw(const std::string& canonical) const override {
    auto ino = lookup(canonical);
    if (!ino) return ino.error();
    auto it = children_.find(*ino);
    if (type_of_mode(inodes_.at(*ino).mode) != FileType::kDirectory) {
      return make_error(ErrorCode::kNotADirectory, "not a directory", canonical);
    }
    std::vector<DirEntry> out;
    if (it == children_.end()) return out;
    out.reserve(it->second.size());
    for (const auto& c : it->second) out.push_back({c.name, type_of_mode(inodes_.at(c.ino).mode)});
    return out;
  }

  Result<std::string> readlink_raw(const std::string& canonical) const override {
    auto ino = lookup(canonical);
    if (!ino) return ino.error();
    const Inode& in = inodes_.at(*ino);
    if (type_of_mode(in.mode) != FileType::kSymlink) {
      return make_error(ErrorCode::kInvalidArgument, "not a symlink", canonical);
    }
    if (in.isize > limits::kMaxSymlinkTarget) {
      return make_error(ErrorCode::kLimitExceeded, "symlink target longer than the limit", canonical);
    }
    std::string target(in.isize, '\0');
    auto n = read_content(in, 0, std::as_writable_bytes(std::span<char>(target)), canonical);
    if (!n) return n.error();
    target.resize(*n);
    return target;
  }

  Result<std::size_t> read_raw(const std::string& canonical, std::uint64_t offset,
                               std::span<std::byte> out) const override {
    auto ino = lookup(canonical);
    if (!ino) return ino.error();
    const Inode& in = inodes_.at(*ino);
    FileType t = type_of_mode(in.mode);
    if (t == FileType::kDirectory) return make_error(ErrorCode::kIsADirectory, "is a directory", canonical);
    if (t != FileType::kRegular) return make_error(ErrorCode::kInvalidArgument, "not a regular file", canonical);
    return read_content(in, offset, out, canonical);
  }

  Result<std::vector<Xattr>> xattrs_raw(const std::string& canonical) const override {
    auto ino = lookup(canonical);
    if (!ino) return ino.error();
    std::vector<Xattr> out;
    auto it = xrefs_by_ino_.find(*ino);
    if (it == xrefs_by_ino_.end()) return out;
    for (std::uint32_t xid : it->second) {
      if (out.size() >= limits::kMaxXattrsPerFile) break;
      auto x = xattrs_.find(xid);
      if (x == xattrs_.end() || x->second.version == kXattrDeleted) continue;
      if (x->second.value_len > limits::kMaxXattrValue) continue;
      std::string value(x->second.value_len, '\0');
      if (!read_exact(*src_, x->second.value_at, std::as_writable_bytes(std::span<char>(value)))) {
        return make_error(ErrorCode::kIo, "xattr value unreadable", canonical);
      }
      out.push_back({x->second.name, std::move(value)});
    }
    return out;
  }

 private:
  struct Child {
    std::string name;
    std::uint32_t ino;
  };

  // ---- diagnostics ----

  void warn(std::string message, bool loses_data) {
    if (loses_data) *partial_ = true;
    if (damage_reported_ >= limits::kMaxDamageDiagnostics) {
      ++damage_unreported_;
      return;
    }
    ++damage_reported_;
    diags_->push_back({Diagnostic::Level::kWarning, "/", std::move(message)});
  }

  void flush_damage_count() {
    if (damage_unreported_ == 0) return;
    diags_->push_back({Diagnostic::Level::kWarning, "/",
                       fmt::format("jffs2: {} more damaged nodes or regions not listed", damage_unreported_)});
  }

  // ---- the scan ----

  /// Byte order from the first node: the 0x1985 magic read either way, with a valid header CRC.
  OkResult detect_endian() {
    Cursor cur(*src_);
    const std::uint64_t size = src_->size();
    const std::uint64_t probe_end = std::min<std::uint64_t>(size, 1u << 20);
    for (std::uint64_t off = 0; off + kHeaderBytes <= probe_end; off += 4) {
      auto h = cur.view(off, kHeaderBytes);
      for (bool big : {false, true}) {
        if (valid_header(h, Decoder{big})) {
          d_.big = big;
          return Ok{};
        }
      }
    }
    return make_error(ErrorCode::kCorrupt, "no JFFS2 node in the first MiB", src_->describe());
  }

  void scan() {
    Cursor cur(*src_);
    const std::uint64_t size = src_->size();
    const Decoder other{!d_.big};
    std::uint64_t off = 0;
    std::uint64_t garbage_from = 0;
    bool in_garbage = false;
    std::uint64_t wrong_endian = 0;
    auto end_garbage = [&](std::uint64_t at) {
      if (!in_garbage) return;
      in_garbage = false;
      warn(fmt::format("jffs2: bytes {:#x}-{:#x} are no valid node; skipped", garbage_from, at), true);
    };
    while (off + kHeaderBytes <= size) {
      auto h = cur.view(off, kHeaderBytes);
      if (h.size() < kHeaderBytes) break;
      if (std::all_of(h.begin(), h.begin() + 4, [](std::byte b) { return b == std::byte{0xFF}; })) {
        end_garbage(off);
        off = skip_erased(cur, off);
        continue;
      }
      if (!valid_header(h, d_)) {
        if (valid_header(h, other)) ++wrong_endian;
        // A dirty word (0x0000) or damage: look for the next node at the next word.
        if (!in_garbage && !std::all_of(h.begin(), h.begin() + 4, [](std::byte b) { return b == std::byte{0}; })) {
          in_garbage = true;
          garbage_from = off;
        }
        off += 4;
        continue;
      }
      end_garbage(off);
      const std::uint16_t type = d_.u16(h, 2);
      const std::uint32_t totlen = d_.u32(h, 4);
      if (totlen > size - off) {
        warn(fmt::format("jffs2: node at {:#x} claims {} bytes but the image ends after {}: the image is truncated",
                         off, totlen, size - off),
             true);
        break;
      }
      const std::uint64_t next = off + ((static_cast<std::uint64_t>(totlen) + 3) & ~std::uint64_t{3});
      if (!(type & kAccurate)) {  // obsoleted on flash: the kernel ignores it too
        off = next;
        continue;
      }
      if (++nodes_ > limits::kMaxJffs2Nodes) {
        warn(fmt::format("jffs2: more than {} nodes; the rest of the image from {:#x} is not read",
                         limits::kMaxJffs2Nodes, off),
             true);
        break;
      }
      auto node = cur.view(off, totlen);
      if (node.size() < totlen) {
        warn(fmt::format("jffs2: node at {:#x} unreadable", off), true);
        break;
      }
      switch (type) {
        case kTypeInode:
          inode_node(node, off);
          break;
        case kTypeDirent:
          dirent_node(node, off);
          break;
        case kTypeXattr:
          xattr_node(node, off);
          break;
        case kTypeXref:
          xref_node(node, off);
          break;
        case kTypeCleanmarker:
        case kTypePadding:
        case kTypeSummary:
          break;
        default:
          if ((type & kCompatMask) == kIncompat) {
            warn(fmt::format("jffs2: node at {:#x} has type {:#06x}, which fwcert does not know; skipped", off, type),
                 true);
          } else if ((type & kCompatMask) == kRoCompat) {
            diags_->push_back(
                {Diagnostic::Level::kNote, "/",
                 fmt::format("jffs2: read-only-compatible node type {:#06x} at {:#x} ignored", type, off)});
          }
          break;
      }
      off = next;
    }
    end_garbage(std::min(off, size));
    if (wrong_endian > 0) {
      warn(fmt::format("jffs2: {} nodes of the other byte order than the image's first node; skipped", wrong_endian),
           true);
    }
  }

  Inode* inode_for(std::uint32_t ino, std::uint64_t at) {
    auto it = inodes_.find(ino);
    if (it != inodes_.end()) return &it->second;
    if (inodes_.size() >= limits::kMaxJffs2Inodes) {
      warn(fmt::format("jffs2: node at {:#x}: more than {} inodes; skipped", at, limits::kMaxJffs2Inodes), true);
      return nullptr;
    }
    return &inodes_[ino];
  }

  void inode_node(std::span<const std::byte> n, std::uint64_t at) {
    if (n.size() < kInodeBytes || jffs2_crc(n.first(60)) != d_.u32(n, 64)) {
      warn(fmt::format("jffs2: inode node at {:#x}: node CRC mismatch; skipped", at), true);
      return;
    }
    const std::uint32_t ino = d_.u32(n, 12);
    const std::uint32_t version = d_.u32(n, 16);
    const std::uint32_t offset = d_.u32(n, 44);
    const std::uint32_t csize = d_.u32(n, 48);
    const std::uint32_t dsize = d_.u32(n, 52);
    const auto compr = static_cast<std::uint8_t>(n[56]);
    if (ino == 0 || csize > n.size() - kInodeBytes || dsize > limits::kMaxJffs2NodeData ||
        (compr == kNone && csize != dsize)) {
      warn(fmt::format("jffs2: inode node at {:#x} (inode {}): impossible sizes (csize {}, dsize {}); skipped", at, ino,
                       csize, dsize),
           true);
      return;
    }
    auto data = n.subspan(kInodeBytes, csize);
    if (jffs2_crc(data) != d_.u32(n, 60)) {
      warn(fmt::format("jffs2: data node at {:#x} (inode {}, bytes {}-{}): data CRC mismatch; skipped", at, ino, offset,
                       static_cast<std::uint64_t>(offset) + dsize),
           false);
      lost_.push_back({ino, version, offset, dsize, at});
      return;
    }
    Inode* in = inode_for(ino, at);
    if (!in) return;
    if (!in->has_meta || version >= in->meta_version) {
      in->has_meta = true;
      in->meta_version = version;
      in->meta_at = at;
      in->mode = d_.u32(n, 20);
      in->uid = d_.u16(n, 24);
      in->gid = d_.u16(n, 26);
      in->isize = d_.u32(n, 28);
      in->mtime = d_.u32(n, 36);
      const FileType t = type_of_mode(in->mode);
      if ((t == FileType::kCharDevice || t == FileType::kBlockDevice) && compr == kNone) {
        // The device number is the node's data: 2 bytes old_encode_dev, 4 bytes new_encode_dev.
        if (dsize == 2) {
          const std::uint16_t dev = d_.u16(data, 0);
          in->rdev_major = dev >> 8;
          in->rdev_minor = dev & 0xFF;
        } else if (dsize == 4) {
          const std::uint32_t dev = d_.u32(data, 0);
          in->rdev_major = (dev >> 8) & 0xFFF;
          in->rdev_minor = (dev & 0xFF) | ((dev >> 12) & 0xFFF00);
        }
      }
    }
    if (dsize > 0) {
      in->frags.push_back({at + kInodeBytes, offset, dsize, csize, version, compr});
      if (!is_supported_compr(compr)) unsupported_compr_.insert(compr);
    }
  }

  void dirent_node(std::span<const std::byte> n, std::uint64_t at) {
    if (n.size() < kDirentBytes || jffs2_crc(n.first(32)) != d_.u32(n, 32)) {
      warn(fmt::format("jffs2: dirent node at {:#x}: node CRC mismatch; skipped", at), true);
      return;
    }
    const std::uint32_t pino = d_.u32(n, 12);
    const std::uint32_t version = d_.u32(n, 16);
    const std::uint32_t ino = d_.u32(n, 20);
    const std::size_t nsize = static_cast<std::uint8_t>(n[28]);
    if (nsize > n.size() - kDirentBytes) {
      warn(fmt::format("jffs2: dirent node at {:#x}: name of {} bytes runs past the node; skipped", at, nsize), true);
      return;
    }
    auto name_bytes = n.subspan(kDirentBytes, nsize);
    if (jffs2_crc(name_bytes) != d_.u32(n, 36)) {
      warn(fmt::format("jffs2: dirent node at {:#x}: name CRC mismatch; skipped", at), true);
      return;
    }
    std::string name(reinterpret_cast<const char*>(name_bytes.data()), nsize);
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
        name.find('\0') != std::string::npos) {
      warn(fmt::format("jffs2: dirent node at {:#x}: invalid name; skipped", at), true);
      return;
    }
    if (pino == 0) return;
    auto& dir = dirents_[pino];
    auto [it, inserted] = dir.try_emplace(std::move(name), DirentRec{version, ino, at});
    // Equal versions: the later node on flash wins, as in the kernel.
    if (!inserted && version >= it->second.version) it->second = DirentRec{version, ino, at};
  }

  void xattr_node(std::span<const std::byte> n, std::uint64_t at) {
    if (n.size() < kXattrBytes || jffs2_crc(n.first(28)) != d_.u32(n, 28)) {
      warn(fmt::format("jffs2: xattr node at {:#x}: node CRC mismatch; skipped", at), true);
      return;
    }
    const std::uint32_t xid = d_.u32(n, 12);
    const std::uint32_t version = d_.u32(n, 16);
    const auto prefix = static_cast<std::uint8_t>(n[20]);
    const std::size_t name_len = static_cast<std::uint8_t>(n[21]);
    const std::size_t value_len = d_.u16(n, 22);
    if (name_len + 1 + value_len > n.size() - kXattrBytes) {
      warn(fmt::format("jffs2: xattr node at {:#x}: name and value run past the node; skipped", at), true);
      return;
    }
    if (jffs2_crc(n.subspan(kXattrBytes, name_len + 1 + value_len)) != d_.u32(n, 24)) {
      warn(fmt::format("jffs2: xattr node at {:#x}: data CRC mismatch; skipped", at), true);
      return;
    }
    if (xattrs_.size() >= limits::kMaxJffs2Inodes && !xattrs_.count(xid)) return;
    auto [it, inserted] = xattrs_.try_emplace(xid);
    if (!inserted && version < it->second.version) return;
    XattrRec& x = it->second;
    x.version = version;
    x.name = xattr_prefix(prefix) + std::string(reinterpret_cast<const char*>(n.data() + kXattrBytes), name_len);
    x.value_at = at + kXattrBytes + name_len + 1;
    x.value_len = static_cast<std::uint32_t>(value_len);
  }

  void xref_node(std::span<const std::byte> n, std::uint64_t at) {
    if (n.size() < kXrefBytes || jffs2_crc(n.first(24)) != d_.u32(n, 24)) {
      warn(fmt::format("jffs2: xattr reference node at {:#x}: node CRC mismatch; skipped", at), true);
      return;
    }
    const std::uint64_t key = (static_cast<std::uint64_t>(d_.u32(n, 12)) << 32) | d_.u32(n, 16);
    if (xrefs_.size() >= limits::kMaxJffs2Nodes && !xrefs_.count(key)) return;
    const std::uint32_t seq = d_.u32(n, 20);
    auto [it, inserted] = xrefs_.try_emplace(key, XrefRec{seq});
    if (!inserted && seq >= it->second.xseqno) it->second.xseqno = seq;
  }

  // ---- building the tree ----

  OkResult build() {
    auto root = inodes_.find(kRootIno);
    if (root == inodes_.end()) {
      // mkfs.jffs2 writes no inode node for the root.
      Inode& r = inodes_[kRootIno];
      r.has_meta = true;
      r.mode = 0040755;
    } else if (type_of_mode(root->second.mode) != FileType::kDirectory) {
      return make_error(ErrorCode::kCorrupt, "jffs2 root inode is not a directory", src_->describe());
    }
    // Children of every directory from the winning dirents.
    std::unordered_map<std::uint32_t, std::uint32_t> parent_of;  // directory ino -> parent ino
    std::vector<std::pair<std::uint32_t, std::pair<std::string, DirentRec>>> dangling;
    for (auto& [pino, names] : dirents_) {
      auto p = inodes_.find(pino);
      if (p == inodes_.end() || type_of_mode(p->second.mode) != FileType::kDirectory) continue;
      auto& list = children_[pino];
      for (auto& [name, rec] : names) {
        if (rec.ino == 0) continue;  // deleted
        auto c = inodes_.find(rec.ino);
        if (c == inodes_.end() || !c->second.has_meta) {
          dangling.push_back({pino, {name, rec}});
          continue;
        }
        if (type_of_mode(c->second.mode) == FileType::kDirectory) {
          // A directory has one name; a second one (damage or a crafted cycle) is dropped.
          if (rec.ino == kRootIno || parent_of.count(rec.ino)) continue;
          parent_of[rec.ino] = pino;
          ++p->second.nlink;
        }
        ++c->second.nlink;
        list.push_back({name, rec.ino});
      }
      std::sort(list.begin(), list.end(), [](const Child& a, const Child& b) { return a.name < b.name; });
    }
    dirents_.clear();
    for (auto& [ino, in] : inodes_) {
      if (type_of_mode(in.mode) == FileType::kDirectory) in.nlink += 2;
    }
    // Only what the tree reaches matters for damage: deleted files' inodes linger on flash.
    std::unordered_set<std::uint32_t> live;
    std::vector<std::uint32_t> stack{kRootIno};
    live.insert(kRootIno);
    while (!stack.empty()) {
      std::uint32_t d = stack.back();
      stack.pop_back();
      auto it = children_.find(d);
      if (it == children_.end()) continue;
      for (const auto& c : it->second) {
        if (live.insert(c.ino).second && type_of_mode(inodes_.at(c.ino).mode) == FileType::kDirectory) {
          stack.push_back(c.ino);
        }
      }
    }
    for (const auto& [d, list] : children_) {
      for (const auto& c : list) up_.try_emplace(c.ino, d, &c.name);
    }
    auto path_of = [this](std::uint32_t ino) { return path_to(ino); };
    for (auto& [pino, entry] : dangling) {
      if (!live.count(pino)) continue;
      warn(fmt::format("jffs2: {}/{} (dirent at {:#x}) names inode {}, of which no valid node survives; not listed",
                       pino == kRootIno ? "" : path_of(pino), entry.first, entry.second.at, entry.second.ino),
           true);
    }
    for (auto& [ino, in] : inodes_) {
      if (!live.count(ino)) {
        in.frags.clear();
        in.frags.shrink_to_fit();
        continue;
      }
      overlay(ino, in, path_of);
    }
    for (const LostRange& l : lost_) {
      if (!live.count(l.ino)) continue;
      const Inode& in = inodes_.at(l.ino);
      if (l.offset >= in.isize || rewritten_by_newer(in, l)) continue;
      *partial_ = true;
      warn(fmt::format("jffs2: {}: bytes {}-{} are lost with the damaged node at {:#x}", path_of(l.ino), l.offset,
                       std::min<std::uint64_t>(static_cast<std::uint64_t>(l.offset) + l.length, in.isize), l.at),
           true);
    }
    lost_.clear();
    for (std::uint8_t c : unsupported_compr_) {
      warn(fmt::format("jffs2: data nodes compressed with {} ({}), which fwcert does not decompress; those files' "
                       "content is unreadable",
                       compr_name(c), c),
           true);
    }
    // Xrefs grouped per inode, live ones only.
    for (const auto& [key, ref] : xrefs_) {
      if (ref.xseqno & 1) continue;
      xrefs_by_ino_[static_cast<std::uint32_t>(key >> 32)].push_back(static_cast<std::uint32_t>(key));
    }
    xrefs_.clear();
    up_.clear();
    for (auto& [ino, xids] : xrefs_by_ino_) std::sort(xids.begin(), xids.end());
    return Ok{};
  }

  /// A readable path for messages ("/etc/passwd"), or "inode N" when the tree does not reach it.
  std::string path_to(std::uint32_t ino) const {
    std::string path;
    std::uint32_t cur = ino;
    for (int hops = 0; cur != kRootIno; ++hops) {
      auto it = up_.find(cur);
      if (it == up_.end() || hops > limits::kMaxDirectoryDepth) return fmt::format("inode {}", ino);
      path = "/" + *it->second.second + path;
      cur = it->second.first;
    }
    return path.empty() ? "/" : path;
  }

  /// Lays the inode's fragments by version (newer over older) into extents, clipped to isize,
  /// and reports bytes of the file that no fragment covers.
  template <typename PathOf>
  void overlay(std::uint32_t ino, Inode& in, const PathOf& path_of) {
    const FileType t = type_of_mode(in.mode);
    if (t != FileType::kRegular && t != FileType::kSymlink) {
      in.frags.clear();
      in.frags.shrink_to_fit();
      return;
    }
    std::stable_sort(in.frags.begin(), in.frags.end(),
                     [](const Fragment& a, const Fragment& b) { return a.version < b.version; });
    struct Piece {
      std::uint64_t end;
      std::uint32_t frag;
      std::uint64_t frag_start;  // file offset where the fragment's data begins
    };
    std::map<std::uint64_t, Piece> pieces;  // start -> piece
    for (std::uint32_t i = 0; i < in.frags.size(); ++i) {
      const Fragment& f = in.frags[i];
      const std::uint64_t a = f.file_offset;
      const std::uint64_t b = a + f.dsize;
      // Cut every piece overlapping [a, b).
      auto it = pieces.lower_bound(a);
      if (it != pieces.begin()) {
        auto prev = std::prev(it);
        if (prev->second.end > a) {
          Piece tail = prev->second;
          prev->second.end = a;
          if (tail.end > b) pieces.emplace(b, tail);
        }
      }
      it = pieces.lower_bound(a);
      while (it != pieces.end() && it->first < b) {
        if (it->second.end > b) {
          Piece tail = it->second;
          pieces.erase(it);
          pieces.emplace(b, tail);
          break;
        }
        it = pieces.erase(it);
      }
      pieces.emplace(a, Piece{b, i, a});
      if (pieces.size() > limits::kMaxJffs2ExtentsPerFile) {
        warn(fmt::format("jffs2: {}: more than {} extents; content not read", path_of(ino),
                         limits::kMaxJffs2ExtentsPerFile),
             true);
        in.unreadable = true;
        in.frags.clear();
        return;
      }
    }
    std::uint64_t covered_to = 0;
    std::uint64_t gap_bytes = 0, first_gap = 0;
    for (const auto& [start, p] : pieces) {
      if (start >= in.isize) break;
      const std::uint64_t end = std::min<std::uint64_t>(p.end, in.isize);
      if (start > covered_to) {
        if (gap_bytes == 0) first_gap = covered_to;
        gap_bytes += start - covered_to;
      }
      in.extents.push_back({static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(end - start),
                            static_cast<std::uint32_t>(start - p.frag_start), p.frag});
      covered_to = end;
    }
    if (covered_to < in.isize) {
      if (gap_bytes == 0) first_gap = covered_to;
      gap_bytes += in.isize - covered_to;
    }
    if (gap_bytes > 0) {
      warn(fmt::format("jffs2: {}: {} of its {} bytes (from byte {}) are in no valid node; they read as zeros",
                       path_of(ino), gap_bytes, in.isize, first_gap),
           true);
    }
    // Fragments no extent uses are dropped.
    std::vector<std::uint32_t> remap(in.frags.size(), ~0u);
    std::vector<Fragment> used;
    for (auto& e : in.extents) {
      if (remap[e.frag] == ~0u) {
        remap[e.frag] = static_cast<std::uint32_t>(used.size());
        used.push_back(in.frags[e.frag]);
      }
      e.frag = remap[e.frag];
    }
    in.frags = std::move(used);
    in.frags.shrink_to_fit();
    in.extents.shrink_to_fit();
  }

  /// True when every byte of `l` inside the file is taken from a node newer than the lost one.
  static bool rewritten_by_newer(const Inode& in, const LostRange& l) {
    std::uint64_t at = l.offset;
    const std::uint64_t end = std::min<std::uint64_t>(static_cast<std::uint64_t>(l.offset) + l.length, in.isize);
    auto it = std::upper_bound(in.extents.begin(), in.extents.end(), l.offset,
                               [](std::uint32_t v, const Extent& e) { return v < e.file_offset; });
    if (it != in.extents.begin()) --it;
    for (; it != in.extents.end() && at < end; ++it) {
      const std::uint64_t a = it->file_offset, b = a + it->length;
      if (b <= at) continue;
      if (a > at || in.frags[it->frag].version <= l.version) return false;
      at = b;
    }
    return at >= end;
  }

  // ---- lookups and reads ----

  Result<std::uint32_t> lookup(const std::string& canonical) const {
    std::uint32_t ino = kRootIno;
    std::size_t i = 1;
    while (i < canonical.size()) {
      std::size_t j = canonical.find('/', i);
      if (j == std::string::npos) j = canonical.size();
      std::string_view name(canonical.data() + i, j - i);
      auto it = children_.find(ino);
      if (it == children_.end()) {
        return make_error(type_of_mode(inodes_.at(ino).mode) == FileType::kDirectory ? ErrorCode::kNotFound
                                                                                     : ErrorCode::kNotADirectory,
                          "no such file", canonical.substr(0, j));
      }
      auto c = std::lower_bound(it->second.begin(), it->second.end(), name,
                                [](const Child& ch, std::string_view n) { return ch.name < n; });
      if (c == it->second.end() || c->name != name) {
        return make_error(ErrorCode::kNotFound, "no such file", canonical.substr(0, j));
      }
      ino = c->ino;
      i = j + 1;
    }
    return ino;
  }

  /// The decompressed data of fragment `f`, from the cache or from flash.
  Result<std::shared_ptr<const std::vector<std::byte>>> node_data(const Fragment& f, const std::string& path) const {
    {
      std::lock_guard lock(cache_mu_);
      for (const auto& [flash, data] : cache_) {
        if (flash == f.flash) return data;
      }
    }
    auto out = std::make_shared<std::vector<std::byte>>(f.dsize);
    if (f.compr == kZero) {
      // Already zero-filled.
    } else if (f.compr == kNone) {
      if (!read_exact(*src_, f.flash, *out)) return make_error(ErrorCode::kIo, "jffs2 data node unreadable", path);
    } else {
      if (!is_supported_compr(f.compr)) {
        return make_error(ErrorCode::kUnsupported,
                          fmt::format("jffs2 compression {} is not supported", compr_name(f.compr)), path);
      }
      std::vector<std::byte> in(f.csize);
      if (!read_exact(*src_, f.flash, in)) return make_error(ErrorCode::kIo, "jffs2 data node unreadable", path);
      const bool ok = decompress(f.compr, in, *out);
      if (!ok) {
        return make_error(ErrorCode::kCorrupt,
                          fmt::format("jffs2 {} data node at {:#x} does not decompress", compr_name(f.compr), f.flash),
                          path);
      }
    }
    std::lock_guard lock(cache_mu_);
    cache_[cache_next_] = {f.flash, out};
    cache_next_ = (cache_next_ + 1) % cache_.size();
    return std::shared_ptr<const std::vector<std::byte>>(std::move(out));
  }

  Result<std::size_t> read_content(const Inode& in, std::uint64_t offset, std::span<std::byte> out,
                                   const std::string& path) const {
    if (in.unreadable) return make_error(ErrorCode::kLimitExceeded, "jffs2 file has too many extents", path);
    if (offset >= in.isize) return std::size_t{0};
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), in.isize - offset));
    out = out.first(n);
    std::fill(out.begin(), out.end(), std::byte{0});
    const std::uint64_t end = offset + n;
    auto it = std::upper_bound(in.extents.begin(), in.extents.end(), offset,
                               [](std::uint64_t v, const Extent& e) { return v < e.file_offset; });
    if (it != in.extents.begin()) --it;
    for (; it != in.extents.end() && it->file_offset < end; ++it) {
      const std::uint64_t a = std::max<std::uint64_t>(it->file_offset, offset);
      const std::uint64_t b = std::min<std::uint64_t>(static_cast<std::uint64_t>(it->file_offset) + it->length, end);
      if (a >= b) continue;
      const Fragment& f = in.frags[it->frag];
      auto data = node_data(f, path);
      if (!data) return data.error();
      const std::uint64_t from = it->skip + (a - it->file_offset);
      if (from + (b - a) > (*data)->size()) return make_error(ErrorCode::kCorrupt, "jffs2 extent out of range", path);
      std::memcpy(out.data() + (a - offset), (*data)->data() + from, static_cast<std::size_t>(b - a));
    }
    return n;
  }

  ByteSourcePtr src_;
  Decoder d_;
  std::vector<Diagnostic>* diags_ = nullptr;
  bool* partial_ = nullptr;
  std::size_t damage_reported_ = 0;
  std::size_t damage_unreported_ = 0;
  std::uint64_t nodes_ = 0;

  // Scan state, dropped after build().
  std::unordered_map<std::uint32_t, std::unordered_map<std::string, DirentRec>> dirents_;
  std::unordered_map<std::uint64_t, XrefRec> xrefs_;  // (ino << 32 | xid) -> newest xref
  std::vector<LostRange> lost_;
  std::set<std::uint8_t> unsupported_compr_;
  std::unordered_map<std::uint32_t, std::pair<std::uint32_t, const std::string*>> up_;  // ino -> (parent, name)

  // The filesystem.
  std::unordered_map<std::uint32_t, Inode> inodes_;
  std::unordered_map<std::uint32_t, std::vector<Child>> children_;  // sorted by name
  std::unordered_map<std::uint32_t, XattrRec> xattrs_;
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> xrefs_by_ino_;

  mutable std::mutex cache_mu_;
  mutable std::array<std::pair<std::uint64_t, std::shared_ptr<const std::vector<std::byte>>>, 8> cache_{};
  mutable std::size_t cache_next_ = 0;
};

}  // namespace
}  // namespace jffs2

Result<std::shared_ptr<Vfs>> open_jffs2(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial) {
  auto vfs = std::make_shared<jffs2::Jffs2Vfs>(std::move(src));
  if (auto ok = vfs->open(diagnostics, partial); !ok) return ok.error();
  return std::shared_ptr<Vfs>(std::move(vfs));
}

}  // namespace fwcert::vfs
