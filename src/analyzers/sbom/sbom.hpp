#pragma once
// SBOM: judges the software bill of materials the scan's shared evidence built
// (Evidence::components(): package databases, the operating system, fingerprints): inv-sbom
// records what it holds and where it came from; sbom-complete judges whether every ELF file
// of the target belongs to a known component. Reports the damage met in the package databases.

#include <span>
#include <string_view>

#include "analyzers/analyzer.hpp"

namespace fwcert::analyzers::sbom {

/// Check ids this analyzer emits.
std::span<const std::string_view> checks();

Output run(const Context& ctx);

}  // namespace fwcert::analyzers::sbom
