#include "vfs/parts_vfs.hpp"

#include <algorithm>

namespace fwcert::vfs {

OkResult PartsVfs::add(std::string_view path, ByteSourcePtr bytes) {
  std::string p = normalize_path(path);
  if (p == "/" || files_.count(p) || dirs_.count(p)) {
    return make_error(ErrorCode::kInvalidArgument, "part path already taken", p);
  }
  // Create the parents, each listed in its own parent.
  std::string child = p;
  FileType type = FileType::kRegular;
  while (child != "/") {
    std::string parent = parent_path(child);
    if (files_.count(parent)) return make_error(ErrorCode::kInvalidArgument, "a part is in the way", parent);
    auto [it, created] = dirs_.try_emplace(parent);
    auto& list = it->second;
    std::string name(base_name(child));
    if (std::none_of(list.begin(), list.end(), [&](const DirEntry& d) { return d.name == name; })) {
      list.push_back({name, type});
      std::sort(list.begin(), list.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
    }
    if (!created) break;
    child = parent;
    type = FileType::kDirectory;
  }
  files_[p] = std::move(bytes);
  return Ok{};
}

OkResult PartsVfs::add_text(std::string_view path, std::string text) {
  std::vector<std::byte> bytes(text.size());
  std::transform(text.begin(), text.end(), bytes.begin(), [](char c) { return static_cast<std::byte>(c); });
  return add(path, memory_source(std::move(bytes), std::string(path)));
}

Result<Stat> PartsVfs::lstat_raw(const std::string& canonical) const {
  Stat st;
  st.uid = st.gid = 0;
  if (dirs_.count(canonical)) {
    st.type = FileType::kDirectory;
    st.mode = 0755;
    st.nlink = 2;
    st.inode = std::hash<std::string>{}(canonical) | 1;
    return st;
  }
  auto it = files_.find(canonical);
  if (it == files_.end()) return make_error(ErrorCode::kNotFound, "no such part", canonical);
  st.type = FileType::kRegular;
  st.mode = 0644;
  st.size = it->second->size();
  st.inode = static_cast<std::uint64_t>(std::distance(files_.begin(), it)) * 2 + 2;
  return st;
}

Result<std::vector<DirEntry>> PartsVfs::readdir_raw(const std::string& canonical) const {
  auto it = dirs_.find(canonical);
  if (it != dirs_.end()) return it->second;
  if (files_.count(canonical)) return make_error(ErrorCode::kNotADirectory, "not a directory", canonical);
  return make_error(ErrorCode::kNotFound, "no such part", canonical);
}

Result<std::string> PartsVfs::readlink_raw(const std::string& canonical) const {
  return make_error(ErrorCode::kInvalidArgument, "not a symlink", canonical);
}

Result<std::size_t> PartsVfs::read_raw(const std::string& canonical, std::uint64_t offset,
                                       std::span<std::byte> out) const {
  auto it = files_.find(canonical);
  if (it == files_.end()) {
    if (dirs_.count(canonical)) return make_error(ErrorCode::kIsADirectory, "is a directory", canonical);
    return make_error(ErrorCode::kNotFound, "no such part", canonical);
  }
  return it->second->read_at(offset, out);
}

Result<std::vector<Xattr>> PartsVfs::xattrs_raw(const std::string&) const { return std::vector<Xattr>{}; }

}  // namespace fwcert::vfs
