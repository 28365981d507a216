#include "vulns/records.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/limits.hpp"
#include "core/text.hpp"
#include "vulns/limits.hpp"

namespace fwcert::vulns {

namespace {

using Json = nlohmann::json;

Error damaged(const std::string& name, std::string message) {
  return make_error(ErrorCode::kCorrupt, std::move(message), name);
}

/// A string member of an object, "" when absent or of another type, cut at the field limit.
std::string str(const Json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  const auto& s = it->get_ref<const std::string&>();
  return s.size() > limits::kMaxVulnFieldBytes ? s.substr(0, limits::kMaxVulnFieldBytes) : s;
}

/// An array member, or an empty array when absent or of another type.
const Json& arr(const Json& j, const char* key) {
  static const Json kEmpty = Json::array();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}

const Json& obj(const Json& j, const char* key) {
  static const Json kEmpty = Json::object();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}

std::string lower_field(std::string s) { return text::lower(s); }

std::string first_line(std::string_view s) {
  s = text::trim_space(s);
  if (auto nl = s.find('\n'); nl != std::string_view::npos) s = s.substr(0, nl);
  if (s.size() > limits::kMaxVulnSummaryBytes) s = s.substr(0, limits::kMaxVulnSummaryBytes);
  return std::string(text::trim_space(s));
}

bool is_cve_id(std::string_view s) { return s.starts_with("CVE-") && s.size() >= 9; }

/// The CVE id inside a distribution's record id ("UBUNTU-CVE-2023-28450", "DEBIAN-CVE-2024-1"), or "".
std::string cve_in_id(std::string_view id) {
  auto p = id.find("CVE-");
  if (p == std::string_view::npos || p == 0 || id[p - 1] != '-') return {};
  return std::string(id.substr(p));
}

Result<Json> parse_json(std::string_view text, const std::string& name) {
  if (text.size() > limits::kMaxVulnRecordBytes) {
    return make_error(ErrorCode::kLimitExceeded,
                      fmt::format("record larger than {} bytes", limits::kMaxVulnRecordBytes), name);
  }
  if (!json_depth_within(text, limits::kMaxVulnJsonDepth)) {
    return make_error(ErrorCode::kLimitExceeded,
                      fmt::format("JSON nested deeper than {} levels", limits::kMaxVulnJsonDepth), name);
  }
  Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return damaged(name, "not valid JSON");
  return j;
}

/// Adds the CVSS metrics of a CVE 5 `metrics[]` list.
void read_cve5_metrics(const Json& metrics, std::vector<CvssScore>& out) {
  for (const auto& m : metrics) {
    for (const auto& [key, version] : {std::pair{"cvssV4_0", "4.0"}, {"cvssV3_1", "3.1"}, {"cvssV3_0", "3.0"}}) {
      const Json& c = obj(m, key);
      auto it = c.find("baseScore");
      if (it == c.end() || !it->is_number()) continue;
      const double score = it->get<double>();
      if (!(score >= 0 && score <= 10)) continue;
      out.push_back({version, score, str(c, "vectorString")});
    }
  }
}

/// A CVE 5 version bound as a range bound: "0", "unspecified", "*", "n/a" and "" mean no bound.
std::string lower_bound(std::string v) {
  if (v == "0" || v == "unspecified" || v == "*" || v == "n/a" || v == "-") return {};
  return v;
}

Result<Ok> read_cve5_affected(const Json& list, Advisory& a, const std::string& name, std::size_t& budget) {
  for (const auto& e : list) {
    if (!e.is_object()) return damaged(name, "an affected entry is not an object");
    AffectedEntry entry;
    entry.vendor = lower_field(str(e, "vendor"));
    entry.package = lower_field(str(e, "product"));
    std::string pkg = lower_field(str(e, "packageName"));
    if (entry.package == "n/a") entry.package.clear();
    if (!pkg.empty() && pkg != entry.package) {
      if (entry.package.empty()) {
        entry.package = pkg;
      } else {
        entry.package_alt = pkg;
      }
    }
    entry.default_affected = str(e, "defaultStatus") == "affected";
    for (const auto& c : arr(e, "cpes")) {
      if (!c.is_string()) continue;
      if (auto vp = cpe_vendor_product(c.get_ref<const std::string&>()); !vp.empty()) entry.cpes.push_back(vp);
    }
    for (const auto& v : arr(e, "versions")) {
      if (!v.is_object()) return damaged(name, "a versions entry is not an object");
      if (budget-- == 0) {
        return make_error(ErrorCode::kLimitExceeded,
                          fmt::format("more than {} version ranges", limits::kMaxVulnRangesPerRecord), name);
      }
      const std::string type = str(v, "versionType");
      // Commit hashes and distribution builds cannot be ordered against an upstream version.
      if (type == "git" || type == "rpm") continue;
      const std::string status = str(v, "status");
      if (status != "affected" && status != "unaffected") continue;
      std::string version = str(v, "version");
      if (version.empty() || version == "n/a") continue;
      VersionRow row;
      row.unaffected = status == "unaffected";
      const std::string lt = str(v, "lessThan"), le = str(v, "lessThanOrEqual");
      if (!lt.empty() || !le.empty()) {
        row.introduced = lower_bound(version);
        row.fixed = lt;
        row.last_affected = lt.empty() ? le : std::string();
      } else {
        row.exact = version;
      }
      entry.rows.push_back(std::move(row));
    }
    // An entry that names no product or no usable version says nothing a version can be
    // matched against.
    if ((entry.package.empty() && entry.cpes.empty()) || entry.rows.empty()) continue;
    a.affected.push_back(std::move(entry));
  }
  return Ok{};
}

std::string osv_source(std::string_view ecosystem) {
  auto colon = ecosystem.find(':');
  return "osv:" + std::string(ecosystem.substr(0, colon));
}

}  // namespace

bool json_depth_within(std::string_view t, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

std::string cpe_vendor_product(std::string_view cpe) {
  std::string_view rest;
  if (cpe.starts_with("cpe:2.3:")) {
    rest = cpe.substr(8);
  } else if (cpe.starts_with("cpe:/")) {
    rest = cpe.substr(5);
  } else {
    return {};
  }
  // part:vendor:product, with backslash escapes in 2.3
  std::vector<std::string> fields(1);
  for (std::size_t i = 0; i < rest.size() && fields.size() <= 3; ++i) {
    if (rest[i] == '\\' && i + 1 < rest.size()) {
      fields.back() += rest[++i];
    } else if (rest[i] == ':') {
      fields.emplace_back();
    } else {
      fields.back() += rest[i];
    }
  }
  if (fields.size() < 3 || fields[1].empty() || fields[2].empty() || fields[1] == "*" || fields[2] == "*") return {};
  return text::lower(fields[1]) + ":" + text::lower(fields[2]);
}

std::optional<double> cvss3_base_score(std::string_view vector) {
  if (!vector.starts_with("CVSS:3.0/") && !vector.starts_with("CVSS:3.1/")) return std::nullopt;
  std::map<std::string, std::string, std::less<>> m;
  std::string_view rest = vector.substr(9);
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    auto colon = part.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    m[std::string(part.substr(0, colon))] = std::string(part.substr(colon + 1));
  }
  auto pick = [&](const char* key, std::initializer_list<std::pair<const char*, double>> values) -> double {
    auto it = m.find(key);
    if (it == m.end()) return -1;
    for (const auto& [k, v] : values) {
      if (it->second == k) return v;
    }
    return -1;
  };
  auto scope = m.find("S");
  if (scope == m.end() || (scope->second != "U" && scope->second != "C")) return std::nullopt;
  const bool changed = scope->second == "C";
  const double av = pick("AV", {{"N", 0.85}, {"A", 0.62}, {"L", 0.55}, {"P", 0.2}});
  const double ac = pick("AC", {{"L", 0.77}, {"H", 0.44}});
  const double pr = pick("PR", {{"N", 0.85}, {"L", changed ? 0.68 : 0.62}, {"H", changed ? 0.5 : 0.27}});
  const double ui = pick("UI", {{"N", 0.85}, {"R", 0.62}});
  const double c = pick("C", {{"H", 0.56}, {"L", 0.22}, {"N", 0}});
  const double i = pick("I", {{"H", 0.56}, {"L", 0.22}, {"N", 0}});
  const double a = pick("A", {{"H", 0.56}, {"L", 0.22}, {"N", 0}});
  if (av < 0 || ac < 0 || pr < 0 || ui < 0 || c < 0 || i < 0 || a < 0) return std::nullopt;
  const double iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
  const double exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0.0;
  const double raw =
      changed ? std::min(1.08 * (impact + exploitability), 10.0) : std::min(impact + exploitability, 10.0);
  // CVSS 3.1 Roundup: the smallest number with one decimal that is at least the input
  const auto scaled = static_cast<long long>(std::llround(raw * 100000));
  if (scaled % 10000 == 0) return static_cast<double>(scaled) / 100000.0;
  return (static_cast<double>(scaled / 10000) + 1) / 10.0;
}

Result<Advisory> parse_osv(std::string_view json_text, const std::string& name) {
  auto parsed = parse_json(json_text, name);
  if (!parsed) return parsed.error();
  const Json& j = *parsed;
  if (!j.is_object()) return damaged(name, "an OSV record must be a JSON object");
  Advisory a;
  a.kind = "osv";
  a.id = str(j, "id");
  if (a.id.empty()) return damaged(name, "OSV record without an `id`");
  a.modified = str(j, "modified");
  a.published = str(j, "published");
  a.withdrawn = !str(j, "withdrawn").empty();
  a.summary = first_line(str(j, "summary"));
  if (a.summary.empty()) a.summary = first_line(str(j, "details"));
  std::set<std::string> aliases;
  for (const char* key : {"aliases", "upstream"}) {
    for (const auto& x : arr(j, key)) {
      if (x.is_string()) aliases.insert(x.get<std::string>().substr(0, limits::kMaxVulnFieldBytes));
    }
  }
  // The CVE: an alias or upstream id, else the one inside a distribution's id, else the only CVE
  // Ubuntu lists under `related`.
  for (const auto& x : aliases) {
    if (is_cve_id(x)) {
      a.cve = x;
      break;
    }
  }
  if (a.cve.empty()) a.cve = cve_in_id(a.id);
  if (a.cve.empty()) {
    std::vector<std::string> related;
    for (const auto& x : arr(j, "related")) {
      if (x.is_string() && is_cve_id(x.get_ref<const std::string&>())) related.push_back(x.get<std::string>());
    }
    if (related.size() == 1) a.cve = related.front();
  }
  if (is_cve_id(a.id)) a.cve = a.id;
  if (!a.cve.empty() && a.cve != a.id) aliases.insert(a.cve);
  aliases.erase(a.id);
  a.aliases.assign(aliases.begin(), aliases.end());

  auto read_severity = [&](const Json& list) {
    for (const auto& s : list) {
      const std::string type = str(s, "type"), score = str(s, "score");
      if (type == "CVSS_V3") {
        if (auto v = cvss3_base_score(score)) a.cvss.push_back({score.substr(5, 3), *v, score});
      } else if (type == "CVSS_V4") {
        (void)score;  // no base score without the full CVSS 4 calculator; the vector alone is not kept
      }
    }
  };
  read_severity(arr(j, "severity"));
  std::vector<std::string> record_cpes;
  for (const auto& c : arr(obj(j, "database_specific"), "cpes")) {
    if (c.is_string()) {
      if (auto vp = cpe_vendor_product(c.get_ref<const std::string&>()); !vp.empty()) record_cpes.push_back(vp);
    }
  }
  std::size_t budget = limits::kMaxVulnRangesPerRecord;
  for (const auto& e : arr(j, "affected")) {
    if (!e.is_object()) return damaged(name, fmt::format("{}: an affected entry is not an object", a.id));
    const Json& pkg = obj(e, "package");
    AffectedEntry entry;
    entry.ecosystem = str(pkg, "ecosystem");
    entry.package = lower_field(str(pkg, "name"));
    if (entry.ecosystem.empty() || entry.package.empty()) continue;
    entry.scheme = scheme_for(entry.ecosystem);
    entry.cpes = record_cpes;
    read_severity(arr(e, "severity"));
    for (const auto& r : arr(e, "ranges")) {
      const std::string type = str(r, "type");
      if (type == "GIT") continue;  // commits, not versions
      if (type != "ECOSYSTEM" && type != "SEMVER") continue;
      const Scheme scheme = type == "SEMVER" ? Scheme::kGeneric : entry.scheme;
      if (type == "SEMVER") entry.scheme = scheme;
      std::optional<VersionRow> open;
      for (const auto& ev : arr(r, "events")) {
        if (!ev.is_object()) return damaged(name, fmt::format("{}: a range event is not an object", a.id));
        if (budget-- == 0) {
          return make_error(ErrorCode::kLimitExceeded,
                            fmt::format("{}: more than {} version ranges", a.id, limits::kMaxVulnRangesPerRecord),
                            name);
        }
        if (ev.contains("introduced")) {
          if (open) entry.rows.push_back(*open);
          open = VersionRow{};
          const std::string v = str(ev, "introduced");
          open->introduced = v == "0" ? std::string() : v;
        } else if (ev.contains("fixed") || ev.contains("last_affected")) {
          if (!open) open = VersionRow{};
          open->fixed = str(ev, "fixed");
          open->last_affected = str(ev, "last_affected");
          if (open->fixed.empty() && open->last_affected.empty()) {
            return damaged(name, fmt::format("{}: an empty fixed/last_affected event", a.id));
          }
          entry.rows.push_back(*open);
          open.reset();
        }
      }
      if (open) entry.rows.push_back(*open);  // introduced and never fixed: every later version
    }
    for (const auto& v : arr(e, "versions")) {
      if (!v.is_string()) continue;
      if (budget-- == 0) {
        return make_error(ErrorCode::kLimitExceeded,
                          fmt::format("{}: more than {} version ranges", a.id, limits::kMaxVulnRangesPerRecord), name);
      }
      VersionRow row;
      row.exact = v.get<std::string>().substr(0, limits::kMaxVulnFieldBytes);
      entry.rows.push_back(std::move(row));
    }
    if (entry.rows.empty()) continue;
    if (a.source.empty()) a.source = osv_source(entry.ecosystem);
    a.affected.push_back(std::move(entry));
  }
  if (a.source.empty()) a.source = "osv";
  return a;
}

Result<Advisory> parse_cve5(std::string_view json_text, const std::string& name) {
  auto parsed = parse_json(json_text, name);
  if (!parsed) return parsed.error();
  const Json& j = *parsed;
  if (!j.is_object()) return damaged(name, "a CVE record must be a JSON object");
  const Json& meta = obj(j, "cveMetadata");
  Advisory a;
  a.kind = "cve5";
  a.source = "cve5";
  a.id = str(meta, "cveId");
  if (!is_cve_id(a.id)) return damaged(name, "CVE record without a `cveMetadata.cveId`");
  a.cve = a.id;
  a.withdrawn = str(meta, "state") == "REJECTED";
  a.published = str(meta, "datePublished");
  a.modified = str(meta, "dateUpdated");
  const Json& containers = obj(j, "containers");
  if (!j.contains("containers") || !j["containers"].is_object()) {
    return damaged(name, fmt::format("{}: no `containers` object", a.id));
  }
  const Json& cna = obj(containers, "cna");
  for (const auto& d : arr(cna, "descriptions")) {
    if (str(d, "lang").starts_with("en")) {
      a.summary = first_line(str(d, "value"));
      break;
    }
  }
  std::size_t budget = limits::kMaxVulnRangesPerRecord;
  if (auto ok = read_cve5_affected(arr(cna, "affected"), a, name, budget); !ok) return ok.error();
  read_cve5_metrics(arr(cna, "metrics"), a.cvss);
  // ADP containers: CISA's "Vulnrichment" often carries the CVSS score, CPEs and ranges the CNA left out.
  for (const auto& adp : arr(containers, "adp")) {
    if (auto ok = read_cve5_affected(arr(adp, "affected"), a, name, budget); !ok) return ok.error();
    read_cve5_metrics(arr(adp, "metrics"), a.cvss);
  }
  return a;
}

Result<KevCatalog> parse_kev_json(std::string_view json_text, const std::string& name) {
  if (json_text.size() > limits::kMaxKevBytes) {
    return make_error(ErrorCode::kLimitExceeded, fmt::format("larger than {} bytes", limits::kMaxKevBytes), name);
  }
  if (!json_depth_within(json_text, limits::kMaxVulnJsonDepth)) {
    return make_error(ErrorCode::kLimitExceeded, "JSON nested too deep", name);
  }
  Json j = Json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return damaged(name, "not a JSON object");
  KevCatalog k;
  k.version = str(j, "catalogVersion");
  k.released = str(j, "dateReleased");
  auto it = j.find("vulnerabilities");
  if (it == j.end() || !it->is_array()) return damaged(name, "KEV catalogue without a `vulnerabilities` array");
  for (const auto& v : *it) {
    KevEntry e;
    e.cve = str(v, "cveID");
    if (!is_cve_id(e.cve)) {
      return damaged(name, fmt::format("KEV entry {} has no cveID", k.entries.size() + 1));
    }
    e.vendor = str(v, "vendorProject");
    e.product = str(v, "product");
    e.name = str(v, "vulnerabilityName");
    e.date_added = str(v, "dateAdded");
    e.due_date = str(v, "dueDate");
    e.ransomware = str(v, "knownRansomwareCampaignUse");
    k.entries.push_back(std::move(e));
  }
  return k;
}

namespace {

/// The fields of one CSV line (RFC 4180 quoting; a quoted field may not span lines here).
std::optional<std::vector<std::string>> csv_fields(std::string_view line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
    if (out.back().size() > limits::kMaxVulnFieldBytes * 4) return std::nullopt;
  }
  if (quoted) return std::nullopt;
  return out;
}

std::optional<double> parse_unit(std::string_view s) {
  s = text::trim_space(s);
  if (s.empty() || s.size() > 32) return std::nullopt;
  std::string t(s);
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (!end || *end != '\0' || !(v >= 0 && v <= 1)) return std::nullopt;
  return v;
}

}  // namespace

Result<KevCatalog> parse_kev_csv(std::string_view body, const std::string& name) {
  if (body.size() > limits::kMaxKevBytes) {
    return make_error(ErrorCode::kLimitExceeded, fmt::format("larger than {} bytes", limits::kMaxKevBytes), name);
  }
  KevCatalog k;
  std::map<std::string, std::size_t> column;
  for (auto [no, raw] : text::lines(body, text::kNoLineLimit)) {
    std::string_view line = text::trim(raw);
    if (line.empty()) continue;
    auto fields = csv_fields(line);
    if (!fields) return damaged(name, fmt::format("line {}: unbalanced quotes or an overlong field", no));
    if (column.empty()) {
      for (std::size_t i = 0; i < fields->size(); ++i) column[std::string(text::trim_space((*fields)[i]))] = i;
      if (!column.count("cveID")) return damaged(name, "KEV CSV without a cveID column");
      continue;
    }
    auto get = [&](const char* key) -> std::string {
      auto it = column.find(key);
      return it != column.end() && it->second < fields->size() ? (*fields)[it->second] : std::string();
    };
    KevEntry e;
    e.cve = get("cveID");
    if (!is_cve_id(e.cve)) return damaged(name, fmt::format("line {}: no CVE id", no));
    e.vendor = get("vendorProject");
    e.product = get("product");
    e.name = get("vulnerabilityName");
    e.date_added = get("dateAdded");
    e.due_date = get("dueDate");
    e.ransomware = get("knownRansomwareCampaignUse");
    k.released = std::max(k.released, e.date_added);
    k.entries.push_back(std::move(e));
  }
  if (column.empty()) return damaged(name, "empty KEV CSV");
  return k;
}

Result<EpssFile> parse_epss_csv(std::string_view body, const std::string& name) {
  if (body.size() > limits::kMaxEpssBytes) {
    return make_error(ErrorCode::kLimitExceeded, fmt::format("larger than {} bytes", limits::kMaxEpssBytes), name);
  }
  EpssFile f;
  bool header = false;
  for (auto [no, raw] : text::lines(body, text::kNoLineLimit)) {
    std::string_view line = text::trim(raw);
    if (line.empty()) continue;
    if (line.front() == '#') {
      // #model_version:v2025.03.14,score_date:2025-08-25T00:00:00+0000
      std::string_view rest = line.substr(1);
      while (!rest.empty()) {
        auto comma = rest.find(',');
        std::string_view kv = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        auto colon = kv.find(':');
        if (colon == std::string_view::npos) continue;
        const auto key = text::trim_space(kv.substr(0, colon));
        const auto value = std::string(text::trim_space(kv.substr(colon + 1)));
        if (key == "model_version") f.model_version = value;
        if (key == "score_date") f.score_date = value;
      }
      continue;
    }
    if (!header) {
      if (line != "cve,epss,percentile")
        return damaged(name, fmt::format("line {}: expected `cve,epss,percentile`", no));
      header = true;
      continue;
    }
    auto c1 = line.find(',');
    auto c2 = c1 == std::string_view::npos ? c1 : line.find(',', c1 + 1);
    if (c2 == std::string_view::npos) return damaged(name, fmt::format("line {}: expected three fields", no));
    EpssEntry e;
    e.cve = std::string(line.substr(0, c1));
    auto epss = parse_unit(line.substr(c1 + 1, c2 - c1 - 1));
    auto pct = parse_unit(line.substr(c2 + 1));
    if (!is_cve_id(e.cve) || !epss || !pct)
      return damaged(name, fmt::format("line {}: not `CVE-ID,score,percentile`", no));
    e.epss = *epss;
    e.percentile = *pct;
    f.entries.push_back(std::move(e));
  }
  if (!header) return damaged(name, "no `cve,epss,percentile` header");
  return f;
}

Result<Document> parse_document(std::string_view bytes, const std::string& name) {
  try {
    std::string_view t = text::trim_space(bytes);
    if (t.starts_with("\xEF\xBB\xBF")) t.remove_prefix(3);
    if (t.starts_with("#model_version") || t.starts_with("cve,epss,percentile")) {
      auto e = parse_epss_csv(t, name);
      if (!e) return e.error();
      return Document(std::move(*e));
    }
    if (t.starts_with("cveID,") || t.starts_with("\"cveID\",")) {
      auto k = parse_kev_csv(t, name);
      if (!k) return k.error();
      return Document(std::move(*k));
    }
    if (t.empty() || (t.front() != '{' && t.front() != '[')) return Document(NotARecord{"not JSON or CSV"});
    // The KEV catalogue is larger than a record may be; look for its marker before the record limit applies.
    if (t.front() == '{' && t.substr(0, 4096).find("\"catalogVersion\"") != std::string_view::npos) {
      auto k = parse_kev_json(t, name);
      if (!k) return k.error();
      return Document(std::move(*k));
    }
    // An array that does not start like OSV records is another kind of list (cvelistV5's
    // deltaLog.json can be larger than any record): not one fwcert imports.
    if (t.front() == '[' && t.substr(0, 4096).find("\"modified\"") == std::string_view::npos &&
        t.substr(0, 4096).find("\"affected\"") == std::string_view::npos) {
      return Document(NotARecord{"a JSON array that holds no OSV records"});
    }
    auto parsed = parse_json(t, name);
    if (!parsed) return parsed.error();
    const Json& j = *parsed;
    if (j.is_array()) {
      std::vector<Advisory> out;
      for (const auto& r : j) {
        if (!r.is_object() || !r.contains("id")) return damaged(name, "an array member is not an OSV record");
        auto a = parse_osv(r.dump(), name + "!" + str(r, "id"));
        if (!a) return a.error();
        out.push_back(std::move(*a));
      }
      return Document(std::move(out));
    }
    if (!j.is_object()) return Document(NotARecord{"not a JSON object"});
    if (str(j, "dataType") == "CVE_RECORD" || j.contains("cveMetadata")) {
      auto a = parse_cve5(t, name);
      if (!a) return a.error();
      return Document(std::vector<Advisory>{std::move(*a)});
    }
    if (j.contains("vulnerabilities") && j.contains("catalogVersion")) {
      auto k = parse_kev_json(t, name);
      if (!k) return k.error();
      return Document(std::move(*k));
    }
    if (j.contains("id") && (j.contains("modified") || j.contains("affected"))) {
      auto a = parse_osv(t, name);
      if (!a) return a.error();
      return Document(std::vector<Advisory>{std::move(*a)});
    }
    return Document(NotARecord{"a JSON document that is neither an OSV, a CVE 5 nor a KEV record"});
  } catch (const std::exception& e) {
    return damaged(name, fmt::format("unreadable record: {}", e.what()));
  }
}

}  // namespace fwcert::vulns
