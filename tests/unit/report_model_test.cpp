// The report model: the summary every writer and the exit code read, computed once, and the
// rule that writers render the report alone (no writer includes the catalog).

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "fwcert/report.hpp"
#include "support/test_util.hpp"

namespace fwcert {
namespace {

Finding make(const std::string& check, Status st, Severity sev) {
  Finding f;
  f.check = check;
  f.status = st;
  f.severity = sev;
  return f;
}

TEST(ReportModel, SummaryCountsUnwaivedFailuresAtOrAboveTheGate) {
  Report r;
  r.findings.push_back(make("a", Status::kFail, Severity::kCritical));
  r.findings.push_back(make("b", Status::kFail, Severity::kHigh));
  r.findings.push_back(make("c", Status::kFail, Severity::kMedium));
  r.findings.push_back(make("d", Status::kFail, Severity::kCritical));
  r.findings.back().waiver = AppliedWaiver{"w.yaml:2", "accepted", "bob", "2030-01-01"};
  r.findings.push_back(make("e", Status::kWarn, Severity::kCritical));
  r.findings.push_back(make("f", Status::kWarn, Severity::kLow));
  r.findings.back().waiver = AppliedWaiver{"w.yaml:8", "accepted", "bob", "2030-01-01"};
  r.findings.push_back(make("g", Status::kPass, Severity::kHigh));
  RequirementResult q;
  q.verdict = Verdict::kNotMet;
  r.requirements = {q, q};
  q.verdict = Verdict::kMet;
  r.requirements.push_back(q);

  Summary high = summarize(r, Severity::kHigh);
  EXPECT_EQ(high.gate, Severity::kHigh);
  EXPECT_EQ(high.gated, 2u);  // a and b: d is waived, e only warns, c is below the gate
  EXPECT_EQ(high.waived, 2u);
  EXPECT_EQ(high.count(Status::kFail), 3u);
  EXPECT_EQ(high.count(Status::kWarn), 1u);
  EXPECT_EQ(high.count(Status::kPass), 1u);
  EXPECT_EQ(high.count(Status::kInconclusive), 0u);
  EXPECT_EQ(high.count(Verdict::kNotMet), 2u);
  EXPECT_EQ(high.count(Verdict::kMet), 1u);
  EXPECT_EQ(high.count(Verdict::kPartial), 0u);
  EXPECT_EQ(summarize(r, Severity::kCritical).gated, 1u);
  EXPECT_EQ(summarize(r, Severity::kLow).gated, 3u);
}

TEST(ReportModel, FindCheckGivesTheCitedEntryOrNothing) {
  Report r;
  CitedCheck c;
  c.id = "auth-empty-password";
  c.title = "No empty passwords";
  r.checks.push_back(c);
  ASSERT_NE(r.find_check("auth-empty-password"), nullptr);
  EXPECT_EQ(r.find_check("auth-empty-password")->title, "No empty passwords");
  EXPECT_EQ(r.find_check("auth-empty"), nullptr);
}

/// Writers are pure functions of the report: every file under src/report/ includes only the
/// public model (fwcert/...) and other files of src/report/, never the catalog or the scan.
/// Two headers are pure functions too and allowed: the SHA-256 the SBOM writers derive their
/// document ids from, and the SBOM's naming of a component's licence and type (sbom/describe.hpp,
/// against the built-in SPDX licence list).
TEST(ReportModel, NoFileUnderSrcReportIncludesTheCatalog) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(test::source_dir()) / "src/report";
  static const std::regex kInclude(R"re(^\s*#\s*include\s*"([^"]+)")re");
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    const std::string rel = fs::relative(e.path(), test::source_dir()).string();
    files.push_back(rel);
    std::size_t line_no = 0;
    std::string text = test::read_file(e.path().string());
    for (std::size_t pos = 0; pos < text.size();) {
      auto end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      EXPECT_EQ(line.find("catalog::"), std::string::npos) << rel << ":" << line_no << ": " << line;
      std::smatch m;
      if (!std::regex_search(line, m, kInclude)) continue;
      const std::string header = m[1];
      const bool pure = header == "core/sha256.hpp" || header == "sbom/describe.hpp";
      EXPECT_TRUE(header.starts_with("report/") || header.starts_with("fwcert/") || pure)
          << rel << ":" << line_no << " includes " << header;
      EXPECT_EQ(header.find("catalog"), std::string::npos) << rel << ":" << line_no << " includes " << header;
    }
  }
  // The walk found the writers: a moved directory must not make this test pass vacuously.
  EXPECT_GE(files.size(), 12u);
}

}  // namespace
}  // namespace fwcert
