#include "support/analyzer_run.hpp"

#include "scan/pipeline.hpp"

namespace fwcert::test {

analyzers::AnalyzerOptions analyzer_options(const ScanOptions& options) {
  auto o = scanning::analyzer_options(options);
  EXPECT_TRUE(o.ok()) << (o.ok() ? "" : o.error().describe());
  return o.ok() ? std::move(*o) : analyzers::AnalyzerOptions{};
}

void AnalyzerRun::walk(std::shared_ptr<vfs::Vfs> v, const std::string& fs_type) {
  std::vector<Diagnostic> diags;
  auto fs = inv.add_filesystem({"", fs_type, 0, "", 0, std::move(v)});
  inv.walk(fs, diags);
  inv.finish();
}

void AnalyzerRun::run(analyzers::Output (*fn)(const analyzers::Context&)) {
  if (!options.threads) options.threads = 1;
  out = fn(analyzers::Context{inv, analyzer_options(options)});
}

std::vector<const Finding*> AnalyzerRun::all(std::string_view check) const {
  std::vector<const Finding*> r;
  for (const auto& f : out.findings) {
    if (f.check == check) r.push_back(&f);
  }
  return r;
}

const Finding& AnalyzerRun::only(std::string_view check) const {
  auto r = all(check);
  EXPECT_EQ(r.size(), 1u) << check;
  static const Finding kNone;
  return r.size() == 1 ? *r.front() : kNone;
}

const Finding* AnalyzerRun::find(std::string_view check, const std::string& subject) const {
  for (const auto& f : out.findings) {
    if (f.check == check && f.subject == subject) return &f;
  }
  return nullptr;
}

const Fact* AnalyzerRun::fact(const std::string& subject, std::string_view name) const {
  for (const auto& f : out.facts) {
    if (f.subject == subject && f.name == name) return &f;
  }
  return nullptr;
}

const Evidence* AnalyzerRun::evidence(std::string_view check, std::string_view text) const {
  for (const auto& e : only(check).evidence) {
    if (e.observed.find(text) != std::string::npos) return &e;
  }
  return nullptr;
}

}  // namespace fwcert::test
