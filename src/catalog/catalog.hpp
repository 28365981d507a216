#pragma once
// Checks and requirement sets as data (catalog/*.yaml): loaded, validated and evaluated here.
// C++ decides pass/fail; everything a human reads about a check lives in the catalog.

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
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
  int verification_level = 0;  ///< ISVS-style level (1-3) of the item; 0 = the set has no levels
  std::string where;
};

struct RequirementSet {
  std::string id;
  std::string title;
  std::string source;
  Severity gate = Severity::kHigh;  ///< default --fail-on for this profile
  std::vector<RequirementDef> requirements;
};

/// What a scan is judged against: a requirement set, narrowed to a verification level and/or a
/// list of requirements, and the lowest failing severity that sets exit code 1.
struct Profile {
  std::string id;
  std::string title;
  std::string set;                   ///< requirement set id
  int max_level = 0;                 ///< keep requirements whose level is 1..max_level; 0 = all
  std::vector<std::string> include;  ///< only these requirement ids (empty = all)
  std::vector<std::string> exclude;  ///< drop these requirement ids
  Severity gate = Severity::kHigh;
  std::string where;
};

struct Catalog {
  std::vector<CheckDef> checks;  ///< in file order
  std::vector<RequirementSet> sets;
  std::vector<Profile> profiles;  ///< explicit profiles; every set is also a profile of its own id

  const CheckDef* find_check(std::string_view id) const;
  const RequirementSet* find_set(std::string_view id) const;
  /// The profile named `id`: an explicit one, else the set of that id with its own gate.
  std::optional<Profile> find_profile(std::string_view id) const;
  /// Every profile id, explicit and implicit, sorted.
  std::vector<std::string> profile_ids() const;
};

/// The requirements of `set` that `profile` keeps, in set order.
RequirementSet select(const RequirementSet& set, const Profile& profile);

/// What the roll-up needs besides findings: which checks the product manifest decides, whether
/// a manifest was given, and what it attests or declares not applicable per requirement.
struct RollupInputs {
  /// Checks whose evidence is a document named in the manifest (proc-*): without a manifest
  /// they are awaiting attestation rather than missing.
  std::vector<std::string> attestation_checks;
  bool manifest_given = false;
  /// Requirement id -> the manifest attests it explicitly (a document for this requirement).
  std::map<std::string, bool> attested;
  /// Requirement id -> reason the manifest gives for not applicable.
  std::map<std::string, std::string> not_applicable;
};

/// One catalog file's name (for diagnostics) and text.
struct SourceFile {
  std::string name;
  std::string text;
};

/// Parses one YAML document from user-supplied text (manifest, waivers, declared services)
/// with the catalog's guards: nesting bounded, errors as "file:line:column".
Result<YAML::Node> parse_yaml_document(const SourceFile& f);

/// Reads a user's YAML file from the host (manifest, waivers, declared services), refusing
/// anything but a regular file of at most limits::kMaxCatalogFileBytes.
Result<SourceFile> read_user_file(const std::string& path);

/// Parses a profile file (a mapping with a `profile` key) given with --profile PATH, checking
/// that its set and requirement ids exist in `catalog`. Errors carry file:line:column.
Result<Profile> load_profile_file(const SourceFile& file, const Catalog& catalog);

/// Parses and validates catalog files: every field type-checked, ids unique, every check a
/// requirement names defined. Errors carry file:line.
Result<Catalog> load(const std::vector<SourceFile>& files);

/// The catalog built into the binary.
Result<Catalog> load_builtin();

/// Loads checks.yaml and every other *.yaml from a directory on the host.
Result<Catalog> load_directory(const std::string& dir);

/// Which analyzer implements each check (check id -> analyzer id): the rows of the analyzer
/// registry, where a check id is written once.
using Implementers = std::map<std::string, std::string, std::less<>>;

/// Names the analyzer of every check from `implementers`; a check that no analyzer lists is not
/// implemented in this version. A catalog file may still say `analyzer:` for a check (a catalog
/// of an older fwcert): naming another analyzer than the one that implements it is an error.
OkResult assign_analyzers(Catalog& catalog, const Implementers& implementers);

/// Fills in severities from the catalog and adds an `inconclusive` finding for every check of
/// a run analyzer that produced none, so no check silently disappears from a report.
void complete_findings(const Catalog& catalog, const std::vector<std::string>& analyzers_run,
                       std::vector<Finding>& findings);

/// Copies into `report` what writers show of every check its findings and requirements cite
/// (Report::checks, in catalog order) and the catalog's areas in order (Report::areas).
void cite_checks(const Catalog& catalog, Report& report);

/// Rolls findings up into one verdict per requirement of `set` (rules in docs/rollup.md).
/// Waived findings never make a requirement not-met.
std::vector<RequirementResult> evaluate(const RequirementSet& set, const Catalog& catalog,
                                        const std::vector<Finding>& findings, const RollupInputs& inputs = {});

/// The closest known check ids to `id` (edit distance), for "did you mean" messages.
std::vector<std::string> suggest_checks(const Catalog& catalog, std::string_view id);

}  // namespace fwcert::catalog
