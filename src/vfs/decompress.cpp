#include "vfs/decompress.hpp"

#include <bzlib.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>

#include "core/byte_reader.hpp"
#include "core/limits.hpp"

namespace fwcert::vfs {

namespace {

constexpr std::size_t kInChunk = 256 * 1024;
constexpr std::size_t kOutChunk = 256 * 1024;
constexpr std::size_t kPeekInChunk = 16 * 1024;
/// The legacy lz4 format (lz4 -l, Linux kernels) cuts the payload into blocks of 8 MiB.
constexpr std::size_t kLz4LegacyBlock = 8u << 20;
constexpr std::uint32_t kLz4LegacyMagic = 0x184C2102u;
/// Memory the xz and lzma decoders may use (their dictionary); xz -9 needs 65 MiB.
constexpr std::uint64_t kLzmaMemLimit = 256ull << 20;

bool starts_with(std::span<const std::byte> b, std::string_view magic) {
  return b.size() >= magic.size() && std::memcmp(b.data(), magic.data(), magic.size()) == 0;
}

constexpr std::string_view kGzipMagic("\x1f\x8b", 2);
constexpr std::string_view kXzMagic(
    "\xfd"
    "7zXZ\0",
    6);
constexpr std::string_view kZstdMagic("\x28\xb5\x2f\xfd", 4);
constexpr std::string_view kBzip2Magic("BZh", 3);
constexpr std::string_view kLz4Magic("\x04\x22\x4d\x18", 4);
constexpr std::string_view kLz4LegacyMagicBytes("\x02\x21\x4c\x18", 4);

/// One step of a streaming decoder.
struct Step {
  std::size_t consumed = 0;
  std::size_t produced = 0;
  bool end = false;  ///< the stream is complete; bytes after it are not part of it
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  /// Decodes from `in` into `out`; `last` says no input follows `in`.
  virtual Result<Step> run(std::span<const std::byte> in, std::span<std::byte> out, bool last) = 0;
  /// True when the input so far ended on a complete stream (a clean end, not a truncation).
  virtual bool at_boundary() const = 0;
};

Error damaged(const char* codec, std::string what) {
  return make_error(ErrorCode::kCorrupt, fmt::format("{} data damaged: {}", codec, what));
}

/// gzip, also several members one after another (pigz, concatenated downloads).
class GzipDecoder final : public Decoder {
 public:
  GzipDecoder() { ok_ = inflateInit2(&z_, 15 + 16) == Z_OK; }
  ~GzipDecoder() override { inflateEnd(&z_); }
  Result<Step> run(std::span<const std::byte> in, std::span<std::byte> out, bool) override {
    if (!ok_) return make_error(ErrorCode::kLimitExceeded, "zlib could not be initialised");
    if (member_ended_) {
      if (!starts_with(in, kGzipMagic)) return Step{0, 0, true};  // padding or other data follows
      inflateReset(&z_);
      member_ended_ = false;
    }
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    z_.next_out = reinterpret_cast<Bytef*>(out.data());
    z_.avail_out = static_cast<uInt>(out.size());
    int rc = inflate(&z_, Z_NO_FLUSH);
    Step s{in.size() - z_.avail_in, out.size() - z_.avail_out, false};
    if (rc == Z_STREAM_END) {
      member_ended_ = true;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return damaged("gzip", z_.msg ? z_.msg : fmt::format("zlib error {}", rc));
    }
    return s;
  }
  bool at_boundary() const override { return member_ended_; }

 private:
  z_stream z_{};
  bool ok_ = false;
  bool member_ended_ = false;
};

/// xz (one stream) and the legacy .lzma ("alone") format, both through liblzma.
class LzmaDecoder final : public Decoder {
 public:
  explicit LzmaDecoder(bool alone) : name_(alone ? "lzma" : "xz") {
    lzma_ret rc = alone ? lzma_alone_decoder(&s_, kLzmaMemLimit) : lzma_stream_decoder(&s_, kLzmaMemLimit, 0);
    ok_ = rc == LZMA_OK;
  }
  ~LzmaDecoder() override { lzma_end(&s_); }
  Result<Step> run(std::span<const std::byte> in, std::span<std::byte> out, bool last) override {
    if (!ok_) return make_error(ErrorCode::kLimitExceeded, "liblzma could not be initialised");
    if (ended_) return Step{0, 0, true};
    s_.next_in = reinterpret_cast<const std::uint8_t*>(in.data());
    s_.avail_in = in.size();
    s_.next_out = reinterpret_cast<std::uint8_t*>(out.data());
    s_.avail_out = out.size();
    lzma_ret rc = lzma_code(&s_, last ? LZMA_FINISH : LZMA_RUN);
    Step s{in.size() - s_.avail_in, out.size() - s_.avail_out, false};
    switch (rc) {
      case LZMA_OK:
      case LZMA_BUF_ERROR:
        return s;
      case LZMA_STREAM_END:
        ended_ = true;
        s.end = true;
        return s;
      case LZMA_MEMLIMIT_ERROR:
        return make_error(ErrorCode::kLimitExceeded,
                          fmt::format("{} stream needs more than {} MiB of dictionary", name_, kLzmaMemLimit >> 20));
      case LZMA_FORMAT_ERROR:
        return damaged(name_, "not a valid header");
      case LZMA_OPTIONS_ERROR:
        return damaged(name_, "unsupported options");
      default:
        return damaged(name_, fmt::format("liblzma error {}", static_cast<int>(rc)));
    }
  }
  bool at_boundary() const override { return ended_; }

 private:
  lzma_stream s_ = LZMA_STREAM_INIT;
  const char* name_;
  bool ok_ = false;
  bool ended_ = false;
};

/// zstd, also several frames one after another.
class ZstdDecoder final : public Decoder {
 public:
  ZstdDecoder() : ds_(ZSTD_createDStream()) {
    // A window of at most 128 MiB (zstd's own default maximum) bounds the decoder's memory.
    if (ds_) ZSTD_DCtx_setParameter(ds_, ZSTD_d_windowLogMax, 27);
  }
  ~ZstdDecoder() override { ZSTD_freeDStream(ds_); }
  Result<Step> run(std::span<const std::byte> in, std::span<std::byte> out, bool) override {
    if (!ds_) return make_error(ErrorCode::kLimitExceeded, "libzstd could not be initialised");
    if (frame_ended_) {
      if (!starts_with(in, kZstdMagic)) return Step{0, 0, true};
      frame_ended_ = false;
    }
    ZSTD_inBuffer ib{in.data(), in.size(), 0};
    ZSTD_outBuffer ob{out.data(), out.size(), 0};
    std::size_t rc = ZSTD_decompressStream(ds_, &ob, &ib);
    if (ZSTD_isError(rc)) return damaged("zstd", ZSTD_getErrorName(rc));
    if (rc == 0) frame_ended_ = true;
    return Step{ib.pos, ob.pos, false};
  }
  bool at_boundary() const override { return frame_ended_; }

 private:
  ZSTD_DStream* ds_;
  bool frame_ended_ = false;
};

/// bzip2, also several streams one after another (pbzip2).
class Bzip2Decoder final : public Decoder {
 public:
  Bzip2Decoder() { ok_ = BZ2_bzDecompressInit(&s_, 0, 0) == BZ_OK; }
  ~Bzip2Decoder() override {
    if (ok_) BZ2_bzDecompressEnd(&s_);
  }
  Result<Step> run(std::span<const std::byte> in, std::span<std::byte> out, bool) override {
    if (!ok_) return make_error(ErrorCode::kLimitExceeded, "libbz2 could not be initialised");
    if (stream_ended_) {
      if (!starts_with(in, kBzip2Magic)) return Step{0, 0, true};
      BZ2_bzDecompressEnd(&s_);
      s_ = bz_stream{};
      ok_ = BZ2_bzDecompressInit(&s_, 0, 0) == BZ_OK;
      if (!ok_) return make_error(ErrorCode::kLimitExceeded, "libbz2 could not be initialised");
      stream_ended_ = false;
    }
    s_.next_in = reinterpret_cast<char*>(const_cast<std::byte*>(in.data()));
    s_.avail_in = static_cast<unsigned>(std::min<std::size_t>(in.size(), 1u << 30));
    s_.next_out = reinterpret_cast<char*>(out.data());
    s_.avail_out = static_cast<unsigned>(out.size());
    unsigned before_in = s_.avail_in;
    int rc = BZ2_bzDecompress(&s_);
    Step s{before_in - s_.avail_in, out.size() - s_.avail_out, false};
    if (rc == BZ_STREAM_END) {
      stream_ended_ = true;
    } else if (rc != BZ_OK) {
      return damaged("bzip2", fmt::format("libbz2 error {}", rc));
    }
    return s;
  }
  bool at_boundary() const override { return stream_ended_; }

 private:
  bz_stream s_{};
  bool ok_ = false;
  bool stream_ended_ = false;
};

/// lz4 frame format, also several frames one after another.
class Lz4FrameDecoder final : public Decoder {
 public:
  Lz4FrameDecoder() { ok_ = !LZ4F_isError(LZ4F_createDecompressionContext(&ctx_, LZ4F_VERSION)); }
  ~Lz4FrameDecoder() override {
    if (ok_) LZ4F_freeDecompressionContext(ctx_);
  }
  Result<Step> run(std::span<const std::byte> in, std::span<std::byte> out, bool) override {
    if (!ok_) return make_error(ErrorCode::kLimitExceeded, "liblz4 could not be initialised");
    if (frame_ended_) {
      if (!starts_with(in, kLz4Magic)) return Step{0, 0, true};
      frame_ended_ = false;
    }
    std::size_t in_size = in.size();
    std::size_t out_size = out.size();
    std::size_t rc = LZ4F_decompress(ctx_, out.data(), &out_size, in.data(), &in_size, nullptr);
    if (LZ4F_isError(rc)) return damaged("lz4", LZ4F_getErrorName(rc));
    if (rc == 0) frame_ended_ = true;
    return Step{in_size, out_size, false};
  }
  bool at_boundary() const override { return frame_ended_; }

 private:
  LZ4F_dctx* ctx_ = nullptr;
  bool ok_ = false;
  bool frame_ended_ = false;
};

/// The legacy lz4 format: magic 0x184C2102, then blocks of a 32-bit little-endian compressed
/// size and data, each decompressing to at most 8 MiB; a new magic may start another stream. A
/// size that cannot be a block ends the stream (the kernel appends its own length there).
class Lz4LegacyDecoder final : public Decoder {
 public:
  Result<Step> run(std::span<const std::byte> in, std::span<std::byte> out, bool) override {
    if (emit_ < block_.size()) {
      std::size_t n = std::min(out.size(), block_.size() - emit_);
      std::memcpy(out.data(), block_.data() + emit_, n);
      emit_ += n;
      return Step{0, n, false};
    }
    if (ended_) return Step{0, 0, true};
    std::size_t need = block_size_ ? 4 + block_size_ : 4;
    std::size_t take = std::min(in.size(), need - pending_.size());
    pending_.insert(pending_.end(), in.begin(), in.begin() + static_cast<std::ptrdiff_t>(take));
    if (pending_.size() < 4) return Step{take, 0, false};
    if (!block_size_) {
      std::uint32_t n = core::ByteReader(pending_).u32().value_or(0);
      if (n == kLz4LegacyMagic) {
        pending_.clear();
        return Step{take, 0, false};
      }
      if (n == 0 || n > static_cast<std::uint32_t>(LZ4_compressBound(static_cast<int>(kLz4LegacyBlock)))) {
        ended_ = true;
        pending_.clear();
        return Step{take, 0, true};
      }
      block_size_ = n;
      return Step{take, 0, false};
    }
    if (pending_.size() < 4 + block_size_) return Step{take, 0, false};
    block_.resize(kLz4LegacyBlock);
    int got =
        LZ4_decompress_safe(reinterpret_cast<const char*>(pending_.data() + 4), reinterpret_cast<char*>(block_.data()),
                            static_cast<int>(block_size_), static_cast<int>(block_.size()));
    if (got < 0) return damaged("lz4", "a legacy block does not decode");
    block_.resize(static_cast<std::size_t>(got));
    emit_ = 0;
    pending_.clear();
    block_size_ = 0;
    ++blocks_;
    return Step{take, 0, false};
  }
  bool at_boundary() const override { return blocks_ > 0 && pending_.empty() && emit_ >= block_.size(); }

 private:
  std::vector<std::byte> pending_;
  std::vector<std::byte> block_;
  std::size_t emit_ = 0;
  std::size_t block_size_ = 0;
  std::size_t blocks_ = 0;
  bool ended_ = false;
};

std::unique_ptr<Decoder> make_decoder(Codec codec) {
  switch (codec) {
    case Codec::kGzip:
      return std::make_unique<GzipDecoder>();
    case Codec::kXz:
      return std::make_unique<LzmaDecoder>(false);
    case Codec::kLzma:
      return std::make_unique<LzmaDecoder>(true);
    case Codec::kZstd:
      return std::make_unique<ZstdDecoder>();
    case Codec::kBzip2:
      return std::make_unique<Bzip2Decoder>();
    case Codec::kLz4:
      return std::make_unique<Lz4FrameDecoder>();
    case Codec::kLz4Legacy:
      return std::make_unique<Lz4LegacyDecoder>();
  }
  return nullptr;
}

/// How a stream decoded: bytes out, whether it ended cleanly, and why it stopped otherwise.
struct Outcome {
  std::uint64_t produced = 0;
  bool capped = false;  ///< stopped at `max_out`
  std::string damage;   ///< non-empty when the stream is damaged or cut short
};

using Sink = std::function<OkResult(std::span<const std::byte>)>;

/// Decodes `src` front to back, handing output to `sink`, stopping after `max_out` bytes.
/// Fails only when the sink fails (a spill file cannot be written).
Result<Outcome> drive(const ByteSource& src, Codec codec, std::uint64_t max_out, const Sink& sink) {
  Outcome o;
  auto decoder = make_decoder(codec);
  // A peek at a payload's first bytes reads a little; a whole stream reads in large chunks.
  std::vector<std::byte> in(max_out < kOutChunk ? kPeekInChunk : kInChunk);
  std::vector<std::byte> out(static_cast<std::size_t>(std::min<std::uint64_t>(kOutChunk, max_out)));
  std::uint64_t pos = 0;
  std::size_t have = 0, at = 0;  // in[at, have) is input not yet consumed
  const std::uint64_t size = src.size();
  while (true) {
    if (at == have && pos < size) {
      auto n = src.read_at(pos, in);
      if (!n) {
        o.damage = "read failed: " + n.error().message;
        break;
      }
      if (*n == 0) break;
      pos += *n;
      have = *n;
      at = 0;
    }
    const bool last = pos >= size;
    auto step = decoder->run(std::span<const std::byte>(in.data() + at, have - at), out, last);
    if (!step) {
      o.damage = step.error().message;
      break;
    }
    at += step->consumed;
    if (step->produced > 0) {
      std::uint64_t n = std::min<std::uint64_t>(step->produced, max_out - o.produced);
      if (auto ok = sink(std::span<const std::byte>(out.data(), static_cast<std::size_t>(n))); !ok) return ok.error();
      o.produced += n;
      if (o.produced >= max_out) {
        o.capped = true;
        break;
      }
    }
    if (step->end) break;
    if (step->consumed == 0 && step->produced == 0) {
      if (last && at == have) {
        if (!decoder->at_boundary()) o.damage = "the compressed stream ends early (truncated)";
        break;
      }
      if (at == have) continue;  // read more
      // Input is there but the decoder takes none of it: the stream has ended.
      if (!decoder->at_boundary()) o.damage = "the decoder stopped before the end of the stream";
      break;
    }
  }
  return o;
}

bool all_zero(std::span<const std::byte> b) {
  return std::all_of(b.begin(), b.end(), [](std::byte x) { return x == std::byte{0}; });
}

}  // namespace

const char* codec_name(Codec codec) {
  switch (codec) {
    case Codec::kGzip:
      return "gzip";
    case Codec::kXz:
      return "xz";
    case Codec::kLzma:
      return "lzma";
    case Codec::kZstd:
      return "zstd";
    case Codec::kBzip2:
      return "bzip2";
    case Codec::kLz4:
      return "lz4";
    case Codec::kLz4Legacy:
      return "lz4-legacy";
  }
  return "?";
}

std::optional<Codec> detect_codec(std::span<const std::byte> head) {
  if (starts_with(head, kGzipMagic) && head.size() >= 3 && head[2] == std::byte{8}) return Codec::kGzip;
  if (starts_with(head, kXzMagic)) return Codec::kXz;
  if (starts_with(head, kZstdMagic)) return Codec::kZstd;
  if (starts_with(head, kLz4Magic)) return Codec::kLz4;
  if (starts_with(head, kLz4LegacyMagicBytes)) return Codec::kLz4Legacy;
  if (starts_with(head, kBzip2Magic) && head.size() >= 10 && head[3] >= std::byte{'1'} && head[3] <= std::byte{'9'} &&
      starts_with(head.subspan(4), "\x31\x41\x59\x26\x53\x59")) {
    return Codec::kBzip2;
  }
  // .lzma ("LZMA alone"): properties byte lc/lp/pb < 225, a dictionary of 2^n or 3*2^(n-1)
  // bytes between 4 KiB and 1.5 GiB, and an unpacked size that is unknown (all ones) or sane.
  if (head.size() >= 13) {
    core::ByteReader r(head);
    auto props = static_cast<std::uint8_t>(head[0]);
    r.seek(1);
    std::uint32_t dict = r.u32().value_or(0);
    std::uint64_t unpacked = r.u64().value_or(0);
    bool pow2 = dict && (dict & (dict - 1)) == 0;
    bool three = dict % 3 == 0 && ((dict / 3) & (dict / 3 - 1)) == 0;
    if (props < 225 && (pow2 || three) && dict >= 4096 && dict <= (3u << 29) &&
        (unpacked == ~std::uint64_t{0} || unpacked < (1ull << 40)) && (props == 0x5d || props == 0x6d)) {
      return Codec::kLzma;
    }
  }
  return std::nullopt;
}

Result<std::vector<std::byte>> decompress_head(const ByteSource& src, Codec codec, std::size_t limit) {
  std::vector<std::byte> out;
  auto o = drive(src, codec, limit, [&](std::span<const std::byte> b) -> OkResult {
    out.insert(out.end(), b.begin(), b.end());
    return Ok{};
  });
  if (!o) return o.error();
  if (out.empty()) {
    return make_error(ErrorCode::kCorrupt,
                      o->damage.empty() ? fmt::format("{} stream holds no data", codec_name(codec)) : o->damage);
  }
  return out;
}

Result<ByteSourcePtr> decompressed_source(const ByteSourcePtr& src, Codec codec, std::vector<Diagnostic>& diagnostics,
                                          bool& partial) {
  const std::uint64_t compressed = src->size();
  std::uint64_t by_ratio = compressed > limits::kMaxDecompressedImageBytes / limits::kMaxDecompressionRatio
                               ? limits::kMaxDecompressedImageBytes
                               : compressed * limits::kMaxDecompressionRatio;
  const std::uint64_t limit =
      std::min(limits::kMaxDecompressedImageBytes, std::max(by_ratio, limits::kRatioGuardFloorBytes));
  SpillBuffer buffer(fmt::format("{} ({})", src->describe(), codec_name(codec)));
  auto o = drive(*src, codec, limit, [&](std::span<const std::byte> b) { return buffer.append(b); });
  if (!o) return o.error();
  if (o->produced == 0) {
    return make_error(
        ErrorCode::kCorrupt,
        fmt::format("{} stream yields no data{}", codec_name(codec), o->damage.empty() ? "" : ": " + o->damage),
        src->describe());
  }
  if (o->capped) {
    partial = true;
    diagnostics.push_back(
        {Diagnostic::Level::kWarning, "",
         fmt::format("{} stream stopped by the decompression bomb guard after {} bytes (at most {}x the {} compressed "
                     "bytes, and {} GiB); the image is read as far as that",
                     codec_name(codec), o->produced, limits::kMaxDecompressionRatio, compressed,
                     limits::kMaxDecompressedImageBytes >> 30)});
  } else if (!o->damage.empty()) {
    partial = true;
    diagnostics.push_back({Diagnostic::Level::kWarning, "",
                           fmt::format("{} stream damaged after {} decompressed bytes ({}); the image is read as far "
                                       "as it goes",
                                       codec_name(codec), o->produced, o->damage)});
  }
  return buffer.finish();
}

SpillBuffer::SpillBuffer(std::string name) : name_(std::move(name)) {}

SpillBuffer::~SpillBuffer() {
  if (fd_ >= 0) ::close(fd_);
}

OkResult SpillBuffer::spill() {
  auto fd = open_spill_file();
  if (!fd) return fd.error();
  fd_ = *fd;
  std::span<const std::byte> held = memory_;
  for (std::uint64_t at = 0; at < held.size();) {
    ssize_t w = ::pwrite(fd_, held.data() + at, held.size() - at, static_cast<off_t>(at));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return make_error(ErrorCode::kIo, fmt::format("temporary file write failed: {}", std::strerror(errno)));
    at += static_cast<std::uint64_t>(w);
  }
  memory_.clear();
  memory_.shrink_to_fit();
  return Ok{};
}

OkResult SpillBuffer::append(std::span<const std::byte> bytes) {
  if (fd_ < 0 && size_ + bytes.size() <= limits::kSpillMemoryBytes) {
    memory_.insert(memory_.end(), bytes.begin(), bytes.end());
    size_ += bytes.size();
    return Ok{};
  }
  if (fd_ < 0) {
    if (auto ok = spill(); !ok) return ok;
  }
  // Runs of zeros (unused space of a filesystem image) become holes of a sparse file.
  constexpr std::size_t kPiece = 64 * 1024;
  for (std::size_t at = 0; at < bytes.size(); at += kPiece) {
    auto piece = bytes.subspan(at, std::min(kPiece, bytes.size() - at));
    if (!all_zero(piece)) {
      for (std::size_t done = 0; done < piece.size();) {
        ssize_t w = ::pwrite(fd_, piece.data() + done, piece.size() - done, static_cast<off_t>(size_ + done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
          return make_error(ErrorCode::kIo, fmt::format("temporary file write failed: {}", std::strerror(errno)));
        }
        done += static_cast<std::size_t>(w);
      }
    }
    size_ += piece.size();
  }
  return Ok{};
}

Result<ByteSourcePtr> SpillBuffer::finish() {
  if (fd_ < 0) {
    size_ = 0;
    return memory_source(std::move(memory_), name_);
  }
  if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
    return make_error(ErrorCode::kIo, fmt::format("temporary file resize failed: {}", std::strerror(errno)));
  }
  int fd = fd_;
  fd_ = -1;
  std::uint64_t size = size_;
  size_ = 0;
  return fd_source(fd, size, name_);
}

Result<int> open_spill_file() {
  const char* env = std::getenv("TMPDIR");
  std::string dir = env && *env ? env : "/tmp";
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  std::string templ = dir + "/fwcert-spill-XXXXXX";
  fd = ::mkostemp(templ.data(), O_CLOEXEC);
  if (fd < 0) {
    return make_error(ErrorCode::kIo,
                      fmt::format("cannot create a temporary file for decompressed data: {}", std::strerror(errno)),
                      dir);
  }
  ::unlink(templ.c_str());
  return fd;
}

}  // namespace fwcert::vfs
