// net-listeners: network-facing services started at boot against the declared services list
// (--services FILE), and the parser of that list.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>

#include "assess/declared_services.hpp"
#include "scan/pipeline.hpp"
#include "services_fixture.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::services {
namespace {

using ::testing::HasSubstr;
using testing::Scan;
using vfs::MemoryVfs;
using namespace assess;

constexpr std::string_view kCheck = "net-listeners";

void add(MemoryVfs& v, std::string_view path, std::string_view text, vfs::FileMeta meta = {}) {
  ASSERT_TRUE(v.add_file(path, text, meta).ok()) << path;
}

/// BusyBox boot script starting dropbear (a network daemon), plus a systemd-free telnetd that
/// is present but never started.
std::shared_ptr<MemoryVfs> image() {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  add(*v, "/usr/sbin/dropbear",
      "\x7f"
      "ELF");
  add(*v, "/usr/sbin/telnetd",
      "\x7f"
      "ELF");
  add(*v, "/etc/inittab", "::sysinit:/etc/init.d/rcS\n");
  add(*v, "/etc/init.d/rcS", "#!/bin/sh\nmount -a\n/usr/sbin/dropbear -s -p 22\n", {0755, 0, 0, 0});
  return v;
}

std::unique_ptr<Scan> scan_with(std::shared_ptr<MemoryVfs> v, const std::string& services_path) {
  ScanOptions o;
  o.services_path = services_path;
  return testing::scan_tree(std::move(v), "squashfs", o);
}

TEST(ServicesListeners, WithoutADeclaredListAListenerIsInconclusive) {
  auto s = scan_with(image(), "");
  const Finding* f = s->find(kCheck, "service:rc-script:dropbear");
  ASSERT_NE(f, nullptr) << s->describe(kCheck);
  EXPECT_EQ(f->status, Status::kInconclusive);
  EXPECT_THAT(f->message, HasSubstr("--services"));
  EXPECT_EQ(f->evidence[0].path, "/etc/init.d/rcS");
  EXPECT_EQ(f->evidence[0].line, 3u);
  // telnetd is present but not started: it is no listener.
  EXPECT_EQ(s->all(kCheck).size(), 1u) << s->describe(kCheck);
}

TEST(ServicesListeners, DeclaredListenerPassesWithItsReasonUndeclaredFails) {
  test::TempDir d;
  test::write_file(d / "services.yaml",
                   "network_services:\n"
                   "  - name: dropbear\n"
                   "    port: 22\n"
                   "    protocol: tcp\n"
                   "    reason: field service over the management network\n");
  auto s = scan_with(image(), d / "services.yaml");
  const Finding* f = s->find(kCheck, "service:rc-script:dropbear");
  ASSERT_NE(f, nullptr) << s->describe(kCheck);
  EXPECT_EQ(f->status, Status::kPass);
  EXPECT_THAT(f->message, HasSubstr("field service over the management network"));
  ASSERT_EQ(f->evidence.size(), 2u);
  EXPECT_EQ(f->evidence[1].path, d / "services.yaml");
  EXPECT_EQ(f->evidence[1].line, 2u);

  test::write_file(d / "other.yaml", "network_services:\n  - name: lighttpd\n    reason: local web setup page\n");
  auto s2 = scan_with(image(), d / "other.yaml");
  const Finding* fail = s2->find(kCheck, "service:rc-script:dropbear");
  ASSERT_NE(fail, nullptr) << s2->describe(kCheck);
  EXPECT_EQ(fail->status, Status::kFail);
  EXPECT_THAT(fail->message, HasSubstr("not declared"));
  const Finding* unused = s2->find(kCheck, "declared:lighttpd");
  ASSERT_NE(unused, nullptr) << s2->describe(kCheck);
  EXPECT_EQ(unused->status, Status::kInfo);
  EXPECT_EQ(unused->evidence[0].line, 2u);
}

TEST(ServicesListeners, LoopbackSocketIsNoListenerAnyAddressSocketIs) {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  add(*v, "/usr/bin/api",
      "\x7f"
      "ELF");
  add(*v, "/lib/systemd/system/api.socket",
      "[Socket]\nListenStream=127.0.0.1:8080\n[Install]\nWantedBy=sockets.target\n");
  add(*v, "/lib/systemd/system/api.service", "[Service]\nExecStart=/usr/bin/api\nUser=api\n");
  ASSERT_TRUE(
      v->add_symlink("/etc/systemd/system/sockets.target.wants/api.socket", "/lib/systemd/system/api.socket").ok());
  auto s = scan_with(v, "");
  auto f = s->all(kCheck);
  ASSERT_EQ(f.size(), 1u) << s->describe(kCheck);
  EXPECT_EQ(f[0]->status, Status::kPass) << s->describe(kCheck);

  add(*v, "/lib/systemd/system/api.socket", "[Socket]\nListenStream=8080\n[Install]\nWantedBy=sockets.target\n");
  test::TempDir d;
  test::write_file(d / "s.yaml", "network_services:\n  - name: api.service\n    reason: the product's REST API\n");
  auto s2 = scan_with(v, d / "s.yaml");
  const Finding* api = s2->find(kCheck, "service:systemd:api.service");
  ASSERT_NE(api, nullptr) << s2->describe(kCheck);
  EXPECT_EQ(api->status, Status::kPass) << s2->describe(kCheck);
  EXPECT_THAT(api->evidence[0].observed, HasSubstr("ListenStream=8080"));
}

TEST(ServicesListeners, AnInvalidListIsAnInputErrorBeforeTheTargetIsWalked) {
  // The scan's input stage reads and checks --services once; a list it cannot use stops the
  // scan with an error naming the option and the file, instead of a scan with a guess.
  test::TempDir d;
  test::write_file(d / "bad.yaml", "network_services:\n  - name: dropbear\n");
  ScanOptions o;
  o.services_path = d / "bad.yaml";
  auto r = scanning::scan_vfs(image(), "memory", o);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().describe(), HasSubstr("--services: " + (d / "bad.yaml")));
  EXPECT_THAT(r.error().describe(), HasSubstr("needs a reason"));
}

TEST(ServicesListeners, DaemonsBoundToLoopbackByTheirOwnConfigAreNoListeners) {
  auto v = image();
  add(*v, "/etc/init.d/rcS", "#!/bin/sh\n/usr/sbin/dropbear -s -p 127.0.0.1:2222\n", {0755, 0, 0, 0});
  auto s = scan_with(v, "");
  auto f = s->all(kCheck);
  ASSERT_EQ(f.size(), 1u) << s->describe(kCheck);
  EXPECT_EQ(f[0]->status, Status::kPass) << s->describe(kCheck);

  // sshd with every ListenAddress on loopback; then one more on every address.
  auto w = std::make_shared<MemoryVfs>();
  add(*w, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nsshd:x:100:65534::/run/sshd:/usr/sbin/nologin\n");
  add(*w, "/usr/sbin/sshd",
      "\x7f"
      "ELF");
  add(*w, "/etc/inittab", "::sysinit:/etc/init.d/rcS\n");
  add(*w, "/etc/init.d/rcS", "#!/bin/sh\n/usr/sbin/sshd\n", {0755, 0, 0, 0});
  add(*w, "/etc/ssh/sshd_config", "ListenAddress 127.0.0.1\nListenAddress ::1\nPermitRootLogin no\n");
  auto local = scan_with(w, "");
  ASSERT_EQ(local->all(kCheck).size(), 1u) << local->describe(kCheck);
  EXPECT_EQ(local->all(kCheck)[0]->status, Status::kPass) << local->describe(kCheck);

  add(*w, "/etc/ssh/sshd_config", "ListenAddress 127.0.0.1\nListenAddress 0.0.0.0\nPermitRootLogin no\n");
  auto open = scan_with(w, "");
  const Finding* sshd = open->find(kCheck, "service:rc-script:sshd");
  ASSERT_NE(sshd, nullptr) << open->describe(kCheck);
  EXPECT_EQ(sshd->status, Status::kInconclusive);
}

// ---- the list's parser ---------------------------------------------------------------------

Result<std::vector<DeclaredService>> parse(const std::string& text) {
  return parse_declared_services(YAML::Load(text)["network_services"], "s.yaml");
}

TEST(DeclaredServices, ParsesEveryFieldAndKeepsLines) {
  auto r = parse(
      "network_services:\n"
      "  - name: sshd\n    reason: support\n    port: 22\n    protocol: tcp\n"
      "  - name: avahi-daemon\n    reason: discovery by the companion app\n    protocol: udp\n");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "sshd");
  EXPECT_EQ((*r)[0].port, 22);
  EXPECT_EQ((*r)[0].protocol, "tcp");
  EXPECT_EQ((*r)[0].line, 2u);
  EXPECT_FALSE((*r)[1].port.has_value());
  EXPECT_EQ((*r)[1].line, 6u);
}

TEST(DeclaredServices, RejectsWhatCannotBeJudgedWithFileLineColumn) {
  struct Case {
    const char* text;
    const char* message;
    const char* where;
  } cases[] = {
      {"network_services:\n  - name: sshd\n", "needs a reason", "s.yaml:"},
      {"network_services:\n  - name: sshd\n    reason: '  '\n", "needs a reason", "s.yaml:3:"},
      {"network_services:\n  - name: sshd\n    reason: x\n    port: 70000\n", "1 to 65535", "s.yaml:4:"},
      {"network_services:\n  - name: sshd\n    reason: x\n    port: 22x\n", "1 to 65535", "s.yaml:4:"},
      {"network_services:\n  - name: sshd\n    reason: x\n    protocol: sctp\n", "tcp or udp", "s.yaml:4:"},
      {"network_services:\n  - name: sshd\n    reason: x\n    prot: tcp\n", "unknown key 'prot'", "s.yaml:4:"},
      {"network_services:\n  - sshd\n", "must be a mapping", "s.yaml:2:"},
      {"network_services: sshd\n", "must be a list", "s.yaml:1:"},
  };
  for (const auto& c : cases) {
    auto r = parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_THAT(r.error().message, HasSubstr(c.message)) << c.text;
    EXPECT_THAT(r.error().where, ::testing::StartsWith(c.where)) << c.text << " -> " << r.error().where;
  }
}

TEST(DeclaredServices, LoadsTheListFromAManifestAndRefusesFilesWithoutIt) {
  test::TempDir d;
  test::write_file(d / "product.yaml",
                   "product: Example speaker\nfirmware_version: 1.2.3\n"
                   "network_services:\n  - name: sshd\n    reason: support\n");
  auto r = load_declared_services(d / "product.yaml");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_EQ(r->size(), 1u);
  test::write_file(d / "empty.yaml", "product: x\n");
  auto e = load_declared_services(d / "empty.yaml");
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.error().message, HasSubstr("network_services"));
  EXPECT_FALSE(load_declared_services(d / "missing.yaml").ok());
  EXPECT_FALSE(load_declared_services(d.path()).ok());
}

TEST(DeclaredServices, NameMatchesUnitStemAndProgramBasename) {
  DeclaredService d{"dropbear", std::nullopt, "", "x", 1};
  EXPECT_TRUE(declared_name_matches(d, "dropbear", ""));
  EXPECT_TRUE(declared_name_matches(d, "dropbear.service", ""));
  EXPECT_TRUE(declared_name_matches(d, "S50dropbear", "/usr/sbin/dropbear"));
  EXPECT_FALSE(declared_name_matches(d, "dropbearx", "/usr/sbin/dropbearkey"));
  DeclaredService u{"api.service", std::nullopt, "", "x", 1};
  EXPECT_TRUE(declared_name_matches(u, "api.service", ""));
  EXPECT_TRUE(declared_name_matches(u, "api", ""));
  EXPECT_FALSE(declared_name_matches(u, "api2.service", "/usr/bin/api2"));
}

}  // namespace
}  // namespace fwcert::analyzers::services
