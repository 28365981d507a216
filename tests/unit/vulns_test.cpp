// The vulnerability database and matching on real records (tests/fixtures/vulns/SOURCES.md):
// import, a vulnerable version found and the first fixed version not, a distribution's
// advisory taking precedence over upstream ranges, KEV entries critical, VEX suppressing,
// damaged records and foreign databases refused with nothing changed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "analyzers/analyzer.hpp"
#include "scan/pipeline.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"
#include "vulns/checks.hpp"
#include "vulns/database.hpp"
#include "vulns/match.hpp"
#include "vulns/records.hpp"
#include "vulns/vex.hpp"

namespace fwcert::vulns {
namespace {

using ::testing::HasSubstr;

std::string fixtures() { return test::source_dir() + "/tests/fixtures/vulns"; }

// EPSS publishes no file we may copy; these lines follow its CSV format with made-up values.
constexpr const char* kEpss =
    "#model_version:v2025.03.14,score_date:2026-11-30T00:00:00+0000\n"
    "cve,epss,percentile\n"
    "CVE-2024-6387,0.40000,0.99000\n"
    "CVE-2021-42374,0.00100,0.40000\n";

/// One database of every fixture, imported once for the whole suite.
class VulnsDb : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    test::write_file(*dir_ / "epss.csv", kEpss);
    auto r = import_paths({fixtures() + "/cve5", fixtures() + "/osv",
                           fixtures() + "/kev/known_exploited_vulnerabilities.json", *dir_ / "epss.csv"},
                          *dir_ / "vulns.db", ImportOptions{"2026-12-01T08:00:00Z"});
    ASSERT_TRUE(r.ok()) << r.error().describe();
    import_ = new ImportResult(*r);
    auto db = Database::open_read_only(*dir_ / "vulns.db");
    ASSERT_TRUE(db.ok()) << db.error().describe();
    db_ = new Database(std::move(*db));
  }
  static void TearDownTestSuite() {
    delete db_;
    delete import_;
    delete dir_;
  }

  static Component generic(std::string name, std::string version, std::string cpe = {}) {
    Component c;
    c.ref = "generic/" + name + "@" + version;
    c.name = std::move(name);
    c.version = std::move(version);
    c.ecosystem = "generic";
    c.cpe = std::move(cpe);
    c.purl = "pkg:generic/" + c.name + "@" + c.version;
    c.found_by = "fingerprint";
    c.evidence.path = "/usr/bin/" + c.name;
    return c;
  }
  static Component deb(std::string name, std::string version, std::string distro, std::string source = {}) {
    Component c;
    c.ref = "deb/" + name + "@" + version;
    c.name = std::move(name);
    c.version = std::move(version);
    c.ecosystem = "deb";
    c.distro = std::move(distro);
    c.source_name = std::move(source);
    c.purl = "pkg:deb/ubuntu/" + c.name + "@" + c.version;
    c.found_by = "package-db";
    c.evidence.path = "/var/lib/dpkg/status";
    return c;
  }
  static std::vector<Vulnerability> of(const Component& c) { return match({c}, *db_); }
  static const Vulnerability* find(const std::vector<Vulnerability>& v, const std::string& id) {
    auto it = std::find_if(v.begin(), v.end(), [&](const Vulnerability& x) { return x.id == id; });
    return it == v.end() ? nullptr : &*it;
  }

  static test::TempDir* dir_;
  static ImportResult* import_;
  static Database* db_;
};
test::TempDir* VulnsDb::dir_ = nullptr;
ImportResult* VulnsDb::import_ = nullptr;
Database* VulnsDb::db_ = nullptr;

TEST_F(VulnsDb, ImportCountsEverySource) {
  std::map<std::string, std::int64_t> got;
  for (const auto& s : import_->sources) got[s.name] = s.total;
  EXPECT_EQ(got["cve5"], 10);
  EXPECT_EQ(got["osv:Ubuntu"], 2);
  EXPECT_EQ(got["osv:Bitnami"], 2);
  EXPECT_EQ(got["kev"], 1404);
  EXPECT_EQ(got["epss"], 2);
  const auto st = db_->status();
  EXPECT_EQ(st.schema_version, kSchemaVersion);
  EXPECT_EQ(st.built, "2026-12-01T08:00:00Z");
  auto kev = std::find_if(st.sources.begin(), st.sources.end(), [](const SourceStatus& s) { return s.name == "kev"; });
  ASSERT_NE(kev, st.sources.end());
  EXPECT_EQ(kev->newest, "2025-08-25");
  EXPECT_EQ(kev->detail, "catalogVersion 2025.08.25");
  auto epss =
      std::find_if(st.sources.begin(), st.sources.end(), [](const SourceStatus& s) { return s.name == "epss"; });
  ASSERT_NE(epss, st.sources.end());
  EXPECT_EQ(epss->newest, "2026-11-30");
}

TEST_F(VulnsDb, AVulnerableVersionIsFoundAndTheFirstFixedOneIsNot) {
  // CVE 5 ranges by product (BusyBox below 1.34.0; OpenSSL 3.0.0-3.0.7 and 1.1.1-1.1.1s)
  auto busybox = of(generic("busybox", "1.33.1"));
  const auto* v = find(busybox, "CVE-2021-42374");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->fixed_version, "1.34.0");
  EXPECT_EQ(v->confidence, "ecosystem");
  EXPECT_EQ(v->source, "cve5:CVE-2021-42374");
  EXPECT_EQ(v->component, "generic/busybox@1.33.1");
  EXPECT_EQ(v->evidence.path, "/usr/bin/busybox");
  EXPECT_EQ(find(of(generic("busybox", "1.34.0")), "CVE-2021-42374"), nullptr);

  for (const auto& [version, fixed] : {std::pair{"3.0.7", "3.0.8"}, {"1.1.1s", "1.1.1t"}, {"1.0.2zf", "1.0.2zg"}}) {
    const auto found = of(generic("openssl", version));
    const auto* o = find(found, "CVE-2023-0286");
    ASSERT_NE(o, nullptr) << version;
    EXPECT_EQ(o->fixed_version, fixed);
    EXPECT_EQ(find(of(generic("openssl", fixed)), "CVE-2023-0286"), nullptr) << fixed;
  }
  // OpenSSH: 8.5p1 to at most 9.7p1, CVSS 8.1 from the Red Hat CNA, the EPSS score of the CSV
  const auto ssh = of(generic("openssh", "9.6p1"));
  const auto* s = find(ssh, "CVE-2024-6387");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->cvss, 8.1);
  EXPECT_EQ(s->epss, 0.4);
  EXPECT_EQ(find(of(generic("openssh", "9.8p1")), "CVE-2024-6387"), nullptr);
  EXPECT_EQ(find(of(generic("openssh", "8.4p1")), "CVE-2024-6387"), nullptr);
  // OSV SEMVER ranges of an upstream project (Bitnami nginx 0.6.18 to below 1.20.1)
  const auto nginx = of(generic("nginx", "1.20.0"));
  const auto* n = find(nginx, "CVE-2021-23017");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->fixed_version, "1.20.1");
  EXPECT_THAT(n->aliases, ::testing::Contains("BIT-nginx-2021-23017"));
  EXPECT_EQ(find(of(generic("nginx", "1.20.1")), "CVE-2021-23017"), nullptr);
}

TEST_F(VulnsDb, KernelBranchesAndKevEntries) {
  // CVE-2024-36971: affected by default from 4.6, fixed per branch (6.1.94 for 6.1); KEV.
  // CVE-2024-1086: 3.15 to below 6.8, named by CISA's CPE linux:linux_kernel only; KEV.
  const auto k = of(generic("linux", "6.1.50", "cpe:2.3:o:linux:linux_kernel:6.1.50:*:*:*:*:*:*:*"));
  const auto* a = find(k, "CVE-2024-36971");
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->known_exploited);
  EXPECT_EQ(a->kev_date_added, "2024-08-07");
  EXPECT_EQ(a->fixed_version, "6.1.94");
  EXPECT_EQ(a->confidence, "ecosystem");
  const auto* b = find(k, "CVE-2024-1086");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->known_exploited);
  EXPECT_EQ(b->fixed_version, "6.8");
  EXPECT_EQ(b->confidence, "cpe");
  EXPECT_EQ(b->cvss, 7.8);
  EXPECT_TRUE(k.front().known_exploited);  // KEV first
  EXPECT_EQ(find(of(generic("linux", "6.1.94")), "CVE-2024-36971"), nullptr);
  EXPECT_EQ(find(of(generic("linux", "4.4.302")), "CVE-2024-36971"), nullptr);  // before 4.6
  const auto newer = of(generic("linux", "6.5.13"));
  ASSERT_NE(find(newer, "CVE-2024-36971"), nullptr);
  EXPECT_EQ(find(newer, "CVE-2024-36971")->fixed_version, "6.10");

  // KEV entries make vuln-known-exploited fail, critical in the catalog, naming the component,
  // file, CVE and fixed version.
  Report r;
  r.components = {generic("linux", "6.1.50", "cpe:2.3:o:linux:linux_kernel:6.1.50:*:*:*:*:*:*:*")};
  r.vulnerabilities = k;
  r.vuln_db.path = "vulns.db";
  r.vuln_db.built = "2026-12-01";
  CheckOptions o;
  o.have_db = true;
  o.day = {2026, 12, 3};
  const auto f = findings(r, o);
  auto kev = std::find_if(f.begin(), f.end(), [](const Finding& x) { return x.check == "vuln-known-exploited"; });
  ASSERT_NE(kev, f.end());
  EXPECT_EQ(kev->status, Status::kFail);
  EXPECT_EQ(kev->subject, "generic/linux@6.1.50");
  EXPECT_THAT(kev->message, HasSubstr("/usr/bin/linux"));
  EXPECT_THAT(kev->message, HasSubstr("CVE-2024-36971 (KEV since 2024-08-07, CVSS 7.8, fixed in 6.1.94)"));
  ASSERT_EQ(kev->evidence.size(), 2u);
  EXPECT_EQ(kev->evidence[0].path, "/usr/bin/linux");
  EXPECT_EQ(kev->evidence[0].observed, "CVE-2024-1086 in linux 6.1.50");  // same CVSS: by id
  EXPECT_EQ(kev->evidence[0].expected, "fixed in 6.8");
  EXPECT_EQ(kev->evidence[1].expected, "fixed in 6.1.94");
}

TEST_F(VulnsDb, TheDistributionsOwnAdvisoryTakesPrecedence) {
  // Ubuntu 22.04's busybox 1:1.30.1-7ubuntu3 is upstream 1.30.1, inside CVE-2021-42374's
  // upstream range (below 1.34.0); with Ubuntu's own data loaded only Ubuntu's records decide,
  // and Ubuntu has no open record of CVE-2021-42374 for it (its CVE-2022-28391 has no fix).
  const auto ubuntu = of(deb("busybox-static", "1:1.30.1-7ubuntu3", "ubuntu-22.04", "busybox"));
  EXPECT_EQ(find(ubuntu, "CVE-2021-42374"), nullptr);
  const auto* own = find(ubuntu, "CVE-2022-28391");
  ASSERT_NE(own, nullptr);
  EXPECT_EQ(own->source, "osv:UBUNTU-CVE-2022-28391");
  EXPECT_EQ(own->confidence, "ecosystem");
  EXPECT_EQ(own->fixed_version, "");
  // The same package where no distribution data is loaded falls back to upstream ranges, with
  // the lower confidence of a match that cannot see backports.
  const auto unknown = of(deb("busybox-static", "1:1.30.1-7ubuntu3", "debian-12", "busybox"));
  const auto* up = find(unknown, "CVE-2021-42374");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->confidence, "cpe");
  // A package patched by a revision: Ubuntu fixed CVE-2023-28450 in 2.86-1.1ubuntu0.3 (22.04)
  // although the upstream version stays 2.86 (upstream fixed it in 2.90).
  EXPECT_EQ(find(of(deb("dnsmasq-base", "2.86-1.1ubuntu0.3", "ubuntu-22.04", "dnsmasq")), "CVE-2023-28450"), nullptr);
  const auto old = of(deb("dnsmasq-base", "2.86-1.1ubuntu0.2", "ubuntu-22.04", "dnsmasq"));
  const auto* d = find(old, "CVE-2023-28450");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->fixed_version, "2.86-1.1ubuntu0.3");
  EXPECT_EQ(d->cvss, 7.5);  // computed from the record's CVSS 3.1 vector
  EXPECT_THAT(d->aliases, ::testing::Contains("UBUNTU-CVE-2023-28450"));
}

TEST_F(VulnsDb, VexSuppressesButKeepsTheVulnerability) {
  const Component kernel = generic("linux", "6.1.50", "cpe:2.3:o:linux:linux_kernel:6.1.50:*:*:*:*:*:*:*");
  auto found = of(kernel);
  auto openvex = parse_vex(R"({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "statements": [
      {"vulnerability": {"name": "CVE-2024-1086"}, "products": [{"@id": "pkg:generic/linux@6.1.50"}],
       "status": "not_affected", "justification": "vulnerable_code_not_present"}]})",
                           "kernel.openvex.json");
  ASSERT_TRUE(openvex.ok()) << openvex.error().describe();
  auto cdx = parse_vex(R"({"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [
      {"id": "CVE-2024-36971", "analysis": {"state": "resolved", "justification": "code_not_reachable"},
       "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#generic/linux@6.1.50"}]},
      {"id": "CVE-2024-6387", "analysis": {"state": "not_affected"}, "affects": [{"ref": "other"}]}]})",
                       "kernel.cdx.json");
  ASSERT_TRUE(cdx.ok()) << cdx.error().describe();
  ASSERT_EQ(cdx->size(), 2u);
  std::vector<VexStatement> all = *openvex;
  apply_vex(all, {kernel}, found);
  const auto* a = find(found, "CVE-2024-1086");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->vex_state, "not_affected");
  EXPECT_EQ(a->vex_justification, "vulnerable_code_not_present");
  EXPECT_EQ(find(found, "CVE-2024-36971")->vex_state, "");

  Report r;
  r.components = {kernel};
  r.vulnerabilities = found;
  r.vuln_db.built = "2026-12-01";
  CheckOptions o;
  o.have_db = true;
  o.day = {2026, 12, 3};
  auto kev_of = [&](const std::vector<Finding>& f) {
    std::vector<Finding> out;
    for (const auto& x : f) {
      if (x.check == "vuln-known-exploited") out.push_back(x);
    }
    return out;
  };
  auto one = kev_of(findings(r, o));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].status, Status::kFail);  // CVE-2024-36971 still counts
  EXPECT_THAT(one[0].message, ::testing::Not(HasSubstr("CVE-2024-1086")));

  all.insert(all.end(), cdx->begin(), cdx->end());
  apply_vex(all, {kernel}, r.vulnerabilities);
  EXPECT_EQ(find(r.vulnerabilities, "CVE-2024-36971")->vex_state, "fixed");
  auto two = kev_of(findings(r, o));
  ASSERT_EQ(two.size(), 2u);  // the suppressed ones, visible as info, and the pass
  EXPECT_EQ(two[0].status, Status::kInfo);
  EXPECT_THAT(two[0].message, HasSubstr("CVE-2024-1086 not_affected (vulnerable_code_not_present)"));
  EXPECT_EQ(two[1].status, Status::kPass);
  EXPECT_EQ(r.vulnerabilities.size(), found.size());  // nothing dropped
}

TEST_F(VulnsDb, StageMatchesTheReportsComponentsAndJudgesFreshness) {
  // The pipeline stage on components set directly (until package databases fill them).
  scanning::Inputs in;
  in.day = {2026, 12, 20};
  auto db = Database::open_read_only(*dir_ / "vulns.db");
  ASSERT_TRUE(db.ok());
  in.vuln_db = std::make_shared<Database>(std::move(*db));
  Report r;
  r.components = {generic("openssh", "9.6p1"), generic("busybox", "1.36.1")};
  ScanOptions opts;
  scanning::match_vulnerabilities(in, opts, r);
  EXPECT_EQ(r.vuln_db.built, "2026-12-01");
  ASSERT_FALSE(r.vulnerabilities.empty());
  EXPECT_EQ(r.vulnerabilities.front().id, "CVE-2024-6387");
  std::map<std::string, Status> status;
  for (const auto& f : r.findings) {
    if (f.subject.empty() || f.check == "vuln-db-fresh") status[f.check] = f.status;
  }
  EXPECT_EQ(status["vuln-db-fresh"], Status::kWarn);  // 19 days old at the assessment day
  EXPECT_EQ(status["vuln-known-exploited"], Status::kPass);
  auto high = std::find_if(r.findings.begin(), r.findings.end(), [](const Finding& f) {
    return f.check == "vuln-critical-high" && f.status == Status::kFail;
  });
  ASSERT_NE(high, r.findings.end());
  EXPECT_EQ(high->subject, "generic/openssh@9.6p1");
  EXPECT_THAT(high->message, HasSubstr("CVE-2024-6387 (CVSS 8.1, EPSS 0.400, no fix known)"));
}

TEST(Vulns, WithoutADatabaseTheChecksAreInconclusive) {
  Report r;
  CheckOptions o;
  const auto f = findings(r, o);
  ASSERT_EQ(f.size(), 3u);
  for (const auto& x : f) {
    EXPECT_EQ(x.status, Status::kInconclusive) << x.check;
    EXPECT_EQ(x.message, "no vulnerability database: run fwcert db import");
  }
}

TEST(Vulns, TheVulnChecksAreProducedByTheMatchingStageAndNamedSo) {
  std::set<std::string> emitted;
  for (const auto& f : findings(Report{}, CheckOptions{})) emitted.insert(f.check);
  EXPECT_EQ(emitted, std::set<std::string>(checks().begin(), checks().end()));
  auto cat = scanning::load_catalog("");
  ASSERT_TRUE(cat.ok()) << cat.error().describe();
  for (const auto& id : checks()) {
    const auto* c = cat->find_check(id);
    ASSERT_NE(c, nullptr) << id << " is emitted by the matching stage but not in catalog/checks.yaml";
    EXPECT_EQ(c->analyzer, kVulnsProducer) << id;
    EXPECT_EQ(c->severity, id == "vuln-known-exploited" ? Severity::kCritical
                           : id == "vuln-critical-high" ? Severity::kHigh
                                                        : Severity::kMedium);
  }
  for (const auto& a : analyzers::registry()) {
    EXPECT_NE(a.id, kVulnsProducer);
    for (auto id : a.checks) EXPECT_FALSE(std::string(id).starts_with("vuln-")) << a.id;
  }
}

TEST(Vulns, ADamagedRecordIsAnErrorNamingItAndChangesNothing) {
  test::TempDir d;
  const std::string db = d / "v.db";
  ASSERT_TRUE(import_paths({fixtures() + "/osv"}, db).ok());
  const std::string before = test::read_file(db);
  std::string record = test::read_file(fixtures() + "/cve5/CVE-2023-0286.json");
  test::write_file(d / "feed/CVE-2023-0286.json", record.substr(0, record.size() / 2));
  test::write_file(d / "feed/CVE-2021-42374.json", test::read_file(fixtures() + "/cve5/CVE-2021-42374.json"));
  auto r = import_paths({d / "feed"}, db);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().describe(), HasSubstr("CVE-2023-0286.json"));
  EXPECT_EQ(test::read_file(db), before);
  // A record of the right kind with a wrong shape names itself too.
  auto bad = parse_document(R"({"id": "OSV-1", "modified": "2026-01-01T00:00:00Z", "affected": [1]})", "bad.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().describe(), HasSubstr("bad.json"));
  auto deep = parse_document(R"({"id": "OSV-2", "modified": "2026-01-01T00:00:00Z", "affected": )" +
                                 std::string(100, '[') + std::string(100, ']') + "}",
                             "deep.json");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(deep.error().where, "deep.json");
  // cvelistV5's deltaLog.json and other JSON lists are skipped, not errors
  auto delta =
      parse_document(R"([{"fetchTime": "2026-12-01T00:00:00Z", "numberOfChanges": 0, "new": []}])", "deltaLog.json");
  ASSERT_TRUE(delta.ok());
  EXPECT_TRUE(std::holds_alternative<NotARecord>(*delta));
}

TEST(Vulns, AForeignOrDamagedDatabaseIsRefusedAndKept) {
  test::TempDir d;
  test::write_file(d / "garbage.db", std::string(4096, 'x'));
  auto r = import_paths({fixtures() + "/osv"}, d / "garbage.db");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().describe(), HasSubstr("not an SQLite database"));
  EXPECT_EQ(test::read_file(d / "garbage.db"), std::string(4096, 'x'));
  EXPECT_FALSE(Database::open_read_only(d / "garbage.db").ok());
  if (test::have_tool("sqlite3")) {
    ASSERT_EQ(
        test::run("sqlite3 " + test::shell_quote(d / "other.db") + " 'CREATE TABLE t(a); INSERT INTO t VALUES(1);'")
            .exit_code,
        0);
    const std::string before = test::read_file(d / "other.db");
    auto o = import_paths({fixtures() + "/osv"}, d / "other.db");
    ASSERT_FALSE(o.ok());
    EXPECT_THAT(o.error().describe(), HasSubstr("not an fwcert vulnerability database"));
    EXPECT_EQ(test::read_file(d / "other.db"), before);
  }
}

TEST(Vulns, ReimportReplacesASourceAndZipsImportLikeTrees) {
  if (!test::have_tool("zip")) GTEST_SKIP() << "zip is not installed";
  test::TempDir d;
  ASSERT_EQ(test::run("cd " + test::shell_quote(fixtures() + "/osv") + " && zip -q " +
                      test::shell_quote(d / "all.zip") + " UBUNTU-CVE-2022-28391.json UBUNTU-CVE-2023-28450.json")
                .exit_code,
            0);
  const std::string db = d / "v.db";
  auto first = import_paths({d / "all.zip", fixtures() + "/kev/known_exploited_vulnerabilities.json"}, db);
  ASSERT_TRUE(first.ok()) << first.error().describe();
  auto again = import_paths({d / "all.zip", fixtures() + "/kev/known_exploited_vulnerabilities.json"}, db);
  ASSERT_TRUE(again.ok()) << again.error().describe();
  auto opened = Database::open_read_only(db);
  ASSERT_TRUE(opened.ok());
  std::map<std::string, std::int64_t> records;
  for (const auto& s : opened->status().sources) records[s.name] = s.records;
  EXPECT_EQ(records["osv:Ubuntu"], 2);
  EXPECT_EQ(records["kev"], 1404);
  EXPECT_TRUE(opened->has_ecosystem("Ubuntu:22.04:LTS"));
  EXPECT_FALSE(opened->has_ecosystem("Debian:12"));
}

TEST(Vulns, CvssKevCsvAndEpssParsers) {
  EXPECT_EQ(cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), 9.8);
  EXPECT_EQ(cvss3_base_score("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"), 8.1);
  EXPECT_EQ(cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"), 6.1);
  EXPECT_EQ(cvss3_base_score("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"), 7.8);
  EXPECT_EQ(cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"), 0.0);
  EXPECT_FALSE(cvss3_base_score("CVSS:3.1/AV:N/AC:L").has_value());
  EXPECT_FALSE(cvss3_base_score("AV:N/AC:L/Au:N/C:P/I:P/A:P").has_value());  // CVSS 2

  auto csv = parse_kev_csv(
      "cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,"
      "knownRansomwareCampaignUse,notes,cwes\n"
      "CVE-2021-3156,Sudo,Sudo,\"Sudo Heap-Based Buffer Overflow, \"\"Baron Samedit\"\"\",2022-04-06,d,a,2022-04-27,"
      "Unknown,,CWE-193\n",
      "kev.csv");
  ASSERT_TRUE(csv.ok()) << csv.error().describe();
  ASSERT_EQ(csv->entries.size(), 1u);
  EXPECT_EQ(csv->entries[0].name, "Sudo Heap-Based Buffer Overflow, \"Baron Samedit\"");
  EXPECT_EQ(csv->released, "2022-04-06");

  auto epss = parse_epss_csv(kEpss, "epss.csv");
  ASSERT_TRUE(epss.ok()) << epss.error().describe();
  EXPECT_EQ(epss->model_version, "v2025.03.14");
  EXPECT_EQ(epss->score_date, "2026-11-30T00:00:00+0000");
  ASSERT_EQ(epss->entries.size(), 2u);
  EXPECT_EQ(epss->entries[0].epss, 0.4);
  auto broken = parse_epss_csv("cve,epss,percentile\nCVE-2024-1,1.5,0.2\n", "epss.csv");
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(broken.error().describe(), HasSubstr("epss.csv: line 2"));
  EXPECT_EQ(cpe_vendor_product("cpe:2.3:a:haxx:curl:8.4.0:*:*:*:*:*:*:*"), "haxx:curl");
  EXPECT_EQ(cpe_vendor_product("cpe:/o:redhat:enterprise_linux:9"), "redhat:enterprise_linux");
  EXPECT_EQ(cpe_vendor_product("cpe:2.3:a:*:*:*"), "");
}

TEST(Vulns, DistroEcosystems) {
  EXPECT_EQ(distro_ecosystems("debian-12"), (std::vector<std::string>{"Debian:12"}));
  EXPECT_EQ(distro_ecosystems("ubuntu-22.04"), (std::vector<std::string>{"Ubuntu:22.04:LTS", "Ubuntu:22.04"}));
  EXPECT_EQ(distro_ecosystems("alpine-3.19.1"), (std::vector<std::string>{"Alpine:v3.19"}));
  EXPECT_TRUE(distro_ecosystems("openwrt-23.05").empty());
  EXPECT_TRUE(distro_ecosystems("").empty());
}

TEST(Vulns, MatchingAThousandComponentsIsFast) {
  test::TempDir d;
  ASSERT_TRUE(import_paths(
                  {fixtures() + "/cve5", fixtures() + "/osv", fixtures() + "/kev/known_exploited_vulnerabilities.json"},
                  d / "v.db")
                  .ok());
  auto db = Database::open_read_only(d / "v.db");
  ASSERT_TRUE(db.ok());
  std::vector<Component> many;
  for (int i = 0; i < 1000; ++i) {
    Component c;
    c.ref = "generic/c" + std::to_string(i);
    c.name = i % 10 == 0 ? "openssl" : "pkg" + std::to_string(i);
    c.version = "3.0." + std::to_string(i % 8);
    c.ecosystem = "generic";
    many.push_back(c);
  }
  const auto start = std::chrono::steady_clock::now();
  const auto found = match(many, *db);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("matched 1000 components in %.1f ms (%zu vulnerabilities)\n", ms, found.size());
  EXPECT_EQ(found.size(), 100u);  // the 100 openssl components are all 3.0.0-3.0.7: CVE-2023-0286
  EXPECT_LT(ms, 5000);
}

}  // namespace
}  // namespace fwcert::vulns
