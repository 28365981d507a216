#include "scan/pipeline.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <mutex>

#include "assess/assess.hpp"
#include "assess/declared_services.hpp"
#include "core/sha256.hpp"
#include "scan/target.hpp"
#include "vulns/checks.hpp"
#include "vulns/match.hpp"

namespace fwcert::scanning {

namespace {

std::vector<const analyzers::AnalyzerInfo*> selected_analyzers(const ScanOptions& o) {
  std::vector<const analyzers::AnalyzerInfo*> out;
  for (const auto& a : analyzers::registry()) {
    std::string id(a.id);
    if (!o.only_analyzers.empty() &&
        std::find(o.only_analyzers.begin(), o.only_analyzers.end(), id) == o.only_analyzers.end()) {
      continue;
    }
    if (std::find(o.skip_analyzers.begin(), o.skip_analyzers.end(), id) != o.skip_analyzers.end()) continue;
    out.push_back(&a);
  }
  return out;
}

}  // namespace

Result<analyzers::AnalyzerOptions> analyzer_options(const ScanOptions& options, const CivilDate& day) {
  analyzers::AnalyzerOptions ao;
  ao.day = day;
  ao.threads = options.threads;
  ao.eol_warning_days = options.eol_warning_days;
  ao.patch_level_max_age_days = options.patch_level_max_age_days;
  ao.collect_facts = options.collect_facts;
  if (!options.services_path.empty()) {
    auto declared = assess::load_declared_services(options.services_path);
    if (!declared) {
      Error e = declared.error();
      e.where = e.where.empty() ? "--services" : "--services: " + e.where;
      return e;
    }
    ao.declared_services = std::move(*declared);
    ao.declared_services_source = options.services_path;
  }
  return ao;
}

Result<analyzers::AnalyzerOptions> analyzer_options(const ScanOptions& options) {
  auto day = assessment_day(options);
  if (!day) return day.error();
  return analyzer_options(options, *day);
}

Result<catalog::Catalog> load_catalog(const std::string& dir) {
  auto cat = dir.empty() ? catalog::load_builtin() : catalog::load_directory(dir);
  if (!cat) return cat.error();
  if (auto ok = catalog::assign_analyzers(*cat, analyzers::implementers()); !ok) return ok.error();
  return cat;
}

Result<Inputs> load_inputs(const ScanOptions& options) {
  Inputs in;
  auto cat = load_catalog(options.catalog_dir);
  if (!cat) return cat.error();
  in.catalog = std::move(*cat);
  auto profile = assess::resolve_profile(in.catalog, options.profile);
  if (!profile) return profile.error();
  in.profile = std::move(*profile);
  in.set = catalog::select(*in.catalog.find_set(in.profile.set), in.profile);
  auto day = assessment_day(options);
  if (!day) return day.error();
  in.day = *day;
  if (!options.manifest_path.empty()) {
    auto m = assess::load_manifest(options.manifest_path);
    if (!m) return m.error();
    in.manifest = std::move(*m);
  }
  if (!options.waivers_path.empty()) {
    auto file = catalog::read_user_file(options.waivers_path);
    if (!file) return file.error();
    auto w = assess::parse_waivers(file->text, options.waivers_path, in.catalog);
    if (!w) return w.error();
    in.waivers = std::move(*w);
    in.waivers_sha256 = sha256_hex(file->text);
  }
  for (const auto& name : options.only_analyzers) {
    bool known = false;
    for (const auto& a : analyzers::registry()) known |= a.id == name;
    if (!known) return make_error(ErrorCode::kInvalidArgument, fmt::format("unknown analyzer '{}'", name));
  }
  auto ao = analyzer_options(options, in.day);
  if (!ao) return ao.error();
  in.analyzer_options = std::move(*ao);
  // The vulnerability database and the VEX files are host files: read here, before the target is
  // opened, so a bad one costs no scan time; the matching stage reads only what is opened here.
  std::string db_path = options.vuln_db;
  if (db_path.empty()) {
    const std::string fallback = vulns::default_db_path();
    if (struct stat st{}; !fallback.empty() && ::stat(fallback.c_str(), &st) == 0) db_path = fallback;
  }
  if (!db_path.empty()) {
    auto db = vulns::Database::open_read_only(db_path);
    if (!db) {
      Error e = db.error();
      e.message = "--db: " + e.message;
      return e;
    }
    in.vuln_db = std::make_shared<vulns::Database>(std::move(*db));
  }
  for (const auto& path : options.vex_paths) {
    auto statements = vulns::load_vex(path);
    if (!statements) {
      Error e = statements.error();
      e.message = "--vex: " + e.message;
      return e;
    }
    std::move(statements->begin(), statements->end(), std::back_inserter(in.vex));
  }
  return in;
}

/// Runs the selected analyzers on the pool and merges their outputs in registry order, so the
/// report does not depend on the thread count or timing.
std::vector<std::string> run_analyzers(const inventory::Inventory& inv, const ScanOptions& options,
                                       analyzers::Context& ctx, Report& report) {
  auto chosen = selected_analyzers(options);
  std::vector<analyzers::Output> outputs(chosen.size());
  // Analyzers finish in any order; the count told to options.progress only grows (one lock).
  const std::uint64_t walked = inv.entries().size();
  std::mutex progress_mutex;
  std::size_t done = 0;
  if (options.progress) options.progress(ScanProgress{walked, 0, chosen.size()});
  ctx.pool().for_each(chosen.size(), [&](std::size_t i) {
    outputs[i] = chosen[i]->run(ctx);
    if (options.progress) {
      std::lock_guard lock(progress_mutex);
      options.progress(ScanProgress{walked, ++done, chosen.size()});
    }
  });
  std::vector<std::string> ran;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    ran.emplace_back(chosen[i]->id);
    auto& o = outputs[i];
    std::move(o.findings.begin(), o.findings.end(), std::back_inserter(report.findings));
    std::move(o.diagnostics.begin(), o.diagnostics.end(), std::back_inserter(report.target.diagnostics));
    if (options.collect_facts) std::move(o.facts.begin(), o.facts.end(), std::back_inserter(report.facts));
  }
  return ran;
}

void match_vulnerabilities(const Inputs& in, const ScanOptions& options, Report& report) {
  if (!options.only_analyzers.empty()) return;
  vulns::CheckOptions co;
  co.day = in.day;
  co.max_db_age_days = options.max_db_age_days;
  co.epss_threshold = options.epss_threshold;
  if (in.vuln_db) {
    co.have_db = true;
    const auto status = in.vuln_db->status();
    report.vuln_db.path = status.path;
    report.vuln_db.built = status.built.substr(0, 10);
    for (const auto& s : status.sources) report.vuln_db.sources.push_back({s.name, s.newest});
    report.vulnerabilities = vulns::match(report.components, *in.vuln_db);
    vulns::apply_vex(in.vex, report.components, report.vulnerabilities);
  }
  auto found = vulns::findings(report, co);
  std::move(found.begin(), found.end(), std::back_inserter(report.findings));
}

/// Completes the findings from the catalog, adds the manifest's, applies the waivers and rolls
/// the findings up into requirement verdicts and attestations.
void assess_findings(const Inputs& in, const std::vector<std::string>& ran, evidence::Evidence& ev, Report& report) {
  catalog::complete_findings(in.catalog, ran, report.findings);
  if (in.manifest) {
    std::optional<CivilDate> kernel_eol;
    if (const auto* v = ev.kernel().version()) kernel_eol = evidence::kernel_branch_eol(v->version);
    auto from_manifest = assess::manifest_findings(*in.manifest, in.day, kernel_eol);
    catalog::complete_findings(in.catalog, {}, from_manifest);
    std::move(from_manifest.begin(), from_manifest.end(), std::back_inserter(report.findings));
  }
  std::stable_sort(report.findings.begin(), report.findings.end(), [](const Finding& a, const Finding& b) {
    if (a.check != b.check) return a.check < b.check;
    return a.subject < b.subject;
  });
  const assess::Manifest* manifest = in.manifest ? &*in.manifest : nullptr;
  report.waivers = assess::apply_waivers(in.waivers, in.day, report.findings);
  report.requirements = catalog::evaluate(in.set, in.catalog, report.findings, assess::rollup_inputs(manifest));
  report.attestations = assess::attestations(in.set, manifest, report.findings);
}

/// What the report says about how it was made: dates, profile, data, the inputs and their hashes.
void fill_metadata(const std::string& target, const ScanOptions& options, const Inputs& in, Report& report) {
  ReportMetadata& meta = report.metadata;
  meta.assessment_date = format_date(in.day);
  meta.assessment_date_given = !options.assessment_date.empty();
  meta.profile = in.profile.id;
  meta.profile_title = in.profile.title;
  meta.requirement_set = in.profile.set;
  meta.gate = to_string(in.profile.gate);
  meta.tool_version = version();
  meta.data = assess::data_snapshots();
  if (struct stat st{}; ::stat(target.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    if (auto h = sha256_file(target)) meta.target_sha256 = *h;
  }
  if (const auto& manifest = in.manifest) {
    meta.manifest = options.manifest_path;
    meta.manifest_sha256 = manifest->sha256;
    meta.product.product = manifest->product;
    meta.product.model = manifest->model;
    meta.product.firmware_version = manifest->firmware_version;
    if (manifest->firmware_date) meta.product.firmware_date = format_date(*manifest->firmware_date);
    if (manifest->support_end) meta.product.support_end = format_date(*manifest->support_end);
    meta.product.sdks = manifest->sdks;
  }
  if (!options.waivers_path.empty()) {
    meta.waivers = options.waivers_path;
    meta.waivers_sha256 = in.waivers_sha256;
  }
}

Result<Report> run_pipeline(const Inputs& in, const ScanOptions& options, const std::string& target,
                            const inventory::Inventory& inv, Report report) {
  parallel::Pool pool(options.threads);
  evidence::Evidence ev(inv, pool);
  analyzers::Context ctx(inv, in.analyzer_options, ev);
  auto ran = run_analyzers(inv, options, ctx, report);
  // Every scan carries its components (computed once, shared with the sbom analyzer), so any
  // report format can render the SBOM; --only and --skip do not change what the target holds.
  report.components = ev.components().components;
  match_vulnerabilities(in, options, report);
  assess_findings(in, ran, ev, report);
  fill_metadata(target, options, in, report);
  report.inventory = inv.summary();
  // The report carries what writers show of the checks it cites, and the numbers the exit code
  // is decided on, so writers read neither the catalog nor each other's counts.
  catalog::cite_checks(in.catalog, report);
  report.summary = summarize(report, options.fail_on.value_or(in.profile.gate));
  return report;
}

Result<Report> scan_vfs(std::shared_ptr<vfs::Vfs> root, const std::string& format, const ScanOptions& options) {
  auto in = load_inputs(options);
  if (!in) return in.error();
  Report report;
  report.tool.version = version();
  report.profile = in->profile.id;
  auto inv = open_vfs(std::move(root), format, options, report.target);
  if (!inv) return inv.error();
  return run_pipeline(*in, options, "", **inv, std::move(report));
}

}  // namespace fwcert::scanning
