#include "evidence/components.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "core/limits.hpp"
#include "evidence/evidence.hpp"
#include "sbom/fingerprint.hpp"
#include "sbom/packages.hpp"
#include "sbom/sbom_limits.hpp"

namespace fwcert::evidence {

namespace {

/// Components in report order: filesystem, then name, version, architecture; refs unique (a
/// multi-arch package installed for two architectures gets its architecture in the ref, a
/// package two databases of one filesystem record a counter).
void order(std::vector<Component>& cs) {
  std::stable_sort(cs.begin(), cs.end(), [](const Component& a, const Component& b) {
    return std::tie(a.filesystem, a.name, a.version, a.arch, a.ref) <
           std::tie(b.filesystem, b.name, b.version, b.arch, b.ref);
  });
  std::map<std::string, std::size_t> seen;
  for (const auto& c : cs) ++seen[c.ref];
  std::map<std::string, std::size_t> used;
  for (auto& c : cs) {
    if (seen[c.ref] < 2) continue;
    std::string ref = c.arch.empty() ? c.ref : c.ref + "?arch=" + c.arch;
    for (std::size_t n = 2; used.count(ref); ++n) ref = fmt::format("{}#{}", c.ref, n);
    used.emplace(ref, 1);
    c.ref = std::move(ref);
  }
}

}  // namespace

const Component* ComponentSet::owner_of(std::string_view display_path) const {
  auto it = std::lower_bound(owned_.begin(), owned_.end(), display_path,
                             [](const auto& e, std::string_view p) { return e.first < p; });
  if (it == owned_.end() || it->first != display_path) return nullptr;
  return &components.at(it->second);
}

void ComponentSet::index() {
  owned_.clear();
  for (std::uint32_t i = 0; i < components.size(); ++i) {
    for (const auto& f : components[i].files) owned_.emplace_back(f, i);
  }
  // A file two packages list (a diverted or shared path) belongs to the first in report order.
  std::stable_sort(owned_.begin(), owned_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  owned_.erase(
      std::unique(owned_.begin(), owned_.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
      owned_.end());
}

ComponentSet collect_components(const inventory::Inventory& inv, Evidence& ev) {
  ComponentSet set;
  std::size_t files = 0;
  for (std::uint32_t fs = 0; fs < inv.filesystems().size(); ++fs) {
    auto scan = sbom::collect_packages(inv, fs);
    for (auto& c : scan.components) {
      if (files + c.files.size() > limits::kMaxOwnedFilesTotal) {
        set.diagnostics.push_back({Diagnostic::Level::kWarning, c.evidence.path,
                                   fmt::format("{}: more than {} owned files in the target; its files are not listed",
                                               c.name, limits::kMaxOwnedFilesTotal)});
        c.files.clear();
      }
      files += c.files.size();
      set.components.push_back(std::move(c));
    }
    std::move(scan.diagnostics.begin(), scan.diagnostics.end(), std::back_inserter(set.diagnostics));
  }
  order(set.components);
  set.index();

  // Fingerprinted components (src/sbom/fingerprint.*) for the binaries no package owns: a
  // package's own files are the package's (its version is the distribution's, with backported
  // fixes), so a fingerprint counts only for the files it was read from that no package lists.
  for (std::uint32_t fs = 0; fs < inv.filesystems().size(); ++fs) {
    if (!inv.filesystems()[fs].vfs) continue;
    for (auto& fc : sbom::fingerprint_components(ev, fs)) {
      Component& c = fc.component;
      std::erase_if(c.files, [&](const std::string& f) { return set.is_owned(f); });
      if (c.files.empty()) continue;
      if (set.is_owned(c.evidence.path)) {
        // The evidence names the first file; keep it on one this component still holds.
        c.evidence.path = c.files.front();
        c.evidence.offset.reset();
      }
      c.properties = std::move(fc.properties);
      set.components.push_back(std::move(c));
    }
  }
  order(set.components);
  set.index();
  return set;
}

}  // namespace fwcert::evidence
