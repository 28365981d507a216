#include "vfs/open.hpp"

#include <array>
#include <cstring>

#include <fmt/format.h>

#include "core/limits.hpp"

namespace fwcert::vfs {

namespace {

bool match(std::span<const std::byte> b, std::size_t at, std::string_view magic) {
  return b.size() >= at + magic.size() && std::memcmp(b.data() + at, magic.data(), magic.size()) == 0;
}

/// Names the libarchive-readable format at the start of `head`, or "" when none.
std::string archive_name(std::span<const std::byte> head) {
  if (match(head, 257, "ustar")) return "tar";
  if (match(head, 0, "070701") || match(head, 0, "070702")) return "cpio";
  if (match(head, 0, "070707")) return "cpio";
  if (match(head, 0, "\xc7\x71") || match(head, 0, "\x71\xc7")) return "cpio";
  if (match(head, 0, "PK\x03\x04") || match(head, 0, "PK\x05\x06")) return "zip";
  if (match(head, 0, "\x1f\x8b")) return "gzip";
  if (match(head, 0, std::string_view("\xfd" "7zXZ\0", 6))) return "xz";
  if (match(head, 0, "BZh")) return "bzip2";
  if (match(head, 0, "\x28\xb5\x2f\xfd")) return "zstd";
  if (match(head, 0, "\x04\x22\x4d\x18")) return "lz4";
  return "";
}

class VfsFileSource final : public ByteSource {
 public:
  VfsFileSource(std::shared_ptr<const Vfs> vfs, std::string canonical, std::uint64_t size, std::string display)
      : vfs_(std::move(vfs)), path_(std::move(canonical)), size_(size), display_(std::move(display)) {}
  std::uint64_t size() const override { return size_; }
  std::string describe() const override { return display_; }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) const override {
    if (offset >= size_) return std::size_t{0};
    std::uint64_t n = std::min<std::uint64_t>(out.size(), size_ - offset);
    return vfs_->read_raw(path_, offset, out.first(static_cast<std::size_t>(n)));
  }

 private:
  std::shared_ptr<const Vfs> vfs_;
  std::string path_;
  std::uint64_t size_;
  std::string display_;
};

}  // namespace

std::optional<Detected> detect_at_start(const ByteSource& src) {
  std::array<std::byte, 2048> head{};
  auto n = src.read_at(0, head);
  if (!n) return std::nullopt;
  std::span<const std::byte> h(head.data(), *n);
  if (match(h, 0, "hsqs")) return Detected{ImageFormat::kSquashfs, 0, "squashfs"};
  if (h.size() >= 1082 && h[1080] == std::byte{0x53} && h[1081] == std::byte{0xEF}) {
    return Detected{ImageFormat::kExt, 0, "ext"};
  }
  std::string a = archive_name(h);
  if (!a.empty()) return Detected{ImageFormat::kArchive, 0, a};
  return std::nullopt;
}

std::vector<Detected> carve(const ByteSource& src) {
  std::vector<Detected> out;
  const std::uint64_t size = std::min<std::uint64_t>(src.size(), limits::kMaxCarveScanBytes);
  // Filesystems in flash layouts start on at least 512-byte boundaries; scanning sector
  // starts keeps carving at the speed of reading the bytes and avoids magic inside data.
  constexpr std::uint64_t kStep = 512;
  constexpr std::size_t kChunk = 1 << 20;
  std::vector<std::byte> buf(kChunk + 2048);
  for (std::uint64_t base = 0; base < size && out.size() < limits::kMaxCarvedFilesystems; base += kChunk) {
    auto n = src.read_at(base, buf);
    if (!n || *n == 0) break;
    std::span<const std::byte> b(buf.data(), *n);
    for (std::uint64_t off = 0; off < std::min<std::uint64_t>(kChunk, b.size()); off += kStep) {
      std::uint64_t abs = base + off;
      if (!out.empty()) {
        // Skip offsets inside a filesystem already found (sizes are checked by the backends).
        const auto& last = out.back();
        if (abs > last.offset && abs < last.offset + 4096) continue;
      }
      auto at = b.subspan(static_cast<std::size_t>(off));
      if (match(at, 0, "hsqs") && at.size() >= 96) {
        // superblock: block_size at 12 must be a power of two between 4 KiB and 1 MiB
        std::uint32_t bs = 0;
        std::memcpy(&bs, at.data() + 12, 4);
        std::uint16_t major = 0;
        std::memcpy(&major, at.data() + 28, 2);
        if (bs >= 4096 && bs <= (1u << 20) && (bs & (bs - 1)) == 0 && major == 4) {
          out.push_back({ImageFormat::kSquashfs, abs, "squashfs"});
          continue;
        }
      }
      if (at.size() >= 1082 && at[1080] == std::byte{0x53} && at[1081] == std::byte{0xEF}) {
        std::uint32_t log_block = 0;
        std::memcpy(&log_block, at.data() + 1024 + 24, 4);
        std::uint32_t blocks = 0;
        std::memcpy(&blocks, at.data() + 1024 + 4, 4);
        if (log_block <= 6 && blocks > 0) {
          out.push_back({ImageFormat::kExt, abs, "ext"});
          continue;
        }
      }
      if (match(at, 0, "070701") || match(at, 0, "070702")) {
        out.push_back({ImageFormat::kArchive, abs, "cpio"});
        continue;
      }
    }
  }
  return out;
}

Result<std::shared_ptr<Vfs>> open_image(ByteSourcePtr src, ImageFormat format, std::vector<Diagnostic>& diagnostics,
                                        bool& partial) {
  switch (format) {
    case ImageFormat::kSquashfs: return open_squashfs(std::move(src), diagnostics, partial);
    case ImageFormat::kExt: return open_ext(std::move(src), diagnostics, partial);
    case ImageFormat::kArchive: return open_archive(std::move(src), diagnostics, partial);
  }
  return make_error(ErrorCode::kUnsupported, "unknown image format");
}

ByteSourcePtr vfs_file_source(std::shared_ptr<const Vfs> vfs, std::string canonical, std::uint64_t size,
                              std::string display) {
  return std::make_shared<VfsFileSource>(std::move(vfs), std::move(canonical), size, std::move(display));
}

}  // namespace fwcert::vfs
