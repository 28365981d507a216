// Components and vulnerabilities in every report format: the JSON report validates against
// docs/report.schema.json and the SARIF log against the OASIS schema with them in; SARIF makes
// each vulnerability a result on the file that holds its component (a VEX'd one suppressed);
// HTML, Markdown and text show the tables and counts, with values from the image escaped.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "report/html/html_writer.hpp"
#include "report/json/json_writer.hpp"
#include "report/markdown/markdown_writer.hpp"
#include "report/sarif/sarif_writer.hpp"
#include "report/text/text_writer.hpp"
#include "support/test_util.hpp"

namespace fwcert::report {
namespace {

using nlohmann::json;
using test::have_tool;
using test::run;
using test::shell_quote;
using test::source_dir;

Report report_with_components() {
  Report r;
  r.tool.version = "0.0-test";
  r.target.path = "out/fw.tar";
  r.target.format = "tar";
  r.target.filesystems.push_back({"", "tar", 0, ""});
  r.profile = "avs";
  r.metadata.assessment_date = "2026-12-01";
  r.metadata.profile = "avs";
  r.metadata.requirement_set = "avs";
  r.metadata.gate = "high";
  r.metadata.tool_version = "0.0-test";

  Component ssh;
  ssh.ref = "deb/openssh-server@1:9.2p1-2";
  ssh.name = "openssh-server";
  ssh.version = "1:9.2p1-2";
  ssh.ecosystem = "deb";
  ssh.distro = "debian-12";
  ssh.arch = "amd64";
  ssh.source_name = "openssh";
  ssh.purl = "pkg:deb/debian/openssh-server@1%3A9.2p1-2?arch=amd64&distro=debian-12";
  ssh.found_by = "package-db";
  ssh.evidence = {"/var/lib/dpkg/status", 120, std::nullopt, "openssh-server 1:9.2p1-2", ""};
  ssh.files = {"/usr/sbin/sshd", "/usr/lib/openssh/sftp-server"};
  r.components.push_back(ssh);

  Component bb;
  bb.ref = "generic/busybox@1.35.0";
  bb.name = "<busybox>";  // hostile: must come out escaped
  bb.version = "1.35.0";
  bb.ecosystem = "generic";
  bb.purl = "pkg:generic/busybox@1.35.0";
  bb.cpe = "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*";
  bb.found_by = "fingerprint";
  bb.evidence = {"/bin/busybox", std::nullopt, 0x1f2a0, "BusyBox v1.35.0", ""};
  bb.files = {"/bin/busybox"};
  r.components.push_back(bb);

  Vulnerability kev;
  kev.id = "CVE-2024-6387";
  kev.component = ssh.ref;
  kev.summary = "regreSSHion: a signal handler race in sshd";
  kev.cvss = 8.1;
  kev.known_exploited = true;
  kev.kev_date_added = "2024-07-01";
  kev.fixed_version = "1:9.2p1-2+deb12u3";
  kev.source = "osv:DEBIAN-CVE-2024-6387";
  kev.confidence = "ecosystem";
  kev.evidence = {"/var/lib/dpkg/status", 120, std::nullopt, "", ""};
  r.vulnerabilities.push_back(kev);

  Vulnerability vexed;
  vexed.id = "CVE-2022-28391";
  vexed.component = bb.ref;
  vexed.summary = "netstat <script> escape sequences";
  vexed.cvss = 9.8;
  vexed.epss = 0.004;
  vexed.fixed_version = "";
  vexed.source = "cve5:CVE-2022-28391";
  vexed.confidence = "cpe";
  vexed.vex_state = "not_affected";
  vexed.vex_justification = "vulnerable_code_not_present";
  vexed.evidence = {"/bin/busybox", std::nullopt, 0x1f2a0, "", ""};
  r.vulnerabilities.push_back(vexed);

  r.vuln_db.path = "/home/ci/.local/share/fwcert/vulns.db";
  r.vuln_db.built = "2026-11-30";
  r.vuln_db.sources.push_back({"osv", "2026-11-29"});
  r.summary = summarize(r, Severity::kHigh);
  return r;
}

bool have_ajv() {
  struct stat st {};
  return have_tool("node") && ::stat((source_dir() + "/node_modules/ajv/package.json").c_str(), &st) == 0;
}

/// Validates `doc` against `schema` with the project's ajv script: 0 valid, 1 invalid.
int validate(const std::string& schema, const std::string& doc, const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("fwcert-components-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / name).string();
  test::write_file(path, doc);
  auto r = run("node " + shell_quote(source_dir() + "/tests/validate/validate-json.mjs") + " " + shell_quote(schema) +
               " " + shell_quote(path));
  std::filesystem::remove_all(dir);
  if (r.exit_code != 0) ADD_FAILURE() << r.output;
  return r.exit_code;
}

TEST(ReportComponents, JsonCarriesComponentsVulnerabilitiesAndTheDatabase) {
  auto r = report_with_components();
  json j = json::parse(to_json(r));
  ASSERT_EQ(j["components"].size(), 2u);
  EXPECT_EQ(j["components"][0]["purl"], "pkg:deb/debian/openssh-server@1%3A9.2p1-2?arch=amd64&distro=debian-12");
  EXPECT_EQ(j["components"][0]["files"], 2);  // the count; the paths are in the SBOM
  EXPECT_EQ(j["components"][1]["evidence"]["offset"], 0x1f2a0);
  ASSERT_EQ(j["vulnerabilities"].size(), 2u);
  EXPECT_EQ(j["vulnerabilities"][0]["known_exploited"], true);
  EXPECT_EQ(j["vulnerabilities"][0]["cvss"], 8.1);
  EXPECT_TRUE(j["vulnerabilities"][0]["epss"].is_null());
  EXPECT_EQ(j["vulnerabilities"][1]["vex_state"], "not_affected");
  EXPECT_EQ(j["vuln_db"]["built"], "2026-11-30");

  // Without a database there is no vuln_db key, and the arrays are still there (empty).
  Report bare = r;
  bare.vuln_db = {};
  bare.vulnerabilities.clear();
  json b = json::parse(to_json(bare));
  EXPECT_FALSE(b.contains("vuln_db"));
  EXPECT_TRUE(b["vulnerabilities"].empty());

  if (!have_ajv()) GTEST_SKIP() << "node and npm ci are needed to validate against the schema";
  auto schema = source_dir() + "/docs/report.schema.json";
  EXPECT_EQ(validate(schema, to_json(r), "r.json"), 0);
  EXPECT_EQ(validate(schema, to_json(bare), "bare.json"), 0);
  // The schema is strict on these too: an unknown ecosystem is rejected.
  j["components"][0]["ecosystem"] = "pip";
  auto dir = std::filesystem::temp_directory_path() / ("fwcert-components-drift-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  test::write_file((dir / "d.json").string(), j.dump());
  auto v = run("node " + shell_quote(source_dir() + "/tests/validate/validate-json.mjs") + " " + shell_quote(schema) +
               " " + shell_quote((dir / "d.json").string()));
  std::filesystem::remove_all(dir);
  EXPECT_EQ(v.exit_code, 1) << v.output;
}

TEST(ReportComponents, SarifMakesEachVulnerabilityAResultOnItsFile) {
  auto r = report_with_components();
  std::string doc = to_sarif(r, {});
  json s = json::parse(doc);
  const auto& run0 = s["runs"][0];
  json kev, vexed;
  for (const auto& res : run0["results"]) {
    if (res["ruleId"] == "CVE-2024-6387") kev = res;
    if (res["ruleId"] == "CVE-2022-28391") vexed = res;
  }
  ASSERT_FALSE(kev.is_null());
  ASSERT_FALSE(vexed.is_null());
  EXPECT_EQ(kev["level"], "error");
  EXPECT_EQ(kev["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "var/lib/dpkg/status");
  EXPECT_EQ(kev["locations"][0]["physicalLocation"]["region"]["startLine"], 120);
  EXPECT_EQ(kev["properties"]["security-severity"], "9.5");  // known exploited: critical whatever the CVSS
  EXPECT_NE(kev["message"]["text"].get<std::string>().find("fixed in 1:9.2p1-2+deb12u3"), std::string::npos);
  EXPECT_FALSE(kev.contains("suppressions"));
  EXPECT_EQ(vexed["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "bin/busybox");
  EXPECT_EQ(vexed["properties"]["security-severity"], "9.8");
  ASSERT_TRUE(vexed.contains("suppressions"));
  EXPECT_EQ(vexed["suppressions"][0]["justification"], "vulnerable_code_not_present");
  EXPECT_NE(kev["partialFingerprints"]["fwcert/v1"], vexed["partialFingerprints"]["fwcert/v1"]);
  bool rule_found = false;
  for (const auto& rule : run0["tool"]["driver"]["rules"]) {
    if (rule["id"] == "CVE-2024-6387") {
      rule_found = true;
      EXPECT_EQ(rule["helpUri"], "https://nvd.nist.gov/vuln/detail/CVE-2024-6387");
    }
  }
  EXPECT_TRUE(rule_found);
  if (!have_ajv()) GTEST_SKIP() << "node and npm ci are needed to validate against the schema";
  EXPECT_EQ(validate(source_dir() + "/tests/data/sarif-schema-2.1.0.json", doc, "r.sarif"), 0);
}

TEST(ReportComponents, HtmlTablesAreSortableKevFirstAndEscaped) {
  auto r = report_with_components();
  std::string html = to_html(r);
  auto comp = html.find(R"(<table id="component-table" class="sortable">)");
  auto vuln = html.find(R"(<table id="vulnerability-table" class="sortable">)");
  ASSERT_NE(comp, std::string::npos);
  ASSERT_NE(vuln, std::string::npos);
  EXPECT_NE(html.find("&lt;busybox&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<busybox>"), std::string::npos);
  EXPECT_EQ(html.find("<script> escape"), std::string::npos);
  // The report's order: the known-exploited one first.
  auto first = html.find(R"(<tr data-kev="true">)", vuln);
  auto second = html.find(R"(<tr data-kev="false">)", vuln);
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_NE(html.find("1 known exploited, 1 with a VEX statement"), std::string::npos);
  EXPECT_NE(html.find("not_affected (vulnerable_code_not_present)"), std::string::npos);

  // Without a database the section says so instead of showing an empty table.
  Report bare = r;
  bare.vuln_db = {};
  bare.vulnerabilities.clear();
  std::string b = to_html(bare);
  EXPECT_EQ(b.find("vulnerability-table"), std::string::npos);
  EXPECT_NE(b.find("No vulnerability database was given"), std::string::npos);
}

TEST(ReportComponents, MarkdownAndTextCountThem) {
  auto r = report_with_components();
  std::string md = to_markdown(r, {});
  EXPECT_NE(md.find("2 components, 2 known vulnerabilities (1 known exploited)"), std::string::npos) << md;
  EXPECT_NE(md.find("| `CVE-2024-6387` | `deb/openssh-server@1:9.2p1-2` | **KEV** | 8.1 |"), std::string::npos) << md;
  std::string text = to_text(r, {});
  EXPECT_NE(text.find("known vulnerabilities: 2 (1 known exploited, 1 with VEX), database built 2026-11-30"),
            std::string::npos)
      << text;
  Report bare = r;
  bare.vuln_db = {};
  bare.vulnerabilities.clear();
  EXPECT_NE(to_text(bare, {}).find("Components: 2 (not matched against known vulnerabilities: no --db)"),
            std::string::npos);
}

}  // namespace
}  // namespace fwcert::report
