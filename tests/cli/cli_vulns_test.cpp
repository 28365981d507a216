// `fwcert db import`, `fwcert db status` and `fwcert scan --db/--vex` with the real binary and
// the real records of tests/fixtures/vulns/.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_util.hpp"

namespace fwcert::test {
namespace {

using ::testing::HasSubstr;

std::string fixtures() { return source_dir() + "/tests/fixtures/vulns"; }
std::string fwcert() { return shell_quote(fwcert_binary()); }

/// An Ubuntu 22.04 root with a dpkg status naming dnsmasq-base 2.86-1.1ubuntu0.2, which Ubuntu
/// fixed (CVE-2023-28450) in 2.86-1.1ubuntu0.3, as a tar.
std::string ubuntu_tar(const TempDir& d) {
  write_file(d / "root/etc/os-release", "ID=ubuntu\nVERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\n");
  write_file(
      d / "root/var/lib/dpkg/status",
      "Package: dnsmasq-base\nStatus: install ok installed\nPriority: optional\nSection: net\n"
      "Installed-Size: 1000\nMaintainer: Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>\n"
      "Architecture: amd64\nSource: dnsmasq\nVersion: 2.86-1.1ubuntu0.2\nDescription: Small caching DNS proxy\n\n");
  auto r = run("tar -C " + shell_quote(d / "root") + " -cf " + shell_quote(d / "rootfs.tar") + " .");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return d / "rootfs.tar";
}

std::map<std::string, std::vector<nlohmann::json>> findings_by_check(const std::string& report_path) {
  std::map<std::string, std::vector<nlohmann::json>> out;
  auto j = nlohmann::json::parse(read_file(report_path));
  for (const auto& f : j["findings"]) out[f["check"].get<std::string>()].push_back(f);
  return out;
}

TEST(CliVulns, ImportStatusAndScan) {
  TempDir d;
  const std::string db = d / "v.db";
  auto imp =
      run(fwcert() + " db import " + shell_quote(fixtures() + "/cve5") + " " + shell_quote(fixtures() + "/osv") + " " +
          shell_quote(fixtures() + "/kev/known_exploited_vulnerabilities.json") + " --db " + shell_quote(db));
  ASSERT_EQ(imp.exit_code, 0) << imp.output;
  EXPECT_THAT(imp.output, HasSubstr("kev                   1404 imported,      1404 in the database"));
  EXPECT_THAT(imp.output, HasSubstr("cve5                    10 imported,        10 in the database"));

  auto st = run(fwcert() + " db status --db " + shell_quote(db));
  ASSERT_EQ(st.exit_code, 0) << st.output;
  EXPECT_THAT(st.output, HasSubstr("schema 1, built "));
  EXPECT_THAT(st.output, HasSubstr("osv:Ubuntu               2  2023-03-15  "));
  EXPECT_THAT(st.output, HasSubstr("catalogVersion 2025.08.25"));

  const std::string tar = ubuntu_tar(d);
  auto scan = run(fwcert() + " scan " + shell_quote(tar) + " --db " + shell_quote(db) + " --format json -o " +
                  shell_quote(d / "r.json") + " -q");
  ASSERT_NE(scan.exit_code, 2) << scan.output;
  auto f = findings_by_check(d / "r.json");
  ASSERT_EQ(f["vuln-db-fresh"].size(), 1u);
  EXPECT_EQ(f["vuln-db-fresh"][0]["status"], "pass");  // imported moments ago
  ASSERT_FALSE(f["vuln-critical-high"].empty());
  // With the package-database components in the report, dnsmasq's Ubuntu advisory (CVSS 7.5)
  // fails vuln-critical-high; until they are filled, there is nothing to match and the check
  // says so rather than passing.
  const auto& high = f["vuln-critical-high"][0];
  if (high["status"] == "fail") {
    EXPECT_THAT(high["message"].get<std::string>(), HasSubstr("CVE-2023-28450"));
    EXPECT_THAT(high["message"].get<std::string>(), HasSubstr("fixed in 2.86-1.1ubuntu0.3"));
  } else {
    EXPECT_EQ(high["status"], "inconclusive");
    EXPECT_EQ(high["message"], "no components were identified: nothing to match");
  }

  // Without a database: inconclusive, never pass.
  auto none = run("XDG_DATA_HOME=" + shell_quote(d / "nothing") + " " + fwcert() + " scan " + shell_quote(tar) +
                  " --format json -o " + shell_quote(d / "n.json") + " -q");
  ASSERT_NE(none.exit_code, 2) << none.output;
  auto n = findings_by_check(d / "n.json");
  for (const char* id : {"vuln-known-exploited", "vuln-critical-high", "vuln-db-fresh"}) {
    ASSERT_EQ(n[id].size(), 1u) << id;
    EXPECT_EQ(n[id][0]["status"], "inconclusive") << id;
    EXPECT_EQ(n[id][0]["message"], "no vulnerability database: run fwcert db import") << id;
  }
}

TEST(CliVulns, BadInputsAreErrorsBeforeTheScan) {
  TempDir d;
  write_file(d / "junk.db", "not a database at all, just text that is long enough to be read");
  auto r = run(fwcert() + " scan " + shell_quote(d.path()) + " --db " + shell_quote(d / "junk.db") + " -q");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("junk.db"));
  EXPECT_THAT(r.output, HasSubstr("--db: not an SQLite database"));

  write_file(d / "bad.vex.json",
             "{\"statements\": [{\"vulnerability\": {\"name\": \"CVE-1\"}, \"status\": \"nope\"}]}");
  auto v = run(fwcert() + " scan " + shell_quote(d.path()) + " --vex " + shell_quote(d / "bad.vex.json") + " -q");
  EXPECT_EQ(v.exit_code, 2) << v.output;
  EXPECT_THAT(v.output, HasSubstr("bad.vex.json"));
  EXPECT_THAT(v.output, HasSubstr("unknown OpenVEX status 'nope'"));

  write_file(d / "feed/UBUNTU-CVE-2023-28450.json", "{\"id\": \"UBUNTU-CVE-2023-28450\", \"modified\": ");
  auto imp = run(fwcert() + " db import " + shell_quote(d / "feed") + " --db " + shell_quote(d / "new.db"));
  EXPECT_EQ(imp.exit_code, 2) << imp.output;
  EXPECT_THAT(imp.output, HasSubstr("UBUNTU-CVE-2023-28450.json: not valid JSON"));
  EXPECT_NE(run("test -e " + shell_quote(d / "new.db")).exit_code, 0);  // a failed first import leaves no file
}

}  // namespace
}  // namespace fwcert::test
