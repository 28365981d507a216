// The archive backend: tar (every variant), cpio (newc, odc, binary), zip and ISO 9660 (with
// Rock Ridge owners and modes when present), bare or inside gzip, bzip2, xz, lzma, zstd or lz4,
// read with libarchive from a ByteSource into a MemoryVfs.
//
// These formats can only be read front to back, so the whole tree is loaded once, within the
// limits in limits.hpp. Decisions worth knowing:
//  - Memory does not grow with content: members up to kArchiveInlineMemberBytes stay in memory
//    (kArchiveInlineTotalBytes in all: the configuration files and scripts analyzers read
//    most), every other member's content goes to one unnamed temporary file and is read back
//    with pread. The same for an uncompressed archive, whose offsets libarchive does not give.
//  - Member names are normalised; "../" and absolute names are clamped inside the root and a
//    warning names the original. Nothing is ever extracted, so a name cannot reach the host.
//  - A member "below" a symlink or a file (the classic write-through-a-symlink trick) is not
//    followed: MemoryVfs refuses it, and it is skipped with a diagnostic.
//  - Content over the per-member or total limit keeps its metadata only (partial = true);
//    a declared size is never allocated before it has been checked against those limits.
//  - The decompression-bomb guard counts every byte produced (data, sparse holes filled, data
//    only consumed to skip it) against the size of the compressed input.
//  - libarchive sizes its read-ahead buffer from some header fields before it knows the
//    bytes exist (a cpio name length claims up to 4 GiB). That reservation is virtual and
//    untouched beyond the input's own size, so resident memory stays bounded; under a hard
//    address-space limit such an input simply fails as damaged. We cannot bound it from here.
//  - libarchive's "raw" format is not enabled: a compressed file that does not hold an
//    archive fails to open instead of becoming a one-file tree.
//  - Junk between members is bounded twice. cpio and zip scan forward for the next magic, so
//    one header read may consume everything up to the end: it is cut off after
//    kMaxArchiveHeaderSearchBytes of input. Binary cpio has no magic after the first header and
//    reads zeros as an endless run of 26-byte members of no file type: such a member counts as
//    a damaged header, and past kMaxHeaderRetries of them the rest of the archive is lost.

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>

#include "core/checked.hpp"
#include "core/limits.hpp"
#include "vfs/decompress.hpp"
#include "vfs/memory_vfs.hpp"
#include "vfs/open.hpp"

namespace fwcert::vfs {

namespace {

/// Bytes handed to libarchive per read callback when the source is not memory-backed.
constexpr std::size_t kReadChunk = 256 * 1024;
/// Diagnostics kept from one archive; a hostile archive could otherwise produce one per member.
constexpr std::size_t kMaxDiagnosticsPerArchive = 1000;
/// Damaged headers libarchive may skip over (ARCHIVE_RETRY, or members of no file type) before
/// the archive counts as lost.
constexpr int kMaxHeaderRetries = 16;

/// Feeds libarchive from a ByteSource through read, skip and seek callbacks, so the same code
/// reads an archive on disk, inside an image, or in a fuzzer's buffer.
struct SourceCursor {
  ByteSourcePtr src;
  std::uint64_t pos = 0;
  std::vector<std::byte> buffer;
  std::uint64_t delivered = 0;  ///< bytes handed to libarchive by read_callback
  /// Set while libarchive looks for a member header: `delivered` when the search began.
  std::optional<std::uint64_t> header_search_from;
  bool header_search_exceeded = false;  ///< a search was cut off at kMaxArchiveHeaderSearchBytes
};

la_ssize_t read_callback(archive* a, void* data, const void** out) {
  auto* c = static_cast<SourceCursor*>(data);
  const std::uint64_t size = c->src->size();
  if (c->pos >= size) return 0;
  if (c->header_search_from && c->delivered - *c->header_search_from >= limits::kMaxArchiveHeaderSearchBytes) {
    c->header_search_exceeded = true;
    archive_set_error(a, ERANGE, "no member header in %llu bytes",
                      static_cast<unsigned long long>(limits::kMaxArchiveHeaderSearchBytes));
    return -1;
  }
  auto mapped = c->src->contiguous();
  if (mapped.size() == size) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size - c->pos, kReadChunk * 4));
    *out = mapped.data() + c->pos;
    c->pos += n;
    c->delivered += n;
    return static_cast<la_ssize_t>(n);
  }
  if (c->buffer.empty()) c->buffer.resize(kReadChunk);
  auto n = c->src->read_at(c->pos, c->buffer);
  if (!n) {
    archive_set_error(a, EIO, "%s", n.error().describe().c_str());
    return -1;
  }
  *out = c->buffer.data();
  c->pos += *n;
  c->delivered += *n;
  return static_cast<la_ssize_t>(*n);
}

la_int64_t skip_callback(archive*, void* data, la_int64_t request) {
  auto* c = static_cast<SourceCursor*>(data);
  if (request <= 0) return 0;
  const std::uint64_t size = c->src->size();
  std::uint64_t left = c->pos < size ? size - c->pos : 0;
  std::uint64_t n = std::min<std::uint64_t>(left, static_cast<std::uint64_t>(request));
  c->pos += n;
  return static_cast<la_int64_t>(n);
}

la_int64_t seek_callback(archive* a, void* data, la_int64_t offset, int whence) {
  auto* c = static_cast<SourceCursor*>(data);
  const auto size = static_cast<la_int64_t>(std::min<std::uint64_t>(c->src->size(), INT64_MAX));
  la_int64_t base = 0;
  switch (whence) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = static_cast<la_int64_t>(c->pos);
      break;
    case SEEK_END:
      base = size;
      break;
    default:
      archive_set_error(a, EINVAL, "bad seek origin");
      return ARCHIVE_FATAL;
  }
  la_int64_t to = 0;
  if (__builtin_add_overflow(base, offset, &to) || to < 0 || to > size) {
    archive_set_error(a, EINVAL, "seek outside the archive");
    return ARCHIVE_FATAL;
  }
  c->pos = static_cast<std::uint64_t>(to);
  return to;
}

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

/// True when the stored name starts at the host root or climbs above the archive root.
bool escapes_root(std::string_view name) {
  if (!name.empty() && name.front() == '/') return true;
  int depth = 0;
  std::size_t i = 0;
  while (i < name.size()) {
    std::size_t j = name.find('/', i);
    if (j == std::string_view::npos) j = name.size();
    std::string_view comp = name.substr(i, j - i);
    if (comp == "..") {
      if (depth == 0) return true;
      --depth;
    } else if (!comp.empty() && comp != ".") {
      ++depth;
    }
    i = j + 1;
  }
  return false;
}

/// A stored name as diagnostics show it: control bytes become '?' so a name cannot drive a terminal.
std::string printable(std::string_view s) {
  std::string out(s.substr(0, 256));
  for (char& ch : out) {
    auto u = static_cast<unsigned char>(ch);
    if (u < 0x20 || u == 0x7f) ch = '?';
  }
  if (s.size() > 256) out += "...";
  return out;
}

const char* filter_suffix(int code) {
  switch (code) {
    case ARCHIVE_FILTER_GZIP:
      return ".gz";
    case ARCHIVE_FILTER_BZIP2:
      return ".bz2";
    case ARCHIVE_FILTER_XZ:
      return ".xz";
    case ARCHIVE_FILTER_LZMA:
      return ".lzma";
    case ARCHIVE_FILTER_ZSTD:
      return ".zst";
    case ARCHIVE_FILTER_LZ4:
      return ".lz4";
    default:
      return "";
  }
}

/// "tar", "cpio.gz", "tar.xz", "zip": the format followed by the filters, outermost last.
std::string format_name(archive* a) {
  std::string name;
  switch (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) {
    case ARCHIVE_FORMAT_TAR:
      name = "tar";
      break;
    case ARCHIVE_FORMAT_CPIO:
      name = "cpio";
      break;
    case ARCHIVE_FORMAT_ZIP:
      name = "zip";
      break;
    case ARCHIVE_FORMAT_ISO9660:
      name = "iso9660";
      break;
    default:
      name = "archive";
      break;
  }
  const int filters = archive_filter_count(a);
  for (int i = 0; i + 1 < filters; ++i) name += filter_suffix(archive_filter_code(a, i));
  return name;
}

std::uint32_t clamp_id(la_int64_t id) {
  if (id < 0 || id > std::numeric_limits<std::uint32_t>::max()) return std::numeric_limits<std::uint32_t>::max();
  return static_cast<std::uint32_t>(id);
}

const char* entry_text(const char* local, const char* utf8) { return local ? local : utf8; }

/// Why reading stopped before the end of the archive.
enum class Stop : std::uint8_t { kNone, kDamaged, kBomb };

/// What reading one member's data produced.
struct MemberData {
  MemoryVfs::Content content;  ///< not retained() when not kept
  std::uint64_t size = 0;      ///< size the member has in the image
  Stop stop = Stop::kNone;
  bool failed = false;  ///< libarchive could not decode this member (encrypted, bad CRC, ...)
};

/// Member content the loader does not keep in memory, one member after another in an unnamed
/// temporary file (decompress.hpp's spill file); each member is a window of it. Written only
/// while the archive loads, read (with pread, from any thread) afterwards.
class ContentSpill final : public ByteSource {
 public:
  explicit ContentSpill(std::string archive) : name_(archive + " (content spill)") {}
  ~ContentSpill() override {
    if (fd_ >= 0) ::close(fd_);
  }
  ContentSpill(const ContentSpill&) = delete;
  ContentSpill& operator=(const ContentSpill&) = delete;

  OkResult write(std::uint64_t at, std::span<const std::byte> data) {
    if (fd_ < 0) {
      auto fd = open_spill_file();
      if (!fd) return fd.error();
      fd_ = *fd;
    }
    for (std::size_t done = 0; done < data.size();) {
      ssize_t w = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(at + done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0)
        return make_error(ErrorCode::kIo, fmt::format("temporary file write failed: {}", std::strerror(errno)));
      done += static_cast<std::size_t>(w);
    }
    size_ = std::max<std::uint64_t>(size_, at + data.size());
    return Ok{};
  }

  std::uint64_t size() const override { return size_; }
  std::string describe() const override { return name_; }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) const override {
    if (offset >= size_ || fd_ < 0) return std::size_t{0};
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - offset));
    std::size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, out.data() + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return make_error(ErrorCode::kIo, std::strerror(errno), name_);
      if (r == 0) break;
      done += static_cast<std::size_t>(r);
    }
    return done;
  }

 private:
  std::string name_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

class ArchiveLoader {
 public:
  ArchiveLoader(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial)
      : cursor_{std::move(src)}, diagnostics_(diagnostics), partial_(partial) {}

  Result<std::shared_ptr<Vfs>> load() {
    ArchivePtr a(archive_read_new());
    if (!a) return make_error(ErrorCode::kIo, "libarchive could not allocate a reader", describe());
    a_ = a.get();
    archive_read_support_format_tar(a_);
    archive_read_support_format_cpio(a_);
    archive_read_support_format_zip(a_);
    archive_read_support_format_iso9660(a_);
    archive_read_support_filter_gzip(a_);
    archive_read_support_filter_bzip2(a_);
    archive_read_support_filter_xz(a_);
    archive_read_support_filter_lzma(a_);
    archive_read_support_filter_zstd(a_);
    archive_read_support_filter_lz4(a_);
    archive_read_set_callback_data(a_, &cursor_);
    archive_read_set_read_callback(a_, read_callback);
    archive_read_set_skip_callback(a_, skip_callback);
    archive_read_set_seek_callback(a_, seek_callback);
    if (archive_read_open1(a_) != ARCHIVE_OK) {
      return make_error(ErrorCode::kUnsupported, fmt::format("not a readable archive: {}", last_error()), describe());
    }

    std::size_t members = 0;
    Stop stop = Stop::kNone;
    while (stop == Stop::kNone) {
      archive_entry* entry = nullptr;
      int r = next_header(&entry);
      if (r == ARCHIVE_EOF) break;
      if (r == ARCHIVE_RETRY && ++damaged_headers_ <= kMaxHeaderRetries) {
        diag(Diagnostic::Level::kWarning, "/", fmt::format("damaged member header skipped: {}", last_error()));
        partial_ = true;
        continue;
      }
      if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY) {
        if (!fs_) {
          return make_error(ErrorCode::kCorrupt, fmt::format("no readable member: {}", stop_reason()), describe());
        }
        stop = Stop::kDamaged;
        break;
      }
      if (!fs_) fs_ = std::make_shared<MemoryVfs>(format_name(a_));
      if (r == ARCHIVE_WARN) diag(Diagnostic::Level::kNote, "/", fmt::format("libarchive: {}", last_error()));
      if (++members > limits::kMaxArchiveMembers) {
        diag(Diagnostic::Level::kError, "/",
             fmt::format("archive has more than {} members; the rest is not read", limits::kMaxArchiveMembers));
        partial_ = true;
        break;
      }
      if (r == ARCHIVE_FAILED) {
        diag(Diagnostic::Level::kWarning, "/", fmt::format("member skipped: {}", last_error()));
        partial_ = true;
        continue;
      }
      stop = add_member(entry);
      if (stop == Stop::kNone && over_ratio()) stop = Stop::kBomb;
    }

    if (!fs_) fs_ = std::make_shared<MemoryVfs>(format_name(a_));
    if (stop == Stop::kDamaged) {
      diag(Diagnostic::Level::kError, "/",
           fmt::format("archive damaged after {} members; the rest is not read: {}", members, stop_reason()));
      partial_ = true;
    } else if (stop == Stop::kBomb) {
      diag(Diagnostic::Level::kError, "/",
           fmt::format("decompressed more than {}x the archive size ({} bytes from {}); the rest is not read "
                       "(decompression bomb guard)",
                       limits::kMaxDecompressionRatio, produced(), cursor_.src->size()));
      partial_ = true;
    }
    if (suppressed_ > 0) {
      diagnostics_.push_back({Diagnostic::Level::kNote, "/",
                              fmt::format("{} further diagnostics about this archive not shown", suppressed_)});
    }
    return std::shared_ptr<Vfs>(fs_);
  }

 private:
  std::string describe() const { return cursor_.src->describe(); }

  std::string last_error() const {
    const char* e = archive_error_string(a_);
    return e ? e : "unknown libarchive error";
  }

  /// Why libarchive stopped: our own bound when one cut it off (libarchive may overwrite the
  /// error we set with its own "truncated" message), else libarchive's error.
  std::string stop_reason() const {
    if (cursor_.header_search_exceeded) {
      return fmt::format("no member header in the {} MiB read looking for one (junk or zeros)",
                         limits::kMaxArchiveHeaderSearchBytes >> 20);
    }
    if (damaged_headers_ > kMaxHeaderRetries) {
      return fmt::format(
          "more than {} damaged member headers (or members of no file type, as zeros read as cpio "
          "headers are)",
          kMaxHeaderRetries);
    }
    return last_error();
  }

  /// archive_read_next_header with the search for the header bounded: the rest of the previous
  /// member is skipped first, so what the search reads is header, padding and junk only.
  int next_header(archive_entry** entry) {
    if (in_data_) {
      // As libarchive's own skip at the next header: data that ends early is fatal.
      const int r = skip_member_data();
      if (r == ARCHIVE_EOF) archive_set_error(a_, EIO, "Premature end-of-file.");
      if (r == ARCHIVE_EOF || r == ARCHIVE_FATAL) return ARCHIVE_FATAL;
    }
    cursor_.header_search_from = cursor_.delivered;
    const int r = archive_read_next_header(a_, entry);
    cursor_.header_search_from.reset();
    in_data_ = r == ARCHIVE_OK || r == ARCHIVE_WARN;
    return r;
  }

  /// Skips what is left of the current member's data (libarchive allows this once per member).
  int skip_member_data() {
    in_data_ = false;
    return archive_read_data_skip(a_);
  }

  void diag(Diagnostic::Level level, std::string path, std::string message) {
    if (emitted_ >= kMaxDiagnosticsPerArchive) {
      ++suppressed_;
      return;
    }
    ++emitted_;
    diagnostics_.push_back({level, std::move(path), std::move(message)});
  }

  /// Bytes produced by decompression so far: data handed to us, holes filled, and (for
  /// compressed streams) everything the top filter has decoded, headers included.
  std::uint64_t produced() const {
    std::uint64_t n = produced_;
    if (archive_filter_count(a_) > 1) {
      la_int64_t decoded = archive_filter_bytes(a_, 0);
      if (decoded > 0) n = std::max<std::uint64_t>(n, static_cast<std::uint64_t>(decoded));
    }
    return n;
  }

  bool over_ratio() const {
    const std::uint64_t n = produced();
    if (n <= limits::kRatioGuardFloorBytes) return false;
    auto allowed = core::checked_mul(std::max<std::uint64_t>(cursor_.src->size(), 1), limits::kMaxDecompressionRatio);
    return allowed && n > *allowed;
  }

  /// Where one member's data goes while it is read: memory while it is small (at most
  /// limits::kArchiveInlineMemberBytes, and limits::kArchiveInlineTotalBytes for all members),
  /// else the archive's spill file from its current end on. Data comes in order but may skip
  /// holes, which stay zeros either way.
  class MemberSink {
   public:
    MemberSink(ArchiveLoader& loader, std::uint64_t declared) : loader_(loader) {
      if (declared > limits::kArchiveInlineMemberBytes ||
          loader_.inline_bytes_ + declared > limits::kArchiveInlineTotalBytes) {
        to_spill_ = true;
      } else {
        bytes_ = std::make_shared<std::vector<std::byte>>();
        bytes_->reserve(static_cast<std::size_t>(declared));
      }
    }

    /// Bytes up to the end of the data seen so far.
    std::uint64_t size() const { return size_; }

    OkResult put(std::uint64_t offset, std::span<const std::byte> data) {
      const std::uint64_t end = offset + data.size();
      if (!to_spill_ &&
          (end > limits::kArchiveInlineMemberBytes || loader_.inline_bytes_ + end > limits::kArchiveInlineTotalBytes)) {
        // Grew past what memory keeps: what it has so far moves to the spill file.
        to_spill_ = true;
        auto held = std::move(bytes_);
        if (auto ok = spill(0, *held); !ok) return ok;
      }
      if (to_spill_) {
        if (auto ok = spill(offset, data); !ok) return ok;
      } else {
        if (end > bytes_->size()) bytes_->resize(static_cast<std::size_t>(end));
        if (!data.empty()) std::memcpy(bytes_->data() + offset, data.data(), data.size());
      }
      size_ = std::max(size_, end);
      return Ok{};
    }

    /// Stops keeping the data (over a limit, or damaged).
    void drop() {
      // What it wrote stays unused: the next member starts after it, so its holes read zeros.
      if (base_) loader_.spill_end_ = std::max(loader_.spill_end_, *base_ + size_);
      bytes_.reset();
      to_spill_ = false;
      dropped_ = true;
    }

    /// The content of a member of `size` bytes.
    MemoryVfs::Content finish(std::uint64_t size) {
      if (dropped_) return {};
      if (!to_spill_) {
        bytes_->resize(static_cast<std::size_t>(size));
        loader_.inline_bytes_ += size;
        return {std::move(bytes_), nullptr, 0};
      }
      if (!loader_.spill_) loader_.spill_ = std::make_shared<ContentSpill>(loader_.describe());
      if (!base_) base_ = loader_.spill_end_;
      loader_.spill_end_ = *base_ + size;
      return {nullptr, loader_.spill_, *base_};
    }

   private:
    OkResult spill(std::uint64_t offset, std::span<const std::byte> data) {
      if (!loader_.spill_) loader_.spill_ = std::make_shared<ContentSpill>(loader_.describe());
      if (!base_) base_ = loader_.spill_end_;
      return loader_.spill_->write(*base_ + offset, data);
    }

    ArchiveLoader& loader_;
    std::shared_ptr<std::vector<std::byte>> bytes_;
    std::optional<std::uint64_t> base_;
    std::uint64_t size_ = 0;
    bool to_spill_ = false;
    bool dropped_ = false;
  };

  /// Reads (or, over a limit, only consumes) the current member's data.
  MemberData read_data(archive_entry* entry, const std::string& path) {
    MemberData out;
    const bool size_known = archive_entry_size_is_set(entry) != 0;
    const std::uint64_t declared =
        size_known ? static_cast<std::uint64_t>(std::max<la_int64_t>(archive_entry_size(entry), 0)) : 0;
    const std::uint64_t budget_left =
        limits::kMaxArchiveTotalBytes - std::min(retained_, limits::kMaxArchiveTotalBytes);
    const std::uint64_t keep_limit = std::min(limits::kMaxArchiveMemberBytes, budget_left);
    bool keep = !size_known || declared <= keep_limit;
    auto over_limit = [&](std::uint64_t size) {
      const bool member = size > limits::kMaxArchiveMemberBytes;
      diag(Diagnostic::Level::kWarning, path,
           fmt::format("content of {} bytes not kept: over the {} limit; metadata only", size,
                       member ? "per-member" : "total archive content"));
      partial_ = true;
    };
    if (!keep) over_limit(declared);

    if (!keep && archive_filter_count(a_) <= 1) {
      // Nothing to decompress: skipping is a seek and cannot be a bomb.
      if (skip_member_data() != ARCHIVE_OK) out.stop = Stop::kDamaged;
      out.size = declared;
      return out;
    }

    // Small members stay in memory; the rest goes to the spill file (see ContentSpill).
    MemberSink sink(*this, size_known ? declared : 0);
    std::uint64_t end_seen = 0;
    for (;;) {
      const void* block = nullptr;
      std::size_t len = 0;
      la_int64_t offset = 0;
      int r = archive_read_data_block(a_, &block, &len, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r == ARCHIVE_WARN) {
        diag(Diagnostic::Level::kNote, path, fmt::format("libarchive: {}", last_error()));
      } else if (r == ARCHIVE_FAILED || r == ARCHIVE_RETRY) {
        out.failed = true;
        break;
      } else if (r != ARCHIVE_OK) {
        out.stop = Stop::kDamaged;
        break;
      }
      produced_ += len;
      auto end = offset >= 0 ? core::checked_add(static_cast<std::uint64_t>(offset), len) : std::nullopt;
      if (!end || (size_known && *end > declared)) {
        out.failed = true;  // data outside the member: a forged sparse map
        break;
      }
      end_seen = std::max(end_seen, *end);
      if (keep && *end > keep_limit) {
        keep = false;
        sink.drop();
        over_limit(*end);
      }
      if (keep) {
        const std::uint64_t have = sink.size();
        if (static_cast<std::uint64_t>(offset) > have) produced_ += static_cast<std::uint64_t>(offset) - have;  // hole
        if (auto ok =
                sink.put(static_cast<std::uint64_t>(offset), std::span(static_cast<const std::byte*>(block), len));
            !ok) {
          keep = false;
          sink.drop();
          diag(Diagnostic::Level::kWarning, path,
               fmt::format("content not kept: {}; metadata only", ok.error().message));
          partial_ = true;
        }
      }
      if (over_ratio()) {
        out.stop = Stop::kBomb;
        break;
      }
    }
    out.size = size_known ? declared : end_seen;
    if (out.failed || out.stop != Stop::kNone) {
      sink.drop();
      return out;  // content dropped; the caller reports it
    }
    if (keep) {
      // A sparse file ending in a hole: the hole is part of the content.
      if (sink.size() < out.size) produced_ += out.size - sink.size();
      retained_ += out.size;
      out.content = sink.finish(out.size);
      if (over_ratio()) out.stop = Stop::kBomb;
    }
    return out;
  }

  Stop add_member(archive_entry* entry) {
    const char* raw_name = entry_text(archive_entry_pathname(entry), archive_entry_pathname_utf8(entry));
    if (!raw_name) {
      diag(Diagnostic::Level::kWarning, "/", "member without a readable name skipped");
      partial_ = true;
      return skip_data();
    }
    std::string_view name(raw_name);
    if (name.size() > limits::kMaxPathLength) {
      diag(Diagnostic::Level::kWarning, "/",
           fmt::format("member name longer than {} bytes skipped: {}", limits::kMaxPathLength, printable(name)));
      partial_ = true;
      return skip_data();
    }
    const std::string path = normalize_path(name);
    if (escapes_root(name)) {
      diag(Diagnostic::Level::kWarning, path,
           fmt::format("member name '{}' escapes the root; clamped to {}", printable(name), path));
    }

    MemoryVfs::Meta meta;
    meta.mode = static_cast<std::uint32_t>(archive_entry_perm(entry)) & 07777;
    meta.uid = clamp_id(archive_entry_uid(entry));
    meta.gid = clamp_id(archive_entry_gid(entry));
    meta.mtime = archive_entry_mtime(entry);

    OkResult added = Ok{};
    Stop stop = Stop::kNone;
    const char* hardlink = entry_text(archive_entry_hardlink(entry), archive_entry_hardlink_utf8(entry));
    if (hardlink) {
      std::string_view target(hardlink);
      if (escapes_root(target)) {
        diag(Diagnostic::Level::kWarning, path,
             fmt::format("hard link target '{}' escapes the root; clamped", printable(target)));
      }
      added = fs_->add_hardlink(path, normalize_path(target));
      // cpio and pax may carry a link group's data on a later name; it belongs to every name.
      if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0) {
        MemberData data = read_data(entry, path);
        stop = data.stop;
        if (added && (data.content.retained() || data.size > 0)) {
          if (!data.content.retained()) report_unread(path, data);
          added = fs_->set_content(path, std::move(data.content), data.size);
        }
      } else {
        stop = skip_data();
      }
    } else {
      switch (archive_entry_filetype(entry)) {
        case AE_IFDIR:
          added = fs_->add_dir(path, meta);
          stop = skip_data();
          break;
        case AE_IFREG: {
          MemberData data = read_data(entry, path);
          stop = data.stop;
          if (!data.content.retained()) report_unread(path, data);
          added = fs_->add_file_content(path, std::move(data.content), data.size, meta);
          break;
        }
        case AE_IFLNK: {
          const char* target = entry_text(archive_entry_symlink(entry), archive_entry_symlink_utf8(entry));
          std::string_view t = target ? std::string_view(target) : std::string_view();
          if (!target || t.size() > limits::kMaxSymlinkTarget) {
            added = make_error(ErrorCode::kLimitExceeded, "symlink target missing or too long", path);
          } else {
            added = fs_->add_symlink(path, t, meta);
          }
          stop = skip_data();
          break;
        }
        case AE_IFCHR:
        case AE_IFBLK:
        case AE_IFIFO:
        case AE_IFSOCK: {
          const auto ft = archive_entry_filetype(entry);
          FileType type = ft == AE_IFCHR   ? FileType::kCharDevice
                          : ft == AE_IFBLK ? FileType::kBlockDevice
                          : ft == AE_IFIFO ? FileType::kFifo
                                           : FileType::kSocket;
          added = fs_->add_special(path, type, static_cast<std::uint32_t>(archive_entry_rdevmajor(entry)),
                                   static_cast<std::uint32_t>(archive_entry_rdevminor(entry)), meta);
          stop = skip_data();
          break;
        }
        default:
          // No member has no file type; a header of zeros (binary cpio has no magic to resync
          // on) is one. It counts as a damaged header.
          if (++damaged_headers_ > kMaxHeaderRetries) return Stop::kDamaged;
          added = make_error(ErrorCode::kUnsupported, "member of unknown file type", path);
          stop = skip_data();
          break;
      }
    }

    if (!added) {
      diag(Diagnostic::Level::kWarning, path, fmt::format("member skipped: {}", added.error().message));
      partial_ = true;
      return stop;
    }
    add_xattrs(entry, path);
    return stop;
  }

  void report_unread(const std::string& path, const MemberData& data) {
    if (data.failed) {
      diag(Diagnostic::Level::kWarning, path, fmt::format("content unreadable: {}; metadata only", last_error()));
      partial_ = true;
    }
  }

  Stop skip_data() {
    // Directories, links and devices carry no data in any supported format, but a hostile
    // header may declare some; consume it the same bounded way as file data.
    if (archive_filter_count(a_) <= 1) {
      return skip_member_data() == ARCHIVE_FATAL ? Stop::kDamaged : Stop::kNone;
    }
    for (;;) {
      const void* block = nullptr;
      std::size_t len = 0;
      la_int64_t offset = 0;
      int r = archive_read_data_block(a_, &block, &len, &offset);
      if (r == ARCHIVE_EOF || r == ARCHIVE_FAILED || r == ARCHIVE_RETRY) return Stop::kNone;
      if (r == ARCHIVE_FATAL) return Stop::kDamaged;
      produced_ += len;
      if (over_ratio()) return Stop::kBomb;
    }
  }

  void add_xattrs(archive_entry* entry, const std::string& path) {
    if (archive_entry_xattr_reset(entry) == 0) return;
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    std::size_t kept = 0;
    while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
      if (!name) continue;
      if (kept >= limits::kMaxXattrsPerFile || size > limits::kMaxXattrValue) {
        diag(Diagnostic::Level::kWarning, path,
             fmt::format("extended attribute '{}' over a limit; not kept", printable(name)));
        partial_ = true;
        continue;
      }
      std::string v(static_cast<const char*>(value), value ? size : 0);
      if (fs_->set_xattr(path, name, std::move(v))) ++kept;
    }
  }

  SourceCursor cursor_;
  std::vector<Diagnostic>& diagnostics_;
  bool& partial_;
  archive* a_ = nullptr;
  std::shared_ptr<MemoryVfs> fs_;
  std::uint64_t produced_ = 0;           ///< bytes produced by decompression that we saw or materialised
  std::uint64_t retained_ = 0;           ///< content bytes kept, in memory or in the spill file
  std::uint64_t inline_bytes_ = 0;       ///< content bytes kept in memory
  std::shared_ptr<ContentSpill> spill_;  ///< made when the first member goes there
  std::uint64_t spill_end_ = 0;          ///< end of the last member in it
  std::size_t emitted_ = 0;
  std::size_t suppressed_ = 0;
  int damaged_headers_ = 0;  ///< headers skipped as damaged, and members of no file type
  bool in_data_ = false;     ///< libarchive is in the current member's data (not yet skipped)
};

}  // namespace

Result<std::shared_ptr<Vfs>> open_archive(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial) {
  if (!src) return make_error(ErrorCode::kInvalidArgument, "no byte source");
  return ArchiveLoader(std::move(src), diagnostics, partial).load();
}

}  // namespace fwcert::vfs
