// The SARIF writer: what GitHub code scanning needs from a finding inside a firmware image
// (relative URIs, startLine only when known, our own fingerprints, one category per image).
// The whole document is validated against the official schema in tests/cli/cli_report_formats_test.cpp.

#include "report/sarif/sarif_writer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

namespace fwcert::report {
namespace {

using nlohmann::json;

TargetInfo nested_target() {
  TargetInfo t;
  t.path = "out/my firmware.img";
  t.filesystems.push_back({"", "squashfs", 0, ""});
  t.filesystems.push_back({"/boot/initrd.img!", "cpio", 0, "/boot/initrd.img"});
  t.filesystems.push_back({"@0x10000!", "ext4", 0x10000, ""});
  return t;
}

TEST(SarifWriter, ArtifactUrisAreRelativeAndEncoded) {
  auto t = nested_target();
  EXPECT_EQ(artifact_uri("/etc/shadow", t), "etc/shadow");
  EXPECT_EQ(artifact_uri("/boot/initrd.img!/etc/init.d/rcS", t), "boot/initrd.img!/etc/init.d/rcS");
  EXPECT_EQ(artifact_uri("@0x10000!/etc/passwd", t), "%400x10000!/etc/passwd");
  // A `!` in a file name is not a nesting mark.
  EXPECT_EQ(artifact_uri("/opt/hello!/a b", t), "opt/hello%21/a%20b");
  // A colon in the first segment would read as a URI scheme.
  EXPECT_EQ(artifact_uri("/c:x/%41", t), "c%3Ax/%2541");
  EXPECT_EQ(artifact_uri("/usr/./../bin/\xc3\xa9", t), "usr/bin/%C3%A9");
  EXPECT_EQ(artifact_uri("/boot/initrd.img!/", t), "boot/initrd.img");
  EXPECT_EQ(artifact_uri("/", t), "");
  EXPECT_EQ(artifact_uri("", t), "");
}

Finding make(const std::string& check, Status st, Severity sev, const std::string& subject, const std::string& path,
             std::optional<std::uint64_t> line) {
  Finding f;
  f.check = check;
  f.status = st;
  f.severity = sev;
  f.subject = subject;
  f.message = "message of " + check;
  if (!path.empty()) f.evidence.push_back({path, line, std::nullopt, "seen", "wanted"});
  return f;
}

TEST(SarifWriter, FingerprintIgnoresLineAndSeparatesSubjects) {
  auto a = make("auth-empty-password", Status::kFail, Severity::kCritical, "account:guest", "/etc/shadow", 2);
  auto moved = make("auth-empty-password", Status::kFail, Severity::kCritical, "account:guest", "/etc/shadow", 9);
  auto other = make("auth-empty-password", Status::kFail, Severity::kCritical, "account:root", "/etc/shadow", 2);
  EXPECT_EQ(finding_fingerprint(a), finding_fingerprint(moved));
  EXPECT_NE(finding_fingerprint(a), finding_fingerprint(other));
  EXPECT_NE(finding_fingerprint(a), finding_fingerprint(a, 1));
  EXPECT_EQ(finding_fingerprint(a).size(), 64u);
}

/// What the scan copies from the catalog for two cited checks.
std::vector<CitedCheck> small_checks() {
  std::vector<CitedCheck> c;
  CitedCheck d;
  d.id = "auth-empty-password";
  d.title = "No account has an empty password";
  d.area = "authentication";
  d.severity = Severity::kCritical;
  d.rationale = "Anyone can log in.\n";
  d.remediation = "Lock the account\nor set a password.\n";
  d.references = {"AVS-1.2"};
  c.push_back(d);
  d.id = "priv-sudo";
  d.title = "sudo is restricted";
  d.area = "privilege-separation";
  d.severity = Severity::kMedium;
  c.push_back(d);
  return c;
}

TEST(SarifWriter, ResultsRulesLevelsAndLocations) {
  Report r;
  r.checks = small_checks();
  r.tool.version = "1.2.3";
  r.target = nested_target();
  r.findings.push_back(
      make("auth-empty-password", Status::kFail, Severity::kCritical, "account:guest", "/etc/shadow", 2));
  r.findings.push_back(
      make("auth-empty-password", Status::kPass, Severity::kCritical, "account:root", "/etc/shadow", 1));
  r.findings.push_back(
      make("auth-empty-password", Status::kFail, Severity::kCritical, "account:x", "/boot/initrd.img!/etc/shadow", 0));
  r.findings.push_back(make("priv-sudo", Status::kWarn, Severity::kMedium, "", "", std::nullopt));
  r.findings.push_back(make("priv-sudo", Status::kInconclusive, Severity::kMedium, "sudoers", "", std::nullopt));
  r.findings.push_back(make("unknown-check", Status::kInfo, Severity::kInfo, "", "", std::nullopt));

  auto j = json::parse(to_sarif(r));
  EXPECT_EQ(j["version"], "2.1.0");
  ASSERT_EQ(j["runs"].size(), 1u);
  const auto& run = j["runs"][0];
  EXPECT_EQ(run["automationDetails"]["id"], "fwcert/my firmware.img/");
  const auto& driver = run["tool"]["driver"];
  EXPECT_EQ(driver["version"], "1.2.3");
  ASSERT_EQ(driver["rules"].size(), 2u);  // one per check with a result; passes add none
  const auto& rule = driver["rules"][0];
  EXPECT_EQ(rule["id"], "auth-empty-password");
  EXPECT_EQ(rule["name"], "AuthEmptyPassword");
  EXPECT_EQ(rule["shortDescription"]["text"], "No account has an empty password");
  EXPECT_EQ(rule["fullDescription"]["text"], "Anyone can log in.");
  EXPECT_EQ(rule["help"]["text"], "Lock the account or set a password.");
  EXPECT_EQ(rule["defaultConfiguration"]["level"], "error");
  EXPECT_EQ(rule["properties"]["security-severity"], "9.5");
  EXPECT_EQ(rule["properties"]["tags"], json::array({"security", "authentication"}));
  EXPECT_EQ(driver["rules"][1]["properties"]["security-severity"], "5.5");

  const auto& res = run["results"];
  ASSERT_EQ(res.size(), 3u);  // two fails and the warning; not the pass, the inconclusive or the info
  EXPECT_EQ(res[0]["ruleIndex"], 0);
  EXPECT_EQ(res[0]["level"], "error");
  EXPECT_EQ(res[0]["message"]["text"], "account:guest: message of auth-empty-password (seen: seen; expected: wanted)");
  const auto& loc0 = res[0]["locations"][0]["physicalLocation"];
  EXPECT_EQ(loc0["artifactLocation"]["uri"], "etc/shadow");
  EXPECT_EQ(loc0["region"]["startLine"], 2);
  // Line 0 is no line: no region at all.
  const auto& loc1 = res[1]["locations"][0]["physicalLocation"];
  EXPECT_EQ(loc1["artifactLocation"]["uri"], "boot/initrd.img!/etc/shadow");
  EXPECT_FALSE(loc1.contains("region"));
  // A warning without evidence points at the image itself.
  EXPECT_EQ(res[2]["ruleIndex"], 1);
  EXPECT_EQ(res[2]["level"], "warning");
  EXPECT_EQ(res[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "my%20firmware.img");
  std::set<std::string> prints;
  for (const auto& x : res) prints.insert(x["partialFingerprints"]["fwcert/v1"].get<std::string>());
  EXPECT_EQ(prints.size(), 3u);

  SarifOptions with;
  with.include_inconclusive = true;
  auto k = json::parse(to_sarif(r, with));
  ASSERT_EQ(k["runs"][0]["results"].size(), 4u);
  EXPECT_EQ(k["runs"][0]["results"][3]["level"], "note");
}

TEST(SarifWriter, DuplicateFindingsGetDistinctFingerprints) {
  Report r;
  r.target.path = "fw.bin";
  for (int i = 0; i < 3; ++i) {
    r.findings.push_back(
        make("boot-kernel-cmdline", Status::kFail, Severity::kHigh, "/boot/grub.cfg", "/boot/grub.cfg", 10 + i));
  }
  auto j = json::parse(to_sarif(r));
  std::set<std::string> prints;
  for (const auto& x : j["runs"][0]["results"]) prints.insert(x["partialFingerprints"]["fwcert/v1"].get<std::string>());
  EXPECT_EQ(prints.size(), 3u);
  // A check the catalog lacks still gets a rule, with its id as description.
  EXPECT_EQ(j["runs"][0]["tool"]["driver"]["rules"][0]["shortDescription"]["text"], "boot-kernel-cmdline");
}

TEST(SarifWriter, WaivedFindingIsASuppressedResultAndWaiversAreListed) {
  Report r;
  r.checks = small_checks();
  r.target.path = "fw.bin";
  r.findings.push_back(make("priv-sudo", Status::kFail, Severity::kHigh, "sudo", "/etc/sudoers", 3));
  r.findings.push_back(make("priv-sudo", Status::kFail, Severity::kHigh, "doas", "/etc/doas.conf", 1));
  r.findings[0].waiver = AppliedWaiver{"w.yaml:2", "needed for the factory test", "bob", "2031-02-03"};
  WaiverResult w;
  w.id = "w.yaml:7";
  w.check = "priv-sudo";
  w.subject = "old*";
  w.state = WaiverResult::State::kExpired;
  r.waivers.push_back(w);
  auto j = json::parse(to_sarif(r));
  const auto& res = j["runs"][0]["results"];
  ASSERT_EQ(res.size(), 2u);  // a waived finding stays a result, marked suppressed
  ASSERT_TRUE(res[0].contains("suppressions"));
  EXPECT_EQ(res[0]["suppressions"][0]["kind"], "external");
  EXPECT_EQ(res[0]["suppressions"][0]["status"], "accepted");
  EXPECT_EQ(res[0]["suppressions"][0]["justification"], "needed for the factory test");
  EXPECT_EQ(res[0]["suppressions"][0]["properties"]["fwcert/expires"], "2031-02-03");
  EXPECT_FALSE(res[1].contains("suppressions"));
  EXPECT_EQ(j["runs"][0]["properties"]["fwcert/waivers"][0]["state"], "expired");
}

TEST(SarifWriter, HostileBytesDoNotBreakTheDocument) {
  Report r;
  r.target.path = "fw\xff.bin";
  r.findings.push_back(make("x", Status::kFail, Severity::kLow, "a\x01\xfe", "/etc/\xc0name", 1));
  std::string out;
  ASSERT_NO_THROW(out = to_sarif(r));
  auto j = json::parse(out);
  EXPECT_EQ(j["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "etc/%C0name");
  EXPECT_EQ(j["runs"][0]["results"][0]["level"], "note");
}

}  // namespace
}  // namespace fwcert::report
