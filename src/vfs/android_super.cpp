// Android dynamic partitions: the `super` partition's LpMetadata (liblp's metadata_format.h,
// major version 10) read into a PartsVfs of its logical partitions.
//
// Decided:
//  - The geometry is read at 4096 and, when its checksum or values are bad, at its backup 8192.
//    Metadata slot 0 is read (lpmake writes the same tables to every slot): the primary copy
//    first, the backup copy when the primary's header or tables checksum does not match. A
//    mismatch is a warning and makes the scan partial even when the backup is intact, because
//    the image is not what its writer left. When no copy verifies, the first that parses is used.
//  - Each logical partition is a ByteSource over its extents read in place: linear extents map
//    to sectors of this image, zero extents read as zeros. Nothing is copied or expanded.
//  - Extents on another block device (retrofit devices, where the partitions live outside super)
//    are not in this image: the partition is not exposed and a warning says why. An extent that
//    runs past the end of the image reads as zeros there, with a warning.
//  - Counts and the metadata size are bounded (limits.hpp); entries larger than the structs we
//    know are read by their known prefix (the format's way of growing), smaller ones are damage.

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "core/byte_reader.hpp"
#include "core/checked.hpp"
#include "core/limits.hpp"
#include "vfs/containers.hpp"
#include "vfs/parts_vfs.hpp"

namespace fwcert::vfs {

namespace {

constexpr std::uint32_t kGeometryMagic = 0x616C4467u;
constexpr std::uint32_t kHeaderMagic = 0x414C5030u;
constexpr std::uint64_t kReservedBytes = 4096;
constexpr std::uint64_t kGeometryBlock = 4096;
constexpr std::uint64_t kGeometrySize = 52;
constexpr std::uint64_t kSector = 512;
constexpr std::uint64_t kHeaderV1Size = 128, kHeaderV2Size = 256;
constexpr std::uint64_t kPartitionEntry = 52, kExtentEntry = 24, kGroupEntry = 48, kBlockDeviceEntry = 64;
constexpr std::uint32_t kTargetLinear = 0, kTargetZero = 1;

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::span<const std::byte> bytes) {
  Digest d{};
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), d.data(), &n, EVP_sha256(), nullptr);
  return d;
}

/// SHA-256 of `bytes` with the 32-byte checksum field at `field` zeroed, compared with it.
bool checksum_matches(std::span<const std::byte> bytes, std::size_t field) {
  if (bytes.size() < field + 32) return false;
  std::vector<std::byte> copy(bytes.begin(), bytes.end());
  std::memset(copy.data() + field, 0, 32);
  Digest d = sha256(copy);
  return std::memcmp(d.data(), bytes.data() + field, 32) == 0;
}

std::string fixed_name(std::span<const std::byte> b) {
  std::string s(reinterpret_cast<const char*>(b.data()), b.size());
  auto nul = s.find('\0');
  if (nul != std::string::npos) s.resize(nul);
  return s;
}

/// A partition or group name usable as a part name: printable ASCII without '/', not "." or "..".
bool is_usable_name(const std::string& name) {
  if (name.empty() || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return c > 0x20 && c < 0x7f && c != '/'; });
}

struct Geometry {
  std::uint64_t metadata_max_size = 0;
  std::uint64_t slot_count = 0;
  std::uint64_t logical_block_size = 0;
};

struct TableDescriptor {
  std::uint64_t offset = 0, count = 0, entry_size = 0;
};

/// One copy of the metadata: the header fields we use and the tables' bytes.
struct Metadata {
  std::uint16_t major = 0, minor = 0;
  std::uint32_t flags = 0;
  TableDescriptor partitions, extents, groups, block_devices;
  std::vector<std::byte> tables;
  bool verified = false;  ///< header and tables checksums both match
  std::string problem;    ///< which checksum does not match, when not verified
};

class SuperReader {
 public:
  SuperReader(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial)
      : src_(std::move(src)), diagnostics_(diagnostics), partial_(partial) {}

  Result<std::shared_ptr<Vfs>> open() {
    auto geometry = read_geometry();
    if (!geometry) return geometry.error();
    geometry_ = *geometry;
    auto metadata = read_metadata();
    if (!metadata) return metadata.error();
    return build(*metadata);
  }

 private:
  void warn(std::string path, std::string message) {
    diagnostics_.push_back({Diagnostic::Level::kWarning, std::move(path), std::move(message)});
    partial_ = true;
  }

  /// The geometry at `at`: nullopt without the magic; `why` says what else is wrong.
  std::optional<Geometry> geometry_at(std::uint64_t at, bool& checksum_ok, std::string& why) const {
    std::array<std::byte, kGeometrySize> g{};
    if (!read_exact(*src_, at, g)) return std::nullopt;
    core::ByteReader r(g);
    if (r.u32().value_or(0) != kGeometryMagic) return std::nullopt;
    const std::uint64_t struct_size = r.u32().value_or(0);
    r.seek(40);
    Geometry out;
    out.metadata_max_size = r.u32().value_or(0);
    out.slot_count = r.u32().value_or(0);
    out.logical_block_size = r.u32().value_or(0);
    checksum_ok = struct_size == kGeometrySize && checksum_matches(g, 8);
    if (struct_size != kGeometrySize)
      why = fmt::format("geometry struct_size is {}, not {}", struct_size, kGeometrySize);
    if (out.metadata_max_size < kHeaderV2Size || out.metadata_max_size % kSector != 0 ||
        out.metadata_max_size > limits::kMaxSuperMetadataBytes) {
      why = fmt::format("metadata_max_size {} is not a sector multiple between {} and {}", out.metadata_max_size,
                        kHeaderV2Size, limits::kMaxSuperMetadataBytes);
      return std::nullopt;
    }
    if (out.slot_count == 0 || out.slot_count > limits::kMaxSuperMetadataSlots) {
      why = fmt::format("metadata_slot_count {} is outside 1..{}", out.slot_count, limits::kMaxSuperMetadataSlots);
      return std::nullopt;
    }
    return out;
  }

  Result<Geometry> read_geometry() {
    std::optional<Geometry> fallback;
    std::string why;
    for (std::uint64_t at : {kReservedBytes, kReservedBytes + kGeometryBlock}) {
      bool checksum_ok = false;
      std::string problem;
      auto g = geometry_at(at, checksum_ok, problem);
      const char* which = at == kReservedBytes ? "primary" : "backup";
      if (g && checksum_ok) {
        if (at != kReservedBytes) warn("", "android-super: the primary geometry is damaged; its backup copy is used");
        return *g;
      }
      if (g && !fallback) fallback = g;
      if (g) problem = "its SHA-256 checksum does not match";
      if (!problem.empty())
        why += fmt::format("{}{} geometry at {:#x}: {}", why.empty() ? "" : "; ", which, at, problem);
    }
    if (fallback) {
      warn("", "android-super: no geometry copy verifies (" + why + "); the first readable one is used");
      return *fallback;
    }
    return make_error(ErrorCode::kCorrupt,
                      "android-super: no usable LpMetadata geometry" + (why.empty() ? "" : " (" + why + ")"));
  }

  /// The copy of metadata slot 0 at `at`, or why it cannot be used.
  Result<Metadata> metadata_at(std::uint64_t at) const {
    std::array<std::byte, kHeaderV2Size> h{};
    auto n = src_->read_at(at, h);
    if (!n) return n.error();
    if (*n < kHeaderV1Size) return make_error(ErrorCode::kCorrupt, "the header lies past the end of the image");
    core::ByteReader r(std::span<const std::byte>(h.data(), *n));
    Metadata m;
    if (r.u32().value_or(0) != kHeaderMagic) return make_error(ErrorCode::kCorrupt, "no metadata header magic");
    m.major = r.u16().value_or(0);
    m.minor = r.u16().value_or(0);
    const std::uint64_t header_size = r.u32().value_or(0);
    if (m.major != 10 || m.minor > 2) {
      return make_error(ErrorCode::kUnsupported,
                        fmt::format("LpMetadata version {}.{} is not 10.0-10.2", m.major, m.minor));
    }
    const std::uint64_t want_header = m.minor >= 2 ? kHeaderV2Size : kHeaderV1Size;
    if (header_size != want_header) {
      return make_error(ErrorCode::kCorrupt, fmt::format("header_size {} is not the {} bytes of version 10.{}",
                                                         header_size, want_header, m.minor));
    }
    if (*n < header_size) return make_error(ErrorCode::kCorrupt, "the header is cut by the end of the image");
    const bool header_ok = checksum_matches(std::span<const std::byte>(h.data(), header_size), 12);
    r.seek(44);
    const std::uint64_t tables_size = r.u32().value_or(0);
    r.seek(80);
    for (TableDescriptor* t : {&m.partitions, &m.extents, &m.groups, &m.block_devices}) {
      t->offset = r.u32().value_or(0);
      t->count = r.u32().value_or(0);
      t->entry_size = r.u32().value_or(0);
    }
    if (m.minor >= 2) m.flags = r.u32().value_or(0);
    if (tables_size > geometry_.metadata_max_size - header_size) {
      return make_error(ErrorCode::kCorrupt, fmt::format("tables_size {} exceeds metadata_max_size {}", tables_size,
                                                         geometry_.metadata_max_size));
    }
    m.tables.resize(static_cast<std::size_t>(tables_size));
    if (tables_size > 0 && !read_exact(*src_, at + header_size, m.tables)) {
      return make_error(ErrorCode::kCorrupt, "the tables are cut by the end of the image");
    }
    Digest d = sha256(m.tables);
    const bool tables_ok = std::memcmp(d.data(), h.data() + 48, 32) == 0;
    struct Known {
      const TableDescriptor* t;
      std::uint64_t entry;
      const char* name;
    };
    for (const Known& k :
         {Known{&m.partitions, kPartitionEntry, "partition"}, Known{&m.extents, kExtentEntry, "extent"},
          Known{&m.groups, kGroupEntry, "group"}, Known{&m.block_devices, kBlockDeviceEntry, "block device"}}) {
      auto bytes = core::checked_mul(k.t->count, k.t->entry_size);
      if (k.t->entry_size < k.entry || !bytes || !core::in_bounds(k.t->offset, *bytes, tables_size)) {
        return make_error(ErrorCode::kCorrupt,
                          fmt::format("the {} table ({} entries of {} bytes at {}) does not fit the {} bytes of tables",
                                      k.name, k.t->count, k.t->entry_size, k.t->offset, tables_size));
      }
    }
    m.verified = header_ok && tables_ok;
    if (!header_ok || !tables_ok) {
      m.problem = !header_ok && !tables_ok ? "header and tables checksums do not match"
                  : !header_ok             ? "header checksum does not match"
                                           : "tables checksum does not match";
    }
    return m;
  }

  Result<Metadata> read_metadata() {
    const std::uint64_t first = kReservedBytes + 2 * kGeometryBlock;
    auto backup_at = core::checked_add(first, geometry_.slot_count * geometry_.metadata_max_size);
    std::optional<Metadata> fallback;
    std::string why;
    for (int copy = 0; copy < 2; ++copy) {
      if (copy == 1 && !backup_at) break;
      const std::uint64_t at = copy == 0 ? first : *backup_at;
      const char* which = copy == 0 ? "primary" : "backup";
      auto m = metadata_at(at);
      if (m && m->verified) {
        if (copy == 1) warn("", fmt::format("android-super: {}; the backup metadata copy is used", why));
        return std::move(*m);
      }
      std::string problem = m ? m->problem : m.error().message;
      why += fmt::format("{}{} metadata at {:#x}: {}", why.empty() ? "" : "; ", which, at, problem);
      if (m && !fallback) fallback = std::move(*m);
    }
    if (fallback) {
      warn("", "android-super: no metadata copy verifies (" + why + "); the first readable one is used");
      return std::move(*fallback);
    }
    return make_error(ErrorCode::kCorrupt, "android-super: no readable LpMetadata (" + why + ")");
  }

  Result<std::shared_ptr<Vfs>> build(const Metadata& m) {
    auto parts = std::make_shared<PartsVfs>("android-super");
    auto entry = [&](const TableDescriptor& t, std::uint64_t i, std::uint64_t size) {
      return std::span<const std::byte>(m.tables).subspan(static_cast<std::size_t>(t.offset + i * t.entry_size),
                                                          static_cast<std::size_t>(size));
    };
    std::vector<std::string> groups;
    for (std::uint64_t i = 0; i < std::min<std::uint64_t>(m.groups.count, limits::kMaxContainerParts); ++i) {
      groups.push_back(fixed_name(entry(m.groups, i, 36)));
    }
    std::string device0;
    if (m.block_devices.count > 0) device0 = fixed_name(entry(m.block_devices, 0, kBlockDeviceEntry).subspan(24, 36));
    if (m.extents.count > limits::kMaxSuperExtents) {
      warn("", fmt::format("android-super: {} extents listed; only the first {} are read", m.extents.count,
                           limits::kMaxSuperExtents));
    }
    const std::uint64_t extent_count = std::min<std::uint64_t>(m.extents.count, limits::kMaxSuperExtents);
    std::uint64_t count = m.partitions.count;
    if (count > limits::kMaxContainerParts) {
      warn("", fmt::format("android-super: {} partitions listed; only the first {} are read", count,
                           limits::kMaxContainerParts));
      count = limits::kMaxContainerParts;
    }
    std::string table =
        fmt::format("# LpMetadata {}.{}, flags {:#x}, super device '{}'\n", m.major, m.minor, m.flags, device0);
    table += "# name group attributes bytes extents\n";
    for (std::uint64_t i = 0; i < count; ++i) {
      core::ByteReader r(entry(m.partitions, i, kPartitionEntry));
      const std::string name = fixed_name(*r.bytes(36));
      const std::uint32_t attributes = r.u32().value_or(0);
      const std::uint64_t first_extent = r.u32().value_or(0);
      const std::uint64_t num_extents = r.u32().value_or(0);
      const std::uint64_t group = r.u32().value_or(0);
      const std::string path = "/" + name;
      if (!is_usable_name(name)) {
        warn("", fmt::format("android-super: partition {} has an unusable name; not listed", i));
        continue;
      }
      if (group >= m.groups.count) {
        warn(path, fmt::format("partition names group {} of {}", group, m.groups.count));
      }
      if (first_extent > extent_count || num_extents > extent_count - first_extent) {
        warn(path, fmt::format("partition lists extents {}..{} of {}; not exposed", first_extent,
                               first_extent + num_extents, extent_count));
        continue;
      }
      std::vector<Run> extents;
      std::uint64_t size = 0;
      std::string problem;
      for (std::uint64_t x = first_extent; x < first_extent + num_extents && problem.empty(); ++x) {
        core::ByteReader e(entry(m.extents, x, kExtentEntry));
        const std::uint64_t sectors = e.u64().value_or(0);
        const std::uint32_t type = e.u32().value_or(0);
        const std::uint64_t target = e.u64().value_or(0);
        const std::uint32_t source = e.u32().value_or(0);
        auto length = core::checked_mul(sectors, kSector);
        auto end = length ? core::checked_add(size, *length) : std::nullopt;
        if (!end || *end > limits::kMaxDecompressedImageBytes) {
          problem =
              fmt::format("extent {} makes the partition larger than {} bytes", x, limits::kMaxDecompressedImageBytes);
          break;
        }
        if (sectors == 0) continue;
        Run ex{size, *length, type == kTargetZero ? Run::Kind::kZero : Run::Kind::kCopy};
        if (type == kTargetLinear) {
          if (source != 0) {
            std::string device = source < m.block_devices.count
                                     ? fixed_name(entry(m.block_devices, source, kBlockDeviceEntry).subspan(24, 36))
                                     : fmt::format("#{}", source);
            problem = fmt::format("extent {} lies on block device '{}', which is not in this image (a retrofit layout)",
                                  x, device);
            break;
          }
          auto physical = core::checked_mul(target, kSector);
          auto physical_end = physical ? core::checked_add(*physical, *length) : std::nullopt;
          if (!physical_end) {
            problem = fmt::format("extent {} starts at sector {}, beyond any image", x, target);
            break;
          }
          if (*physical_end > src_->size()) {
            warn(path, fmt::format("extent {} ({} bytes at {:#x}) runs past the end of the image ({} bytes); read "
                                   "as zeros there",
                                   x, *length, *physical, src_->size()));
          }
          ex.offset = *physical;
        } else if (type != kTargetZero) {
          problem = fmt::format("extent {} has unknown target type {}", x, type);
          break;
        }
        extents.push_back(ex);
        size = *end;
      }
      const std::string group_name = group < groups.size() ? groups[group] : "?";
      table += fmt::format("{} {} {:#x} {} {}\n", name, is_usable_name(group_name) ? group_name : "?", attributes, size,
                           num_extents);
      if (!problem.empty()) {
        warn(path, "partition not exposed: " + problem);
        continue;
      }
      if (size == 0) continue;  // an empty slot (system_b before an update): listed in the table only
      auto added = parts->add(path, spliced_source(src_, std::move(extents), size, "android-super " + name));
      if (!added) warn(path, "partition not exposed: " + added.error().message);
    }
    (void)parts->add_text("/lp-partitions.txt", std::move(table));
    return std::shared_ptr<Vfs>(parts);
  }

  ByteSourcePtr src_;
  std::vector<Diagnostic>& diagnostics_;
  bool& partial_;
  Geometry geometry_;
};

}  // namespace

bool is_android_super(const ByteSource& src) {
  for (std::uint64_t at : {kReservedBytes, kReservedBytes + kGeometryBlock}) {
    std::array<std::byte, 4> magic{};
    if (read_exact(src, at, magic) && core::ByteReader(magic).u32().value_or(0) == kGeometryMagic) return true;
  }
  return false;
}

bool is_android_super(std::span<const std::byte> head) {
  for (std::uint64_t at : {kReservedBytes, kReservedBytes + kGeometryBlock}) {
    if (head.size() >= at + 4 &&
        core::ByteReader(head.subspan(static_cast<std::size_t>(at))).u32().value_or(0) == kGeometryMagic) {
      return true;
    }
  }
  return false;
}

Result<std::shared_ptr<Vfs>> open_android_super(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics,
                                                bool& partial) {
  return SuperReader(std::move(src), diagnostics, partial).open();
}

}  // namespace fwcert::vfs
