#include "vfs/byte_source.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/checked.hpp"
#include "core/limits.hpp"

namespace fwcert::vfs {

namespace {

/// A file descriptor it owns: mapped read-only when possible and at most
/// limits::kMaxMappedSourceBytes, else read with pread. A mapping's pages count in the
/// process's resident memory once touched, so a large image mapped and read once would make
/// peak memory grow with the image; pread leaves them in the page cache alone.
class HostFileSource final : public ByteSource {
 public:
  HostFileSource(int fd, std::uint64_t size, std::string name) : fd_(fd), size_(size), name_(std::move(name)) {
    if (size_ > 0 && size_ <= limits::kMaxMappedSourceBytes) {
      void* p = ::mmap(nullptr, static_cast<std::size_t>(size_), PROT_READ, MAP_PRIVATE, fd_, 0);
      if (p != MAP_FAILED) map_ = static_cast<const std::byte*>(p);
    }
  }
  ~HostFileSource() override {
    if (map_) ::munmap(const_cast<std::byte*>(map_), static_cast<std::size_t>(size_));
    ::close(fd_);
  }
  HostFileSource(const HostFileSource&) = delete;
  HostFileSource& operator=(const HostFileSource&) = delete;

  std::uint64_t size() const override { return size_; }
  std::string describe() const override { return name_; }
  std::span<const std::byte> contiguous() const override {
    return map_ ? std::span<const std::byte>(map_, static_cast<std::size_t>(size_)) : std::span<const std::byte>{};
  }

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) const override {
    if (offset >= size_) return std::size_t{0};
    std::uint64_t n = std::min<std::uint64_t>(out.size(), size_ - offset);
    if (map_) {
      if (n) std::memcpy(out.data(), map_ + offset, static_cast<std::size_t>(n));  // memcpy(nullptr, ...) is UB
      return static_cast<std::size_t>(n);
    }
    std::size_t done = 0;
    while (done < n) {
      ssize_t r =
          ::pread(fd_, out.data() + done, static_cast<std::size_t>(n) - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return make_error(ErrorCode::kIo, std::strerror(errno), name_);
      }
      if (r == 0) break;
      done += static_cast<std::size_t>(r);
    }
    return done;
  }

 private:
  int fd_;
  std::uint64_t size_;
  std::string name_;
  const std::byte* map_ = nullptr;
};

class MemorySource final : public ByteSource {
 public:
  MemorySource(std::vector<std::byte> bytes, std::string name) : bytes_(std::move(bytes)), name_(std::move(name)) {}
  std::uint64_t size() const override { return bytes_.size(); }
  std::string describe() const override { return name_; }
  std::span<const std::byte> contiguous() const override { return bytes_; }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) const override {
    if (offset >= bytes_.size()) return std::size_t{0};
    std::size_t n = std::min<std::size_t>(out.size(), bytes_.size() - static_cast<std::size_t>(offset));
    if (n) std::memcpy(out.data(), bytes_.data() + offset, n);
    return n;
  }

 private:
  std::vector<std::byte> bytes_;
  std::string name_;
};

class WindowSource final : public ByteSource {
 public:
  WindowSource(ByteSourcePtr base, std::uint64_t offset, std::uint64_t length)
      : base_(std::move(base)), offset_(offset), length_(length) {}
  std::uint64_t size() const override { return length_; }
  std::string describe() const override { return fmt::format("{}@{:#x}", base_->describe(), offset_); }
  std::span<const std::byte> contiguous() const override {
    auto all = base_->contiguous();
    if (all.empty()) return {};
    return all.subspan(static_cast<std::size_t>(offset_), static_cast<std::size_t>(length_));
  }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) const override {
    if (offset >= length_) return std::size_t{0};
    std::uint64_t n = std::min<std::uint64_t>(out.size(), length_ - offset);
    return base_->read_at(offset_ + offset, out.first(static_cast<std::size_t>(n)));
  }

 private:
  ByteSourcePtr base_;
  std::uint64_t offset_;
  std::uint64_t length_;
};

class SplicedSource final : public ByteSource {
 public:
  SplicedSource(ByteSourcePtr base, std::vector<Run> runs, std::uint64_t size, std::string label)
      : base_(std::move(base)), runs_(std::move(runs)), size_(size), label_(std::move(label)) {}
  std::uint64_t size() const override { return size_; }
  std::string describe() const override { return base_->describe() + " (" + label_ + ")"; }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) const override {
    if (offset >= size_) return std::size_t{0};
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - offset));
    // The run holding `offset`: the last one starting at or before it.
    auto it =
        std::upper_bound(runs_.begin(), runs_.end(), offset, [](std::uint64_t o, const Run& r) { return o < r.start; });
    if (it != runs_.begin()) --it;
    std::size_t done = 0;
    while (done < want) {
      const std::uint64_t at = offset + done;
      while (it != runs_.end() && at >= it->start + it->length) ++it;
      if (it == runs_.end() || at < it->start) {
        // A gap no run covers: zeros up to the next run.
        const std::uint64_t next = it == runs_.end() ? size_ : it->start;
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(want - done, next - at));
        std::memset(out.data() + done, 0, n);
        done += n;
        continue;
      }
      const std::uint64_t within = at - it->start;
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(want - done, it->length - within));
      auto dst = out.subspan(done, n);
      if (it->kind == Run::Kind::kCopy) {
        auto r = base_->read_at(it->offset + within, dst);
        if (!r) return r.error();
        if (*r < n) std::memset(dst.data() + *r, 0, n - *r);
      } else if (it->kind == Run::Kind::kFill) {
        for (std::size_t i = 0; i < n; ++i) dst[i] = it->fill[(within + i) % 4];
      } else {
        std::memset(dst.data(), 0, n);
      }
      done += n;
    }
    return done;
  }

 private:
  ByteSourcePtr base_;
  std::vector<Run> runs_;
  std::uint64_t size_;
  std::string label_;
};

}  // namespace

Result<ByteSourcePtr> open_host_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return make_error(ErrorCode::kIo, std::strerror(errno), path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return make_error(ErrorCode::kIo, std::strerror(e), path);
  }
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
    ::close(fd);
    return make_error(ErrorCode::kUnsupported, "not a regular file or block device", path);
  }
  std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
  if (S_ISBLK(st.st_mode)) {
    off_t end = ::lseek(fd, 0, SEEK_END);
    size = end > 0 ? static_cast<std::uint64_t>(end) : 0;
  }
  return fd_source(fd, size, path);
}

ByteSourcePtr fd_source(int fd, std::uint64_t size, std::string name) {
  return std::make_shared<HostFileSource>(fd, size, std::move(name));
}

ByteSourcePtr memory_source(std::vector<std::byte> bytes, std::string name) {
  return std::make_shared<MemorySource>(std::move(bytes), std::move(name));
}

ByteSourcePtr spliced_source(ByteSourcePtr base, std::vector<Run> runs, std::uint64_t size, std::string label) {
  return std::make_shared<SplicedSource>(std::move(base), std::move(runs), size, std::move(label));
}

Result<ByteSourcePtr> window_source(ByteSourcePtr base, std::uint64_t offset, std::uint64_t length) {
  if (!core::in_bounds(offset, length, base->size())) {
    return make_error(ErrorCode::kInvalidArgument, "window outside the source", base->describe());
  }
  return ByteSourcePtr(std::make_shared<WindowSource>(std::move(base), offset, length));
}

OkResult read_exact(const ByteSource& src, std::uint64_t offset, std::span<std::byte> out) {
  auto n = src.read_at(offset, out);
  if (!n) return n.error();
  if (*n != out.size()) return make_error(ErrorCode::kCorrupt, "unexpected end of data", src.describe());
  return Ok{};
}

}  // namespace fwcert::vfs
