#include "vfs/memory_vfs.hpp"

#include <cstring>

namespace fwcert::vfs {

MemoryVfs::MemoryVfs(std::string format) : format_(std::move(format)) {
  auto root = std::make_shared<Node>();
  root->st.type = FileType::kDirectory;
  root->st.mode = 0755;
  root->st.inode = next_inode_++;
  nodes_.emplace("/", std::move(root));
}

Result<MemoryVfs::Node*> MemoryVfs::ensure_parent(const std::string& canonical) {
  std::string parent = parent_path(canonical);
  auto it = nodes_.find(parent);
  if (it == nodes_.end()) {
    auto st = add_dir(parent);
    if (!st) return st.error();
    it = nodes_.find(parent);
  }
  if (it->second->st.type != FileType::kDirectory) {
    return make_error(ErrorCode::kInvalidArgument, "parent is not a directory", canonical);
  }
  return it->second.get();
}

OkResult MemoryVfs::insert(const std::string& canonical, std::shared_ptr<Node> node) {
  if (canonical == "/") return make_error(ErrorCode::kInvalidArgument, "cannot replace the root", canonical);
  auto parent = ensure_parent(canonical);
  if (!parent) return parent.error();
  auto existing = nodes_.find(canonical);
  if (existing != nodes_.end()) {
    if (existing->second->st.type == FileType::kDirectory || node->st.type == FileType::kDirectory) {
      return make_error(ErrorCode::kInvalidArgument, "path already exists with another type", canonical);
    }
    // Later archive members replace earlier ones, as extraction would.
  }
  (*parent)->children[std::string(base_name(canonical))] = node->st.type;
  nodes_[canonical] = std::move(node);
  return Ok{};
}

void MemoryVfs::set_meta(Stat& st, const Meta& meta) {
  st.mode = meta.mode & 07777;
  st.uid = meta.uid;
  st.gid = meta.gid;
  st.mtime = meta.mtime;
}

std::shared_ptr<MemoryVfs::Node> MemoryVfs::new_node(FileType type, const Meta& meta) {
  auto n = std::make_shared<Node>();
  n->st.type = type;
  set_meta(n->st, meta);
  n->st.inode = next_inode_++;
  return n;
}

OkResult MemoryVfs::add_dir(std::string_view path, Meta meta) {
  std::string c = normalize_path(path);
  auto it = nodes_.find(c);
  if (it != nodes_.end()) {
    if (it->second->st.type != FileType::kDirectory) {
      return make_error(ErrorCode::kInvalidArgument, "path exists and is not a directory", c);
    }
    set_meta(it->second->st, meta);  // an explicit entry sets the metadata
    return Ok{};
  }
  auto n = new_node(FileType::kDirectory, meta);
  n->st.nlink = 2;
  return insert(c, std::move(n));
}

OkResult MemoryVfs::add_file(std::string_view path, std::string_view content, Meta meta) {
  auto bytes = std::make_shared<std::vector<std::byte>>(content.size());
  if (!content.empty()) std::memcpy(bytes->data(), content.data(), content.size());  // memcpy(nullptr, ...) is UB
  return add_file_bytes(path, std::move(bytes), content.size(), meta);
}

OkResult MemoryVfs::add_file_bytes(std::string_view path, Bytes content, std::uint64_t size, Meta meta) {
  return add_file_content(path, Content{std::move(content), nullptr, 0}, size, meta);
}

OkResult MemoryVfs::add_file_content(std::string_view path, Content content, std::uint64_t size, Meta meta) {
  auto n = new_node(FileType::kRegular, meta);
  n->st.size = size;
  n->content = std::move(content);
  return insert(normalize_path(path), std::move(n));
}

OkResult MemoryVfs::add_symlink(std::string_view path, std::string_view target, Meta meta) {
  auto n = new_node(FileType::kSymlink, meta);
  n->st.size = target.size();
  n->link_target = std::string(target);
  return insert(normalize_path(path), std::move(n));
}

OkResult MemoryVfs::add_special(std::string_view path, FileType type, std::uint32_t major, std::uint32_t minor,
                                Meta meta) {
  if (type == FileType::kRegular || type == FileType::kDirectory || type == FileType::kSymlink) {
    return make_error(ErrorCode::kInvalidArgument, "not a special file type", std::string(path));
  }
  auto n = new_node(type, meta);
  n->st.rdev_major = major;
  n->st.rdev_minor = minor;
  return insert(normalize_path(path), std::move(n));
}

OkResult MemoryVfs::add_hardlink(std::string_view path, std::string_view existing) {
  auto it = nodes_.find(normalize_path(existing));
  if (it == nodes_.end()) return make_error(ErrorCode::kNotFound, "hard link target missing", std::string(existing));
  if (it->second->st.type == FileType::kDirectory) {
    return make_error(ErrorCode::kInvalidArgument, "hard link to a directory", std::string(path));
  }
  auto node = it->second;
  std::string c = normalize_path(path);
  if (c == it->first) return Ok{};
  auto st = insert(c, node);
  if (!st) return st;
  node->st.nlink++;
  return Ok{};
}

OkResult MemoryVfs::set_xattr(std::string_view path, std::string name, std::string value) {
  auto it = nodes_.find(normalize_path(path));
  if (it == nodes_.end()) return make_error(ErrorCode::kNotFound, "no such file", std::string(path));
  for (auto& x : it->second->xattrs) {
    if (x.name == name) {
      x.value = std::move(value);
      return Ok{};
    }
  }
  it->second->xattrs.push_back({std::move(name), std::move(value)});
  return Ok{};
}

OkResult MemoryVfs::set_content(std::string_view path, Bytes content, std::uint64_t size) {
  return set_content(path, Content{std::move(content), nullptr, 0}, size);
}

OkResult MemoryVfs::set_content(std::string_view path, Content content, std::uint64_t size) {
  auto it = nodes_.find(normalize_path(path));
  if (it == nodes_.end()) return make_error(ErrorCode::kNotFound, "no such file", std::string(path));
  if (!it->second->st.is_regular()) return make_error(ErrorCode::kInvalidArgument, "not a regular file", it->first);
  it->second->st.size = size;
  it->second->content = std::move(content);
  return Ok{};
}

Result<Stat> MemoryVfs::lstat_raw(const std::string& canonical) const {
  auto it = nodes_.find(canonical);
  if (it == nodes_.end()) return make_error(ErrorCode::kNotFound, "no such file", canonical);
  return it->second->st;
}

Result<std::vector<DirEntry>> MemoryVfs::readdir_raw(const std::string& canonical) const {
  auto it = nodes_.find(canonical);
  if (it == nodes_.end()) return make_error(ErrorCode::kNotFound, "no such directory", canonical);
  if (!it->second->st.is_dir()) return make_error(ErrorCode::kNotADirectory, "not a directory", canonical);
  std::vector<DirEntry> out;
  out.reserve(it->second->children.size());
  for (const auto& [name, type] : it->second->children) out.push_back({name, type});
  return out;
}

Result<std::string> MemoryVfs::readlink_raw(const std::string& canonical) const {
  auto it = nodes_.find(canonical);
  if (it == nodes_.end()) return make_error(ErrorCode::kNotFound, "no such file", canonical);
  if (!it->second->st.is_symlink()) return make_error(ErrorCode::kInvalidArgument, "not a symlink", canonical);
  return it->second->link_target;
}

Result<std::size_t> MemoryVfs::read_raw(const std::string& canonical, std::uint64_t offset,
                                        std::span<std::byte> out) const {
  auto it = nodes_.find(canonical);
  if (it == nodes_.end()) return make_error(ErrorCode::kNotFound, "no such file", canonical);
  const Node& n = *it->second;
  if (n.st.is_dir()) return make_error(ErrorCode::kIsADirectory, "is a directory", canonical);
  if (!n.st.is_regular()) return make_error(ErrorCode::kUnsupported, "not a regular file", canonical);
  if (!n.content.retained()) {
    return make_error(ErrorCode::kLimitExceeded, "content not retained (over an archive limit, or damaged)", canonical);
  }
  if (n.content.source) {
    if (offset >= n.st.size) return std::size_t{0};
    const std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), n.st.size - offset));
    auto got = n.content.source->read_at(n.content.offset + offset, out.first(len));
    if (!got) {
      Error e = got.error();
      e.where = canonical;
      return e;
    }
    // A hole at the end of the last member is past the spill file's written end: zeros.
    std::memset(out.data() + *got, 0, len - *got);
    return len;
  }
  const auto& bytes = *n.content.bytes;
  if (offset >= bytes.size()) return std::size_t{0};
  std::size_t len = std::min<std::size_t>(out.size(), bytes.size() - static_cast<std::size_t>(offset));
  if (len) std::memcpy(out.data(), bytes.data() + offset, len);
  return len;
}

Result<std::vector<Xattr>> MemoryVfs::xattrs_raw(const std::string& canonical) const {
  auto it = nodes_.find(canonical);
  if (it == nodes_.end()) return make_error(ErrorCode::kNotFound, "no such file", canonical);
  return it->second->xattrs;
}

}  // namespace fwcert::vfs
