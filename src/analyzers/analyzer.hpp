#pragma once
// What every analyzer sees and returns. An analyzer reads the inventory and the Vfs of each
// filesystem (never the host), and emits findings for the checks it owns, facts, and
// diagnostics about damaged input.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fwcert/report.hpp"
#include "fwcert/scan.hpp"
#include "inventory/inventory.hpp"

namespace fwcert::analyzers {

namespace content {
class SharedPass;
}

struct Context {
  const inventory::Inventory& inventory;
  const ScanOptions& options;
  /// The scan's one content pass (content/pass.hpp), run on first use and shared; null when an
  /// analyzer runs on its own, which then makes its own pass.
  content::SharedPass* content = nullptr;
};

struct Output {
  std::vector<Finding> findings;
  std::vector<Fact> facts;
  std::vector<Diagnostic> diagnostics;
};

/// One row of the analyzer registry.
struct AnalyzerInfo {
  std::string_view id;
  std::string_view description;
  /// Every check id this analyzer can emit; the catalog must name this analyzer for each.
  std::span<const std::string_view> checks;
  Output (*run)(const Context&);
};

/// A finding of `check` about `subject`; severity comes from the catalog unless the caller
/// overrides it afterwards.
inline Finding finding(std::string_view check, Status status, std::string subject, std::string message,
                       std::vector<Evidence> evidence = {}) {
  Finding f;
  f.check = std::string(check);
  f.status = status;
  f.subject = std::move(subject);
  f.message = std::move(message);
  f.evidence = std::move(evidence);
  return f;
}

/// Evidence at `path`, line `line` (0 = no line), with the value seen and the value expected.
inline Evidence at(const std::string& path, std::size_t line, std::string observed, std::string expected = {}) {
  Evidence e;
  e.path = path;
  if (line) e.line = line;
  e.observed = std::move(observed);
  e.expected = std::move(expected);
  return e;
}

/// The one explicit table of analyzers, in the order they are listed.
std::span<const AnalyzerInfo> registry();

}  // namespace fwcert::analyzers
