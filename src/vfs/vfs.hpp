#pragma once
// The read-only, confined view of one filesystem in a target. Analyzers get a `const Vfs&`
// and never touch the host.
//
// Paths are absolute inside the image root ("/etc/passwd"). Backends implement the raw
// operations on *canonical* paths: normalised, no "." or "..", and every component except
// possibly the last a real directory. The base class resolves everything else: ".." past the
// root is clamped to the root, absolute symlinks are re-rooted at the image root, and more
// than limits::kMaxSymlinkHops hops is reported as a loop. A backend therefore never needs to
// reason about escapes, and an escape cannot reach the host because no backend has a host path.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fwcert/result.hpp"

namespace fwcert::vfs {

enum class FileType : std::uint8_t {
  kRegular,
  kDirectory,
  kSymlink,
  kCharDevice,
  kBlockDevice,
  kFifo,
  kSocket,
  kUnknown,
};

const char* to_string(FileType t);

/// Metadata exactly as the image stores it.
struct Stat {
  FileType type = FileType::kUnknown;
  std::uint32_t mode = 0;  ///< permission bits including setuid/setgid/sticky (07777)
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::uint64_t size = 0;
  std::uint64_t nlink = 1;
  std::uint64_t inode = 0;  ///< backend-local identity; equal inode => hard link
  std::uint32_t rdev_major = 0;
  std::uint32_t rdev_minor = 0;
  std::int64_t mtime = 0;

  bool is_dir() const { return type == FileType::kDirectory; }
  bool is_regular() const { return type == FileType::kRegular; }
  bool is_symlink() const { return type == FileType::kSymlink; }
};

struct DirEntry {
  std::string name;
  FileType type = FileType::kUnknown;
};

struct Xattr {
  std::string name;   ///< full name, e.g. "security.capability"
  std::string value;  ///< raw bytes
};

class Vfs {
 public:
  virtual ~Vfs() = default;

  /// Short name of the backend's format: "directory", "squashfs", "ext4", "tar", "cpio", ...
  virtual std::string format() const = 0;

  // ---- raw operations on canonical paths (see the file comment) ----
  virtual Result<Stat> lstat_raw(const std::string& canonical) const = 0;
  virtual Result<std::vector<DirEntry>> readdir_raw(const std::string& canonical) const = 0;
  virtual Result<std::string> readlink_raw(const std::string& canonical) const = 0;
  virtual Result<std::size_t> read_raw(const std::string& canonical, std::uint64_t offset,
                                       std::span<std::byte> out) const = 0;
  virtual Result<std::vector<Xattr>> xattrs_raw(const std::string& canonical) const = 0;

  // ---- confined operations on any path ----

  /// Resolves `path` inside the root. With follow_last=false the last component is not
  /// followed if it is a symlink (lstat semantics).
  Result<std::string> resolve(std::string_view path, bool follow_last = true) const;
  Result<Stat> lstat(std::string_view path) const;
  Result<Stat> stat(std::string_view path) const;
  Result<std::vector<DirEntry>> readdir(std::string_view path) const;
  Result<std::string> readlink(std::string_view path) const;
  Result<std::vector<Xattr>> xattrs(std::string_view path) const;
  /// Reads from a regular file, following symlinks inside the root.
  Result<std::size_t> read(std::string_view path, std::uint64_t offset, std::span<std::byte> out) const;
  /// Reads a whole regular file of at most max_bytes; larger files fail with kLimitExceeded.
  Result<std::string> read_file(std::string_view path, std::uint64_t max_bytes) const;
  bool exists(std::string_view path) const { return lstat(path).ok(); }
};

/// Joins and normalises `path` lexically: collapses "//" and ".", and clamps ".." at the root.
/// Always returns an absolute path ("/" for the root).
std::string normalize_path(std::string_view path);

/// Parent directory of a canonical path ("/" for "/" and for "/x").
std::string parent_path(std::string_view canonical);

/// Last component of a canonical path ("" for "/").
std::string_view base_name(std::string_view canonical);

}  // namespace fwcert::vfs
