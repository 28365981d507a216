#include "vfs/open.hpp"

#include <fmt/format.h>

#include <array>
#include <cstring>

#include "core/byte_reader.hpp"
#include "core/checked.hpp"
#include "core/limits.hpp"
#include "formats/uboot/env.hpp"
#include "vfs/containers.hpp"
#include "vfs/decompress.hpp"
#include "vfs/ubi.hpp"

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
  if (match(head, 0,
            std::string_view("\xfd"
                             "7zXZ\0",
                             6)))
    return "xz";
  if (match(head, 0, "BZh")) return "bzip2";
  if (match(head, 0, "\x28\xb5\x2f\xfd")) return "zstd";
  if (match(head, 0, "\x04\x22\x4d\x18")) return "lz4";
  return "";
}

/// True when `at` starts with an EROFS superblock magic (0xE0F5E1E2 at 1024).
bool at_erofs_magic(std::span<const std::byte> at) { return match(at, 1024, "\xe2\xe1\xf5\xe0"); }
/// "FAT12", "FAT16", "FAT" or "FAT32" when `h` starts with a FAT boot sector that names its
/// type (mkfs.vfat and every formatter since DOS 4 write the name); "" otherwise.
std::string fat_variant(std::span<const std::byte> h) {
  if (h.size() < 512 || h[510] != std::byte{0x55} || h[511] != std::byte{0xAA}) return "";
  core::ByteReader r(h);
  r.seek(11);
  const std::uint16_t bytes_per_sector = r.u16().value_or(0);
  const std::uint8_t sectors_per_cluster = r.u8().value_or(0);
  const std::uint16_t reserved = r.u16().value_or(0);
  const std::uint8_t fats = r.u8().value_or(0);
  const bool sane =
      (bytes_per_sector == 512 || bytes_per_sector == 1024 || bytes_per_sector == 2048 || bytes_per_sector == 4096) &&
      sectors_per_cluster != 0 && (sectors_per_cluster & (sectors_per_cluster - 1)) == 0 && reserved != 0 &&
      (fats == 1 || fats == 2);
  if (!sane) return "";
  if (match(h, 82, "FAT32   ")) return "FAT32";
  if (match(h, 54, "FAT12   ")) return "FAT12";
  if (match(h, 54, "FAT16   ")) return "FAT16";
  if (match(h, 54, "FAT     ")) return "FAT";
  return "";
}

/// True when `at` starts with an ext2/3/4 superblock magic (0xEF53 at 1024 + 56).
bool at_ext_magic(std::span<const std::byte> at) {
  return at.size() >= 1082 && at[1080] == std::byte{0x53} && at[1081] == std::byte{0xEF};
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
  if (auto d = detect_plain(h)) return d;
  std::string a = archive_name(h);
  if (!a.empty()) return Detected{ImageFormat::kArchive, 0, a};
  return std::nullopt;
}

std::optional<Detected> detect_plain(std::span<const std::byte> h) {
  if (std::string why = unreadable_squashfs(h); !why.empty()) {
    return Detected{ImageFormat::kUnsupported, 0, "squashfs", 0, std::move(why)};
  }
  if (match(h, 0, "hsqs")) return Detected{ImageFormat::kSquashfs, 0, "squashfs"};
  if (at_erofs_magic(h)) return Detected{ImageFormat::kErofs, 0, "erofs"};
  if (is_jffs2_node(h)) return Detected{ImageFormat::kJffs2, 0, "jffs2"};
  if (cramfs_claimed_size(h)) return Detected{ImageFormat::kCramfs, 0, "cramfs"};
  if (!fat_variant(h).empty()) return Detected{ImageFormat::kFat, 0, "fat"};
  if (match(h, 0x8001, "CD001")) return Detected{ImageFormat::kArchive, 0, "iso9660"};
  if (at_ext_magic(h)) return Detected{ImageFormat::kExt, 0, "ext"};
  if (is_ubi(h)) return Detected{ImageFormat::kUbi, 0, "ubi"};
  if (is_ubifs(h)) return Detected{ImageFormat::kUbifs, 0, "ubifs"};
  if (match(h, 257, "ustar")) return Detected{ImageFormat::kArchive, 0, "tar"};
  if (match(h, 0, "070701") || match(h, 0, "070702") || match(h, 0, "070707") || match(h, 0, "\xc7\x71") ||
      match(h, 0, "\x71\xc7")) {
    return Detected{ImageFormat::kArchive, 0, "cpio"};
  }
  if (match(h, 0, "PK\x03\x04") || match(h, 0, "PK\x05\x06")) return Detected{ImageFormat::kArchive, 0, "zip"};
  return std::nullopt;
}

std::string unreadable_squashfs(std::span<const std::byte> h) {
  if (h.size() < 32) return "";
  struct Magic {
    const char* magic;
    core::Endian endian;
    const char* note;
  };
  // The standard magic in either byte order, and the vendor magics of pre-4.0 LZMA patches and
  // DD-WRT builds that router firmware carries.
  static constexpr Magic kMagics[] = {
      {"hsqs", core::Endian::kLittle, ""},
      {"sqsh", core::Endian::kBig, ""},
      {"shsq", core::Endian::kLittle, ", vendor LZMA magic"},
      {"qshs", core::Endian::kBig, ", vendor LZMA magic"},
      {"hsqt", core::Endian::kLittle, ", DD-WRT vendor magic"},
      {"tqsh", core::Endian::kBig, ", DD-WRT vendor magic"},
      {"sqlz", core::Endian::kBig, ", vendor LZMA magic"},
  };
  for (const Magic& m : kMagics) {
    if (!match(h, 0, m.magic)) continue;
    core::ByteReader r(h, m.endian);
    r.seek(28);
    const std::uint16_t major = r.u16().value_or(0);
    const std::uint16_t minor = r.u16().value_or(0);
    const bool little = m.endian == core::Endian::kLittle;
    if (little && m.note[0] == '\0' && major == 4) return "";
    return fmt::format(
        "squashfs {}.{} {} ({}{}): not read by this version (it reads squashfs 4.0 little-endian); nothing was read "
        "from it",
        major, minor, little ? "little-endian" : "big-endian", m.magic, m.note);
  }
  return "";
}

bool is_recognised(std::span<const std::byte> h) {
  return detect_codec(h) || detect_plain(h) || is_android_sparse(h) || container_name(h) || is_android_super(h);
}

namespace {

/// Up to 16 bytes of `b` in hex, for a diagnostic that says what an unknown payload starts with.
std::string hex_head(std::span<const std::byte> b) {
  std::string out;
  for (std::size_t i = 0; i < std::min<std::size_t>(b.size(), 16); ++i) {
    out += fmt::format("{:02x}", static_cast<unsigned>(b[i]));
  }
  return out;
}

}  // namespace

Result<Opened> open_detected(ByteSourcePtr src, const std::string& where, std::vector<Diagnostic>& diagnostics,
                             bool& partial) {
  std::string chain;
  for (int layer = 0;; ++layer) {
    std::vector<std::byte> head(limits::kFormatSniffBytes);
    auto n = src->read_at(0, head);
    if (!n) return n.error();
    std::span<const std::byte> h(head.data(), *n);
    if (is_android_sparse(h)) {
      if (layer >= limits::kMaxCompressionLayers) {
        return make_error(ErrorCode::kLimitExceeded, chain + "android-sparse: too many layers; not unwrapped", where);
      }
      std::vector<Diagnostic> diags;
      auto expanded = android_sparse_source(src, diags, partial);
      for (auto& d : diags) {
        d.path = where;
        diagnostics.push_back(std::move(d));
      }
      if (!expanded) return expanded.error();
      chain += "android-sparse > ";
      src = *expanded;
      continue;
    }
    if (is_android_super(h)) {
      auto fs = open_android_super(src, diagnostics, partial);
      if (!fs) return fs.error();
      return Opened{*fs, chain + (*fs)->format()};
    }
    if (container_name(h)) {
      auto fs = open_container(src, diagnostics, partial);
      if (!fs) return fs.error();
      return Opened{*fs, chain + (*fs)->format()};
    }
    auto codec = detect_codec(h);
    if (!codec) {
      auto d = detect_plain(h);
      if (!d) {
        if (layer == 0) return make_error(ErrorCode::kUnsupported, "no format fwcert reads at the start", where);
        return make_error(ErrorCode::kUnsupported,
                          fmt::format("{}a stream whose content is no filesystem or archive fwcert reads (it starts "
                                      "with {}); nothing was read from it",
                                      chain, hex_head(h)),
                          where);
      }
      if (d->format == ImageFormat::kUnsupported) {
        return make_error(ErrorCode::kUnsupported, chain + d->unsupported, where);
      }
      auto fs = open_image(src, d->format, diagnostics, partial);
      if (!fs) return fs.error();
      return Opened{*fs, chain + (*fs)->format()};
    }
    if (layer >= limits::kMaxCompressionLayers) {
      return make_error(ErrorCode::kLimitExceeded,
                        fmt::format("{}{}: more than {} compression layers; not unwrapped", chain, codec_name(*codec),
                                    limits::kMaxCompressionLayers),
                        where);
    }
    auto payload = decompress_head(*src, *codec, limits::kPayloadSniffBytes);
    if (!payload) {
      return make_error(
          ErrorCode::kCorrupt,
          fmt::format("{}{} stream that does not decompress: {}", chain, codec_name(*codec), payload.error().message),
          where);
    }
    auto inner = detect_plain(*payload);
    if (inner && inner->format == ImageFormat::kArchive) {
      // libarchive reads tar, cpio and zip through its own decompression filters, streaming,
      // with the archive backend's bomb guard; its format name says the chain ("tar.gz").
      auto fs = open_archive(src, diagnostics, partial);
      if (!fs) return fs.error();
      return Opened{*fs, chain + (*fs)->format()};
    }
    if (inner && inner->format == ImageFormat::kUnsupported) {
      return make_error(ErrorCode::kUnsupported,
                        fmt::format("{}{} stream holding a {}", chain, codec_name(*codec), inner->unsupported), where);
    }
    if (!inner && !is_recognised(*payload)) {
      return make_error(ErrorCode::kUnsupported,
                        fmt::format("{}{} stream whose content is no filesystem or archive fwcert reads (it starts "
                                    "with {}); nothing was read from it",
                                    chain, codec_name(*codec), hex_head(*payload)),
                        where);
    }
    std::vector<Diagnostic> diags;
    auto whole = decompressed_source(src, *codec, diags, partial);
    for (auto& d : diags) {
      d.path = where;
      diagnostics.push_back(std::move(d));
    }
    if (!whole) return whole.error();
    chain += fmt::format("{} > ", codec_name(*codec));
    src = *whole;
  }
}

namespace {

/// Bytes of `n` rounded up to whole pages of `page` bytes (0 when that overflows).
std::uint64_t pages_of(std::uint64_t n, std::uint64_t page) { return page == 0 ? 0 : (n + page - 1) / page * page; }

/// A container of images starting at `at` (a window of up to kProbe bytes), with the length its
/// header claims: a uImage whose header CRC holds (64 + data size), an FDT/FIT blob with a sane
/// header (its totalsize; external FIT data after it is not counted), an Android boot image
/// (header, kernel, ramdisk and second-stage pages). nullopt when nothing sane starts there.
std::optional<Detected> carve_container(std::span<const std::byte> at, std::uint64_t remaining) {
  core::ByteReader be(at, core::Endian::kBig);
  const std::uint32_t magic = be.u32().value_or(0);
  if (magic == formats::uboot::kLegacyMagic) {
    auto h = formats::uboot::parse_legacy_header(at);
    if (!h || !h->header_crc_ok) return std::nullopt;
    return Detected{ImageFormat::kContainer, 0, "uimage", std::min<std::uint64_t>(64ull + h->data_size, remaining)};
  }
  if (magic == 0xD00DFEEDu) {
    // FDT header: totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap, version, last_comp_version.
    const std::uint32_t total = be.u32().value_or(0), off_struct = be.u32().value_or(0),
                        off_strings = be.u32().value_or(0);
    be.skip(4);
    const std::uint32_t version = be.u32().value_or(0), last_comp = be.u32().value_or(0);
    bool sane = total >= 0x38 && total <= remaining && off_struct >= 0x28 && off_struct < total &&
                off_strings >= 0x28 && off_strings <= total && version >= 16 && version <= 17 && last_comp <= 17;
    if (!sane) return std::nullopt;
    return Detected{ImageFormat::kContainer, 0, "fdt", total};
  }
  if (match(at, 0, "ANDROID!")) {
    core::ByteReader le(at);
    le.seek(8);
    const std::uint64_t kernel = le.u32().value_or(0);
    le.seek(16);
    const std::uint64_t ramdisk_v012 = le.u32().value_or(0);
    le.seek(12);
    const std::uint64_t ramdisk_v34 = le.u32().value_or(0);
    le.seek(24);
    const std::uint64_t second = le.u32().value_or(0);
    le.seek(36);
    const std::uint64_t page_v012 = le.u32().value_or(0);
    le.seek(40);
    const std::uint32_t version = le.u32().value_or(99);
    std::uint64_t length = 0;
    if (version >= 3 && version <= 4) {
      // v4 adds the boot signature (signature_size at 1580) after the ramdisk.
      le.seek(1580);
      const std::uint64_t signature = version == 4 ? le.u32().value_or(0) : 0;
      length = 4096 + pages_of(kernel, 4096) + pages_of(ramdisk_v34, 4096) + pages_of(signature, 4096);
    } else if (version <= 2 && page_v012 >= 2048 && page_v012 <= 65536 && (page_v012 & (page_v012 - 1)) == 0) {
      // v1 adds the recovery DTBO (size at 1632), v2 also the DTB (size at 1648).
      le.seek(1632);
      const std::uint64_t dtbo = version >= 1 ? le.u32().value_or(0) : 0;
      le.seek(1648);
      const std::uint64_t dtb = version >= 2 ? le.u32().value_or(0) : 0;
      length = page_v012 + pages_of(kernel, page_v012) + pages_of(ramdisk_v012, page_v012) +
               pages_of(second, page_v012) + pages_of(dtbo, page_v012) + pages_of(dtb, page_v012);
    } else {
      return std::nullopt;
    }
    return Detected{ImageFormat::kContainer, 0, "android-boot", std::min(length, remaining)};
  }
  return std::nullopt;
}

}  // namespace

std::vector<Detected> carve(const ByteSource& src) {
  std::vector<Detected> out;
  const std::uint64_t total = src.size();
  const std::uint64_t size = std::min<std::uint64_t>(total, limits::kMaxCarveScanBytes);
  // Filesystems in flash layouts start on at least 512-byte boundaries; scanning sector
  // starts keeps carving at the speed of reading the bytes and avoids magic inside data.
  constexpr std::uint64_t kStep = 512;
  constexpr std::size_t kChunk = 1 << 20;
  constexpr std::size_t kProbe = 2048;
  // Offsets before this lie inside a filesystem already found: an image stored uncompressed
  // inside a squashfs or ext image is the nested scan's business, not a second root.
  std::uint64_t skip_until = 0;
  std::vector<std::byte> buf(kChunk + kProbe);
  for (std::uint64_t base = 0; base < size && out.size() < limits::kMaxCarvedFilesystems; base += kChunk) {
    if (skip_until >= base + kChunk) continue;
    auto n = src.read_at(base, buf);
    if (!n || *n == 0) break;
    std::span<const std::byte> b(buf.data(), *n);
    for (std::uint64_t off = 0; off < std::min<std::uint64_t>(kChunk, b.size()); off += kStep) {
      const std::uint64_t abs = base + off;
      if (abs < skip_until) continue;
      if (out.size() >= limits::kMaxCarvedFilesystems) break;
      core::ByteReader r(b.subspan(static_cast<std::size_t>(off)));
      const std::uint64_t remaining = total - abs;
      std::optional<Detected> found;
      const auto here = b.subspan(static_cast<std::size_t>(off));
      std::string old_squashfs = unreadable_squashfs(here);
      std::string fat = fat_variant(here);
      if (!old_squashfs.empty()) {
        // A squashfs fwcert does not read: named when the superblock is plausible (version 1-4,
        // block_log 12-20 where that version keeps it), so the scan says what it skipped.
        core::ByteReader o(here, match(here, 0, "hsqs") || match(here, 0, "shsq") || match(here, 0, "hsqt")
                                     ? core::Endian::kLittle
                                     : core::Endian::kBig);
        o.seek(28);
        const std::uint16_t major = o.u16().value_or(0);
        o.seek(major == 4 ? 22 : 34);
        const std::uint16_t block_log = o.u16().value_or(0);
        std::uint64_t bytes_used = 0;
        if (major == 4) {
          o.seek(40);
          bytes_used = o.u64().value_or(0);
        } else if (major == 3) {
          o.seek(63);
          bytes_used = o.u64().value_or(0);
        } else {
          o.seek(8);
          bytes_used = o.u32().value_or(0);
        }
        if (major >= 1 && major <= 4 && block_log >= 12 && block_log <= 20 && !o.failed()) {
          found = Detected{ImageFormat::kUnsupported, abs, "squashfs",
                           bytes_used >= 96 ? std::min(bytes_used, remaining) : remaining, old_squashfs};
        }
      } else if (!fat.empty()) {
        r.seek(11);
        const std::uint64_t sector = r.u16().value_or(512);
        r.seek(19);
        std::uint64_t sectors = r.u16().value_or(0);
        r.seek(32);
        if (sectors == 0) sectors = r.u32().value_or(0);
        found = Detected{ImageFormat::kFat, abs, "fat", sectors ? std::min(sectors * sector, remaining) : remaining};
      } else if (match(b, static_cast<std::size_t>(off), "hsqs") && r.size() >= 96) {
        // Superblock: block_size at 12 a power of two in [4 KiB, 1 MiB] with block_log at 22
        // agreeing, a known compressor at 20, version 4.x at 28, bytes_used at 40.
        r.seek(12);
        std::uint32_t block_size = r.u32().value_or(0);
        r.seek(20);
        std::uint16_t compressor = r.u16().value_or(0);
        std::uint16_t block_log = r.u16().value_or(0);
        r.seek(28);
        std::uint16_t major = r.u16().value_or(0);
        r.seek(40);
        std::uint64_t bytes_used = r.u64().value_or(0);
        bool sane = block_size >= 4096 && block_size <= (1u << 20) && (block_size & (block_size - 1)) == 0 &&
                    block_log < 32 && (1u << block_log) == block_size && compressor >= 1 && compressor <= 6 &&
                    major == 4 && bytes_used >= 96;
        // A truncated image still opens partly; its window runs to the end of the blob.
        if (sane) found = Detected{ImageFormat::kSquashfs, abs, "squashfs", std::min(bytes_used, remaining)};
      } else if (r.size() >= 1024 + 128 && at_erofs_magic(b.subspan(static_cast<std::size_t>(off)))) {
        // Superblock at 1024: blkszbits at 12 (512 B to 4 KiB), blocks at 36, meta_blkaddr at 40
        // inside the image.
        r.seek(1024 + 12);
        const unsigned blkszbits = r.u8().value_or(0);
        r.seek(1024 + 36);
        const std::uint64_t blocks = r.u32().value_or(0);
        const std::uint64_t meta_blkaddr = r.u32().value_or(~0u);
        if (blkszbits >= 9 && blkszbits <= 12 && blocks > 0 && meta_blkaddr < blocks) {
          const std::uint64_t bytes = blocks << blkszbits;
          found = Detected{ImageFormat::kErofs, abs, "erofs", std::min(bytes, remaining)};
        }
      } else if (r.size() >= 1024 + 0x160 && at_ext_magic(b.subspan(static_cast<std::size_t>(off)))) {
        // Superblock at 1024: blocks_count_lo at 4, log_block_size at 24 (block = 1 KiB << log),
        // incompat features at 0x60 (64BIT = 0x80 enables blocks_count_hi at 0x150).
        r.seek(1024 + 4);
        std::uint64_t blocks = r.u32().value_or(0);
        r.seek(1024 + 24);
        std::uint32_t log_block = r.u32().value_or(99);
        r.seek(1024 + 0x60);
        std::uint32_t incompat = r.u32().value_or(0);
        r.seek(1024 + 0x150);
        if (incompat & 0x80) blocks |= static_cast<std::uint64_t>(r.u32().value_or(0)) << 32;
        if (log_block <= 6 && blocks > 0) {
          auto bytes = core::checked_mul(blocks, std::uint64_t{1024} << log_block);
          found = Detected{ImageFormat::kExt, abs, "ext", bytes ? std::min(*bytes, remaining) : remaining};
        }
      } else if (is_ubi(b.subspan(static_cast<std::size_t>(off)))) {
        // A UBI partition in a flash dump: a run of PEBs, each starting with an EC header.
        if (auto extent = ubi_extent(src, abs)) found = Detected{ImageFormat::kUbi, abs, "ubi", extent->length};
      } else if (auto cram = cramfs_claimed_size(b.subspan(static_cast<std::size_t>(off)))) {
        // The superblock may sit 512 bytes into the image (after a boot block): offsets in
        // the image count from its start, so the window starts there. Only the superblock at
        // the start of the window is taken here; the one at +512 is found 512 bytes earlier.
        found = Detected{ImageFormat::kCramfs, abs, "cramfs", std::min(*cram, remaining)};
      } else if (abs % 4096 == 0 && is_jffs2_node(b.subspan(static_cast<std::size_t>(off)))) {
        // JFFS2 starts on an erase block (4 KiB at least) and runs while valid nodes follow.
        const std::uint64_t length = jffs2_extent(src, abs);
        if (length >= 12) found = Detected{ImageFormat::kJffs2, abs, "jffs2", length};
      } else if (match(b, static_cast<std::size_t>(off), "070701") ||
                 match(b, static_cast<std::size_t>(off), "070702")) {
        // cpio has no length up front; the archive backend stops at its trailer.
        found = Detected{ImageFormat::kArchive, abs, "cpio", remaining};
      } else if (auto c = carve_container(b.subspan(static_cast<std::size_t>(off)), remaining)) {
        c->offset = abs;
        found = std::move(c);
      }
      if (!found) continue;
      skip_until = found->offset + std::max<std::uint64_t>(found->length, kStep);
      out.push_back(std::move(*found));
    }
  }
  return out;
}

Result<std::shared_ptr<Vfs>> open_image(ByteSourcePtr src, ImageFormat format, std::vector<Diagnostic>& diagnostics,
                                        bool& partial) {
  switch (format) {
    case ImageFormat::kSquashfs:
      return open_squashfs(std::move(src), diagnostics, partial);
    case ImageFormat::kExt:
      return open_ext(std::move(src), diagnostics, partial);
    case ImageFormat::kErofs:
      return open_erofs(std::move(src), diagnostics, partial);
    case ImageFormat::kArchive:
      return open_archive(std::move(src), diagnostics, partial);
    case ImageFormat::kContainer:
      return open_container(std::move(src), diagnostics, partial);
    case ImageFormat::kUbi:
      return open_ubi(std::move(src), diagnostics, partial);
    case ImageFormat::kUbifs:
      return open_ubifs(std::move(src), diagnostics, partial);
    case ImageFormat::kJffs2:
      return open_jffs2(std::move(src), diagnostics, partial);
    case ImageFormat::kCramfs:
      return open_cramfs(std::move(src), diagnostics, partial);
    case ImageFormat::kFat:
      return open_fat(std::move(src), diagnostics, partial);
    case ImageFormat::kUnsupported:
      return make_error(ErrorCode::kUnsupported, "a format fwcert does not read");
  }
  return make_error(ErrorCode::kUnsupported, "unknown image format");
}

ByteSourcePtr vfs_file_source(std::shared_ptr<const Vfs> vfs, std::string canonical, std::uint64_t size,
                              std::string display) {
  return std::make_shared<VfsFileSource>(std::move(vfs), std::move(canonical), size, std::move(display));
}

}  // namespace fwcert::vfs
