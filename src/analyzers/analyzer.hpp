#pragma once
// What every analyzer sees and returns. An analyzer reads the inventory, the Vfs of each
// filesystem and the scan's shared evidence (never the host), and emits findings for the checks
// it owns, facts, and diagnostics about damaged input.

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "assess/declared_services.hpp"
#include "core/date.hpp"
#include "core/parallel.hpp"
#include "evidence/evidence.hpp"
#include "fwcert/report.hpp"
#include "inventory/inventory.hpp"

namespace fwcert::analyzers {

/// What an analyzer may know of the scan besides the target: no host path, only values.
struct AnalyzerOptions {
  /// The day verdicts are judged at (end of life, certificate expiry, patch level age).
  CivilDate day = today_utc();
  /// Threads for a context that makes its own pool (an analyzer run on its own); 0 = one per core.
  unsigned threads = 0;
  /// End of life this many days or fewer after `day` warns.
  unsigned eol_warning_days = 365;
  /// An Android security patch level older than this many days at `day` warns.
  unsigned patch_level_max_age_days = 90;
  /// Analyzers may skip work that only feeds facts when false.
  bool collect_facts = false;
  /// The declared network services (--services or the manifest), already parsed; nullopt when
  /// none were declared. `declared_services_source` names where they came from.
  std::optional<std::vector<assess::DeclaredService>> declared_services;
  std::string declared_services_source;
};

/// What every analyzer sees: the inventory, the options, and the scan's shared evidence.
class Context {
 public:
  /// A context on the scan's shared evidence.
  Context(const inventory::Inventory& inv, const AnalyzerOptions& o, evidence::Evidence& shared)
      : inventory(inv), options(o), evidence_(&shared) {}
  /// A context of its own (an analyzer run alone, as in unit tests): its own pool of
  /// `o.threads` and its own evidence.
  Context(const inventory::Inventory& inv, const AnalyzerOptions& o);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const inventory::Inventory& inventory;
  const AnalyzerOptions& options;

  evidence::Evidence& evidence() const { return *evidence_; }
  parallel::Pool& pool() const { return evidence_->pool(); }

 private:
  std::unique_ptr<parallel::Pool> own_pool_;
  std::unique_ptr<evidence::Evidence> own_evidence_;
  evidence::Evidence* evidence_ = nullptr;
};

struct Output {
  std::vector<Finding> findings;
  std::vector<Fact> facts;
  std::vector<Diagnostic> diagnostics;
};

/// Replaces every byte of the output's text that is not part of a well-formed UTF-8 sequence
/// with U+FFFD: image file names and contents are not obliged to be UTF-8, and report writers
/// must never be handed text that is not. Analyzers that quote the image call it last.
void make_utf8(Output& out);

/// One inconclusive finding on `subject` for each of `checks`: what an analyzer reports when no
/// filesystem of the target has what its checks judge.
void inconclusive_for_all(std::span<const std::string_view> checks, const std::string& subject,
                          const std::string& message, Output& out);

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

/// What produces the process checks (proc-*): not an analyzer but the assessment stage, from
/// the product manifest (assess::manifest_findings).
inline constexpr std::string_view kManifestProducer = "manifest";

/// Every check id with what produces it, for catalog::assign_analyzers: the analyzer of its
/// registry row, or kManifestProducer for the process checks the manifest decides.
std::map<std::string, std::string, std::less<>> implementers();

}  // namespace fwcert::analyzers
