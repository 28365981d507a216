#pragma once
// Checks and requirement sets as data (catalog/*.yaml): loaded, validated and evaluated here.
// C++ decides pass/fail; everything a human reads about a check lives in the catalog.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fwcert/report.hpp"
#include "fwcert/result.hpp"

namespace fwcert::catalog {

struct CheckDef {
  std::string id;
  std::string title;
  std::string area;  ///< capability area ("secure-boot", "authentication", ...)
  Severity severity = Severity::kMedium;
  std::vector<std::string> modes;  ///< IMG, LIVE, NET, DOC
  std::string analyzer;            ///< analyzer that implements it; empty = not implemented in this version
  std::string rationale;
  std::string logic;  ///< pass/fail logic in words
  std::string remediation;
  std::vector<std::string> references;
  std::string where;  ///< catalog file:line of the definition
};

struct RequirementDef {
  std::string id;
  std::string title;
  std::string level;    ///< SHALL / SHOULD / required
  std::string subject;  ///< Device / Company
  std::string text;
  std::vector<std::string> modes;
  std::vector<std::string> checks;
  std::string attestation;  ///< what document or statement can satisfy it, if any
  bool unverified = false;
  std::string where;
};

struct RequirementSet {
  std::string id;
  std::string title;
  std::string source;
  Severity gate = Severity::kHigh;  ///< default --fail-on for this profile
  std::vector<RequirementDef> requirements;
};

struct Catalog {
  std::vector<CheckDef> checks;  ///< in file order
  std::vector<RequirementSet> sets;

  const CheckDef* find_check(std::string_view id) const;
  const RequirementSet* find_set(std::string_view id) const;
};

/// One catalog file's name (for diagnostics) and text.
struct SourceFile {
  std::string name;
  std::string text;
};

/// Parses and validates catalog files: every field type-checked, ids unique, every check a
/// requirement names defined. Errors carry file:line.
Result<Catalog> load(const std::vector<SourceFile>& files);

/// The catalog built into the binary.
Result<Catalog> load_builtin();

/// Loads checks.yaml and every other *.yaml from a directory on the host.
Result<Catalog> load_directory(const std::string& dir);

/// Fills in severities from the catalog and adds an `inconclusive` finding for every check of
/// a run analyzer that produced none, so no check silently disappears from a report.
void complete_findings(const Catalog& catalog, const std::vector<std::string>& analyzers_run,
                       std::vector<Finding>& findings);

/// Rolls findings up into one verdict per requirement of `set`.
std::vector<RequirementResult> evaluate(const RequirementSet& set, const Catalog& catalog,
                                        const std::vector<Finding>& findings);

}  // namespace fwcert::catalog
