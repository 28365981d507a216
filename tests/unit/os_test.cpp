// The os analyzer over in-memory filesystems: each way a distribution names itself, its
// end-of-life verdict at fixed assessment dates on both sides of the end (real built-in
// endoflife.date tables), Android patch age, and component versions from package databases,
// the real libcrypto this test runs with, sonames and library directories.

#include "analyzers/os/os.hpp"

#include <gtest/gtest.h>
#include <openssl/crypto.h>

#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "analyzers/os/parse.hpp"
#include "inventory/inventory.hpp"
#include "sbom/package_db.hpp"
#include "support/analyzer_run.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::os {
namespace {

struct Scan {
  inventory::Inventory inv;
  Output out;
  Scan(std::shared_ptr<vfs::MemoryVfs> v, const std::string& date) {
    std::vector<Diagnostic> diags;
    inv.walk(inv.add_filesystem({"", "memory", 0, "", 0, v}), diags);
    inv.finish();
    ScanOptions o;
    o.assessment_date = date;
    out = run(Context{inv, test::analyzer_options(o)});
  }
  std::vector<const Finding*> all(std::string_view check) const {
    std::vector<const Finding*> v;
    for (const auto& f : out.findings) {
      if (f.check == check) v.push_back(&f);
    }
    return v;
  }
  const Finding& only(std::string_view check) const {
    auto v = all(check);
    EXPECT_EQ(v.size(), 1u) << check;
    static const Finding kNone;
    return v.empty() ? kNone : *v.front();
  }
  const Finding* component(const std::string& subject) const {
    for (const auto* f : all("os-component-eol")) {
      if (f->subject == subject) return f;
    }
    return nullptr;
  }
  std::string fact(std::string_view name) const {
    for (const auto& f : out.facts) {
      if (f.name == name) return std::get<std::string>(f.value);
    }
    return {};
  }
};

std::shared_ptr<vfs::MemoryVfs> tree(std::map<std::string, std::string> files) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  for (const auto& [path, text] : files) EXPECT_TRUE(v->add_file(path, text).ok()) << path;
  return v;
}

constexpr const char* kDebian12 =
    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n"
    "VERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";

TEST(OsParse, OsReleaseQuotingAndDamage) {
  auto f = parse_os_release("# c\nA=plain\nB=\"with \\\"esc\\\" and $x\"\nC='single #x'\nbad line\nD=\"open\n");
  ASSERT_NE(f.find("A"), nullptr);
  EXPECT_EQ(f.find("A")->value, "plain");
  EXPECT_EQ(f.find("B")->value, "with \"esc\" and $x");
  EXPECT_EQ(f.find("C")->value, "single #x");
  EXPECT_EQ(f.find("C")->line, 4u);
  EXPECT_EQ(f.find("D"), nullptr);
  ASSERT_EQ(f.diagnostics.size(), 2u);
  EXPECT_EQ(f.diagnostics[0].first, 5u);
  EXPECT_EQ(f.diagnostics[1].first, 6u);
}

TEST(OsParse, PackageDatabasesAndVersions) {
  auto dpkg = sbom::parse_dpkg_status(
                  "Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\nDescription: x\n more\n\n"
                  "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n")
                  .packages;
  ASSERT_EQ(dpkg.size(), 1u);
  EXPECT_EQ(dpkg[0].name, "libssl3");
  EXPECT_EQ(dpkg[0].line, 1u);
  EXPECT_EQ(upstream_version(dpkg[0].version), "3.0.11");
  EXPECT_EQ(upstream_version("1:2.3.4+dfsg-1"), "2.3.4");
  EXPECT_EQ(upstream_version("3.1.4-r5"), "3.1.4");
  auto apk = sbom::parse_apk_installed("C:Q1x\nP:libcrypto3\nV:3.1.4-r5\n\nP:musl\nV:1.2.4-r2\n").packages;
  ASSERT_EQ(apk.size(), 2u);
  EXPECT_EQ(apk[0].name, "libcrypto3");
  EXPECT_EQ(apk[0].line, 2u);
}

TEST(OsDistro, DebianBeforeNearAndAfterItsEndOfLife) {
  auto files = std::map<std::string, std::string>{{"/etc/os-release", kDebian12}, {"/etc/debian_version", "12.5\n"}};
  Scan before(tree(files), "2025-06-01");
  const Finding& id = before.only("inv-os-identify");
  EXPECT_EQ(id.status, Status::kInfo);
  EXPECT_NE(id.message.find("Debian GNU/Linux 12 (bookworm)"), std::string::npos) << id.message;
  EXPECT_EQ(before.fact("os.codename"), "bookworm");
  const Finding& pass = before.only("os-distro-eol");
  EXPECT_EQ(pass.status, Status::kPass) << pass.message;
  EXPECT_NE(pass.message.find("until 2026-07-11"), std::string::npos);
  ASSERT_FALSE(pass.evidence.empty());
  EXPECT_EQ(pass.evidence[0].path, "/etc/os-release");
  EXPECT_EQ(*pass.evidence[0].line, 6u);  // the ID= line
  EXPECT_EQ(before.fact("os.eol"), "2026-07-11");

  EXPECT_EQ(Scan(tree(files), "2026-01-01").only("os-distro-eol").status, Status::kWarn);
  Scan after(tree(files), "2026-07-11");  // the findings live as long as their scan
  const Finding& fail = after.only("os-distro-eol");
  EXPECT_EQ(fail.status, Status::kFail);
  EXPECT_NE(fail.message.find("end of life on 2026-07-11"), std::string::npos) << fail.message;
}

TEST(OsDistro, EveryMarker) {
  struct Case {
    std::map<std::string, std::string> files;
    const char* date;
    Status status;
    const char* in_message;
  } cases[] = {
      {{{"/usr/lib/os-release", "ID=ubuntu\nVERSION_ID=\"20.04\"\n"}}, "2025-06-01", Status::kFail, "Ubuntu 20.04"},
      {{{"/etc/alpine-release", "3.19.1\n"}}, "2024-06-01", Status::kPass, "Alpine Linux 3.19"},
      {{{"/etc/alpine-release", "3.19.1\n"}}, "2025-11-01", Status::kFail, "Alpine Linux 3.19"},
      {{{"/etc/openwrt_release", "DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='23.05.3'\nDISTRIB_REVISION='r23809'\n"}},
       "2025-09-01",
       Status::kFail,
       "OpenWrt 23.05"},
      {{{"/etc/openwrt_release", "DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='SNAPSHOT'\n"}},
       "2025-09-01",
       Status::kInconclusive,
       "SNAPSHOT"},
      {{{"/etc/os-release", "ID=poky\nVERSION_ID=4.0.17\nVERSION=\"4.0.17 (kirkstone)\"\n"}},
       "2024-01-01",
       Status::kPass,
       "Yocto Project 4.0"},
      {{{"/etc/os-release", "ID=acme-linux\nVERSION_ID=7.3\nVERSION_CODENAME=scarthgap\n"}},
       "2028-05-01",
       Status::kFail,
       "Yocto Project 5.0"},
      {{{"/etc/build", "-----\nDISTRO = acme\nDISTRO_VERSION = 1.0\nmeta = kirkstone:0123abcd\n"}},
       "2026-05-01",
       Status::kFail,
       "Yocto Project 4.0"},
      {{{"/etc/os-release", "ID=buildroot\nVERSION_ID=2024.02.1\n"}},
       "2024-06-01",
       Status::kInconclusive,
       "Buildroot 2024.02.1"},
      {{{"/etc/debian_version", "bookworm/sid\n"}}, "2024-06-01", Status::kPass, "Debian 12"},
  };
  for (const auto& c : cases) {
    Scan s(tree(c.files), c.date);
    const Finding& f = s.only("os-distro-eol");
    EXPECT_EQ(f.status, c.status) << c.files.begin()->first << ": " << f.message;
    EXPECT_NE(f.message.find(c.in_message), std::string::npos) << f.message;
  }
}

TEST(OsDistro, AndroidReleaseAndPatchAge) {
  auto files = std::map<std::string, std::string>{
      {"/system/build.prop",
       "# begin build properties\nro.build.version.release=13\nro.build.version.security_patch=2025-01-05\n"
       "ro.build.type=user\nimport /x.prop\n"}};
  Scan fresh(tree(files), "2025-02-01");
  EXPECT_EQ(fresh.only("inv-os-identify").status, Status::kInfo);
  EXPECT_EQ(fresh.fact("android.security_patch"), "2025-01-05");
  const Finding& ok = fresh.only("os-distro-eol");
  EXPECT_EQ(ok.status, Status::kPass) << ok.message;  // 13 ends 2026-03-02; the patch is 27 days old
  EXPECT_NE(ok.message.find("27 days old"), std::string::npos) << ok.message;
  Scan stale(
      tree({{"/system/build.prop", "ro.build.version.release=15\nro.build.version.security_patch=2025-01-05\n"}}),
      "2025-06-01");
  const Finding& f = stale.only("os-distro-eol");
  EXPECT_EQ(f.status, Status::kWarn);
  EXPECT_NE(f.message.find("147 days old"), std::string::npos) << f.message;
  EXPECT_EQ(Scan(tree(files), "2026-03-02").only("os-distro-eol").status, Status::kFail);
}

TEST(OsDistro, NothingFoundIsInconclusive) {
  Scan s(tree({{"/etc/hostname", "x\n"}}), "2025-01-01");
  EXPECT_EQ(s.only("inv-os-identify").status, Status::kInconclusive);
  EXPECT_EQ(s.only("os-distro-eol").status, Status::kInconclusive);
  EXPECT_EQ(s.only("os-component-eol").status, Status::kInconclusive);
}

TEST(OsComponents, PackageDatabasesJudgedPerVersion) {
  auto files = std::map<std::string, std::string>{
      {"/var/lib/dpkg/status",
       "Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\n\n"
       "Package: libssl1.1\nStatus: install ok installed\nVersion: 1.1.1n-0+deb11u5\n\n"
       "Package: python3.11-minimal\nStatus: install ok installed\nVersion: 3.11.2-6\n\n"
       "Package: nodejs\nStatus: install ok installed\nVersion: 18.19.0+dfsg-6~deb12u1\n\n"
       "Package: libsqlite3-0\nStatus: install ok installed\nVersion: 3.40.1-2\n"},
  };
  Scan s(tree(files), "2025-06-01");
  ASSERT_NE(s.component("openssl 3.0.11"), nullptr);
  EXPECT_EQ(s.component("openssl 3.0.11")->status, Status::kPass) << s.component("openssl 3.0.11")->message;
  ASSERT_NE(s.component("openssl 1.1.1n"), nullptr);
  const Finding* old_ssl = s.component("openssl 1.1.1n");
  EXPECT_EQ(old_ssl->status, Status::kFail);
  EXPECT_EQ(old_ssl->evidence[0].path, "/var/lib/dpkg/status");
  EXPECT_EQ(*old_ssl->evidence[0].line, 5u);
  EXPECT_EQ(s.component("python 3.11.2")->status, Status::kPass);
  EXPECT_EQ(s.component("nodejs 18.19.0")->status, Status::kFail);
  EXPECT_EQ(s.component("sqlite 3.40.1")->status, Status::kPass);
  // The same image judged in 2026-06: OpenSSL 3.0 ends 2026-09-07, within the window.
  EXPECT_EQ(Scan(tree(files), "2026-06-01").component("openssl 3.0.11")->status, Status::kWarn);
}

TEST(OsComponents, BranchOnlyEvidenceJoinsTheFullVersion) {
  auto v = tree({{"/var/lib/dpkg/status", "Package: libsqlite3-0\nStatus: install ok installed\nVersion: 3.40.1-2\n"},
                 {"/usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6", "x"}});
  ASSERT_TRUE(v->add_dir("/usr/lib/python3.11").ok());
  Scan s(v, "2025-06-01");
  EXPECT_EQ(s.component("sqlite 3"), nullptr);
  ASSERT_NE(s.component("sqlite 3.40.1"), nullptr);
  EXPECT_EQ(s.component("sqlite 3.40.1")->evidence.size(), 2u);
  EXPECT_NE(s.component("python 3.11"), nullptr);  // no full version to join
}

/// The libcrypto this test process runs with, from /proc/self/maps.
std::string own_libcrypto() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    auto slash = line.find('/');
    if (slash != std::string::npos && line.find("libcrypto.so") != std::string::npos) return line.substr(slash);
  }
  return {};
}

TEST(OsComponents, RealLibcryptoVersionStringSonamesAndDirectories) {
  std::string lib = own_libcrypto();
  ASSERT_FALSE(lib.empty());
  std::string bytes = test::read_file(lib);
  std::string expected = OpenSSL_version(OPENSSL_VERSION);  // "OpenSSL 3.0.x 1 Jan 2024"
  std::string version = expected.substr(8, expected.find(' ', 8) - 8);
  auto v = tree({{"/usr/lib/libcrypto.so.1.1", "no version string here"}});
  ASSERT_TRUE(v->add_file("/usr/lib/x86_64-linux-gnu/libcrypto.so.3", bytes).ok());
  ASSERT_TRUE(v->add_dir("/usr/lib/python3.7").ok());
  ASSERT_TRUE(v->add_file("/usr/lib/libsqlite3.so.0.8.6", "x").ok());
  Scan s(v, "2025-06-01");
  const Finding* real = s.component("openssl " + version);
  ASSERT_NE(real, nullptr) << "expected openssl " << version;
  EXPECT_EQ(real->evidence[0].path, "/usr/lib/x86_64-linux-gnu/libcrypto.so.3");
  EXPECT_NE(real->evidence[0].observed.find("version string"), std::string::npos);
  // An exact OpenSSL version was found, so the soname-only 1.1 guess is dropped...
  EXPECT_EQ(s.component("openssl 1.1.x"), nullptr);
  ASSERT_NE(s.component("python 3.7"), nullptr);
  EXPECT_EQ(s.component("python 3.7")->status, Status::kFail);
  ASSERT_NE(s.component("sqlite 3"), nullptr);
  EXPECT_EQ(s.component("sqlite 3")->status, Status::kPass);

  // ...but alone it is judged: every 1.1 release has ended. libcrypto.so.3 alone is ambiguous.
  Scan only_soname(tree({{"/usr/lib/libcrypto.so.1.1", "x"}}), "2025-06-01");
  ASSERT_NE(only_soname.component("openssl 1.1.x"), nullptr);
  EXPECT_EQ(only_soname.component("openssl 1.1.x")->status, Status::kFail);
  Scan three(tree({{"/usr/lib/libcrypto.so.3", "x"}}), "2025-06-01");
  ASSERT_NE(three.component("openssl 3.x"), nullptr);
  EXPECT_EQ(three.component("openssl 3.x")->status, Status::kInconclusive);
}

}  // namespace
}  // namespace fwcert::analyzers::os
