#include "vfs/containers.hpp"

#include <fmt/format.h>
#include <libfdt.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "core/byte_reader.hpp"
#include "core/checked.hpp"
#include "core/limits.hpp"
#include "formats/uboot/env.hpp"
#include "vfs/parts_vfs.hpp"

namespace fwcert::vfs {

namespace {

bool starts_with(std::span<const std::byte> b, std::string_view magic) {
  return b.size() >= magic.size() && std::memcmp(b.data(), magic.data(), magic.size()) == 0;
}

constexpr std::uint32_t kSparseMagic = 0xED26FF3Au;
constexpr std::uint16_t kChunkRaw = 0xCAC1, kChunkFill = 0xCAC2, kChunkDontCare = 0xCAC3, kChunkCrc = 0xCAC4;
constexpr std::uint32_t kFdtMagic = 0xD00DFEEDu;

// ---- Android sparse ----

// ---- parts helpers ----

/// Adds the part [offset, offset+size) of `src` at `path`, cut at the end of `src` with a
/// warning; an empty part is not added.
void add_part(PartsVfs& parts, const ByteSourcePtr& src, const std::string& path, std::uint64_t offset,
              std::uint64_t size, std::vector<Diagnostic>& diagnostics, bool& partial) {
  if (size == 0) return;
  const std::uint64_t total = src->size();
  if (offset >= total) {
    diagnostics.push_back(
        {Diagnostic::Level::kWarning, path,
         fmt::format("part of {} bytes at {:#x} lies past the end of the image ({} bytes)", size, offset, total)});
    partial = true;
    return;
  }
  if (size > total - offset) {
    diagnostics.push_back(
        {Diagnostic::Level::kWarning, path,
         fmt::format("part claims {} bytes at {:#x}; the image ends after {}", size, offset, total - offset)});
    partial = true;
    size = total - offset;
  }
  auto w = window_source(src, offset, size);
  if (w) (void)parts.add(path, *w);
}

std::string c_string(std::span<const std::byte> b) {
  std::string s(reinterpret_cast<const char*>(b.data()), b.size());
  auto nul = s.find('\0');
  if (nul != std::string::npos) s.resize(nul);
  return s;
}

std::uint64_t round_up(std::uint64_t v, std::uint64_t page) { return page ? (v + page - 1) / page * page : v; }

// ---- Android boot images ----

Result<std::shared_ptr<Vfs>> open_android_boot(const ByteSourcePtr& src, std::vector<Diagnostic>& diagnostics,
                                               bool& partial) {
  std::array<std::byte, 2200> head{};
  auto n = src->read_at(0, head);
  if (!n) return n.error();
  std::span<const std::byte> h(head.data(), *n);
  if (h.size() < 1660) return make_error(ErrorCode::kCorrupt, "Android boot header is cut short");
  core::ByteReader r(h);
  auto u32 = [&](std::size_t at) {
    r.seek(at);
    return static_cast<std::uint64_t>(r.u32().value_or(0));
  };
  auto parts = std::make_shared<PartsVfs>("android-boot");
  const std::uint64_t header_version = u32(40);
  if (header_version >= 3 && header_version <= 4) {
    // v3/v4: fixed 4096-byte pages; kernel, ramdisk, (v4) boot signature.
    constexpr std::uint64_t kPage = 4096;
    const std::uint64_t kernel = u32(8), ramdisk = u32(12);
    const std::uint64_t signature = header_version == 4 ? u32(1580) : 0;
    std::uint64_t off = kPage;
    add_part(*parts, src, "/kernel", off, kernel, diagnostics, partial);
    off += round_up(kernel, kPage);
    add_part(*parts, src, "/ramdisk", off, ramdisk, diagnostics, partial);
    off += round_up(ramdisk, kPage);
    add_part(*parts, src, "/boot_signature", off, signature, diagnostics, partial);
    std::string cmdline = c_string(h.subspan(44, 1536));
    if (!cmdline.empty()) (void)parts->add_text("/cmdline", cmdline + "\n");
    (void)parts->add_text("/header_version", fmt::format("{}\n", header_version));
    return std::shared_ptr<Vfs>(parts);
  }
  if (header_version > 4) {
    diagnostics.push_back({Diagnostic::Level::kWarning, "/",
                           fmt::format("unknown boot header version {}; read with the v0 layout", header_version)});
    partial = true;
  }
  const std::uint64_t page = u32(36);
  if (page < 512 || page > 65536 || (page & (page - 1)) != 0) {
    return make_error(ErrorCode::kCorrupt, fmt::format("Android boot header has an invalid page size {}", page));
  }
  const std::uint64_t kernel = u32(8), ramdisk = u32(16), second = u32(24);
  const std::uint64_t dtbo = header_version >= 1 && header_version <= 2 ? u32(1632) : 0;
  const std::uint64_t dtb = header_version == 2 ? u32(1648) : 0;
  std::uint64_t off = page;
  add_part(*parts, src, "/kernel", off, kernel, diagnostics, partial);
  off += round_up(kernel, page);
  add_part(*parts, src, "/ramdisk", off, ramdisk, diagnostics, partial);
  off += round_up(ramdisk, page);
  add_part(*parts, src, "/second", off, second, diagnostics, partial);
  off += round_up(second, page);
  add_part(*parts, src, "/recovery_dtbo", off, dtbo, diagnostics, partial);
  off += round_up(dtbo, page);
  add_part(*parts, src, "/dtb", off, dtb, diagnostics, partial);
  std::string cmdline = c_string(h.subspan(64, 512)) + c_string(h.subspan(608, 1024));
  if (!cmdline.empty()) (void)parts->add_text("/cmdline", cmdline + "\n");
  std::string name = c_string(h.subspan(48, 16));
  if (!name.empty()) (void)parts->add_text("/name", name + "\n");
  (void)parts->add_text("/header_version", fmt::format("{}\n", header_version > 4 ? 0 : header_version));
  return std::shared_ptr<Vfs>(parts);
}

Result<std::shared_ptr<Vfs>> open_vendor_boot(const ByteSourcePtr& src, std::vector<Diagnostic>& diagnostics,
                                              bool& partial) {
  std::array<std::byte, 2128> head{};
  auto n = src->read_at(0, head);
  if (!n) return n.error();
  std::span<const std::byte> h(head.data(), *n);
  if (h.size() < 2112) return make_error(ErrorCode::kCorrupt, "vendor_boot header is cut short");
  core::ByteReader r(h);
  auto u32 = [&](std::size_t at) {
    r.seek(at);
    return static_cast<std::uint64_t>(r.u32().value_or(0));
  };
  const std::uint64_t version = u32(8), page = u32(12);
  if (page < 512 || page > 65536 || (page & (page - 1)) != 0) {
    return make_error(ErrorCode::kCorrupt, fmt::format("vendor_boot header has an invalid page size {}", page));
  }
  auto parts = std::make_shared<PartsVfs>("android-vendor-boot");
  const std::uint64_t header_size = version >= 4 ? 2128 : 2112;
  const std::uint64_t ramdisk = u32(24), dtb = u32(2100);
  std::uint64_t off = round_up(header_size, page);
  add_part(*parts, src, "/vendor_ramdisk", off, ramdisk, diagnostics, partial);
  off += round_up(ramdisk, page);
  add_part(*parts, src, "/dtb", off, dtb, diagnostics, partial);
  off += round_up(dtb, page);
  if (version >= 4 && h.size() >= 2128) {
    const std::uint64_t table = u32(2112), bootconfig = u32(2124);
    off += round_up(table, page);
    add_part(*parts, src, "/bootconfig", off, bootconfig, diagnostics, partial);
  }
  std::string cmdline = c_string(h.subspan(28, 2048));
  if (!cmdline.empty()) (void)parts->add_text("/cmdline", cmdline + "\n");
  (void)parts->add_text("/header_version", fmt::format("{}\n", version));
  return std::shared_ptr<Vfs>(parts);
}

// ---- U-Boot legacy uImage ----

const char* uimage_type_name(std::uint8_t type) {
  switch (type) {
    case 2:
    case 14:
      return "kernel";
    case 3:
      return "ramdisk";
    case 5:
      return "firmware";
    case 6:
      return "script";
    case 7:
      return "filesystem";
    case 8:
      return "fdt";
    default:
      return "image";
  }
}

Result<std::shared_ptr<Vfs>> open_uimage(const ByteSourcePtr& src, std::vector<Diagnostic>& diagnostics,
                                         bool& partial) {
  std::array<std::byte, 64> head{};
  if (auto ok = read_exact(*src, 0, head); !ok) return make_error(ErrorCode::kCorrupt, "uImage header is cut short");
  auto header = formats::uboot::parse_legacy_header(head);
  if (!header) return make_error(ErrorCode::kCorrupt, "not a uImage header");
  if (!header->header_crc_ok) {
    diagnostics.push_back(
        {Diagnostic::Level::kWarning, "/", "uImage header CRC does not match; the header may be damaged"});
    partial = true;
  }
  const std::uint64_t size = header->data_size;
  const std::uint8_t type = header->type;
  auto parts = std::make_shared<PartsVfs>("uimage");
  if (!header->name.empty()) (void)parts->add_text("/name", header->name + "\n");
  if (type != formats::uboot::kLegacyTypeMulti) {
    add_part(*parts, src, std::string("/") + uimage_type_name(type), 64, size, diagnostics, partial);
    return std::shared_ptr<Vfs>(parts);
  }
  // Multi-file: big-endian sizes ending with 0, then each image padded to 4 bytes.
  std::vector<std::uint64_t> sizes;
  std::uint64_t off = 64;
  for (std::size_t i = 0; i < limits::kMaxContainerParts; ++i, off += 4) {
    std::array<std::byte, 4> b{};
    if (!read_exact(*src, off, b)) return make_error(ErrorCode::kCorrupt, "multi-file uImage size list is cut short");
    std::uint32_t s = core::ByteReader(b, core::Endian::kBig).u32().value_or(0);
    if (s == 0) break;
    sizes.push_back(s);
  }
  off += 4;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    // mkimage's convention: the first is the kernel, the second the ramdisk, then the rest.
    std::string part = i == 0 ? "/kernel" : i == 1 ? "/ramdisk" : fmt::format("/image-{}", i);
    add_part(*parts, src, part, off, sizes[i], diagnostics, partial);
    off += round_up(sizes[i], 4);
  }
  return std::shared_ptr<Vfs>(parts);
}

// ---- FIT ----

Result<std::shared_ptr<Vfs>> open_fit(const ByteSourcePtr& src, std::vector<Diagnostic>& diagnostics, bool& partial) {
  // libfdt needs the tree in memory: mapped when the source is, else read within a bound.
  std::array<std::byte, 8> head{};
  if (auto ok = read_exact(*src, 0, head); !ok) return make_error(ErrorCode::kCorrupt, "FDT header is cut short");
  core::ByteReader hr(head, core::Endian::kBig);
  hr.seek(4);
  const std::uint64_t tree_size = hr.u32().value_or(0);
  if (tree_size < 40 || tree_size > src->size() || tree_size > limits::kMaxFitTreeBytes) {
    return make_error(ErrorCode::kCorrupt, fmt::format("FDT totalsize {} does not fit the image", tree_size));
  }
  std::vector<std::byte> copy;
  std::span<const std::byte> tree = src->contiguous();
  if (tree.size() >= tree_size) {
    tree = tree.first(static_cast<std::size_t>(tree_size));
  } else {
    copy.resize(static_cast<std::size_t>(tree_size));
    if (auto ok = read_exact(*src, 0, copy); !ok) return ok.error();
    tree = copy;
  }
  const void* fdt = tree.data();
  if (int rc = fdt_check_full(fdt, tree.size()); rc != 0) {
    return make_error(ErrorCode::kCorrupt, fmt::format("device tree rejected: {}", fdt_strerror(rc)));
  }
  int images = fdt_path_offset(fdt, "/images");
  if (images < 0) {
    return make_error(ErrorCode::kUnsupported, "a device tree without /images: not a FIT image (a plain DTB)");
  }
  auto parts = std::make_shared<PartsVfs>("fit");
  // External data (mkimage -E) starts after the tree, rounded up to 4 bytes.
  const std::uint64_t external_base = round_up(tree_size, 4);
  std::size_t count = 0;
  int node;
  fdt_for_each_subnode(node, fdt, images) {
    if (++count > limits::kMaxContainerParts) {
      diagnostics.push_back({Diagnostic::Level::kWarning, "/images", "image limit reached; the rest is not listed"});
      partial = true;
      break;
    }
    int name_len = 0;
    const char* name = fdt_get_name(fdt, node, &name_len);
    if (!name || name_len <= 0) continue;
    std::string path = "/images/" + std::string(name, static_cast<std::size_t>(name_len));
    if (path.find('/', 8) != std::string::npos || path == "/images/." || path == "/images/..") continue;
    int len = 0;
    if (const void* data = fdt_getprop(fdt, node, "data", &len); data && len > 0) {
      const std::uint64_t at = static_cast<std::uint64_t>(static_cast<const std::byte*>(data) - tree.data());
      add_part(*parts, src, path, at, static_cast<std::uint64_t>(len), diagnostics, partial);
      continue;
    }
    auto u32_prop = [&](const char* prop) -> std::optional<std::uint64_t> {
      int l = 0;
      const void* p = fdt_getprop(fdt, node, prop, &l);
      if (!p || l != 4) return std::nullopt;
      return core::ByteReader(p, 4, core::Endian::kBig).u32().value_or(0);
    };
    auto size = u32_prop("data-size");
    auto offset = u32_prop("data-offset");
    auto position = u32_prop("data-position");
    if (size && (offset || position)) {
      const std::uint64_t at = position ? *position : external_base + *offset;
      add_part(*parts, src, path, at, *size, diagnostics, partial);
    } else {
      diagnostics.push_back({Diagnostic::Level::kWarning, path, "FIT image node without data"});
      partial = true;
    }
  }
  // The command line a configuration or /chosen passes (bootargs), for the command-line checks.
  int chosen = fdt_path_offset(fdt, "/chosen");
  int len = 0;
  if (const char* args = chosen >= 0 ? static_cast<const char*>(fdt_getprop(fdt, chosen, "bootargs", &len)) : nullptr;
      args && len > 0) {
    (void)parts->add_text("/cmdline", c_string(std::span<const std::byte>(reinterpret_cast<const std::byte*>(args),
                                                                          static_cast<std::size_t>(len))) +
                                          "\n");
  }
  return std::shared_ptr<Vfs>(parts);
}

// ---- vbmeta ----

Result<std::shared_ptr<Vfs>> open_vbmeta(const ByteSourcePtr& src, std::vector<Diagnostic>& diagnostics,
                                         bool& partial) {
  // The vbmeta partition image itself, under the name the boot analyzers look for; they parse
  // it (formats/avb) and record its flags, algorithm, key and descriptors.
  if (src->size() < 256) return make_error(ErrorCode::kCorrupt, "vbmeta header is cut short");
  if (src->size() > limits::kMaxVbmetaBytes) {
    // A vbmeta partition is padded to its partition size; the image proper is at most 64 KiB.
    diagnostics.push_back({Diagnostic::Level::kNote, "/vbmeta.img",
                           fmt::format("vbmeta partition of {} bytes: only the first {} are the vbmeta image",
                                       src->size(), limits::kMaxVbmetaBytes)});
  }
  auto parts = std::make_shared<PartsVfs>("vbmeta");
  add_part(*parts, src, "/vbmeta.img", 0, std::min<std::uint64_t>(src->size(), limits::kMaxVbmetaBytes), diagnostics,
           partial);
  return std::shared_ptr<Vfs>(parts);
}

}  // namespace

bool is_android_sparse(std::span<const std::byte> head) {
  return head.size() >= 28 && core::ByteReader(head).u32().value_or(0) == kSparseMagic;
}

Result<ByteSourcePtr> android_sparse_source(const ByteSourcePtr& src, std::vector<Diagnostic>& diagnostics,
                                            bool& partial) {
  std::array<std::byte, 28> head{};
  if (auto ok = read_exact(*src, 0, head); !ok) return make_error(ErrorCode::kCorrupt, "sparse header is cut short");
  core::ByteReader r(head);
  r.seek(4);
  const std::uint16_t major = r.u16().value_or(0);
  r.seek(8);
  const std::uint16_t file_hdr = r.u16().value_or(0);
  const std::uint16_t chunk_hdr = r.u16().value_or(0);
  const std::uint32_t block = r.u32().value_or(0);
  const std::uint32_t total_blocks = r.u32().value_or(0);
  const std::uint32_t total_chunks = r.u32().value_or(0);
  if (major != 1) return make_error(ErrorCode::kUnsupported, fmt::format("sparse image version {} is unknown", major));
  if (file_hdr < 28 || chunk_hdr < 12 || block == 0 || block % 4 != 0 || block > (64u << 20)) {
    return make_error(ErrorCode::kCorrupt, "sparse header sizes are invalid");
  }
  if (total_chunks > limits::kMaxSparseChunks) {
    return make_error(ErrorCode::kLimitExceeded, fmt::format("sparse image claims {} chunks", total_chunks));
  }
  auto out_size = core::checked_mul(std::uint64_t{total_blocks}, std::uint64_t{block});
  if (!out_size || *out_size > limits::kMaxDecompressedImageBytes) {
    return make_error(ErrorCode::kLimitExceeded, "sparse image claims an expanded size beyond the limit");
  }
  std::vector<Run> chunks;
  std::uint64_t in = file_hdr, out = 0;
  std::string damage;
  for (std::uint32_t i = 0; i < total_chunks; ++i) {
    std::array<std::byte, 12> ch{};
    if (!read_exact(*src, in, ch)) {
      damage = fmt::format("chunk {} header at {:#x} is past the end of the file", i, in);
      break;
    }
    core::ByteReader c(ch);
    const std::uint16_t type = c.u16().value_or(0);
    c.seek(4);
    const std::uint64_t blocks = c.u32().value_or(0);
    const std::uint64_t total = c.u32().value_or(0);
    const std::uint64_t len = blocks * block;  // < 2^32 * 2^26: no overflow
    std::uint64_t data = 0;
    switch (type) {
      case kChunkRaw:
        data = len;
        break;
      case kChunkFill:
      case kChunkCrc:
        data = 4;
        break;
      case kChunkDontCare:
        data = 0;
        break;
      default:
        damage = fmt::format("chunk {} at {:#x} has unknown type {:#x}", i, in, type);
        break;
    }
    if (!damage.empty()) break;
    if (total != chunk_hdr + data) {
      damage = fmt::format("chunk {} at {:#x} says {} bytes, its type needs {}", i, in, total, chunk_hdr + data);
      break;
    }
    if (type != kChunkCrc) {
      if (len > *out_size - out) {
        damage = fmt::format("chunk {} runs past the {} blocks the header declares", i, total_blocks);
        break;
      }
      Run sc{out, len,
             type == kChunkRaw    ? Run::Kind::kCopy
             : type == kChunkFill ? Run::Kind::kFill
                                  : Run::Kind::kZero,
             in + chunk_hdr};
      if (type == kChunkFill) {
        if (!read_exact(*src, in + chunk_hdr, sc.fill)) {
          damage = fmt::format("chunk {} fill value is past the end of the file", i);
          break;
        }
      }
      if (type == kChunkRaw && in + chunk_hdr + len > src->size()) {
        // Only the bytes the file holds are the chunk; the expanded image ends with them.
        const std::uint64_t held = src->size() > in + chunk_hdr ? src->size() - (in + chunk_hdr) : 0;
        damage = fmt::format("raw chunk {} at {:#x} is cut short by the end of the file", i, in);
        sc.length = held;
        if (held) chunks.push_back(sc);
        out += held;
        break;
      }
      if (len) chunks.push_back(sc);
      out += len;
    }
    in += total;
  }
  if (damage.empty() && out != *out_size) {
    damage = fmt::format("chunks cover {} of the {} bytes the header declares", out, *out_size);
  }
  std::uint64_t size = *out_size;
  if (!damage.empty()) {
    // What the damaged index does not describe, the file does not hold: the expanded image ends
    // after the last chunk read, so a reader stops there instead of taking the declared rest as
    // zeros (an archive reader would read them as an endless run of empty members).
    size = out;
    diagnostics.push_back(
        {Diagnostic::Level::kWarning, "",
         fmt::format("android sparse image damaged: {}; the expanded image ends after {} of the {} bytes declared",
                     damage, out, *out_size)});
    partial = true;
  }
  if (chunks.empty()) return make_error(ErrorCode::kCorrupt, "android sparse image holds no data: " + damage);
  return spliced_source(src, std::move(chunks), size, "android-sparse");
}

std::optional<std::string> container_name(std::span<const std::byte> head) {
  if (starts_with(head, "ANDROID!")) return "android-boot";
  if (starts_with(head, "VNDRBOOT")) return "android-vendor-boot";
  if (starts_with(head, "AVB0")) return "vbmeta";
  if (head.size() >= 64) {
    std::uint32_t magic = core::ByteReader(head, core::Endian::kBig).u32().value_or(0);
    if (magic == formats::uboot::kLegacyMagic) return "uimage";
    if (magic == kFdtMagic) return "fit";
  }
  return std::nullopt;
}

Result<std::shared_ptr<Vfs>> open_container(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial) {
  std::array<std::byte, 64> head{};
  auto n = src->read_at(0, head);
  if (!n) return n.error();
  auto name = container_name(std::span<const std::byte>(head.data(), *n));
  if (!name) return make_error(ErrorCode::kUnsupported, "not a container fwcert reads");
  if (*name == "android-boot") return open_android_boot(src, diagnostics, partial);
  if (*name == "android-vendor-boot") return open_vendor_boot(src, diagnostics, partial);
  if (*name == "uimage") return open_uimage(src, diagnostics, partial);
  if (*name == "vbmeta") return open_vbmeta(src, diagnostics, partial);
  return open_fit(src, diagnostics, partial);
}

}  // namespace fwcert::vfs
