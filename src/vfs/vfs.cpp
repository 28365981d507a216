#include "vfs/vfs.hpp"

#include <algorithm>
#include <deque>

#include "core/limits.hpp"

namespace fwcert {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound:
      return "not-found";
    case ErrorCode::kNotADirectory:
      return "not-a-directory";
    case ErrorCode::kIsADirectory:
      return "is-a-directory";
    case ErrorCode::kInvalidArgument:
      return "invalid-argument";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kCorrupt:
      return "corrupt";
    case ErrorCode::kLimitExceeded:
      return "limit-exceeded";
    case ErrorCode::kLoop:
      return "symlink-loop";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kParse:
      return "parse";
  }
  return "unknown";
}

}  // namespace fwcert

namespace fwcert::vfs {

const char* to_string(FileType t) {
  switch (t) {
    case FileType::kRegular:
      return "file";
    case FileType::kDirectory:
      return "directory";
    case FileType::kSymlink:
      return "symlink";
    case FileType::kCharDevice:
      return "char-device";
    case FileType::kBlockDevice:
      return "block-device";
    case FileType::kFifo:
      return "fifo";
    case FileType::kSocket:
      return "socket";
    case FileType::kUnknown:
      return "unknown";
  }
  return "unknown";
}

namespace {

void split_into(std::string_view path, std::deque<std::string>& out, bool front) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t j = i;
    while (j < path.size() && path[j] != '/') ++j;
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j;
  }
  if (front) {
    out.insert(out.begin(), parts.begin(), parts.end());
  } else {
    out.insert(out.end(), parts.begin(), parts.end());
  }
}

std::string join(const std::vector<std::string>& stack) {
  if (stack.empty()) return "/";
  std::string out;
  for (const auto& c : stack) {
    out += '/';
    out += c;
  }
  return out;
}

}  // namespace

std::string normalize_path(std::string_view path) {
  std::deque<std::string> parts;
  split_into(path, parts, false);
  std::vector<std::string> stack;
  for (auto& p : parts) {
    if (p == ".") continue;
    if (p == "..") {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    stack.push_back(std::move(p));
  }
  return join(stack);
}

std::string parent_path(std::string_view canonical) {
  auto pos = canonical.rfind('/');
  if (pos == std::string_view::npos || pos == 0) return "/";
  return std::string(canonical.substr(0, pos));
}

std::string_view base_name(std::string_view canonical) {
  auto pos = canonical.rfind('/');
  if (pos == std::string_view::npos) return canonical;
  return canonical.substr(pos + 1);
}

Result<std::string> Vfs::resolve(std::string_view path, bool follow_last) const {
  if (path.size() > limits::kMaxPathLength) {
    return make_error(ErrorCode::kLimitExceeded, "path too long", std::string(path.substr(0, 64)));
  }
  std::deque<std::string> pending;
  split_into(path, pending, false);
  std::vector<std::string> stack;
  int hops = 0;
  while (!pending.empty()) {
    std::string comp = std::move(pending.front());
    pending.pop_front();
    if (comp == ".") continue;
    if (comp == "..") {
      if (!stack.empty()) stack.pop_back();  // clamped at the image root
      continue;
    }
    stack.push_back(std::move(comp));
    const bool is_last = pending.empty();
    if (is_last && !follow_last) break;
    std::string candidate = join(stack);
    auto st = lstat_raw(candidate);
    if (!st) {
      if (st.error().code == ErrorCode::kNotFound) {
        return make_error(ErrorCode::kNotFound, "no such file", std::string(path));
      }
      return st.error();
    }
    if (st->is_symlink()) {
      if (++hops > limits::kMaxSymlinkHops) {
        return make_error(ErrorCode::kLoop, "too many levels of symbolic links", std::string(path));
      }
      auto target = readlink_raw(candidate);
      if (!target) return target.error();
      stack.pop_back();
      if (!target->empty() && (*target)[0] == '/') stack.clear();  // re-rooted at the image root
      split_into(*target, pending, true);
      continue;
    }
    if (!is_last && !st->is_dir()) {
      return make_error(ErrorCode::kNotADirectory, "a path component is not a directory", std::string(path));
    }
  }
  return join(stack);
}

Result<Stat> Vfs::lstat(std::string_view path) const {
  auto c = resolve(path, false);
  if (!c) return c.error();
  return lstat_raw(*c);
}

Result<Stat> Vfs::stat(std::string_view path) const {
  auto c = resolve(path, true);
  if (!c) return c.error();
  return lstat_raw(*c);
}

Result<std::vector<DirEntry>> Vfs::readdir(std::string_view path) const {
  auto c = resolve(path, true);
  if (!c) return c.error();
  return readdir_raw(*c);
}

Result<std::string> Vfs::readlink(std::string_view path) const {
  auto c = resolve(path, false);
  if (!c) return c.error();
  return readlink_raw(*c);
}

Result<std::vector<Xattr>> Vfs::xattrs(std::string_view path) const {
  auto c = resolve(path, false);
  if (!c) return c.error();
  return xattrs_raw(*c);
}

Result<std::size_t> Vfs::read(std::string_view path, std::uint64_t offset, std::span<std::byte> out) const {
  auto c = resolve(path, true);
  if (!c) return c.error();
  return read_raw(*c, offset, out);
}

Result<std::string> Vfs::read_file(std::string_view path, std::uint64_t max_bytes) const {
  auto c = resolve(path, true);
  if (!c) return c.error();
  auto st = lstat_raw(*c);
  if (!st) return st.error();
  if (st->is_dir()) return make_error(ErrorCode::kIsADirectory, "is a directory", *c);
  if (!st->is_regular()) return make_error(ErrorCode::kUnsupported, "not a regular file", *c);
  if (st->size > max_bytes) {
    return make_error(ErrorCode::kLimitExceeded, "file larger than the limit for this parser", *c);
  }
  // Grow as bytes arrive rather than trusting the declared size: an archive member can
  // claim a terabyte and hold nothing.
  std::string out;
  out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(st->size, 1u << 20)));
  std::size_t done = 0;
  while (done < st->size) {
    std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(st->size - done, 1u << 20));
    out.resize(done + chunk);
    auto n = read_raw(*c, done, std::as_writable_bytes(std::span<char>(out.data() + done, chunk)));
    if (!n) return n.error();
    if (*n == 0) break;
    done += *n;
  }
  out.resize(done);
  return out;
}

}  // namespace fwcert::vfs
