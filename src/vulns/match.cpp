#include "vulns/match.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/text.hpp"

namespace fwcert::vulns {

namespace {

bool is_unbounded(std::string_view bound) { return bound == "*"; }

/// `version` cut to as many dot-separated parts as `prefix` has ("4.19.316", "4.19" -> "4.19").
std::string truncate_to(std::string_view version, std::string_view prefix) {
  const std::size_t parts = static_cast<std::size_t>(std::count(prefix.begin(), prefix.end(), '.')) + 1;
  std::size_t seen = 0, i = 0;
  for (; i < version.size(); ++i) {
    if (version[i] == '.' && ++seen == parts) break;
  }
  return std::string(version.substr(0, i));
}

/// `version` against an upper bound: <0 below it, 0 at it, >0 above; a "4.19.*" bound compares
/// the branch only.
int compare_upper(Scheme s, std::string_view version, std::string_view bound) {
  if (bound.ends_with(".*")) {
    const std::string_view prefix = bound.substr(0, bound.size() - 2);
    return compare(s, truncate_to(version, prefix), prefix);
  }
  return compare(s, version, bound);
}

bool in_row(const VersionRow& r, Scheme s, std::string_view v) {
  if (!r.exact.empty()) return compare(s, v, r.exact) == 0;
  // curl writes "below 8.4.0" as version 8.4.0 lessThan 8.4.0
  const bool below_only = !r.introduced.empty() && r.introduced == r.fixed;
  if (!r.introduced.empty() && !below_only && compare(s, v, r.introduced) < 0) return false;
  if (!r.fixed.empty()) return is_unbounded(r.fixed) || compare_upper(s, v, r.fixed) < 0;
  if (!r.last_affected.empty()) return is_unbounded(r.last_affected) || compare_upper(s, v, r.last_affected) <= 0;
  return true;
}

/// The smallest of `candidates` (versions above `v`), "" when there is none.
std::string smallest(Scheme s, const std::vector<std::string>& candidates) {
  std::string best;
  for (const auto& c : candidates) {
    if (best.empty() || compare(s, c, best) < 0) best = c;
  }
  return best;
}

int confidence_rank(std::string_view c) { return c == "ecosystem" ? 2 : 1; }

std::string lower(std::string_view s) { return text::lower(s); }

}  // namespace

std::vector<std::string> distro_ecosystems(std::string_view distro) {
  const std::string d = lower(distro);
  auto dash = d.find('-');
  if (dash == std::string::npos) return {};
  const std::string id = d.substr(0, dash), version = d.substr(dash + 1);
  if (version.empty()) return {};
  if (id == "debian") return {"Debian:" + version.substr(0, version.find('.'))};
  if (id == "ubuntu") return {"Ubuntu:" + version + ":LTS", "Ubuntu:" + version};
  if (id == "alpine") {
    auto first = version.find('.');
    auto second = first == std::string::npos ? first : version.find('.', first + 1);
    return {"Alpine:v" + version.substr(0, second)};
  }
  return {};
}

Verdict evaluate(const AffectedEntry& entry, Scheme s, std::string_view v) {
  Verdict out;
  if (v.empty()) return out;
  for (const auto& r : entry.rows) {
    if (r.unaffected && in_row(r, s, v)) return out;
  }
  std::vector<std::string> fixes;
  for (const auto& r : entry.rows) {
    if (r.unaffected || !in_row(r, s, v)) continue;
    out.affected = true;
    if (!r.fixed.empty() && !is_unbounded(r.fixed) && !r.fixed.ends_with(".*")) fixes.push_back(r.fixed);
  }
  if (out.affected) {
    out.fixed_version = smallest(s, fixes);
    return out;
  }
  if (!entry.default_affected) return out;
  // Affected by default: the fix is where the next unaffected range starts, in v's own branch
  // ("4.19.316" for a 4.19 kernel) when the record gives one, else the next one after v.
  out.affected = true;
  std::vector<std::string> same_branch, later;
  for (const auto& r : entry.rows) {
    if (!r.unaffected || r.introduced.empty() || compare(s, r.introduced, v) <= 0) continue;
    const std::string& upper = r.last_affected.empty() ? r.fixed : r.last_affected;
    if (upper.ends_with(".*")) {
      const std::string_view prefix(upper.data(), upper.size() - 2);
      if (truncate_to(v, prefix) == prefix) same_branch.push_back(r.introduced);
    } else {
      later.push_back(r.introduced);
    }
  }
  out.fixed_version = !same_branch.empty() ? smallest(s, same_branch) : smallest(s, later);
  return out;
}

void sort_vulnerabilities(std::vector<Vulnerability>& v) {
  std::stable_sort(v.begin(), v.end(), [](const Vulnerability& a, const Vulnerability& b) {
    if (a.known_exploited != b.known_exploited) return a.known_exploited;
    const double ca = a.cvss.value_or(-1), cb = b.cvss.value_or(-1);
    if (ca != cb) return ca > cb;
    if (a.id != b.id) return a.id < b.id;
    return a.component < b.component;
  });
}

std::vector<Vulnerability> match(const std::vector<Component>& components, const Database& db,
                                 const MatchOptions& options) {
  std::vector<Vulnerability> out;
  std::map<std::string, std::optional<AdvisoryInfo>> advisories;  // read once per scan
  auto info_of = [&](const std::string& id) -> const std::optional<AdvisoryInfo>& {
    auto it = advisories.find(id);
    if (it == advisories.end()) it = advisories.emplace(id, db.advisory(id)).first;
    return it->second;
  };
  for (const auto& c : components) {
    std::map<std::string, Vulnerability> found;  // by vulnerability id
    auto add = [&](const Candidate& cand, const Verdict& verdict, std::string_view confidence) {
      if (!verdict.affected || found.size() >= options.max_per_component) return;
      const auto& info = info_of(cand.advisory);
      const std::string id = cand.cve.empty() ? cand.advisory : cand.cve;
      auto [it, fresh] = found.try_emplace(id);
      Vulnerability& v = it->second;
      std::set<std::string> aliases(v.aliases.begin(), v.aliases.end());
      if (info) aliases.insert(info->aliases.begin(), info->aliases.end());
      if (cand.advisory != id) aliases.insert(cand.advisory);
      aliases.erase(id);
      v.aliases.assign(aliases.begin(), aliases.end());
      const bool better = fresh || confidence_rank(confidence) > confidence_rank(v.confidence);
      if (better) {
        v.id = id;
        v.component = c.ref;
        v.source = cand.kind + ":" + cand.advisory;
        v.confidence = std::string(confidence);
        v.fixed_version = verdict.fixed_version;
        v.evidence = c.evidence;
        if (info && !info->summary.empty()) v.summary = info->summary;
      } else {
        if (v.fixed_version.empty()) v.fixed_version = verdict.fixed_version;
        if (v.summary.empty() && info) v.summary = info->summary;
      }
    };

    const Scheme own = scheme_for(c.ecosystem);
    const bool distro_package =
        c.ecosystem == "deb" || c.ecosystem == "opkg" || c.ecosystem == "apk" || c.ecosystem == "rpm";
    std::vector<std::string> ecosystems;
    for (const auto& e : distro_package ? distro_ecosystems(c.distro) : std::vector<std::string>{}) {
      if (db.has_ecosystem(e)) ecosystems.push_back(e);
    }
    if (!ecosystems.empty()) {
      // The distribution's own data decides: it names source packages and knows its backports.
      const std::string version = c.source_version.empty() ? c.version : c.source_version;
      std::set<std::string> names;
      if (!c.source_name.empty()) names.insert(lower(c.source_name));
      names.insert(lower(c.name));
      for (const auto& e : ecosystems) {
        for (const auto& n : names) {
          for (const auto& cand : db.entries(e, n))
            add(cand, evaluate(cand.entry, scheme_for(e), version), "ecosystem");
        }
      }
    } else {
      const std::string version = distro_package ? upstream_version(own, c.version) : c.version;
      // A distribution package matched on upstream ranges may carry a backported fix: lower confidence.
      const std::string_view by_name = distro_package ? "cpe" : "ecosystem";
      std::set<std::string> names{lower(c.name)};
      if (!c.source_name.empty()) names.insert(lower(c.source_name));
      for (const auto& n : names) {
        for (const auto& cand : db.upstream_entries(n))
          add(cand, evaluate(cand.entry, cand.entry.scheme, version), by_name);
      }
      if (const std::string vp = cpe_vendor_product(c.cpe); !vp.empty()) {
        for (const auto& cand : db.cpe_entries(vp)) {
          add(cand, evaluate(cand.entry, cand.entry.scheme, version), "cpe");
        }
      }
    }
    for (auto& [id, v] : found) {
      std::optional<CvssScore> best = db.cvss(id);
      for (const auto& a : v.aliases) {
        if (auto s = db.cvss(a); s && (!best || s->score > best->score)) best = s;
      }
      if (best) {
        v.cvss = best->score;
        v.cvss_vector = best->vector;
      }
      v.epss = db.epss(id);
      if (auto k = db.kev(id)) {
        v.known_exploited = true;
        v.kev_date_added = k->date_added;
      }
      out.push_back(std::move(v));
    }
  }
  sort_vulnerabilities(out);
  return out;
}

}  // namespace fwcert::vulns
