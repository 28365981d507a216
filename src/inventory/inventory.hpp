#pragma once
// The one walk over every filesystem of a target: path, type, mode, owner, size, xattrs,
// file capabilities and a kind detected from content. Analyzers share it; none walks again.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fwcert/report.hpp"
#include "vfs/vfs.hpp"

namespace fwcert::inventory {

/// What a file is, judged from its first bytes (and its name where content cannot tell).
enum class Kind : std::uint8_t {
  kOther,  ///< not a regular file
  kEmpty,
  kElf,
  kScript,      ///< starts with "#!"; detail holds the interpreter
  kPem,         ///< "-----BEGIN "; detail holds the label
  kDer,         ///< ASN.1 SEQUENCE that looks like a certificate or key
  kOpensshKey,  ///< "openssh-key-v1" binary or PuTTY key file
  kPkcs12,
  kSqlite,
  kCompressed,       ///< gzip, xz, bzip2, zstd, lz4, lzma; detail holds which
  kArchive,          ///< tar, cpio, zip; detail holds which
  kFilesystemImage,  ///< squashfs, erofs, ext2/3/4, ubi, ubifs, jffs2, cramfs; detail holds which
  kKernelImage,      ///< Linux kernel image (zImage, arm64 Image, bzImage, uImage)
  kDeviceTree,       ///< flattened device tree / FIT image
  kText,
  kBinary,
  kUnreadable,  ///< could not be read (limit, damage); a diagnostic says why
};
const char* to_string(Kind k);

struct Entry {
  std::string path;              ///< canonical path inside its filesystem
  std::uint32_t filesystem = 0;  ///< index into Inventory::filesystems()
  vfs::Stat st;
  std::string link_target;  ///< symlinks only, exactly as stored
  Kind kind = Kind::kOther;
  std::string kind_detail;
  std::string capability;           ///< decoded security.capability ("cap_net_raw=ep"), "" if none
  std::string selinux_label;        ///< security.selinux without the trailing NUL, "" if none
  bool hardlink_secondary = false;  ///< a later name of an inode already listed

  bool is_setuid() const { return st.is_regular() && (st.mode & 04000); }
  bool is_setgid() const { return st.is_regular() && (st.mode & 02000); }
  bool is_world_writable() const { return !st.is_symlink() && (st.mode & 0002); }
};

/// One filesystem of the target: the root, a carved one, or an image nested inside another.
struct Filesystem {
  std::string prefix;  ///< prepended to paths for display: "" or "/boot/initrd.img!"
  std::string type;    ///< backend format
  std::uint64_t offset = 0;
  std::string container;  ///< display path of the file holding it ("" = the target itself)
  int depth = 0;          ///< 0 for the target's own filesystems, 1 for nested ones
  std::shared_ptr<vfs::Vfs> vfs;
};

class Inventory {
 public:
  const std::vector<Filesystem>& filesystems() const { return filesystems_; }
  const std::vector<Entry>& entries() const { return entries_; }
  const InventorySummary& summary() const { return summary_; }

  /// The path as reports show it: the filesystem prefix followed by the path.
  std::string display_path(const Entry& e) const;
  std::string display_path(std::uint32_t filesystem, const std::string& path) const;
  /// Finds an entry by canonical path in one filesystem (binary search; entries are sorted).
  const Entry* find(std::uint32_t filesystem, const std::string& path) const;
  const vfs::Vfs& vfs(std::uint32_t filesystem) const { return *filesystems_.at(filesystem).vfs; }

  // Building.
  std::uint32_t add_filesystem(Filesystem fs);
  /// Walks one filesystem and appends its entries. Damage becomes diagnostics.
  void walk(std::uint32_t filesystem, std::vector<Diagnostic>& diagnostics);
  /// Sorts entries by (filesystem, path) and computes the summary. Call once after walking.
  void finish();
  /// Called from walk() with the number of entries recorded so far, every 256 entries (for a
  /// progress display; it must not touch the inventory).
  void on_progress(std::function<void(std::uint64_t entries)> callback) { progress_ = std::move(callback); }

 private:
  std::vector<Filesystem> filesystems_;
  std::vector<Entry> entries_;
  InventorySummary summary_;
  std::function<void(std::uint64_t)> progress_;
};

/// Classifies a file from its first bytes and its name.
std::pair<Kind, std::string> classify(std::span<const std::byte> head, std::string_view name, std::uint64_t size);

/// Decodes a security.capability xattr value (VFS_CAP_REVISION 1-3) into cap_*=eip text.
std::optional<std::string> decode_capability(std::string_view raw);

}  // namespace fwcert::inventory
