#include "vfs/ubi.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <set>

#include "core/byte_reader.hpp"
#include "core/checked.hpp"
#include "core/limits.hpp"
#include "vfs/parts_vfs.hpp"

namespace fwcert::vfs {

namespace {

// drivers/mtd/ubi/ubi-media.h; every field is big-endian.
constexpr std::uint32_t kEcMagic = 0x55424923u;   // "UBI#"
constexpr std::uint32_t kVidMagic = 0x55424921u;  // "UBI!"
constexpr std::size_t kHeaderBytes = 64;
constexpr std::size_t kHeaderCrcBytes = 60;
constexpr std::uint32_t kLayoutVolumeId = 0x7FFFEFFFu;  // first internal volume id
constexpr std::uint32_t kInternalVolumesEnd = 0x7FFFFFFFu;
constexpr std::size_t kVtblRecordBytes = 172;
constexpr std::uint8_t kDynamic = 1, kStatic = 2;

enum class HeaderState { kOk, kErased, kBadMagic, kBadCrc };

bool all_ff(std::span<const std::byte> b) {
  return std::all_of(b.begin(), b.end(), [](std::byte x) { return x == std::byte{0xFF}; });
}

struct EcHeader {
  HeaderState state = HeaderState::kBadMagic;
  std::uint8_t version = 0;
  std::uint32_t vid_offset = 0;
  std::uint32_t data_offset = 0;
  std::uint32_t image_seq = 0;
};

EcHeader parse_ec(std::span<const std::byte> h) {
  EcHeader ec;
  if (h.size() < kHeaderBytes) return ec;
  if (all_ff(h.first(kHeaderBytes))) {
    ec.state = HeaderState::kErased;
    return ec;
  }
  core::ByteReader r(h.first(kHeaderBytes), core::Endian::kBig);
  if (r.u32().value_or(0) != kEcMagic) return ec;
  ec.version = r.u8().value_or(0);
  r.seek(16);
  ec.vid_offset = r.u32().value_or(0);
  ec.data_offset = r.u32().value_or(0);
  ec.image_seq = r.u32().value_or(0);
  r.seek(60);
  const std::uint32_t crc = r.u32().value_or(0);
  ec.state = ubi_crc32(h.first(kHeaderCrcBytes)) == crc ? HeaderState::kOk : HeaderState::kBadCrc;
  return ec;
}

struct VidHeader {
  HeaderState state = HeaderState::kBadMagic;
  std::uint8_t vol_type = 0;
  std::uint8_t copy_flag = 0;
  std::uint32_t vol_id = 0;
  std::uint32_t lnum = 0;
  std::uint32_t data_size = 0;
  std::uint32_t used_ebs = 0;
  std::uint32_t data_pad = 0;
  std::uint32_t data_crc = 0;
  std::uint64_t sqnum = 0;
};

VidHeader parse_vid(std::span<const std::byte> h) {
  VidHeader v;
  if (h.size() < kHeaderBytes) return v;
  if (all_ff(h.first(kHeaderBytes))) {
    v.state = HeaderState::kErased;
    return v;
  }
  core::ByteReader r(h.first(kHeaderBytes), core::Endian::kBig);
  if (r.u32().value_or(0) != kVidMagic) return v;
  r.skip(1);  // version
  v.vol_type = r.u8().value_or(0);
  v.copy_flag = r.u8().value_or(0);
  r.skip(1);  // compat
  v.vol_id = r.u32().value_or(0);
  v.lnum = r.u32().value_or(0);
  r.skip(4);
  v.data_size = r.u32().value_or(0);
  v.used_ebs = r.u32().value_or(0);
  v.data_pad = r.u32().value_or(0);
  v.data_crc = r.u32().value_or(0);
  r.skip(4);
  v.sqnum = r.u64().value_or(0);
  r.seek(60);
  const std::uint32_t crc = r.u32().value_or(0);
  v.state = ubi_crc32(h.first(kHeaderCrcBytes)) == crc ? HeaderState::kOk : HeaderState::kBadCrc;
  return v;
}

/// The EC header at `at`, or a bad-magic state when it cannot be read.
EcHeader read_ec(const ByteSource& src, std::uint64_t at) {
  std::array<std::byte, kHeaderBytes> h{};
  if (!read_exact(src, at, h)) return EcHeader{};
  return parse_ec(h);
}

/// The smallest power of two at which more than half of the following erase-counter header
/// positions (up to limits::kUbiPebSizeProbes) carry the "UBI#" magic. A smaller candidate
/// lands inside PEB data at least every other position, so it never reaches half; erased and
/// damaged PEBs only lower the true size's count.
std::optional<std::uint64_t> find_peb_size(const ByteSource& src, std::uint64_t base, const EcHeader& first) {
  if (src.size() <= base) return std::nullopt;
  const std::uint64_t avail = src.size() - base;
  for (std::uint64_t p = limits::kMinUbiPebBytes; p <= limits::kMaxUbiPebBytes; p <<= 1) {
    if (p <= first.data_offset) continue;
    if (avail < p + kHeaderBytes) break;
    const std::uint64_t positions = std::min<std::uint64_t>(limits::kUbiPebSizeProbes, (avail - kHeaderBytes) / p);
    std::uint64_t with_magic = 0;
    for (std::uint64_t k = 1; k <= positions; ++k) {
      EcHeader ec = read_ec(src, base + k * p);
      if (ec.state == HeaderState::kOk || ec.state == HeaderState::kBadCrc) ++with_magic;
    }
    if (with_magic * 2 > positions) return p;
  }
  return std::nullopt;
}

/// One PEB that holds a LEB of a volume.
struct PebRecord {
  std::uint64_t peb = 0;
  VidHeader vid;
};

/// A LEB of a volume as the volume source reads it.
struct MappedLeb {
  std::uint32_t lnum = 0;
  std::uint64_t data_at = 0;  ///< absolute offset of the LEB's first byte in the image
  std::uint32_t bytes = 0;    ///< bytes of the LEB that hold data (static: data_size)
};

/// A volume's bytes: its LEBs in order, read in place from the PEBs that hold them; an unmapped
/// LEB (and anything past the end of a cut image) reads as erased flash, 0xFF.
class UbiVolumeSource final : public ByteSource {
 public:
  UbiVolumeSource(ByteSourcePtr base, std::uint64_t leb_size, std::uint64_t size, std::vector<MappedLeb> lebs,
                  std::string name)
      : base_(std::move(base)), leb_size_(leb_size), size_(size), lebs_(std::move(lebs)), name_(std::move(name)) {}
  std::uint64_t size() const override { return size_; }
  std::string describe() const override { return fmt::format("{} (ubi volume {})", base_->describe(), name_); }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) const override {
    if (offset >= size_) return std::size_t{0};
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - offset));
    std::size_t done = 0;
    while (done < want) {
      const std::uint64_t at = offset + done;
      const std::uint64_t lnum = at / leb_size_;
      const std::uint64_t within = at % leb_size_;
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(want - done, leb_size_ - within));
      auto dst = out.subspan(done, n);
      auto it = std::lower_bound(lebs_.begin(), lebs_.end(), lnum,
                                 [](const MappedLeb& l, std::uint64_t v) { return l.lnum < v; });
      std::size_t got = 0;
      if (it != lebs_.end() && it->lnum == lnum && within < it->bytes) {
        const std::size_t avail = static_cast<std::size_t>(std::min<std::uint64_t>(n, it->bytes - within));
        auto r = base_->read_at(it->data_at + within, dst.first(avail));
        if (!r) return r.error();
        got = *r;
      }
      if (got < n) std::memset(dst.data() + got, 0xFF, n - got);
      done += n;
    }
    return done;
  }

 private:
  ByteSourcePtr base_;
  std::uint64_t leb_size_;
  std::uint64_t size_;
  std::vector<MappedLeb> lebs_;
  std::string name_;
};

/// One record of the volume table.
struct VolumeRecord {
  std::uint32_t id = 0;
  std::uint32_t reserved_pebs = 0;
  std::uint32_t data_pad = 0;
  std::uint8_t vol_type = 0;
  std::uint8_t upd_marker = 0;
  std::string name;
};

/// Collects warnings about PEBs: the first few individually, then a count.
class DamageLog {
 public:
  DamageLog(std::vector<Diagnostic>& diagnostics, bool& partial) : diagnostics_(diagnostics), partial_(partial) {}
  void add(std::string message) {
    partial_ = true;
    if (++count_ <= limits::kMaxUbiWarnings) diagnostics_.push_back({Diagnostic::Level::kWarning, "/", message});
  }
  void finish() {
    if (count_ > limits::kMaxUbiWarnings) {
      diagnostics_.push_back({Diagnostic::Level::kWarning, "/",
                              fmt::format("{} more damaged PEBs not listed", count_ - limits::kMaxUbiWarnings)});
    }
  }

 private:
  std::vector<Diagnostic>& diagnostics_;
  bool& partial_;
  std::size_t count_ = 0;
};

class UbiReader {
 public:
  UbiReader(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial)
      : src_(std::move(src)), diagnostics_(diagnostics), partial_(partial), damage_(diagnostics, partial) {}

  Result<std::shared_ptr<Vfs>> open() {
    const std::string where = src_->describe();
    first_ = read_ec(*src_, 0);
    if (first_.state != HeaderState::kOk) {
      return make_error(ErrorCode::kCorrupt, "the first UBI erase-counter header is damaged", where);
    }
    if (first_.version != 1) {
      return make_error(ErrorCode::kUnsupported, fmt::format("UBI version {} is unknown", first_.version), where);
    }
    if (first_.vid_offset < kHeaderBytes || first_.data_offset < first_.vid_offset + kHeaderBytes) {
      return make_error(ErrorCode::kCorrupt,
                        fmt::format("UBI header offsets are invalid (VID header at {}, data at {})", first_.vid_offset,
                                    first_.data_offset),
                        where);
    }
    auto peb = find_peb_size(*src_, 0, first_);
    if (!peb) {
      return make_error(ErrorCode::kCorrupt,
                        "no PEB size: fewer than half of the positions after the first UBI erase-counter header "
                        "hold another at any power-of-two spacing",
                        where);
    }
    peb_ = *peb;
    leb_bytes_ = peb_ - first_.data_offset;
    scan_pebs();
    resolve_duplicates();
    auto table = read_volume_table();
    auto parts = std::make_shared<PartsVfs>("ubi");
    build_volumes(*parts, table);
    damage_.finish();
    if (parts->part_count() == 0) {
      return make_error(ErrorCode::kCorrupt, "the UBI image holds no readable volume", where);
    }
    return std::shared_ptr<Vfs>(parts);
  }

 private:
  void warn(std::string message) {
    diagnostics_.push_back({Diagnostic::Level::kWarning, "/", std::move(message)});
    partial_ = true;
  }

  void scan_pebs() {
    const std::uint64_t size = src_->size();
    std::uint64_t count = (size + peb_ - 1) / peb_;
    if (size % peb_ != 0) {
      warn(fmt::format("the image ends {} bytes into PEB {} of {} bytes (truncated)", size % peb_, count - 1, peb_));
    }
    if (count > limits::kMaxUbiPebs) {
      warn(fmt::format("{} PEBs; only the first {} are read", count, limits::kMaxUbiPebs));
      count = limits::kMaxUbiPebs;
    }
    std::array<std::byte, kHeaderBytes> h{};
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::uint64_t at = i * peb_;
      if (!read_exact(*src_, at, h)) {
        damage_.add(fmt::format("PEB {}: erase-counter header cut off by the end of the image", i));
        continue;
      }
      EcHeader ec = parse_ec(h);
      if (ec.state == HeaderState::kErased) continue;  // never written
      if (ec.state != HeaderState::kOk) {
        damage_.add(fmt::format("PEB {}: erase-counter header {}; skipped", i,
                                ec.state == HeaderState::kBadCrc ? "CRC mismatch" : "magic missing"));
        continue;
      }
      if (ec.vid_offset != first_.vid_offset || ec.data_offset != first_.data_offset) {
        damage_.add(fmt::format("PEB {}: header offsets differ from the first PEB's; skipped", i));
        continue;
      }
      if (ec.image_seq != first_.image_seq) {
        damage_.add(fmt::format("PEB {}: image sequence {:#x} differs from the image's {:#x}; skipped", i, ec.image_seq,
                                first_.image_seq));
        continue;
      }
      if (!read_exact(*src_, at + first_.vid_offset, h)) {
        damage_.add(fmt::format("PEB {}: volume header cut off by the end of the image", i));
        continue;
      }
      VidHeader vid = parse_vid(h);
      if (vid.state == HeaderState::kErased) continue;  // free PEB
      if (vid.state != HeaderState::kOk) {
        damage_.add(fmt::format("PEB {}: volume header {}; its LEB is not read", i,
                                vid.state == HeaderState::kBadCrc ? "CRC mismatch" : "magic missing"));
        continue;
      }
      if (vid.vol_id > kLayoutVolumeId && vid.vol_id <= kInternalVolumesEnd) continue;  // fastmap: a scan ignores it
      if (vid.vol_id != kLayoutVolumeId && vid.vol_id >= limits::kMaxUbiVolumes) {
        damage_.add(fmt::format("PEB {}: volume id {} out of range; skipped", i, vid.vol_id));
        continue;
      }
      if (vid.lnum >= limits::kMaxUbiPebs || vid.data_pad >= leb_bytes_) {
        damage_.add(
            fmt::format("PEB {}: LEB number {} or padding {} out of range; skipped", i, vid.lnum, vid.data_pad));
        continue;
      }
      records_.push_back({i, vid});
    }
  }

  /// True when the data CRC of a copied LEB matches its `data_size` bytes.
  bool data_crc_ok(const PebRecord& rec) const {
    const std::uint64_t size = std::min<std::uint64_t>(rec.vid.data_size, leb_bytes_);
    std::vector<std::byte> buf(std::min<std::uint64_t>(size, 64 * 1024));
    uLong z = crc32(0, nullptr, 0);
    for (std::uint64_t done = 0; done < size;) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size - done));
      if (!read_exact(*src_, rec.peb * peb_ + first_.data_offset + done, std::span(buf).first(n))) return false;
      z = crc32(z, reinterpret_cast<const Bytef*>(buf.data()), static_cast<uInt>(n));
      done += n;
    }
    return static_cast<std::uint32_t>(~z) == rec.vid.data_crc;
  }

  /// Keeps one PEB per (volume, LEB): the newest, unless it is a copy whose data CRC fails.
  void resolve_duplicates() {
    std::sort(records_.begin(), records_.end(), [](const PebRecord& a, const PebRecord& b) {
      if (a.vid.vol_id != b.vid.vol_id) return a.vid.vol_id < b.vid.vol_id;
      if (a.vid.lnum != b.vid.lnum) return a.vid.lnum < b.vid.lnum;
      return a.vid.sqnum > b.vid.sqnum;
    });
    std::vector<PebRecord> kept;
    for (std::size_t i = 0; i < records_.size();) {
      std::size_t j = i;
      while (j < records_.size() && records_[j].vid.vol_id == records_[i].vid.vol_id &&
             records_[j].vid.lnum == records_[i].vid.lnum) {
        ++j;
      }
      std::size_t pick = i;
      if (j - i > 1) {
        pick = j;
        for (std::size_t k = i; k < j && pick == j; ++k) {
          if (!records_[k].vid.copy_flag || data_crc_ok(records_[k])) pick = k;
        }
        if (pick == j) {
          damage_.add(fmt::format("volume {} LEB {}: every copy fails its data CRC; the newest is read",
                                  records_[i].vid.vol_id, records_[i].vid.lnum));
          pick = i;
        }
      }
      kept.push_back(records_[pick]);
      i = j;
    }
    records_ = std::move(kept);
  }

  const PebRecord* find(std::uint32_t vol_id, std::uint32_t lnum) const {
    auto it = std::lower_bound(records_.begin(), records_.end(), std::pair{vol_id, lnum},
                               [](const PebRecord& r, std::pair<std::uint32_t, std::uint32_t> k) {
                                 return std::pair{r.vid.vol_id, r.vid.lnum} < k;
                               });
    if (it == records_.end() || it->vid.vol_id != vol_id || it->vid.lnum != lnum) return nullptr;
    return &*it;
  }

  /// The volume table from the layout volume (record by record, LEB 0's copy unless its record
  /// is damaged); nullopt when neither copy can be read.
  std::optional<std::vector<VolumeRecord>> read_volume_table() {
    const std::size_t records = std::min<std::size_t>(limits::kMaxUbiVolumes, leb_bytes_ / kVtblRecordBytes);
    std::array<std::vector<std::byte>, 2> copies;
    for (std::uint32_t l = 0; l < 2; ++l) {
      const PebRecord* rec = find(kLayoutVolumeId, l);
      if (!rec) continue;
      copies[l].resize(records * kVtblRecordBytes);
      if (!read_exact(*src_, rec->peb * peb_ + first_.data_offset, copies[l])) copies[l].clear();
    }
    if (copies[0].empty() && copies[1].empty()) {
      warn("the UBI volume table (layout volume) is missing; volumes are named by their id");
      return std::nullopt;
    }
    if (copies[0].empty() || copies[1].empty()) warn("one of the two copies of the UBI volume table is missing");
    std::vector<VolumeRecord> table;
    for (std::size_t i = 0; i < records; ++i) {
      std::optional<VolumeRecord> got;
      for (const auto& copy : copies) {
        if (copy.empty() || got) continue;
        got = parse_record(std::span(copy).subspan(i * kVtblRecordBytes, kVtblRecordBytes));
      }
      if (!got) {
        warn(fmt::format("UBI volume table record {} is damaged in every copy", i));
        continue;
      }
      if (got->reserved_pebs == 0) continue;  // empty slot
      got->id = static_cast<std::uint32_t>(i);
      table.push_back(std::move(*got));
    }
    return table;
  }

  std::optional<VolumeRecord> parse_record(std::span<const std::byte> b) const {
    core::ByteReader r(b, core::Endian::kBig);
    r.seek(168);
    if (ubi_crc32(b.first(168)) != r.u32().value_or(0)) return std::nullopt;
    r.seek(0);
    VolumeRecord v;
    v.reserved_pebs = r.u32().value_or(0);
    r.skip(4);  // alignment
    v.data_pad = r.u32().value_or(0);
    v.vol_type = r.u8().value_or(0);
    v.upd_marker = r.u8().value_or(0);
    const std::uint16_t name_len = r.u16().value_or(0);
    if (v.reserved_pebs == 0) return v;
    if (name_len > 127 || v.data_pad >= leb_bytes_ || (v.vol_type != kDynamic && v.vol_type != kStatic)) {
      return std::nullopt;
    }
    auto name = r.bytes(name_len);
    if (name) v.name.assign(reinterpret_cast<const char*>(name->data()), name->size());
    return v;
  }

  /// A file name for a volume: printable ASCII without '/', never empty, "." or "..".
  static std::string sanitise(const std::string& name, std::uint32_t id) {
    std::string out;
    for (char c : name) {
      const auto u = static_cast<unsigned char>(c);
      out += (u < 0x20 || u >= 0x7F || c == '/') ? '_' : c;
    }
    if (out.empty() || out == "." || out == "..") out = fmt::format("volume-{}", id);
    return out;
  }

  void build_volumes(PartsVfs& parts, const std::optional<std::vector<VolumeRecord>>& table) {
    std::vector<VolumeRecord> volumes;
    if (table) {
      volumes = *table;
    } else {
      // No table: every user volume seen in VID headers, sized by its highest LEB.
      std::map<std::uint32_t, VolumeRecord> seen;
      for (const auto& r : records_) {
        if (r.vid.vol_id == kLayoutVolumeId) continue;
        auto& v = seen[r.vid.vol_id];
        v.id = r.vid.vol_id;
        v.vol_type = r.vid.vol_type == kStatic ? kStatic : kDynamic;
        v.data_pad = r.vid.data_pad;
        v.reserved_pebs = std::max(v.reserved_pebs, r.vid.lnum + 1);
      }
      for (auto& [id, v] : seen) volumes.push_back(std::move(v));
    }
    std::set<std::uint32_t> listed;
    for (const auto& v : volumes) listed.insert(v.id);
    std::set<std::uint32_t> orphans;
    for (const auto& r : records_) {
      if (r.vid.vol_id != kLayoutVolumeId && !listed.count(r.vid.vol_id)) orphans.insert(r.vid.vol_id);
    }
    for (std::uint32_t id : orphans) {
      warn(fmt::format("PEBs of volume id {}, which the volume table does not list, are ignored", id));
    }
    for (const auto& v : volumes) add_volume(parts, v);
  }

  void add_volume(PartsVfs& parts, const VolumeRecord& v) {
    std::string name = sanitise(v.name, v.id);
    const std::string shown = v.name.empty() ? name : v.name;
    const std::uint64_t leb_size = leb_bytes_ - v.data_pad;
    if (v.reserved_pebs > limits::kMaxUbiPebs) {
      warn(fmt::format("volume {}: {} reserved PEBs is beyond the limit; not read", shown, v.reserved_pebs));
      return;
    }
    if (v.upd_marker) warn(fmt::format("volume {}: an update was interrupted; its content may be incomplete", shown));
    std::vector<MappedLeb> lebs;
    std::uint32_t used_ebs = 0;
    std::uint64_t last_bytes = leb_size;
    auto first = std::lower_bound(records_.begin(), records_.end(), v.id,
                                  [](const PebRecord& r, std::uint32_t id) { return r.vid.vol_id < id; });
    for (auto it = first; it != records_.end() && it->vid.vol_id == v.id; ++it) {
      const VidHeader& vid = it->vid;
      if (vid.lnum >= v.reserved_pebs) {
        damage_.add(fmt::format("volume {}: LEB {} lies beyond its {} reserved PEBs; ignored", shown, vid.lnum,
                                v.reserved_pebs));
        continue;
      }
      std::uint64_t bytes = leb_size;
      if (v.vol_type == kStatic) {
        if (vid.data_size > leb_size) {
          damage_.add(
              fmt::format("volume {}: LEB {} claims {} data bytes, more than a LEB", shown, vid.lnum, vid.data_size));
        } else {
          bytes = vid.data_size;
        }
        if (vid.lnum == 0 || used_ebs == 0) used_ebs = vid.used_ebs;
      }
      lebs.push_back({vid.lnum, it->peb * peb_ + first_.data_offset, static_cast<std::uint32_t>(bytes)});
    }
    std::uint64_t size = static_cast<std::uint64_t>(v.reserved_pebs) * leb_size;
    if (v.vol_type == kStatic) {
      if (used_ebs > v.reserved_pebs) {
        warn(fmt::format("volume {}: {} used LEBs claimed, {} reserved", shown, used_ebs, v.reserved_pebs));
        used_ebs = v.reserved_pebs;
      }
      std::size_t present = 0;
      for (const auto& l : lebs) {
        if (l.lnum < used_ebs) ++present;
        if (used_ebs && l.lnum == used_ebs - 1) last_bytes = l.bytes;
      }
      if (present < used_ebs) {
        warn(fmt::format("static volume {}: {} of its {} LEBs are missing; read as erased flash", shown,
                         used_ebs - present, used_ebs));
      }
      size = used_ebs == 0 ? 0 : static_cast<std::uint64_t>(used_ebs - 1) * leb_size + last_bytes;
      lebs.erase(std::remove_if(lebs.begin(), lebs.end(), [&](const MappedLeb& l) { return l.lnum >= used_ebs; }),
                 lebs.end());
    }
    if (size == 0) {
      diagnostics_.push_back({Diagnostic::Level::kNote, "/" + name, "empty UBI volume; not listed"});
      return;
    }
    auto source = std::make_shared<UbiVolumeSource>(src_, leb_size, size, std::move(lebs), shown);
    if (!parts.add("/" + name, source)) {
      // Two volumes of one name: the later one is told apart by its id.
      (void)parts.add(fmt::format("/{}-vol{}", name, v.id), source);
    }
  }

  ByteSourcePtr src_;
  std::vector<Diagnostic>& diagnostics_;
  bool& partial_;
  DamageLog damage_;
  EcHeader first_;
  std::uint64_t peb_ = 0;
  std::uint64_t leb_bytes_ = 0;  ///< PEB size less the data offset (before a volume's padding)
  std::vector<PebRecord> records_;
};

}  // namespace

std::uint32_t ubi_crc32(std::span<const std::byte> data) {
  uLong z = crc32(0, nullptr, 0);
  // zlib takes 32-bit lengths; every caller's buffer is far smaller.
  z = crc32(z, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
  return static_cast<std::uint32_t>(~z);
}

bool is_ubi(std::span<const std::byte> head) {
  return head.size() >= kHeaderBytes && core::ByteReader(head, core::Endian::kBig).u32().value_or(0) == kEcMagic &&
         head[4] == std::byte{1};
}

bool is_ubifs(std::span<const std::byte> head) {
  return head.size() >= 24 && core::ByteReader(head).u32().value_or(0) == 0x06101831u && head[20] == std::byte{6};
}

std::optional<UbiExtent> ubi_extent(const ByteSource& src, std::uint64_t offset) {
  EcHeader first = read_ec(src, offset);
  if (first.state != HeaderState::kOk || first.version != 1) return std::nullopt;
  auto peb = find_peb_size(src, offset, first);
  if (!peb) return std::nullopt;
  std::uint64_t count = 0;
  std::array<std::byte, 4> magic{};
  while (count < limits::kMaxUbiPebs) {
    auto at = core::checked_add(offset, count * *peb);
    if (!at || !read_exact(src, *at, magic)) break;
    if (core::ByteReader(magic, core::Endian::kBig).u32().value_or(0) != kEcMagic) break;
    ++count;
  }
  return UbiExtent{*peb, std::min(count * *peb, src.size() - offset)};
}

Result<std::shared_ptr<Vfs>> open_ubi(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial) {
  UbiReader reader(std::move(src), diagnostics, partial);
  return reader.open();
}

}  // namespace fwcert::vfs
