#pragma once
// An in-memory tree: the backend for tests and fuzzers, and the store the archive backend
// (tar/cpio/zip) fills, since those formats can only be read front to back.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vfs/byte_source.hpp"
#include "vfs/vfs.hpp"

namespace fwcert::vfs {

/// Owner, mode and time of an entry added to a MemoryVfs.
struct FileMeta {
  std::uint32_t mode = 0644;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::int64_t mtime = 0;
};

class MemoryVfs final : public Vfs {
 public:
  using Meta = FileMeta;
  using Bytes = std::shared_ptr<const std::vector<std::byte>>;
  /// Where a regular file's bytes are: in memory, or `size` bytes of `source` from `offset` on
  /// (the archive backend's spill file); neither when not retained.
  struct Content {
    Bytes bytes;
    ByteSourcePtr source;
    std::uint64_t offset = 0;
    bool retained() const { return bytes || source; }
  };

  explicit MemoryVfs(std::string format = "memory");

  std::string format() const override { return format_; }

  // Builders. Paths are normalised (".." clamped at the root); missing parents are created as
  // root-owned 0755 directories. Adding over an existing path of a different type, or below a
  // non-directory, fails with kInvalidArgument.
  OkResult add_dir(std::string_view path, Meta meta = {0755, 0, 0, 0});
  OkResult add_file(std::string_view path, std::string_view content, Meta meta = {});
  /// A regular file of `size` bytes whose content is `content`, or not retained (nullptr).
  OkResult add_file_bytes(std::string_view path, Bytes content, std::uint64_t size, Meta meta);
  OkResult add_file_content(std::string_view path, Content content, std::uint64_t size, Meta meta);
  OkResult add_symlink(std::string_view path, std::string_view target, Meta meta = {0777, 0, 0, 0});
  OkResult add_special(std::string_view path, FileType type, std::uint32_t major, std::uint32_t minor, Meta meta = {});
  /// Makes `path` another name for the node at `existing` (canonical, not followed).
  OkResult add_hardlink(std::string_view path, std::string_view existing);
  OkResult set_xattr(std::string_view path, std::string name, std::string value);
  /// Replaces the size and content of the regular file at `path` (canonical, not followed) and
  /// so of every hard link to it: cpio and pax carry a link group's data on a later name.
  OkResult set_content(std::string_view path, Bytes content, std::uint64_t size);
  OkResult set_content(std::string_view path, Content content, std::uint64_t size);

  std::size_t node_count() const { return nodes_.size(); }

  Result<Stat> lstat_raw(const std::string& canonical) const override;
  Result<std::vector<DirEntry>> readdir_raw(const std::string& canonical) const override;
  Result<std::string> readlink_raw(const std::string& canonical) const override;
  Result<std::size_t> read_raw(const std::string& canonical, std::uint64_t offset,
                               std::span<std::byte> out) const override;
  Result<std::vector<Xattr>> xattrs_raw(const std::string& canonical) const override;

 private:
  struct Node {
    Stat st;
    std::string link_target;
    Content content;
    std::vector<Xattr> xattrs;
    std::map<std::string, FileType> children;  // directories only; ordered for stable walks
  };

  /// Sets the metadata `meta` gives (permission bits, owner, mtime).
  static void set_meta(Stat& st, const Meta& meta);
  /// A new node of `type` with `meta` and the next inode number.
  std::shared_ptr<Node> new_node(FileType type, const Meta& meta);
  Result<Node*> ensure_parent(const std::string& canonical);
  OkResult insert(const std::string& canonical, std::shared_ptr<Node> node);

  std::string format_;
  std::unordered_map<std::string, std::shared_ptr<Node>> nodes_;
  std::uint64_t next_inode_ = 1;
};

}  // namespace fwcert::vfs
