#pragma once
// The stages of a scan, each a function with its own tests: load the inputs (catalog, profile,
// assessment day, manifest, waivers, declared services), open the target into one inventory
// (scan/target.hpp), run the analyzers on the scan's shared evidence, assess (complete the
// findings from the catalog, add the manifest's, apply the waivers, roll up the requirements)
// and write the metadata. scan() is these stages in order on a host path; scan_vfs() runs them
// on a Vfs the caller built (tests run the whole pipeline on a MemoryVfs).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyzers/analyzer.hpp"
#include "assess/manifest.hpp"
#include "assess/waivers.hpp"
#include "catalog/catalog.hpp"
#include "core/date.hpp"
#include "evidence/evidence.hpp"
#include "fwcert/report.hpp"
#include "fwcert/scan.hpp"
#include "inventory/inventory.hpp"
#include "vfs/vfs.hpp"
#include "vulns/database.hpp"
#include "vulns/vex.hpp"

namespace fwcert::scanning {

/// What the user gave besides the target, read and checked before the target is opened, so a
/// mistake in them costs no scan time.
struct Inputs {
  catalog::Catalog catalog;
  catalog::Profile profile;
  catalog::RequirementSet set;  ///< the profile's selection of its requirement set
  CivilDate day;
  std::optional<assess::Manifest> manifest;
  std::vector<assess::Waiver> waivers;
  std::string waivers_sha256;
  analyzers::AnalyzerOptions analyzer_options;
  /// The vulnerability database, opened read-only (null: none given and no default file).
  std::shared_ptr<vulns::Database> vuln_db;
  std::vector<vulns::VexStatement> vex;  ///< every statement of the --vex files, in file order
};

/// The built-in catalog (`dir` empty) or the one in `dir`, with every check's analyzer named
/// from the analyzer registry.
Result<catalog::Catalog> load_catalog(const std::string& dir);

/// Stage 1: reads and checks everything the user gave besides the target.
Result<Inputs> load_inputs(const ScanOptions& options);

/// The part of the inputs analyzers see, for `day`: no host path, the declared services read
/// and parsed (an unreadable or invalid --services file is an error naming it).
Result<analyzers::AnalyzerOptions> analyzer_options(const ScanOptions& options, const CivilDate& day);
/// The same at the assessment day of `options`.
Result<analyzers::AnalyzerOptions> analyzer_options(const ScanOptions& options);

/// Stage 3: runs the selected analyzers on the context's pool and moves their findings,
/// diagnostics and (with collect_facts) facts into the report in registry order, so the report
/// does not depend on the thread count or timing. Returns the ids of the analyzers that ran.
std::vector<std::string> run_analyzers(const inventory::Inventory& inv, const ScanOptions& options,
                                       analyzers::Context& ctx, Report& report);

/// Stage 3b, after the analyzers: matches report.components against the vulnerability database,
/// applies the VEX statements, records the database in report.vuln_db and adds the vuln-*
/// findings (inconclusive without a database). Skipped when only some analyzers were asked for.
void match_vulnerabilities(const Inputs& in, const ScanOptions& options, Report& report);

/// Stage 4: completes the findings from the catalog, adds the manifest's findings, sorts them,
/// applies the waivers and rolls the findings up into requirement verdicts and attestations.
void assess_findings(const Inputs& in, const std::vector<std::string>& ran, evidence::Evidence& ev, Report& report);

/// Stage 5: dates, profile, data snapshots, the inputs and their hashes (the target's too when
/// `target` is a regular host file).
void fill_metadata(const std::string& target, const ScanOptions& options, const Inputs& in, Report& report);

/// Stages 3 to 5 on an opened inventory.
Result<Report> run_pipeline(const Inputs& in, const ScanOptions& options, const std::string& target,
                            const inventory::Inventory& inv, Report report);

/// The whole scan of a Vfs the caller built, shown as a target of type `format`.
Result<Report> scan_vfs(std::shared_ptr<vfs::Vfs> root, const std::string& format, const ScanOptions& options);

}  // namespace fwcert::scanning
