#pragma once
// Compressed streams around an image: a firmware download is often `rootfs.ext4.gz`,
// `rootfs.squashfs.xz`, `system.img.lz4`. This module recognises the compression by its magic,
// decompresses the first bytes to see what the payload is, and turns a whole stream into a
// random-access ByteSource that image backends read like any other.
//
// Memory stays bounded: the decompressed bytes are held in memory up to
// limits::kSpillMemoryBytes and spill beyond that into an unnamed temporary file (O_TMPFILE in
// $TMPDIR, else /tmp; it has no name and disappears with the process), written sparse where the
// payload is zeros. Output is capped by the decompression-ratio guard and by
// limits::kMaxDecompressedImageBytes; a stream cut short by either, or damaged part way, still
// yields what came before it and says so.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fwcert/report.hpp"
#include "vfs/byte_source.hpp"

namespace fwcert::vfs {

enum class Codec : std::uint8_t { kGzip, kXz, kLzma, kZstd, kBzip2, kLz4, kLz4Legacy };

/// "gzip", "xz", "lzma", "zstd", "bzip2", "lz4", "lz4-legacy".
const char* codec_name(Codec codec);

/// The compression a stream starting with `head` uses, by magic (the legacy .lzma format, which
/// has none, by its header's plausible properties and dictionary size).
std::optional<Codec> detect_codec(std::span<const std::byte> head);

/// Decompresses at most `limit` bytes from the start of `src`. Fails only when not a single byte
/// can be decoded; a stream shorter than `limit` gives what it holds.
Result<std::vector<std::byte>> decompress_head(const ByteSource& src, Codec codec, std::size_t limit);

/// Decompresses the whole stream into a spill store and returns it as a source named
/// "<src> (gzip)". Damage after some output, the ratio guard and the size cap give a warning
/// diagnostic on `src` and set `partial`; a stream that yields nothing fails.
Result<ByteSourcePtr> decompressed_source(const ByteSourcePtr& src, Codec codec, std::vector<Diagnostic>& diagnostics,
                                          bool& partial);

/// An unnamed temporary file for spilled bytes (O_TMPFILE in $TMPDIR, else /tmp; else a file
/// created exclusively there and unlinked at once). The caller owns the descriptor.
Result<int> open_spill_file();

/// A growable byte store that keeps the first limits::kSpillMemoryBytes in memory and the rest in
/// an unnamed temporary file; after finish() it is a read-only ByteSource.
class SpillBuffer {
 public:
  explicit SpillBuffer(std::string name);
  ~SpillBuffer();
  SpillBuffer(const SpillBuffer&) = delete;
  SpillBuffer& operator=(const SpillBuffer&) = delete;

  OkResult append(std::span<const std::byte> bytes);
  std::uint64_t size() const { return size_; }
  /// Ends writing and hands the bytes over as a source; the buffer is empty afterwards.
  Result<ByteSourcePtr> finish();

 private:
  OkResult spill();

  std::string name_;
  std::vector<std::byte> memory_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace fwcert::vfs
