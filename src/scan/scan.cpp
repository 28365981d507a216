#include "fwcert/scan.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "analyzers/analyzer.hpp"
#include "analyzers/content/pass.hpp"
#include "assess/assess.hpp"
#include "assess/waivers.hpp"
#include "catalog/catalog.hpp"
#include "core/date.hpp"
#include "core/limits.hpp"
#include "core/sha256.hpp"
#include "inventory/inventory.hpp"
#include "scan/target.hpp"

namespace fwcert {

#ifndef FWCERT_VERSION
#define FWCERT_VERSION "0.0.0"
#endif

const char* version() { return FWCERT_VERSION; }

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

Result<Report> scan(const std::string& target, const ScanOptions& options) {
  auto cat = options.catalog_dir.empty() ? catalog::load_builtin() : catalog::load_directory(options.catalog_dir);
  if (!cat) return cat.error();
  auto profile = assess::resolve_profile(*cat, options.profile);
  if (!profile) return profile.error();
  const catalog::RequirementSet selected = catalog::select(*cat->find_set(profile->set), *profile);
  const catalog::RequirementSet* set = &selected;
  auto day = assessment_day(options);
  if (!day) return day.error();
  // The user's files are read before the target, so a mistake in them costs no scan time.
  std::optional<assess::Manifest> manifest;
  if (!options.manifest_path.empty()) {
    auto m = assess::load_manifest(options.manifest_path);
    if (!m) return m.error();
    manifest = std::move(*m);
  }
  std::vector<assess::Waiver> waivers;
  std::string waivers_sha256;
  if (!options.waivers_path.empty()) {
    auto file = catalog::read_user_file(options.waivers_path);
    if (!file) return file.error();
    auto w = assess::parse_waivers(file->text, options.waivers_path, *cat);
    if (!w) return w.error();
    waivers = std::move(*w);
    waivers_sha256 = sha256_hex(file->text);
  }
  for (const auto& name : options.only_analyzers) {
    bool known = false;
    for (const auto& a : analyzers::registry()) known |= a.id == name;
    if (!known) return make_error(ErrorCode::kInvalidArgument, fmt::format("unknown analyzer '{}'", name));
  }

  Report report;
  report.tool.version = version();
  report.profile = profile->id;

  auto opened = scanning::open_target(target, options, report.target);
  if (!opened) return opened.error();
  inventory::Inventory& inv = *opened.value();

  // Analyzers run in parallel; each writes only its own slot, and slots are merged in
  // registry order, so the report does not depend on the thread count or timing.
  auto chosen = selected_analyzers(options);
  std::vector<analyzers::Output> outputs(chosen.size());
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  analyzers::content::SharedPass content(inv, threads);
  analyzers::Context ctx{inv, options, &content};
  {
    // Analyzers finish in any order; the count told to options.progress only grows (one lock).
    const std::uint64_t walked = inv.entries().size();
    std::mutex progress_mutex;
    std::size_t done = 0;
    if (options.progress) options.progress(ScanProgress{walked, 0, chosen.size()});
    std::atomic<std::size_t> next{0};
    std::vector<std::jthread> pool;
    for (unsigned t = 0; t < std::min<std::size_t>(threads, chosen.size()); ++t) {
      pool.emplace_back([&] {
        for (std::size_t i = next++; i < chosen.size(); i = next++) {
          outputs[i] = chosen[i]->run(ctx);
          if (options.progress) {
            std::lock_guard lock(progress_mutex);
            options.progress(ScanProgress{walked, ++done, chosen.size()});
          }
        }
      });
    }
  }
  std::vector<std::string> ran;
  std::optional<CivilDate> kernel_eol;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    ran.emplace_back(chosen[i]->id);
    auto& o = outputs[i];
    std::move(o.findings.begin(), o.findings.end(), std::back_inserter(report.findings));
    std::move(o.diagnostics.begin(), o.diagnostics.end(), std::back_inserter(report.target.diagnostics));
    for (const auto& fact : o.facts) {
      if (fact.name != "kernel.eol" || !std::holds_alternative<std::string>(fact.value)) continue;
      auto eol = parse_date(std::get<std::string>(fact.value));
      if (eol && (!kernel_eol || *eol < *kernel_eol)) kernel_eol = eol;  // the earliest of several kernels
    }
    if (options.collect_facts) std::move(o.facts.begin(), o.facts.end(), std::back_inserter(report.facts));
  }
  catalog::complete_findings(*cat, ran, report.findings);
  if (manifest) {
    auto from_manifest = assess::manifest_findings(*manifest, *day, kernel_eol);
    catalog::complete_findings(*cat, {}, from_manifest);
    std::move(from_manifest.begin(), from_manifest.end(), std::back_inserter(report.findings));
  }
  std::stable_sort(report.findings.begin(), report.findings.end(), [](const Finding& a, const Finding& b) {
    if (a.check != b.check) return a.check < b.check;
    return a.subject < b.subject;
  });
  report.waivers = assess::apply_waivers(waivers, *day, report.findings);
  report.requirements =
      catalog::evaluate(*set, *cat, report.findings, assess::rollup_inputs(manifest ? &*manifest : nullptr));
  report.attestations = assess::attestations(*set, manifest ? &*manifest : nullptr, report.findings);

  ReportMetadata& meta = report.metadata;
  meta.assessment_date = format_date(*day);
  meta.assessment_date_given = !options.assessment_date.empty();
  meta.profile = profile->id;
  meta.profile_title = profile->title;
  meta.requirement_set = profile->set;
  meta.gate = to_string(profile->gate);
  meta.tool_version = version();
  meta.data = assess::data_snapshots();
  if (struct stat st{}; ::stat(target.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    if (auto h = sha256_file(target)) meta.target_sha256 = *h;
  }
  if (manifest) {
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
    meta.waivers_sha256 = waivers_sha256;
  }
  report.inventory = inv.summary();
  // The report carries what writers show of the checks it cites, and the numbers the exit code
  // is decided on, so writers read neither the catalog nor each other's counts.
  catalog::cite_checks(*cat, report);
  report.summary = summarize(report, options.fail_on.value_or(profile->gate));
  return report;
}

}  // namespace fwcert
