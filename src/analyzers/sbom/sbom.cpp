#include "analyzers/sbom/sbom.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

namespace fwcert::analyzers::sbom {

namespace {

constexpr std::string_view kInventoryCheck = "inv-sbom";
constexpr std::string_view kCompleteCheck = "sbom-complete";
constexpr std::string_view kChecks[] = {kInventoryCheck, kCompleteCheck};
/// Unowned binaries named one by one in sbom-complete's evidence; the rest are counted.
constexpr std::size_t kMaxListedUnowned = 25;

void inventory_finding(const evidence::ComponentSet& set, Output& out) {
  if (set.components.empty()) {
    out.findings.push_back(finding(kInventoryCheck, Status::kInconclusive, "sbom",
                                   "no package database (dpkg, opkg, apk, rpm) and no os-release in any filesystem"));
    return;
  }
  std::map<std::string, std::size_t> by_source;  // "deb", "os-release", "fingerprint"
  std::set<std::string> sources;                 // database files, in order
  std::vector<Evidence> ev;
  std::size_t files = 0;
  for (const auto& c : set.components) {
    ++by_source[c.found_by == "package-db" ? c.ecosystem : c.found_by];
    files += c.files.size();
    if (c.found_by != "fingerprint" && sources.insert(c.evidence.path).second) {
      ev.push_back(at(c.evidence.path, 0, c.found_by == "package-db" ? c.ecosystem + " database" : c.found_by));
    }
  }
  std::string counts;
  for (const auto& [k, n] : by_source) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", n, k);
  out.findings.push_back(finding(kInventoryCheck, Status::kInfo, "sbom",
                                 fmt::format("{} components ({}) owning {} files; fwcert sbom writes them as "
                                             "CycloneDX or SPDX",
                                             set.components.size(), counts, files),
                                 std::move(ev)));
}

void completeness_finding(const inventory::Inventory& inv, const evidence::ComponentSet& set, Output& out) {
  std::size_t elf = 0;
  std::vector<std::string> unowned;
  for (const auto& e : inv.entries()) {
    if (e.kind != inventory::Kind::kElf || !e.st.is_regular() || e.hardlink_secondary) continue;
    ++elf;
    std::string shown = inv.display_path(e);
    if (!set.is_owned(shown)) unowned.push_back(std::move(shown));
  }
  if (elf == 0) {
    out.findings.push_back(
        finding(kCompleteCheck, Status::kInconclusive, "sbom", "the target has no ELF files to account for"));
    return;
  }
  const std::size_t owned = elf - unowned.size();
  if (unowned.empty()) {
    out.findings.push_back(finding(kCompleteCheck, Status::kPass, "sbom",
                                   fmt::format("all {} ELF files belong to a known component", elf)));
    return;
  }
  std::vector<Evidence> ev;
  for (std::size_t i = 0; i < unowned.size() && i < kMaxListedUnowned; ++i) {
    ev.push_back(at(unowned[i], 0, "ELF file no component owns", "owned by a package or identified by a fingerprint"));
  }
  std::string more = unowned.size() > kMaxListedUnowned
                         ? fmt::format(" ({} listed, {} more)", kMaxListedUnowned, unowned.size() - kMaxListedUnowned)
                         : std::string();
  out.findings.push_back(
      finding(kCompleteCheck, Status::kWarn, "sbom",
              fmt::format("{} of {} ELF files ({:.1f}%) belong to a known component; {} do not{}", owned, elf,
                          100.0 * static_cast<double>(owned) / static_cast<double>(elf), unowned.size(), more),
              std::move(ev)));
}

}  // namespace

std::span<const std::string_view> checks() { return kChecks; }

Output run(const Context& ctx) {
  Output out;
  const auto& set = ctx.evidence().components();
  out.diagnostics = set.diagnostics;
  inventory_finding(set, out);
  completeness_finding(ctx.inventory, set, out);
  make_utf8(out);
  return out;
}

}  // namespace fwcert::analyzers::sbom
