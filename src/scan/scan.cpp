#include "fwcert/scan.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "analyzers/analyzer.hpp"
#include "analyzers/content/pass.hpp"
#include "catalog/catalog.hpp"
#include "core/limits.hpp"
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
  const catalog::RequirementSet* set = cat->find_set(options.profile);
  if (!set) return make_error(ErrorCode::kInvalidArgument, fmt::format("unknown profile '{}'", options.profile));
  for (const auto& name : options.only_analyzers) {
    bool known = false;
    for (const auto& a : analyzers::registry()) known |= a.id == name;
    if (!known) return make_error(ErrorCode::kInvalidArgument, fmt::format("unknown analyzer '{}'", name));
  }

  Report report;
  report.tool.version = version();
  report.profile = options.profile;

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
    std::atomic<std::size_t> next{0};
    std::vector<std::jthread> pool;
    for (unsigned t = 0; t < std::min<std::size_t>(threads, chosen.size()); ++t) {
      pool.emplace_back([&] {
        for (std::size_t i = next++; i < chosen.size(); i = next++) outputs[i] = chosen[i]->run(ctx);
      });
    }
  }
  std::vector<std::string> ran;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    ran.emplace_back(chosen[i]->id);
    auto& o = outputs[i];
    std::move(o.findings.begin(), o.findings.end(), std::back_inserter(report.findings));
    std::move(o.diagnostics.begin(), o.diagnostics.end(), std::back_inserter(report.target.diagnostics));
    if (options.collect_facts) std::move(o.facts.begin(), o.facts.end(), std::back_inserter(report.facts));
  }
  catalog::complete_findings(*cat, ran, report.findings);
  std::stable_sort(report.findings.begin(), report.findings.end(), [](const Finding& a, const Finding& b) {
    if (a.check != b.check) return a.check < b.check;
    return a.subject < b.subject;
  });
  report.requirements = catalog::evaluate(*set, *cat, report.findings);
  report.inventory = inv.summary();
  return report;
}

}  // namespace fwcert
