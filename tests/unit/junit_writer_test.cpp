// The JUnit writer: counts CI shows, one testcase per check and subject, and XML that stays
// well-formed whatever bytes an image's file names hold. Schema validation with xmllint is in
// tests/cli/cli_report_formats_test.cpp.

#include "report/junit/junit_writer.hpp"

#include <gtest/gtest.h>

#include "support/test_util.hpp"

namespace fwcert::report {
namespace {

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

/// `r` with the catalog entries of two checks in two areas, as the scan copies them.
Report with_two_areas(Report r) {
  CitedCheck d;
  d.id = "priv-sudo";
  d.area = "privilege-separation";
  d.title = "sudo is restricted";
  r.checks.push_back(d);
  d.id = "auth-empty-password";
  d.area = "authentication";
  d.title = "No empty passwords";
  r.checks.push_back(d);
  r.areas = {"privilege-separation", "authentication"};
  return r;
}

Finding make(const std::string& check, Status st, const std::string& subject) {
  Finding f;
  f.check = check;
  f.status = st;
  f.severity = Severity::kHigh;
  f.subject = subject;
  f.message = "about " + subject;
  f.evidence.push_back({"/etc/x", 3, std::nullopt, "seen", ""});
  return f;
}

TEST(JunitWriter, SuitesPerAreaInCatalogOrderWithCorrectCounts) {
  Report r;
  r.target.path = "fw.img";
  r.findings.push_back(make("auth-empty-password", Status::kFail, "account:a"));
  r.findings.push_back(make("auth-empty-password", Status::kPass, "account:b"));
  r.findings.push_back(make("auth-empty-password", Status::kInconclusive, "account:c"));
  r.findings.push_back(make("priv-sudo", Status::kNotApplicable, "sudo"));
  r.findings.push_back(make("priv-sudo", Status::kWarn, "doas"));
  r.findings.push_back(make("new-check", Status::kFail, ""));
  auto x = to_junit(with_two_areas(r));
  EXPECT_NE(x.find("<testsuites name=\"fwcert fw.img\" tests=\"6\" failures=\"2\" errors=\"0\" skipped=\"2\""),
            std::string::npos)
      << x;
  auto priv = x.find("<testsuite name=\"privilege-separation\" tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"1\"");
  auto auth = x.find("<testsuite name=\"authentication\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\"");
  auto other = x.find("<testsuite name=\"other\" tests=\"1\" failures=\"1\"");
  ASSERT_NE(priv, std::string::npos) << x;
  ASSERT_NE(auth, std::string::npos) << x;
  ASSERT_NE(other, std::string::npos) << x;
  EXPECT_LT(priv, auth);  // catalog order, not alphabetical
  EXPECT_LT(auth, other);
  EXPECT_EQ(count(x, "<testcase "), 6u);
  EXPECT_EQ(count(x, "<failure "), 2u);
  EXPECT_EQ(count(x, "<skipped "), 2u);
  EXPECT_NE(x.find("classname=\"auth-empty-password\" name=\"account:a\" file=\"/etc/x\""), std::string::npos);
  EXPECT_NE(x.find("<skipped message=\"not-applicable: about sudo\"/>"), std::string::npos);
  // A finding without a subject is named by its check's title (or id when the catalog lacks it).
  EXPECT_NE(x.find("classname=\"new-check\" name=\"new-check\""), std::string::npos);
}

TEST(JunitWriter, WaivedFailureIsSkippedWithTheWaiverAsReason) {
  Report r;
  r.findings.push_back(make("priv-sudo", Status::kFail, "sudo"));
  r.findings.push_back(make("priv-sudo", Status::kFail, "doas"));
  r.findings[0].waiver = AppliedWaiver{"w.yaml:2", "factory test only", "bob", "2031-02-03"};
  auto x = to_junit(with_two_areas(r));
  EXPECT_NE(x.find("tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\""), std::string::npos) << x;
  EXPECT_NE(x.find("<skipped message=\"waived by w.yaml:2 (owner bob, until 2031-02-03): factory test only\"/>"),
            std::string::npos)
      << x;
  EXPECT_EQ(count(x, "<failure "), 1u);
}

TEST(JunitWriter, SameCheckAndSubjectStayDistinctTestcases) {
  Report r;
  r.findings.push_back(make("priv-sudo", Status::kFail, "x"));
  r.findings.push_back(make("priv-sudo", Status::kFail, "x"));
  auto x = to_junit(with_two_areas(r));
  EXPECT_NE(x.find("name=\"x\""), std::string::npos);
  EXPECT_NE(x.find("name=\"x (2)\""), std::string::npos);
}

TEST(JunitWriter, ControlCharactersAndMarkupFromTheImageAreNeutralised) {
  Report r;
  r.target.path = "fw.img";
  auto f = make("priv-sudo", Status::kFail, std::string("a\x01<b>&\"\x1b\xff\0z", 11));
  f.evidence[0].observed = "]]></system-out><x>";
  r.findings.push_back(f);
  auto x = to_junit(with_two_areas(r));
  for (char c : x) {
    auto u = static_cast<unsigned char>(c);
    EXPECT_FALSE(u < 0x20 && c != '\n') << "raw control byte " << int(u);
  }
  EXPECT_EQ(x.find("<b>"), std::string::npos);
  EXPECT_EQ(x.find("<x>"), std::string::npos);
  if (!test::have_tool("xmllint")) GTEST_SKIP() << "xmllint (libxml2-utils) not installed";
  test::TempDir d;
  test::write_file(d / "j.xml", x);
  auto res = test::run("xmllint --noout " + test::shell_quote(d / "j.xml"));
  EXPECT_EQ(res.exit_code, 0) << res.output << x;
}

}  // namespace
}  // namespace fwcert::report
