// The SBOM's package-database readers and components (src/sbom/), the shared component
// evidence and its ownership index, the sbom analyzer's checks, and the CycloneDX and SPDX
// writers: on hand-written database text, on this machine's own dpkg status (held against
// dpkg-query), and on an rpmdb.sqlite that Debian's rpm tools build at test time.

#include "analyzers/sbom/sbom.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "evidence/components.hpp"
#include "evidence/evidence.hpp"
#include "report/cyclonedx/cyclonedx_writer.hpp"
#include "report/spdx/spdx_writer.hpp"
#include "sbom/describe.hpp"
#include "sbom/package_db.hpp"
#include "sbom/packages.hpp"
#include "sbom/rpmdb.hpp"
#include "sbom/sbom_limits.hpp"
#include "support/analyzer_run.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::sbom {
namespace {

/// The component set of a walked inventory, as a scan's evidence computes it.
evidence::ComponentSet components_of(const inventory::Inventory& inv) {
  parallel::Pool pool(1);
  evidence::Evidence ev(inv, pool);
  return evidence::collect_components(inv, ev);
}

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kElf =
    "\x7f"
    "ELF\x02\x01\x01\x00 not a real program";

// --- dpkg / opkg / apk text -------------------------------------------------------------------

TEST(SbomPackageDb, DpkgStatusStanzas) {
  auto db = parse_dpkg_status(
      "Package: libssl3\n"
      "Status: install ok installed\n"
      "Priority: optional\n"
      "Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>\n"
      "Architecture: amd64\n"
      "Multi-Arch: same\n"
      "Source: openssl\n"
      "Version: 3.0.11-1~deb12u2\n"
      "Description: Secure Sockets Layer toolkit\n"
      " This package is part of the OpenSSL project.\n"
      "\n"
      "Package: removed\n"
      "Status: deinstall ok config-files\n"
      "Version: 1.0\n"
      "\n"
      "Package: libgcc-s1\n"
      "Status: install ok installed\n"
      "Architecture: amd64\n"
      "Source: gcc-12 (12.2.0-14)\n"
      "Version: 12.2.0-14\n"
      "\n"
      "garbage line\n"
      "Package: tzdata\n"
      "Version: 2024a-0+deb12u1\n"
      "Architecture: all\n");
  ASSERT_EQ(db.packages.size(), 3u);
  const auto& ssl = db.packages[0];
  EXPECT_EQ(ssl.name, "libssl3");
  EXPECT_EQ(ssl.version, "3.0.11-1~deb12u2");
  EXPECT_EQ(ssl.arch, "amd64");
  EXPECT_EQ(ssl.source_name, "openssl");
  EXPECT_EQ(ssl.source_version, "");
  EXPECT_EQ(ssl.supplier, "Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>");
  EXPECT_EQ(ssl.line, 1u);
  EXPECT_EQ(db.packages[1].name, "libgcc-s1");
  EXPECT_EQ(db.packages[1].source_name, "gcc-12");
  EXPECT_EQ(db.packages[1].source_version, "12.2.0-14");
  EXPECT_EQ(db.packages[1].line, 16u);
  EXPECT_EQ(db.packages[2].name, "tzdata");  // no Status: a distroless stanza, installed
  EXPECT_EQ(db.packages[2].line, 23u);
  ASSERT_EQ(db.diagnostics.size(), 1u);
  EXPECT_EQ(db.diagnostics[0].line, 22u);
}

TEST(SbomPackageDb, DpkgStatusBoundsAFieldAndReportsAStanzaWithoutPackage) {
  std::string big(limits::kMaxPackageFieldBytes + 100, 'x');
  auto db = parse_dpkg_status("Version: 1\nArchitecture: all\n\nPackage: p\nVersion: " + big + "\n");
  ASSERT_EQ(db.packages.size(), 1u);
  EXPECT_EQ(db.packages[0].version.size(), limits::kMaxPackageFieldBytes);
  ASSERT_EQ(db.diagnostics.size(), 2u);
  EXPECT_THAT(db.diagnostics[0].message, HasSubstr("without a Package"));
  EXPECT_EQ(db.diagnostics[0].line, 1u);
  EXPECT_THAT(db.diagnostics[1].message, HasSubstr("cut"));
}

TEST(SbomPackageDb, ApkInstalledWithFilesLicenceAndOrigin) {
  auto db = parse_apk_installed(
      "C:Q1abc=\n"
      "P:libcrypto3\n"
      "V:3.1.4-r5\n"
      "A:x86_64\n"
      "S:1797120\n"
      "T:Crypto library from openssl\n"
      "L:Apache-2.0\n"
      "o:openssl\n"
      "m:Ariadne Conill <ariadne@dereferenced.org>\n"
      "F:lib\n"
      "R:libcrypto.so.3\n"
      "a:0:0:755\n"
      "Z:Q1xyz=\n"
      "F:usr/lib/engines-3\n"
      "R:afalg.so\n"
      "\n"
      "P:musl\n"
      "V:1.2.4-r2\n"
      "L:MIT\n"
      "F:lib\n"
      "R:ld-musl-x86_64.so.1\n");
  ASSERT_EQ(db.packages.size(), 2u);
  const auto& c = db.packages[0];
  EXPECT_EQ(c.name, "libcrypto3");
  EXPECT_EQ(c.version, "3.1.4-r5");
  EXPECT_EQ(c.arch, "x86_64");
  EXPECT_EQ(c.license, "Apache-2.0");
  EXPECT_EQ(c.source_name, "openssl");
  EXPECT_EQ(c.supplier, "Ariadne Conill <ariadne@dereferenced.org>");
  EXPECT_EQ(c.line, 2u);
  EXPECT_THAT(c.files, ElementsAre("/lib/libcrypto.so.3", "/usr/lib/engines-3/afalg.so"));
  EXPECT_THAT(db.packages[1].files, ElementsAre("/lib/ld-musl-x86_64.so.1"));
  EXPECT_TRUE(db.diagnostics.empty());
}

TEST(SbomPackageDb, FileListsAndSourceNames) {
  std::size_t dropped = 9;
  EXPECT_THAT(parse_file_list("/.\n/usr\n/usr/bin/ls\nrelative\n\n/usr/bin/dir\r\n", dropped),
              ElementsAre("/.", "/usr", "/usr/bin/ls", "/usr/bin/dir"));
  EXPECT_EQ(dropped, 0u);
  EXPECT_EQ(split_source_rpm("openssl-libs-3.0.7-25.el9.src.rpm"),
            (std::pair<std::string, std::string>{"openssl-libs", "3.0.7-25.el9"}));
  EXPECT_EQ(split_source_rpm("junk"), (std::pair<std::string, std::string>{}));
  EXPECT_EQ(split_dpkg_source("gcc-12 (12.2.0-14)"), (std::pair<std::string, std::string>{"gcc-12", "12.2.0-14"}));
}

// This machine's own dpkg database: every installed package dpkg-query names is parsed with the
// same name, version and architecture, and nothing else is.
TEST(SbomPackageDb, HostDpkgStatusMatchesDpkgQuery) {
  if (!std::filesystem::exists("/var/lib/dpkg/status")) GTEST_SKIP() << "no dpkg database on this machine";
  auto q = test::run("dpkg-query -W -f='${db:Status-Status} ${Package} ${Version} ${Architecture}\\n'");
  ASSERT_EQ(q.exit_code, 0);
  std::set<std::string> expected;
  for (auto [n, line] : text::lines(q.output)) {
    if (line.starts_with("installed ")) expected.emplace(line.substr(10));
  }
  auto db = parse_dpkg_status(test::read_file("/var/lib/dpkg/status"));
  std::set<std::string> got;
  for (const auto& p : db.packages) got.insert(p.name + " " + p.version + " " + p.arch);
  ASSERT_GT(expected.size(), 100u);
  EXPECT_EQ(got, expected);
  EXPECT_EQ(got.size(), db.packages.size());
  EXPECT_TRUE(db.diagnostics.empty()) << db.diagnostics.front().message;
}

// --- rpm ----------------------------------------------------------------------------------------

/// Big-endian rpm header blob from (tag, type, data) entries.
std::string rpm_blob(const std::vector<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::string>>& entries) {
  std::string index, data;
  auto be = [](std::string& s, std::uint32_t v) {
    for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  for (const auto& [tag, type, count, bytes] : entries) {
    be(index, tag);
    be(index, type);
    be(index, static_cast<std::uint32_t>(data.size()));
    be(index, count);
    data += bytes;
  }
  std::string out;
  be(out, static_cast<std::uint32_t>(entries.size()));
  be(out, static_cast<std::uint32_t>(data.size()));
  return out + index + data;
}

std::span<const std::byte> bytes(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

TEST(SbomRpm, HeaderBlobFieldsAndFiles) {
  using namespace std::string_literals;
  std::string blob = rpm_blob({{1000, 6, 1, "curl\0"s},
                               {1001, 6, 1, "7.76.1\0"s},
                               {1002, 6, 1, "26.el9\0"s},
                               {1003, 4, 1, "\0\0\0\1"s},
                               {1022, 6, 1, "x86_64\0"s},
                               {1014, 6, 1, "MIT\0"s},
                               {1011, 6, 1, "Rocky Enterprise Software Foundation\0"s},
                               {1044, 6, 1, "curl-7.76.1-26.el9.src.rpm\0"s},
                               {1116, 4, 2, "\0\0\0\0\0\0\0\1"s},
                               {1117, 8, 2, "curl\0libcurl.so.4\0"s},
                               {1118, 8, 2, "/usr/bin/\0/usr/lib64/\0"s}});
  std::string why;
  auto h = parse_rpm_header(bytes(blob), why);
  ASSERT_TRUE(h) << why;
  EXPECT_EQ(h->record.name, "curl");
  EXPECT_EQ(h->record.version, "1:7.76.1-26.el9");
  EXPECT_EQ(h->record.arch, "x86_64");
  EXPECT_EQ(h->record.license, "MIT");
  EXPECT_EQ(h->record.supplier, "Rocky Enterprise Software Foundation");
  EXPECT_EQ(h->record.source_name, "curl");
  EXPECT_EQ(h->record.source_version, "7.76.1-26.el9");
  EXPECT_THAT(h->record.files, ElementsAre("/usr/bin/curl", "/usr/lib64/libcurl.so.4"));
  EXPECT_TRUE(h->problems.empty());

  // Damage: a data offset past the store, a directory index out of range, a truncated blob.
  std::string bad =
      rpm_blob({{1000, 6, 1, "x\0"s}, {1116, 4, 1, "\0\0\0\7"s}, {1117, 8, 1, "f\0"s}, {1118, 8, 1, "/\0"s}});
  h = parse_rpm_header(bytes(bad), why);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->record.files.empty());
  ASSERT_EQ(h->problems.size(), 1u);
  EXPECT_THAT(h->problems[0], HasSubstr("DIRINDEXES[0] = 7"));
  EXPECT_FALSE(parse_rpm_header(bytes(blob.substr(0, blob.size() - 3)), why));
  EXPECT_THAT(why, HasSubstr("does not fit"));
  EXPECT_FALSE(parse_rpm_header(bytes(rpm_blob({{1001, 6, 1, "1\0"s}})), why));
  EXPECT_EQ(why, "header has no NAME");
}

// A real rpmdb.sqlite: Debian's rpm builds a tiny package and records it (--justdb) in a fresh
// database, which read_rpmdb() reads from an image.
TEST(SbomRpm, RealRpmDatabaseBuiltByRpm) {
  if (test::run("command -v rpmbuild && command -v rpm").exit_code != 0) GTEST_SKIP() << "rpm is not installed";
  test::TempDir dir;
  const std::string top = dir.path() + "/top", db = dir.path() + "/db";
  std::filesystem::create_directories(top + "/SPECS");
  test::write_file(top + "/SPECS/tiny.spec",
                   "Name: fwcert-tiny\nVersion: 1.2.3\nRelease: 4\nEpoch: 2\nSummary: tiny\n"
                   "License: MIT AND BSD-3-Clause\nVendor: fwcert tests\nBuildArch: x86_64\n"
                   "%description\ntiny\n%install\nmkdir -p %{buildroot}/usr/bin %{buildroot}/etc\n"
                   "printf x > %{buildroot}/usr/bin/tiny\nprintf y > %{buildroot}/etc/tiny.conf\n"
                   "%files\n/usr/bin/tiny\n/etc/tiny.conf\n");
  auto built = test::run("rpmbuild -bb --quiet --define '_topdir " + top + "' --define '__os_install_post %{nil}' " +
                         "--define '_build_id_links none' " + top + "/SPECS/tiny.spec 2>&1");
  ASSERT_EQ(built.exit_code, 0) << built.output;
  auto installed = test::run("rpm --initdb --dbpath " + db + " && rpm -i --justdb --nodeps --noscripts --dbpath " + db +
                             " " + top + "/RPMS/x86_64/fwcert-tiny-1.2.3-4.x86_64.rpm 2>&1");
  ASSERT_EQ(installed.exit_code, 0) << installed.output;

  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/var/lib/rpm/rpmdb.sqlite", test::read_file(db + "/rpmdb.sqlite")).ok());
  ASSERT_TRUE(v->add_file("/usr/bin/tiny", kElf).ok());
  ASSERT_TRUE(v->add_file("/etc/tiny.conf", "y").ok());
  ASSERT_TRUE(v->add_file("/etc/os-release", "ID=fedora\nVERSION_ID=39\n").ok());
  auto read = read_rpmdb(*v, "/var/lib/rpm/rpmdb.sqlite");
  ASSERT_TRUE(read) << read.error().describe();
  ASSERT_EQ(read->packages.size(), 1u);
  const auto& p = read->packages[0];
  EXPECT_EQ(p.name, "fwcert-tiny");
  EXPECT_EQ(p.version, "2:1.2.3-4");
  EXPECT_EQ(p.arch, "x86_64");
  EXPECT_EQ(p.license, "MIT AND BSD-3-Clause");
  EXPECT_EQ(p.supplier, "fwcert tests");
  EXPECT_EQ(p.source_name, "fwcert-tiny");
  EXPECT_EQ(p.source_version, "1.2.3-4");
  EXPECT_THAT(p.files, ::testing::UnorderedElementsAre("/etc/tiny.conf", "/usr/bin/tiny"));

  test::AnalyzerRun run;
  run.walk(v);
  auto scan = collect_packages(run.inv, 0);
  ASSERT_EQ(scan.components.size(), 1u);
  const auto& c = scan.components[0];
  EXPECT_EQ(c.purl, "pkg:rpm/fedora/fwcert-tiny@1.2.3-4?arch=x86_64&distro=fedora-39&epoch=2");
  EXPECT_EQ(c.evidence.path, "/var/lib/rpm/rpmdb.sqlite");
  EXPECT_THAT(c.files, ElementsAre("/etc/tiny.conf", "/usr/bin/tiny"));
  EXPECT_EQ(component_type(c), "application");
  EXPECT_EQ(license_form(c.license), LicenseForm::kSpdxExpression);

  // Not a database: a diagnostic on the file, no component, the scan goes on.
  auto junk = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(junk->add_file("/var/lib/rpm/rpmdb.sqlite", "SQLite format 3\0 and then nothing").ok());
  test::AnalyzerRun bad;
  bad.walk(junk);
  auto none = collect_packages(bad.inv, 0);
  EXPECT_TRUE(none.components.empty());
  ASSERT_EQ(none.diagnostics.size(), 1u);
  EXPECT_THAT(none.diagnostics[0].message, HasSubstr("rpm database not read"));
}

// --- components of a filesystem ---------------------------------------------------------------

TEST(SbomComponents, PurlsAreCanonicalAndEncoded) {
  EXPECT_EQ(make_purl("deb", "debian", "libc6", "2.36-9+deb12u4", {{"distro", "debian-12"}, {"arch", "amd64"}}),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12");
  EXPECT_EQ(make_purl("deb", "debian", "login", "1:4.13+dfsg1-1", {{"arch", "amd64"}, {"upstream", ""}}),
            "pkg:deb/debian/login@1%3A4.13%2Bdfsg1-1?arch=amd64");
  EXPECT_EQ(make_purl("generic", "", "buildroot", "2024.02"), "pkg:generic/buildroot@2024.02");
  EXPECT_EQ(purl_encode("a b/c~d"), "a%20b%2Fc~d");
}

/// Adds a file, a directory or a link to a fixture tree, failing the test when it cannot.
void put(vfs::MemoryVfs& v, const std::string& path, const std::string& content) {
  EXPECT_TRUE(v.add_file(path, content).ok()) << path;
}

/// A small merged-/usr Debian tree: coreutils owns /bin/ls (listed unmerged), libssl3 its
/// library through a Multi-Arch list name, /usr/bin/stray belongs to nothing unless
/// `stray_package` adds a package for it.
std::shared_ptr<vfs::MemoryVfs> debian_tree(bool stray_package = false) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  put(*v, "/etc/os-release",
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
      "VERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n");
  EXPECT_TRUE(v->add_dir("/usr").ok() && v->add_dir("/usr/bin").ok() && v->add_dir("/usr/lib").ok());
  EXPECT_TRUE(v->add_symlink("/bin", "usr/bin").ok());
  put(*v, "/usr/bin/ls", kElf);
  put(*v, "/usr/bin/stray", kElf);
  put(*v, "/usr/lib/libssl.so.3", kElf);
  put(*v, "/var/lib/dpkg/status",
      std::string("Package: coreutils\nStatus: install ok installed\nArchitecture: amd64\nVersion: 9.1-1\n"
                  "Maintainer: Michael Stone <mstone@debian.org>\n\n"
                  "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\n"
                  "Source: openssl\nVersion: 3.0.11-1~deb12u2\n") +
          (stray_package ? "\nPackage: stray\nVersion: 1\nArchitecture: amd64\n" : ""));
  // dpkg lists the unmerged path; a Multi-Arch: same package's list carries its architecture.
  put(*v, "/var/lib/dpkg/info/coreutils.list", "/.\n/bin\n/bin/ls\n/usr/share/doc/coreutils/gone\n");
  put(*v, "/var/lib/dpkg/info/libssl3:amd64.list", "/usr/lib\n/usr/lib/libssl.so.3\n");
  if (stray_package) put(*v, "/var/lib/dpkg/info/stray.list", "/usr/bin/stray\n");
  return v;
}

TEST(SbomComponents, DpkgPackagesOwnTheirFilesThroughMergedUsr) {
  test::AnalyzerRun run;
  run.walk(debian_tree());
  auto scan = collect_packages(run.inv, 0);
  ASSERT_EQ(scan.components.size(), 2u);
  const auto& core = scan.components[0];
  EXPECT_EQ(core.ref, "deb/coreutils@9.1-1");
  EXPECT_EQ(core.purl, "pkg:deb/debian/coreutils@9.1-1?arch=amd64&distro=debian-12");
  EXPECT_EQ(core.distro, "debian-12");
  EXPECT_EQ(core.supplier, "Michael Stone <mstone@debian.org>");
  EXPECT_EQ(core.found_by, "package-db");
  EXPECT_EQ(core.evidence.path, "/var/lib/dpkg/status");
  EXPECT_EQ(core.evidence.line, 1u);
  EXPECT_THAT(core.files, ElementsAre("/usr/bin/ls"));  // directories and missing files dropped
  const auto& ssl = scan.components[1];
  EXPECT_EQ(ssl.purl, "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl");
  EXPECT_EQ(ssl.source_name, "openssl");
  EXPECT_EQ(ssl.evidence.line, 7u);
  EXPECT_THAT(ssl.files, ElementsAre("/usr/lib/libssl.so.3"));
  EXPECT_EQ(component_type(ssl), "library");
  EXPECT_EQ(component_type(core), "application");
  EXPECT_TRUE(scan.diagnostics.empty());
}

TEST(SbomComponents, OpkgWithLicenceAndBuildrootOperatingSystem) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  put(*v, "/etc/os-release", "NAME=\"OpenWrt\"\nID=\"openwrt\"\nVERSION_ID=\"23.05.2\"\n");
  put(*v, "/usr/lib/opkg/status",
      "Package: dropbear\nVersion: 2022.82-6\nDepends: libc\nStatus: install user installed\n"
      "Architecture: mipsel_24kc\nLicense: MIT\nInstalled-Time: 1700000000\n");
  put(*v, "/usr/lib/opkg/info/dropbear.list", "/usr/sbin/dropbear\n");
  put(*v, "/usr/sbin/dropbear", kElf);
  test::AnalyzerRun run;
  run.walk(v);
  auto scan = collect_packages(run.inv, 0);
  ASSERT_EQ(scan.components.size(), 1u);
  EXPECT_EQ(scan.components[0].purl, "pkg:opkg/openwrt/dropbear@2022.82-6?arch=mipsel_24kc&distro=openwrt-23.05.2");
  EXPECT_EQ(scan.components[0].license, "MIT");
  EXPECT_THAT(scan.components[0].files, ElementsAre("/usr/sbin/dropbear"));

  auto br = std::make_shared<vfs::MemoryVfs>();
  put(*br, "/etc/os-release", "NAME=Buildroot\nVERSION=2024.02\nID=buildroot\nVERSION_ID=2024.02\n");
  put(*br, "/bin/busybox", kElf);
  test::AnalyzerRun brun;
  brun.walk(br);
  auto os = collect_packages(brun.inv, 0);
  ASSERT_EQ(os.components.size(), 1u);
  EXPECT_EQ(os.components[0].purl, "pkg:generic/buildroot@2024.02");
  EXPECT_EQ(os.components[0].found_by, "os-release");
  EXPECT_EQ(component_type(os.components[0]), "operating-system");
  EXPECT_TRUE(os.components[0].files.empty());  // nothing invented
}

TEST(SbomComponents, EvidenceIndexNamesTheOwnerOfAFile) {
  test::AnalyzerRun run;
  run.walk(debian_tree());
  auto set = components_of(run.inv);
  ASSERT_EQ(set.components.size(), 2u);
  const Component* owner = set.owner_of("/usr/lib/libssl.so.3");
  ASSERT_NE(owner, nullptr);
  EXPECT_EQ(owner->name, "libssl3");
  EXPECT_TRUE(set.is_owned("/usr/bin/ls"));
  EXPECT_FALSE(set.is_owned("/bin/ls"));  // display paths are canonical
  EXPECT_FALSE(set.is_owned("/usr/bin/stray"));
}

TEST(SbomComponents, DuplicateRefsAreMadeUnique) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  put(*v, "/var/lib/dpkg/status",
      "Package: libc6\nArchitecture: amd64\nVersion: 2.36-9\n\nPackage: libc6\nArchitecture: i386\n"
      "Version: 2.36-9\n");
  test::AnalyzerRun run;
  run.walk(v);
  auto set = components_of(run.inv);
  ASSERT_EQ(set.components.size(), 2u);
  EXPECT_EQ(set.components[0].ref, "deb/libc6@2.36-9?arch=amd64");
  EXPECT_EQ(set.components[1].ref, "deb/libc6@2.36-9?arch=i386");
}

// --- the sbom analyzer ----------------------------------------------------------------------

TEST(SbomAnalyzer, WarnsListingUnownedBinaries) {
  test::AnalyzerRun run;
  run.walk(debian_tree());
  run.run(&analyzers::sbom::run);
  const Finding& f = run.only("sbom-complete");
  EXPECT_EQ(f.status, Status::kWarn);
  EXPECT_THAT(f.message, HasSubstr("2 of 3 ELF files (66.7%)"));
  ASSERT_EQ(f.evidence.size(), 1u);
  EXPECT_EQ(f.evidence[0].path, "/usr/bin/stray");
  const Finding& inv = run.only("inv-sbom");
  EXPECT_EQ(inv.status, Status::kInfo);
  EXPECT_THAT(inv.message, HasSubstr("2 components (2 deb)"));
}

TEST(SbomAnalyzer, PassesWhenEveryElfIsOwnedAndIsInconclusiveWithoutElf) {
  auto v = debian_tree(true);
  test::AnalyzerRun run;
  run.walk(v);
  run.run(&analyzers::sbom::run);
  EXPECT_EQ(run.only("sbom-complete").status, Status::kPass);

  auto empty = std::make_shared<vfs::MemoryVfs>();
  put(*empty, "/etc/hostname", "x\n");
  test::AnalyzerRun none;
  none.walk(empty);
  none.run(&analyzers::sbom::run);
  EXPECT_EQ(none.only("sbom-complete").status, Status::kInconclusive);
  EXPECT_EQ(none.only("inv-sbom").status, Status::kInconclusive);
}

// --- writers --------------------------------------------------------------------------------

Report sbom_report() {
  test::AnalyzerRun run;
  run.walk(debian_tree());
  Report r;
  r.tool.version = "1.2.3";
  r.target.path = "/images/rootfs.tar";
  r.target.format = "tar";
  r.metadata.assessment_date = "2026-03-01";
  r.components = components_of(run.inv).components;
  r.components[0].license = "GPL-3.0-or-later";
  r.components[1].license = "OpenSSL-like licence";
  return r;
}

TEST(SbomWriters, CycloneDxIsReproducibleAndNamesLicencesAndEvidence) {
  Report r = sbom_report();
  const std::string text = report::to_cyclonedx(r);
  EXPECT_EQ(text, report::to_cyclonedx(r));
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["bomFormat"], "CycloneDX");
  EXPECT_EQ(j["specVersion"], "1.6");
  EXPECT_THAT(j["serialNumber"].get<std::string>(),
              ::testing::MatchesRegex("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
  EXPECT_EQ(j["metadata"]["timestamp"], "2026-03-01T00:00:00Z");
  EXPECT_EQ(j["metadata"]["tools"]["components"][0]["name"], "fwcert");
  EXPECT_EQ(j["metadata"]["component"]["name"], "rootfs.tar");
  ASSERT_EQ(j["components"].size(), 2u);
  const auto& core = j["components"][0];
  EXPECT_EQ(core["bom-ref"], "deb/coreutils@9.1-1");
  EXPECT_EQ(core["type"], "application");
  EXPECT_EQ(core["licenses"][0]["license"]["id"], "GPL-3.0-or-later");
  EXPECT_EQ(core["supplier"]["name"], "Michael Stone <mstone@debian.org>");
  EXPECT_EQ(core["evidence"]["occurrences"][0]["location"], "/usr/bin/ls");
  EXPECT_EQ(core["evidence"]["identity"][0]["methods"][0]["value"], "/var/lib/dpkg/status:1");
  EXPECT_EQ(j["components"][1]["licenses"][0]["license"]["name"], "OpenSSL-like licence");
  EXPECT_FALSE(j.contains("vulnerabilities"));
  // A different component list is a different document.
  r.components.pop_back();
  EXPECT_NE(nlohmann::json::parse(report::to_cyclonedx(r))["serialNumber"], j["serialNumber"]);

  Vulnerability v;
  v.id = "CVE-2024-0727";
  v.component = "deb/coreutils@9.1-1";
  v.cvss = 5.5;
  v.cvss_vector = "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H";
  v.source = "osv:DEBIAN-CVE-2024-0727";
  v.vex_state = "not_affected";
  v.vex_justification = "vulnerable_code_not_in_execute_path";
  r.vulnerabilities.push_back(v);
  auto withv = nlohmann::json::parse(report::to_cyclonedx(r));
  ASSERT_EQ(withv["vulnerabilities"].size(), 1u);
  const auto& vj = withv["vulnerabilities"][0];
  EXPECT_EQ(vj["ratings"][0]["method"], "CVSSv31");
  EXPECT_EQ(vj["ratings"][0]["severity"], "medium");
  EXPECT_EQ(vj["affects"][0]["ref"], "deb/coreutils@9.1-1");
  EXPECT_EQ(vj["analysis"]["state"], "not_affected");
  EXPECT_EQ(vj["analysis"]["justification"], "code_not_reachable");
  EXPECT_EQ(vj["source"]["name"], "osv");
}

TEST(SbomWriters, SpdxDocumentRelationshipsAndLicences) {
  Report r = sbom_report();
  auto j = nlohmann::json::parse(report::to_spdx(r));
  EXPECT_EQ(j["SPDXID"], "SPDXRef-DOCUMENT");
  EXPECT_EQ(j["spdxVersion"], "SPDX-2.3");
  EXPECT_EQ(j["dataLicense"], "CC0-1.0");
  EXPECT_EQ(j["creationInfo"]["created"], "2026-03-01T00:00:00Z");
  EXPECT_EQ(j["creationInfo"]["creators"][0], "Tool: fwcert-1.2.3");
  EXPECT_THAT(j["documentNamespace"].get<std::string>(), ::testing::Not(HasSubstr("#")));
  ASSERT_EQ(j["packages"].size(), 3u);
  EXPECT_EQ(j["packages"][0]["primaryPackagePurpose"], "FIRMWARE");
  const auto& core = j["packages"][1];
  EXPECT_THAT(core["SPDXID"].get<std::string>(), ::testing::MatchesRegex("SPDXRef-[A-Za-z0-9.-]+"));
  EXPECT_EQ(core["versionInfo"], "9.1-1");
  EXPECT_EQ(core["downloadLocation"], "NOASSERTION");
  EXPECT_EQ(core["licenseDeclared"], "GPL-3.0-or-later");
  EXPECT_EQ(core["externalRefs"][0]["referenceCategory"], "PACKAGE-MANAGER");
  EXPECT_EQ(core["externalRefs"][0]["referenceLocator"], "pkg:deb/debian/coreutils@9.1-1?arch=amd64&distro=debian-12");
  EXPECT_EQ(j["packages"][2]["licenseDeclared"], "NOASSERTION");
  ASSERT_EQ(j["relationships"].size(), 3u);
  EXPECT_EQ(j["relationships"][0]["relationshipType"], "DESCRIBES");
  EXPECT_EQ(j["relationships"][1]["relationshipType"], "CONTAINS");
  EXPECT_EQ(j["relationships"][1]["relatedSpdxElement"], core["SPDXID"]);
}

TEST(SbomWriters, LicenceForms) {
  EXPECT_EQ(license_form(""), LicenseForm::kNone);
  EXPECT_EQ(license_form("MIT"), LicenseForm::kSpdxId);
  EXPECT_EQ(license_form("GPL-2.0-only WITH Linux-syscall-note"), LicenseForm::kSpdxExpression);
  EXPECT_EQ(license_form("(MIT OR Apache-2.0) AND BSD-3-Clause"), LicenseForm::kSpdxExpression);
  EXPECT_EQ(license_form("GPLv2+"), LicenseForm::kName);
  EXPECT_EQ(license_form("MIT AND"), LicenseForm::kName);
  EXPECT_EQ(license_form("(MIT"), LicenseForm::kName);
}

}  // namespace
}  // namespace fwcert::sbom
