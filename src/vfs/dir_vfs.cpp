#include "vfs/dir_vfs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <list>
#include <memory>
#include <mutex>

#include "core/limits.hpp"

namespace fwcert::vfs {

namespace {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

Error errno_error(int e, const std::string& where) {
  switch (e) {
    case ENOENT:
      return make_error(ErrorCode::kNotFound, "no such file", where);
    case ENOTDIR:
      return make_error(ErrorCode::kNotADirectory, "not a directory", where);
    case EISDIR:
      return make_error(ErrorCode::kIsADirectory, "is a directory", where);
    case ELOOP:
      return make_error(ErrorCode::kLoop, "symlink in a canonical path", where);
    case EXDEV:
      return make_error(ErrorCode::kUnsupported, "path leaves the target root", where);
    default:
      return make_error(ErrorCode::kIo, std::strerror(e), where);
  }
}

FileType type_of(mode_t m) {
  if (S_ISREG(m)) return FileType::kRegular;
  if (S_ISDIR(m)) return FileType::kDirectory;
  if (S_ISLNK(m)) return FileType::kSymlink;
  if (S_ISCHR(m)) return FileType::kCharDevice;
  if (S_ISBLK(m)) return FileType::kBlockDevice;
  if (S_ISFIFO(m)) return FileType::kFifo;
  if (S_ISSOCK(m)) return FileType::kSocket;
  return FileType::kUnknown;
}

class DirVfs final : public Vfs {
 public:
  DirVfs(Fd root, dev_t root_dev, DirOptions options, std::string host)
      : root_(std::move(root)), root_dev_(root_dev), options_(options), host_(std::move(host)) {}

  std::string format() const override { return "directory"; }

  Result<Stat> lstat_raw(const std::string& canonical) const override {
    struct stat st {};
    if (canonical == "/") {
      if (::fstat(root_.get(), &st) != 0) return errno_error(errno, canonical);
      return to_stat(st);
    }
    auto parent = open_parent(canonical);
    if (!parent) return parent.error();
    std::string name(base_name(canonical));
    if (::fstatat(parent->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno_error(errno, canonical);
    return to_stat(st);
  }

  Result<std::vector<DirEntry>> readdir_raw(const std::string& canonical) const override {
    auto dfd = open_beneath(canonical, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (!dfd) return dfd.error();
    struct stat st {};
    if (::fstat(dfd->get(), &st) != 0) return errno_error(errno, canonical);
    if (options_.one_file_system && st.st_dev != root_dev_) {
      return make_error(ErrorCode::kUnsupported, "another filesystem is mounted here (not crossed: one-file-system)",
                        canonical);
    }
    DIR* dir = ::fdopendir(dfd->get());
    if (!dir) return errno_error(errno, canonical);
    Fd released(-1);
    *dfd = std::move(released);  // fdopendir owns the fd now
    std::vector<DirEntry> out;
    while (dirent* de = ::readdir(dir)) {
      std::string_view name(de->d_name);
      if (name == "." || name == "..") continue;
      if (out.size() >= limits::kMaxDirectoryEntries) {
        ::closedir(dir);
        return make_error(ErrorCode::kLimitExceeded, "directory has too many entries", canonical);
      }
      FileType t = FileType::kUnknown;
      switch (de->d_type) {
        case DT_REG:
          t = FileType::kRegular;
          break;
        case DT_DIR:
          t = FileType::kDirectory;
          break;
        case DT_LNK:
          t = FileType::kSymlink;
          break;
        case DT_CHR:
          t = FileType::kCharDevice;
          break;
        case DT_BLK:
          t = FileType::kBlockDevice;
          break;
        case DT_FIFO:
          t = FileType::kFifo;
          break;
        case DT_SOCK:
          t = FileType::kSocket;
          break;
        default:
          break;
      }
      out.push_back({std::string(name), t});
    }
    ::closedir(dir);
    std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
    return out;
  }

  Result<std::string> readlink_raw(const std::string& canonical) const override {
    auto parent = open_parent(canonical);
    if (!parent) return parent.error();
    std::string name(base_name(canonical));
    std::string buf(limits::kMaxSymlinkTarget + 1, '\0');
    ssize_t n = ::readlinkat(parent->get(), name.c_str(), buf.data(), buf.size());
    if (n < 0) return errno_error(errno, canonical);
    if (static_cast<std::size_t>(n) > limits::kMaxSymlinkTarget) {
      return make_error(ErrorCode::kLimitExceeded, "symlink target too long", canonical);
    }
    buf.resize(static_cast<std::size_t>(n));
    return buf;
  }

  Result<std::size_t> read_raw(const std::string& canonical, std::uint64_t offset,
                               std::span<std::byte> out) const override {
    auto fd = regular_file(canonical);
    if (!fd) return fd.error();
    std::size_t done = 0;
    while (done < out.size()) {
      ssize_t r = ::pread((*fd)->get(), out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return errno_error(errno, canonical);
      }
      if (r == 0) break;
      done += static_cast<std::size_t>(r);
    }
    return done;
  }

  Result<std::vector<Xattr>> xattrs_raw(const std::string& canonical) const override {
    std::vector<Xattr> out;
    Fd parent;
    std::string name;
    if (canonical == "/") {
      name = ".";
    } else {
      auto p = open_parent(canonical);
      if (!p) return p.error();
      parent = std::move(*p);
      name = std::string(base_name(canonical));
    }
    // The /proc/self/fd/N/name form reaches the entry through our confined directory fd;
    // the l* calls do not follow a final symlink.
    std::string path = fmt::format("/proc/self/fd/{}/{}", canonical == "/" ? root_.get() : parent.get(), name);
    std::string names(4096, '\0');
    ssize_t n = ::llistxattr(path.c_str(), names.data(), names.size());
    if (n < 0 && errno == ERANGE) {
      n = ::llistxattr(path.c_str(), nullptr, 0);
      if (n > 0) {
        names.resize(static_cast<std::size_t>(n));
        n = ::llistxattr(path.c_str(), names.data(), names.size());
      }
    }
    if (n <= 0) return out;  // no xattrs, or not supported by the host filesystem
    std::size_t pos = 0;
    while (pos < static_cast<std::size_t>(n) && out.size() < limits::kMaxXattrsPerFile) {
      std::string xname(names.c_str() + pos);
      pos += xname.size() + 1;
      std::string value(limits::kMaxXattrValue, '\0');
      ssize_t v = ::lgetxattr(path.c_str(), xname.c_str(), value.data(), value.size());
      if (v < 0) continue;
      value.resize(static_cast<std::size_t>(v));
      out.push_back({std::move(xname), std::move(value)});
    }
    return out;
  }

 private:
  static Stat to_stat(const struct stat& st) {
    Stat s;
    s.type = type_of(st.st_mode);
    s.mode = st.st_mode & 07777;
    s.uid = st.st_uid;
    s.gid = st.st_gid;
    s.size = s.type == FileType::kRegular || s.type == FileType::kSymlink ? static_cast<std::uint64_t>(st.st_size) : 0;
    s.nlink = st.st_nlink;
    s.inode = st.st_ino;
    s.rdev_major = major(st.st_rdev);
    s.rdev_minor = minor(st.st_rdev);
    s.mtime = st.st_mtim.tv_sec;
    return s;
  }

  /// The open descriptor of the regular file at `canonical`: one of the last kOpenFiles files
  /// read, or opened now. The content pass reads a file in chunks and the ELF parser in many
  /// small pieces, and each read would otherwise cost an lstat, an openat2, an fstat and a close.
  Result<std::shared_ptr<const Fd>> regular_file(const std::string& canonical) const {
    {
      std::lock_guard lock(open_mu_);
      for (auto it = open_.begin(); it != open_.end(); ++it) {
        if (it->first == canonical) {
          open_.splice(open_.begin(), open_, it);
          return open_.front().second;
        }
      }
    }
    // Check the type before opening: opening a device node or a FIFO of a live host for
    // reading could block or have side effects.
    auto st = lstat_raw(canonical);
    if (!st) return st.error();
    if (st->is_dir()) return make_error(ErrorCode::kIsADirectory, "is a directory", canonical);
    if (!st->is_regular()) return make_error(ErrorCode::kUnsupported, "not a regular file", canonical);
    auto fd = open_beneath(canonical, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (!fd) return fd.error();
    struct stat fst {};
    if (::fstat(fd->get(), &fst) != 0 || !S_ISREG(fst.st_mode)) {
      return make_error(ErrorCode::kUnsupported, "not a regular file", canonical);
    }
    auto shared = std::make_shared<const Fd>(std::move(*fd));
    std::lock_guard lock(open_mu_);
    open_.emplace_front(canonical, shared);
    if (open_.size() > kOpenFiles) open_.pop_back();
    return shared;
  }

  /// Opens a canonical path relative to the root; no symlink is followed anywhere and the
  /// kernel refuses to leave the root.
  Result<Fd> open_beneath(const std::string& canonical, int flags) const {
    std::string rel = canonical == "/" ? "." : canonical.substr(1);
    struct open_how how {};
    how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd = ::syscall(SYS_openat2, root_.get(), rel.c_str(), &how, sizeof(how));
    if (fd >= 0) return Fd(static_cast<int>(fd));
    if (errno != ENOSYS) return errno_error(errno, canonical);
    // Older kernels: walk component by component with O_NOFOLLOW.
    Fd cur(::dup(root_.get()));
    std::size_t i = 1;
    while (i <= canonical.size() && canonical != "/") {
      std::size_t j = canonical.find('/', i);
      if (j == std::string::npos) j = canonical.size();
      std::string comp = canonical.substr(i, j - i);
      bool last = j == canonical.size();
      int f = last ? flags : (O_PATH | O_DIRECTORY | O_NOFOLLOW);
      int next = ::openat(cur.get(), comp.c_str(), f | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0) return errno_error(errno, canonical);
      cur = Fd(next);
      i = j + 1;
    }
    return cur;
  }

  Result<Fd> open_parent(const std::string& canonical) const {
    return open_beneath(parent_path(canonical), O_PATH | O_DIRECTORY | O_NOFOLLOW);
  }

  static constexpr std::size_t kOpenFiles = 16;

  Fd root_;
  mutable std::mutex open_mu_;
  mutable std::list<std::pair<std::string, std::shared_ptr<const Fd>>> open_;  // most recent first
  dev_t root_dev_;
  DirOptions options_;
  std::string host_;
};

}  // namespace

Result<std::unique_ptr<Vfs>> open_directory(const std::string& host_dir, DirOptions options) {
  int fd = ::open(host_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_error(errno, host_dir);
  Fd root(fd);
  struct stat st {};
  if (::fstat(root.get(), &st) != 0) return errno_error(errno, host_dir);
  return std::unique_ptr<Vfs>(std::make_unique<DirVfs>(std::move(root), st.st_dev, options, host_dir));
}

}  // namespace fwcert::vfs
