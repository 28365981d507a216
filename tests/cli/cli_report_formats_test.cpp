// The machine report formats, produced by the real binary from real images and checked by the
// validators their consumers' formats are defined by: SARIF against the official OASIS 2.1.0
// schema with ajv, JUnit against tests/data/junit.xsd with xmllint, and the JSON report against
// docs/report.schema.json. Then their content is held against the JSON report of the same scan.
//
// node + ajv (package.json, `npm ci`) and xmllint (libxml2-utils) are installed by
// scripts/install-deps.sh; a test is skipped only when the tool itself is absent.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "support/test_util.hpp"

namespace fwcert::test {
namespace {

using nlohmann::json;

const char* kDate = "--assessment-date 2026-01-15";

CommandResult fwcert(const std::string& args) { return run(shell_quote(fwcert_binary()) + " " + args); }

/// Runs the ajv validator; exit 0 valid, 1 invalid, 2 broken set-up.
CommandResult validate_json(const std::string& schema, const std::string& doc) {
  return run("node " + shell_quote(source_dir() + "/tests/validate/validate-json.mjs") + " " + shell_quote(schema) +
             " " + shell_quote(doc));
}

CommandResult validate_junit(const std::string& doc) {
  return run("xmllint --noout --schema " + shell_quote(source_dir() + "/tests/data/junit.xsd") + " " +
             shell_quote(doc));
}

std::string sarif_schema() { return source_dir() + "/tests/data/sarif-schema-2.1.0.json"; }
std::string report_schema() { return source_dir() + "/docs/report.schema.json"; }

/// Skips when node is not installed; fails (set-up error) when node is there but `npm ci` was not run.
#define REQUIRE_AJV()                                                                                      \
  do {                                                                                                     \
    if (!have_tool("node")) GTEST_SKIP() << "node is not installed (scripts/install-deps.sh installs it)"; \
    struct stat st_ {};                                                                                    \
    ASSERT_EQ(::stat((source_dir() + "/node_modules/ajv/package.json").c_str(), &st_), 0)                  \
        << "node_modules/ajv missing: run scripts/install-deps.sh (npm ci)";                               \
  } while (0)

#define REQUIRE_XMLLINT() \
  if (!have_tool("xmllint")) GTEST_SKIP() << "xmllint is not installed (libxml2-utils)"

/// The counters of the <testsuites> root element as the writer prints them.
std::string fmt_counts(std::size_t tests, std::size_t failures, std::size_t skipped) {
  return "tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
         "\" errors=\"0\" skipped=\"" + std::to_string(skipped) + "\"";
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

/// The demo firmware (examples/demo-firmware), built once for the suite, and its reports in
/// every machine format from one scan configuration.
class ReportFormats : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!have_tool("mksquashfs") || !have_tool("gcc")) return;
    dir_ = new TempDir();
    auto r = run("bash " + shell_quote(source_dir() + "/examples/demo-firmware/build.sh") + " " +
                 shell_quote(*dir_ / "b") + " " + shell_quote(*dir_ / "out"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    image_ = *dir_ / "out/firmware.squashfs";
    for (const char* f : {"json", "sarif", "junit", "markdown"}) {
      auto s = fwcert(std::string("scan ") + kDate + " --format " + f + " -o " + shell_quote(*dir_ / "r." + f) + " " +
                      shell_quote(image_));
      ASSERT_EQ(s.exit_code, 1) << f << ": " << s.output;  // the demo has failing findings
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!dir_) GTEST_SKIP() << "needs mksquashfs and gcc";
  }
  static std::string path(const std::string& ext) { return *dir_ / "r." + ext; }
  static json report() { return json::parse(read_file(path("json"))); }

  static TempDir* dir_;
  static std::string image_;
};
TempDir* ReportFormats::dir_ = nullptr;
std::string ReportFormats::image_;

TEST_F(ReportFormats, SarifValidatesAgainstTheOasisSchema) {
  REQUIRE_AJV();
  auto v = validate_json(sarif_schema(), path("sarif"));
  EXPECT_EQ(v.exit_code, 0) << v.output;
  // The validator does reject what GitHub rejects: a startLine of 0.
  auto s = json::parse(read_file(path("sarif")));
  auto& loc = s["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
  loc["region"]["startLine"] = 0;
  write_file(*dir_ / "bad.sarif", s.dump());
  auto bad = validate_json(sarif_schema(), *dir_ / "bad.sarif");
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("startLine"), std::string::npos) << bad.output;
}

TEST_F(ReportFormats, SarifResultsAreTheFailingAndWarningFindingsOfTheJsonReport) {
  auto j = report();
  auto s = json::parse(read_file(path("sarif")));
  ASSERT_EQ(s["runs"].size(), 1u);
  const auto& run0 = s["runs"][0];
  EXPECT_EQ(run0["automationDetails"]["id"], "fwcert/firmware.squashfs/");
  std::multiset<std::string> want, got;
  for (const auto& f : j["findings"]) {
    if (f["status"] == "fail" || f["status"] == "warn") want.insert(f["check"].get<std::string>());
  }
  ASSERT_FALSE(want.empty());
  const auto& rules = run0["tool"]["driver"]["rules"];
  std::set<std::string> rule_ids, used;
  for (const auto& r : rules) {
    EXPECT_TRUE(rule_ids.insert(r["id"].get<std::string>()).second) << "duplicate rule " << r["id"];
    EXPECT_FALSE(r["help"]["text"].get<std::string>().empty()) << r["id"];
    EXPECT_TRUE(r["properties"]["tags"].size() >= 1u && r["properties"]["tags"][0] == "security");
  }
  std::set<std::string> prints;
  for (const auto& res : run0["results"]) {
    got.insert(res["ruleId"].get<std::string>());
    used.insert(res["ruleId"].get<std::string>());
    ASSERT_LT(res["ruleIndex"].get<std::size_t>(), rules.size());
    EXPECT_EQ(rules[res["ruleIndex"].get<std::size_t>()]["id"], res["ruleId"]);
    EXPECT_FALSE(res["message"]["text"].get<std::string>().empty());
    ASSERT_FALSE(res["locations"].empty()) << res.dump();
    for (const auto& l : res["locations"]) {
      const auto& pl = l["physicalLocation"];
      std::string uri = pl["artifactLocation"]["uri"];
      EXPECT_FALSE(uri.empty());
      EXPECT_NE(uri[0], '/') << uri;
      auto colon = uri.find(':');
      EXPECT_TRUE(colon == std::string::npos || colon > uri.find('/')) << "reads as a URI scheme: " << uri;
      if (pl.contains("region")) EXPECT_GE(pl["region"]["startLine"].get<int>(), 1) << res.dump();
    }
    prints.insert(res["partialFingerprints"]["fwcert/v1"].get<std::string>());
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(used, rule_ids) << "a rule without a result, or the other way round";
  EXPECT_EQ(prints.size(), run0["results"].size()) << "fingerprints must be distinct per finding";

  // A known planted weakness, as GitHub will show it.
  bool guest = false;
  for (const auto& res : run0["results"]) {
    if (res["ruleId"] != "auth-empty-password") continue;
    guest = true;
    EXPECT_EQ(res["level"], "error");
    EXPECT_EQ(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "etc/shadow");
    EXPECT_GE(res["locations"][0]["physicalLocation"]["region"]["startLine"].get<int>(), 1);
    EXPECT_EQ(rules[res["ruleIndex"].get<std::size_t>()]["properties"]["security-severity"], "9.5");
  }
  EXPECT_TRUE(guest);
}

TEST_F(ReportFormats, SarifFingerprintsAreStableAcrossRuns) {
  auto again = fwcert(std::string("scan ") + kDate + " --format sarif --threads 1 " + shell_quote(image_));
  ASSERT_EQ(again.exit_code, 1);
  auto a = json::parse(read_file(path("sarif")));
  auto b = json::parse(again.output);
  ASSERT_EQ(a["runs"][0]["results"].size(), b["runs"][0]["results"].size());
  for (std::size_t i = 0; i < a["runs"][0]["results"].size(); ++i) {
    EXPECT_EQ(a["runs"][0]["results"][i]["partialFingerprints"], b["runs"][0]["results"][i]["partialFingerprints"]);
  }
  EXPECT_EQ(read_file(path("sarif")), again.output);  // and the whole document, byte for byte
}

TEST_F(ReportFormats, JunitValidatesAndCountsMatchTheJsonReport) {
  auto x = read_file(path("junit"));
  auto j = report();
  std::size_t fails = 0, skipped = 0;
  for (const auto& f : j["findings"]) {
    fails += f["status"] == "fail" && !f.contains("waiver");
    skipped += f["status"] == "inconclusive" || f["status"] == "not-applicable" ||
               (f["status"] == "fail" && f.contains("waiver"));
  }
  ASSERT_GT(fails, 0u);
  EXPECT_EQ(count(x, "<failure "), fails);
  EXPECT_EQ(count(x, "<skipped "), skipped);
  EXPECT_EQ(count(x, "<testcase "), j["findings"].size());
  EXPECT_NE(x.find(fmt_counts(j["findings"].size(), fails, skipped)), std::string::npos) << x.substr(0, 400);
  EXPECT_NE(x.find("classname=\"auth-empty-password\" name=\"account:guest\""), std::string::npos);

  REQUIRE_XMLLINT();
  auto v = validate_junit(path("junit"));
  EXPECT_EQ(v.exit_code, 0) << v.output;
  // The XSD does reject a miscounted or locale-formatted document.
  std::string broken = x;
  broken.replace(broken.find("time=\"0.000\""), 12, "time=\"1,5\"");
  write_file(*dir_ / "bad.xml", broken);
  EXPECT_NE(validate_junit(*dir_ / "bad.xml").exit_code, 0);
}

TEST_F(ReportFormats, JsonReportValidatesAgainstTheDocumentedSchema) {
  REQUIRE_AJV();
  auto v = validate_json(report_schema(), path("json"));
  EXPECT_EQ(v.exit_code, 0) << v.output;
  // The schema is strict: a key the writer grows without the schema changing fails.
  auto j = report();
  j["findings"][0]["surprise"] = 1;
  write_file(*dir_ / "drift.json", j.dump());
  auto drift = validate_json(report_schema(), *dir_ / "drift.json");
  EXPECT_EQ(drift.exit_code, 1) << drift.output;
  j = report();
  j.erase("metadata");
  write_file(*dir_ / "drift2.json", j.dump());
  EXPECT_EQ(validate_json(report_schema(), *dir_ / "drift2.json").exit_code, 1);
}

TEST_F(ReportFormats, FactsReportValidatesToo) {
  REQUIRE_AJV();
  // `facts` with --format json writes a different document; the full report with facts is
  // what the schema's optional "facts" key describes, checked here through a scan that keeps them.
  auto j = report();
  auto facts = fwcert("facts --analyzer accounts --format json " + shell_quote(image_));
  ASSERT_EQ(facts.exit_code, 0) << facts.output;
  j["facts"] = json::parse(facts.output)["facts"];
  ASSERT_FALSE(j["facts"].empty());
  write_file(*dir_ / "with-facts.json", j.dump());
  auto v = validate_json(report_schema(), *dir_ / "with-facts.json");
  EXPECT_EQ(v.exit_code, 0) << v.output;
}

TEST_F(ReportFormats, MarkdownSummaryFitsACommentAndCountsMatch) {
  auto md = read_file(path("markdown"));
  auto j = report();
  std::size_t fails = 0, warns = 0;
  for (const auto& f : j["findings"]) {
    fails += f["status"] == "fail" && !f.contains("waiver");
    warns += f["status"] == "warn" && !f.contains("waiver");
  }
  EXPECT_LE(md.size(), 65536u);
  EXPECT_NE(md.find("## fwcert: `firmware.squashfs` — " + std::to_string(fails) + " failing, " + std::to_string(warns) +
                    " warning"),
            std::string::npos)
      << md.substr(0, 300);
  EXPECT_NE(md.find("`auth-empty-password` `account:guest`"), std::string::npos);
  EXPECT_NE(md.find("<details>"), std::string::npos);
  EXPECT_NE(md.find("</details>"), std::string::npos);
}

TEST_F(ReportFormats, WaivedFindingsAreSuppressedInSarifAndSkippedInJunit) {
  write_file(*dir_ / "waivers.yaml",
             "waivers:\n"
             "  - check: auth-empty-password\n"
             "    subject: \"account:guest\"\n"
             "    justification: kiosk account, locked by the factory image step\n"
             "    owner: product-security\n"
             "    expires: 2027-06-30\n");
  std::string base = std::string("scan ") + kDate + " --waivers " + shell_quote(*dir_ / "waivers.yaml");
  auto s = fwcert(base + " --format sarif " + shell_quote(image_));
  auto x = fwcert(base + " --format junit " + shell_quote(image_));
  auto m = fwcert(base + " --format markdown " + shell_quote(image_));
  ASSERT_EQ(s.exit_code, 1) << s.output;
  auto sarif = json::parse(s.output);
  int suppressed = 0;
  for (const auto& res : sarif["runs"][0]["results"]) {
    if (!res.contains("suppressions")) continue;
    ++suppressed;
    EXPECT_EQ(res["ruleId"], "auth-empty-password");
    EXPECT_EQ(res["suppressions"][0]["kind"], "external");
    EXPECT_EQ(res["suppressions"][0]["justification"], "kiosk account, locked by the factory image step");
  }
  EXPECT_EQ(suppressed, 1);
  EXPECT_NE(x.output.find("<skipped message=\"waived by "), std::string::npos) << x.output.substr(0, 2000);
  EXPECT_NE(m.output.find("fail (waived by "), std::string::npos);
  if (have_tool("node")) {
    write_file(*dir_ / "waived.sarif", s.output);
    auto v = validate_json(sarif_schema(), *dir_ / "waived.sarif");
    EXPECT_EQ(v.exit_code, 0) << v.output;
  }
  if (have_tool("xmllint")) {
    write_file(*dir_ / "waived.xml", x.output);
    auto v = validate_junit(*dir_ / "waived.xml");
    EXPECT_EQ(v.exit_code, 0) << v.output;
  }
}

/// A rootfs on disk with names that need encoding and an initramfs nested inside.
class ReportFormatsOddNames : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_tool("cpio") || !have_tool("gzip")) GTEST_SKIP() << "needs cpio and gzip";
    write_file(d_ / "root/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nguest:x:1001:1001::/home/guest:/bin/sh\n");
    write_file(d_ / "root/etc/shadow", "root:*:19700:0:99999:7:::\nguest::19700:0:99999:7:::\n");
    write_file(d_ / "root/etc/group", "root:x:0:\n");
    odd_ = d_ / "root/usr/bin/odd name:#1 \xc3\xa9";
    write_file(odd_, "#!/bin/sh\necho\n");
    ASSERT_EQ(::chmod(odd_.c_str(), 04755), 0);
    write_file(d_ / "init/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
    write_file(d_ / "init/etc/shadow", "root::19700:0:99999:7:::\n");
    write_file(d_ / "init/init", "#!/bin/sh\n");
    auto r = run("mkdir -p " + shell_quote(d_ / "root/boot") + " && cd " + shell_quote(d_ / "init") +
                 " && find . | cpio -o -H newc 2>/dev/null | gzip > " + shell_quote(d_ / "root/boot/initrd.img"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  TempDir d_;
  std::string odd_;
};

TEST_F(ReportFormatsOddNames, UrisArePercentEncodedAndNestedPathsKeepOneBang) {
  auto r = fwcert(std::string("scan ") + kDate + " --format sarif -o " + shell_quote(d_ / "r.sarif") + " " +
                  shell_quote(d_ / "root"));
  ASSERT_EQ(r.exit_code, 1) << r.output;
  auto s = json::parse(read_file(d_ / "r.sarif"));
  std::set<std::string> uris;
  for (const auto& res : s["runs"][0]["results"]) {
    for (const auto& l : res["locations"]) uris.insert(l["physicalLocation"]["artifactLocation"]["uri"]);
  }
  EXPECT_TRUE(uris.count("usr/bin/odd%20name%3A%231%20%C3%A9")) << s.dump(1).substr(0, 3000);
  EXPECT_TRUE(uris.count("boot/initrd.img!/etc/shadow")) << s.dump(1).substr(0, 3000);
  EXPECT_TRUE(uris.count("etc/shadow"));
  for (const auto& u : uris) {
    for (char c : u) {
      bool ok = std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-._~/%!").find(c) != std::string::npos;
      EXPECT_TRUE(ok) << u;
    }
  }
  if (have_tool("node")) {
    auto v = validate_json(sarif_schema(), d_ / "r.sarif");
    EXPECT_EQ(v.exit_code, 0) << v.output;
  }
  // The same scan's JSON and JUnit validate as well.
  auto j = fwcert(std::string("scan ") + kDate + " --format json -o " + shell_quote(d_ / "r.json") + " " +
                  shell_quote(d_ / "root"));
  auto x = fwcert(std::string("scan ") + kDate + " --format junit -o " + shell_quote(d_ / "r.xml") + " " +
                  shell_quote(d_ / "root"));
  ASSERT_EQ(j.exit_code, 1);
  ASSERT_EQ(x.exit_code, 1);
  if (have_tool("node")) {
    auto v = validate_json(report_schema(), d_ / "r.json");
    EXPECT_EQ(v.exit_code, 0) << v.output;
  }
  if (have_tool("xmllint")) {
    auto v = validate_junit(d_ / "r.xml");
    EXPECT_EQ(v.exit_code, 0) << v.output;
  }
}

TEST(CliReportFormats, UnknownFormatIsAUsageError) {
  auto r = fwcert("scan --format pdf /nonexistent");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  auto help = fwcert("scan --help");
  for (const char* f : {"sarif", "junit", "markdown"}) EXPECT_NE(help.output.find(f), std::string::npos) << f;
}

}  // namespace
}  // namespace fwcert::test
