#pragma once
// Random-access bytes an image backend reads from: a host file, a window into another source
// (a filesystem carved at an offset), a file inside another Vfs (a nested image), or memory.
// Backends never see host paths, so the same code reads an image on disk, inside an image, or
// from a fuzzer's buffer.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "fwcert/result.hpp"

namespace fwcert::vfs {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Total size in bytes.
  virtual std::uint64_t size() const = 0;
  /// Reads up to out.size() bytes at offset; returns the count read (short only at the end).
  virtual Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) const = 0;
  /// Where the bytes come from, for diagnostics ("image.bin", "image.bin@0x20000").
  virtual std::string describe() const = 0;
  /// Contiguous view of all bytes when the source is memory-backed or mapped; empty otherwise.
  virtual std::span<const std::byte> contiguous() const { return {}; }
};

using ByteSourcePtr = std::shared_ptr<const ByteSource>;

/// Opens a host file read-only (mapped when possible and at most limits::kMaxMappedSourceBytes).
/// The only place a host path is opened.
Result<ByteSourcePtr> open_host_file(const std::string& path);

/// A source over an open file descriptor it takes ownership of (mapped as open_host_file() says): the host
/// file of open_host_file(), and the spill file of a decompressed image.
ByteSourcePtr fd_source(int fd, std::uint64_t size, std::string name);

/// Owns a copy of the bytes.
ByteSourcePtr memory_source(std::vector<std::byte> bytes, std::string name);

/// A window [offset, offset+length) of another source.
Result<ByteSourcePtr> window_source(ByteSourcePtr base, std::uint64_t offset, std::uint64_t length);

/// One run of a spliced source: its bytes [start, start + length) are bytes of the base from
/// `offset` on, zeros, or a 4-byte pattern repeated from the run's start.
struct Run {
  enum class Kind : std::uint8_t { kCopy, kZero, kFill };
  std::uint64_t start = 0;
  std::uint64_t length = 0;
  Kind kind = Kind::kZero;
  std::uint64_t offset = 0;         ///< kCopy: where the run's bytes start in the base
  std::array<std::byte, 4> fill{};  ///< kFill: the pattern
};

/// A source of `size` bytes spliced from `runs` (sorted by start, not overlapping) of `base`:
/// an Android sparse image's expanded view, a logical partition of an Android super. Bytes no
/// run covers, and those of a run past the end of a cut base, read as zeros. It describes
/// itself as "<base> (<label>)".
ByteSourcePtr spliced_source(ByteSourcePtr base, std::vector<Run> runs, std::uint64_t size, std::string label);

/// Reads exactly out.size() bytes or fails.
OkResult read_exact(const ByteSource& src, std::uint64_t offset, std::span<std::byte> out);

}  // namespace fwcert::vfs
