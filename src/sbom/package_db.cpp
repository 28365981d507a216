#include "sbom/package_db.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include "core/byte_reader.hpp"
#include "core/checked.hpp"
#include "core/limits.hpp"
#include "sbom/sbom_limits.hpp"

namespace fwcert::sbom {

namespace {

using text::trim;

/// Records damage one line at a time up to limits::kMaxDamageDiagnostics, then says once that
/// there is more: a garbage file of a million lines must not make a million diagnostics.
void note(std::vector<text::LineDiagnostic>& diags, std::size_t line, std::string message) {
  if (diags.size() < limits::kMaxDamageDiagnostics) {
    diags.push_back({line, std::move(message)});
  } else if (diags.size() == limits::kMaxDamageDiagnostics) {
    diags.push_back({line, "more damaged lines; only the first were reported"});
  }
}

/// A field value within limits::kMaxPackageFieldBytes; a longer one is cut and reported.
std::string bounded(std::string_view value, std::size_t line, std::vector<text::LineDiagnostic>& diags) {
  if (value.size() > limits::kMaxPackageFieldBytes) {
    note(diags, line, fmt::format("field longer than {} bytes; cut", limits::kMaxPackageFieldBytes));
    value = value.substr(0, limits::kMaxPackageFieldBytes);
  }
  return std::string(value);
}

/// Appends `rec` unless the database already holds limits::kMaxPackagesPerDb packages.
bool keep(ParsedDb& db, PackageRecord&& rec) {
  if (db.packages.size() >= limits::kMaxPackagesPerDb) {
    if (db.packages.size() == limits::kMaxPackagesPerDb) {
      note(db.diagnostics, rec.line,
           fmt::format("more than {} packages; the rest were not read", limits::kMaxPackagesPerDb));
    }
    return false;
  }
  db.packages.push_back(std::move(rec));
  return true;
}

void add_file(PackageRecord& rec, std::string path) {
  if (rec.files.size() >= limits::kMaxFilesPerPackage) {
    ++rec.files_dropped;
    return;
  }
  rec.files.push_back(std::move(path));
}

}  // namespace

std::pair<std::string, std::string> split_dpkg_source(std::string_view value) {
  value = trim(value);
  auto paren = value.find('(');
  if (paren == std::string_view::npos) return {std::string(value), {}};
  std::string_view name = trim(value.substr(0, paren));
  std::string_view ver = value.substr(paren + 1);
  auto close = ver.find(')');
  if (close != std::string_view::npos) ver = ver.substr(0, close);
  return {std::string(name), std::string(trim(ver))};
}

ParsedDb parse_dpkg_status(std::string_view text) {
  ParsedDb db;
  PackageRecord cur;
  bool installed = true, in_stanza = false;
  std::size_t stanza_line = 0;
  auto flush = [&] {
    if (in_stanza && cur.name.empty()) note(db.diagnostics, stanza_line, "stanza without a Package field");
    if (!cur.name.empty() && installed) keep(db, std::move(cur));
    cur = {};
    installed = true;
    in_stanza = false;
  };
  std::size_t last = 0;
  for (auto [n, line] : text::lines(text, limits::kMaxPackageDbLines)) {
    last = n;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) {
      flush();
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (!in_stanza) note(db.diagnostics, n, "continuation line outside a stanza");
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      note(db.diagnostics, n, "not a \"Field: value\" line");
      continue;
    }
    if (!in_stanza) stanza_line = n;
    in_stanza = true;
    std::string_view field = line.substr(0, colon), value = trim(line.substr(colon + 1));
    if (field == "Package") {
      if (!cur.name.empty()) flush(), in_stanza = true, stanza_line = n;
      cur.name = bounded(value, n, db.diagnostics);
      cur.line = n;
    } else if (field == "Version") {
      cur.version = bounded(value, n, db.diagnostics);
    } else if (field == "Architecture") {
      cur.arch = bounded(value, n, db.diagnostics);
    } else if (field == "Source") {
      auto [name, ver] = split_dpkg_source(value);
      cur.source_name = bounded(name, n, db.diagnostics);
      cur.source_version = bounded(ver, n, db.diagnostics);
    } else if (field == "Maintainer") {
      cur.supplier = bounded(value, n, db.diagnostics);
    } else if (field == "License") {  // opkg
      cur.license = bounded(value, n, db.diagnostics);
    } else if (field == "Status") {
      installed = value.ends_with(" installed");
    }
  }
  if (last >= limits::kMaxPackageDbLines) {
    note(db.diagnostics, 0, fmt::format("more than {} lines; the rest was not read", limits::kMaxPackageDbLines));
  }
  flush();
  return db;
}

ParsedDb parse_apk_installed(std::string_view text) {
  ParsedDb db;
  PackageRecord cur;
  std::string dir;
  auto flush = [&] {
    if (!cur.name.empty()) keep(db, std::move(cur));
    cur = {};
    dir.clear();
  };
  for (auto [n, line] : text::lines(text, limits::kMaxPackageDbLines)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      flush();
      continue;
    }
    if (line.size() < 2 || line[1] != ':') {
      note(db.diagnostics, n, "not an \"X:value\" line");
      continue;
    }
    const char key = line[0];
    std::string_view value = line.substr(2);
    switch (key) {
      case 'P':
        flush();
        cur.name = bounded(value, n, db.diagnostics);
        cur.line = n;
        break;
      case 'V':
        cur.version = bounded(value, n, db.diagnostics);
        break;
      case 'A':
        cur.arch = bounded(value, n, db.diagnostics);
        break;
      case 'L':
        cur.license = bounded(value, n, db.diagnostics);
        break;
      case 'o':
        cur.source_name = bounded(value, n, db.diagnostics);
        break;
      case 'm':
        cur.supplier = bounded(value, n, db.diagnostics);
        break;
      case 'F':
        dir = bounded(value, n, db.diagnostics);
        break;
      case 'R':
        if (cur.name.empty()) {
          note(db.diagnostics, n, "file line before any P: line");
        } else if (value.empty() || value.find('/') != std::string_view::npos) {
          note(db.diagnostics, n, "R: is not a file name");
        } else {
          add_file(cur, dir.empty() ? fmt::format("/{}", value) : fmt::format("/{}/{}", dir, value));
        }
        break;
      default:
        break;  // checksums, sizes, dependencies: not part of a component
    }
  }
  flush();
  return db;
}

std::vector<std::string> parse_file_list(std::string_view text, std::size_t& dropped) {
  std::vector<std::string> out;
  dropped = 0;
  for (auto [n, line] : text::lines(text, limits::kMaxPackageDbLines)) {
    (void)n;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() != '/' || line.size() > limits::kMaxPathLength) continue;
    if (out.size() >= limits::kMaxFilesPerPackage) {
      ++dropped;
      continue;
    }
    out.emplace_back(line);
  }
  return out;
}

std::pair<std::string, std::string> split_source_rpm(std::string_view value) {
  // NAME-VERSION-RELEASE.src.rpm (or .nosrc.rpm): the name may hold dashes, version and
  // release may not.
  for (std::string_view suffix : {".src.rpm", ".nosrc.rpm"}) {
    if (value.ends_with(suffix)) {
      value.remove_suffix(suffix.size());
      auto r = value.rfind('-');
      if (r == std::string_view::npos || r == 0) return {};
      auto v = value.rfind('-', r - 1);
      if (v == std::string_view::npos || v == 0) return {};
      return {std::string(value.substr(0, v)), std::string(value.substr(v + 1))};
    }
  }
  return {};
}

namespace {

// rpm header tags and types (rpmtag.h): the values are part of the on-disk format.
constexpr std::uint32_t kTagName = 1000, kTagVersion = 1001, kTagRelease = 1002, kTagEpoch = 1003, kTagVendor = 1011,
                        kTagLicense = 1014, kTagPackager = 1015, kTagArch = 1022, kTagOldFilenames = 1027,
                        kTagSourceRpm = 1044, kTagDirIndexes = 1116, kTagBasenames = 1117, kTagDirNames = 1118;
constexpr std::uint32_t kTypeInt32 = 4, kTypeString = 6, kTypeStringArray = 8, kTypeI18nString = 9;

struct IndexEntry {
  std::uint32_t tag = 0, type = 0, offset = 0, count = 0;
};

class HeaderData {
 public:
  explicit HeaderData(std::span<const std::byte> data) : reader_(data, core::Endian::kBig), size_(data.size()) {}

  /// The strings of a STRING, STRING_ARRAY or I18NSTRING entry, at most `max` of them.
  std::optional<std::vector<std::string>> strings(const IndexEntry& e, std::size_t max) const {
    if (e.type != kTypeString && e.type != kTypeStringArray && e.type != kTypeI18nString) return std::nullopt;
    std::size_t count = e.type == kTypeString ? 1 : e.count;
    if (count > size_) return std::nullopt;  // each string takes at least its NUL
    std::vector<std::string> out;
    std::uint64_t pos = e.offset;
    for (std::size_t i = 0; i < count && out.size() < max; ++i) {
      auto s = reader_.cstring_at(pos, limits::kMaxPathLength + 1);
      if (!s) return std::nullopt;
      out.emplace_back(*s);
      pos += s->size() + 1;
    }
    return out;
  }

  std::optional<std::vector<std::uint32_t>> int32s(const IndexEntry& e, std::size_t max) const {
    if (e.type != kTypeInt32) return std::nullopt;
    if (!core::in_bounds(e.offset, std::uint64_t{e.count} * 4, size_) || e.count > max) return std::nullopt;
    std::vector<std::uint32_t> out;
    core::ByteReader r = reader_;
    if (!r.seek(e.offset)) return std::nullopt;
    for (std::uint32_t i = 0; i < e.count; ++i) {
      auto v = r.u32();
      if (!v) return std::nullopt;
      out.push_back(*v);
    }
    return out;
  }

 private:
  core::ByteReader reader_;
  std::size_t size_;
};

}  // namespace

std::optional<RpmHeader> parse_rpm_header(std::span<const std::byte> blob, std::string& why) {
  static constexpr unsigned char kMagic[] = {0x8e, 0xad, 0xe8, 0x01};
  if (blob.size() > limits::kMaxRpmHeaderBytes) {
    why = fmt::format("header larger than {} bytes", limits::kMaxRpmHeaderBytes);
    return std::nullopt;
  }
  if (blob.size() >= 8 && std::memcmp(blob.data(), kMagic, sizeof kMagic) == 0) blob = blob.subspan(8);
  core::ByteReader r(blob, core::Endian::kBig);
  auto il = r.u32(), dl = r.u32();
  if (!il || !dl) {
    why = "header shorter than its counts";
    return std::nullopt;
  }
  if (*il == 0 || *il > limits::kMaxRpmHeaderEntries) {
    why = fmt::format("header claims {} index entries", *il);
    return std::nullopt;
  }
  const std::uint64_t index_bytes = std::uint64_t{*il} * 16;
  if (!core::in_bounds(8, index_bytes + *dl, blob.size())) {
    why = fmt::format("header of {} entries and {} data bytes does not fit in {} bytes", *il, *dl, blob.size());
    return std::nullopt;
  }
  std::vector<IndexEntry> entries;
  entries.reserve(*il);
  for (std::uint32_t i = 0; i < *il; ++i) {
    IndexEntry e;
    e.tag = *r.u32();
    e.type = *r.u32();
    e.offset = *r.u32();
    e.count = *r.u32();
    entries.push_back(e);
  }
  HeaderData data(blob.subspan(static_cast<std::size_t>(8 + index_bytes), *dl));

  RpmHeader h;
  std::vector<std::string> basenames, dirnames, oldfiles;
  std::vector<std::uint32_t> dirindexes;
  auto one = [&](const IndexEntry& e, std::string& out) {
    auto s = data.strings(e, 1);
    if (!s || s->empty()) {
      h.problems.push_back(fmt::format("tag {} is not a readable string", e.tag));
      return;
    }
    out = s->front().substr(0, limits::kMaxPackageFieldBytes);
  };
  auto many = [&](const IndexEntry& e, std::vector<std::string>& out) {
    auto s = data.strings(e, limits::kMaxFilesPerPackage);
    if (!s) {
      h.problems.push_back(fmt::format("tag {} is not a readable string array", e.tag));
      return;
    }
    out = std::move(*s);
  };
  std::string vendor, packager, sourcerpm;
  for (const auto& e : entries) {
    switch (e.tag) {
      case kTagName:
        one(e, h.record.name);
        break;
      case kTagVersion:
        one(e, h.version);
        break;
      case kTagRelease:
        one(e, h.release);
        break;
      case kTagArch:
        one(e, h.record.arch);
        break;
      case kTagLicense:
        one(e, h.record.license);
        break;
      case kTagVendor:
        one(e, vendor);
        break;
      case kTagPackager:
        one(e, packager);
        break;
      case kTagSourceRpm:
        one(e, sourcerpm);
        break;
      case kTagEpoch: {
        auto v = data.int32s(e, 1);
        if (v && !v->empty()) {
          h.epoch = std::to_string(v->front());
        } else {
          h.problems.push_back("EPOCH is not one integer");
        }
        break;
      }
      case kTagBasenames:
        many(e, basenames);
        break;
      case kTagDirNames:
        many(e, dirnames);
        break;
      case kTagOldFilenames:
        many(e, oldfiles);
        break;
      case kTagDirIndexes: {
        auto v = data.int32s(e, limits::kMaxFilesPerPackage);
        if (v) {
          dirindexes = std::move(*v);
        } else {
          h.problems.push_back("DIRINDEXES is not a readable integer array");
        }
        break;
      }
      default:
        break;
    }
  }
  if (h.record.name.empty()) {
    why = "header has no NAME";
    return std::nullopt;
  }
  h.record.version = (h.epoch.empty() ? "" : h.epoch + ":") + h.version + (h.release.empty() ? "" : "-" + h.release);
  h.record.supplier = !vendor.empty() ? vendor : packager;
  std::tie(h.record.source_name, h.record.source_version) = split_source_rpm(sourcerpm);
  if (!basenames.empty()) {
    if (dirindexes.size() != basenames.size()) {
      h.problems.push_back(
          fmt::format("{} BASENAMES but {} DIRINDEXES; file names not read", basenames.size(), dirindexes.size()));
    } else {
      for (std::size_t i = 0; i < basenames.size(); ++i) {
        if (dirindexes[i] >= dirnames.size()) {
          h.problems.push_back(fmt::format("DIRINDEXES[{}] = {} names no directory", i, dirindexes[i]));
          break;
        }
        add_file(h.record, dirnames[dirindexes[i]] + basenames[i]);
      }
    }
  } else {
    for (auto& f : oldfiles) add_file(h.record, std::move(f));
  }
  return h;
}

}  // namespace fwcert::sbom
