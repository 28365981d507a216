#pragma once
// The software components of the whole target, computed once per scan: every package the
// package databases of each filesystem record (sbom/packages.hpp), and the index of the files
// they own, so that evidence can name the package of any file and the sbom-complete check can
// list the binaries no component accounts for. The report's component list is this one.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fwcert/report.hpp"
#include "inventory/inventory.hpp"

namespace fwcert::evidence {

struct ComponentSet {
  /// Sorted by filesystem prefix, then name, version and architecture; `ref`s unique.
  std::vector<Component> components;
  /// Damage met in the package databases; the sbom analyzer reports it.
  std::vector<Diagnostic> diagnostics;

  /// The component that owns the file at `display_path` (as Inventory::display_path() gives
  /// it), or nullptr when none does.
  const Component* owner_of(std::string_view display_path) const;
  /// True when some component owns the file at `display_path`.
  bool is_owned(std::string_view display_path) const { return owner_of(display_path) != nullptr; }

  /// Rebuilds the sorted (display path, component index) index from the components' files.
  void index();

 private:
  std::vector<std::pair<std::string, std::uint32_t>> owned_;
};

class Evidence;

/// The components of every filesystem of `inv`: its package databases, then version
/// fingerprints (which read the scan's content pass and kernel evidence from `ev`) for the
/// binaries no package owns.
ComponentSet collect_components(const inventory::Inventory& inv, Evidence& ev);

}  // namespace fwcert::evidence
