// The services analyzer over fixture trees for each init system: BusyBox inittab + inetd,
// systemd with drop-ins, sockets and the real getty units of this machine's systemd package,
// SysV rc links, OpenWrt procd and Android init .rc. Each test asserts the service inventory
// and the status, subject and evidence (path and line) of the checks.

#include "analyzers/services/services.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "inventory/inventory.hpp"
#include "services_fixture.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::services {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using vfs::MemoryVfs;

struct Scan : testing::Scan {
  std::vector<Service> services;

  const Service* service(const std::string& subject) const {
    for (const auto& s : services) {
      if (s.subject == subject) return &s;
    }
    return nullptr;
  }
  std::string describe() const {
    std::string d;
    for (const auto& f : out.findings)
      d += f.check + " " + to_string(f.status) + " " + f.subject + ": " + f.message + "\n";
    for (const auto& s : services)
      d += "  svc " + s.subject + " at_boot=" + (s.at_boot ? "1" : "0") + " user=" + s.user + "\n";
    return d;
  }
};

std::unique_ptr<Scan> scan(std::shared_ptr<MemoryVfs> v, const std::string& fs_type = "memory") {
  auto s = testing::scan_tree<Scan>(std::move(v), fs_type);
  std::vector<Diagnostic> scratch;
  s->services = collect(s->inv, 0, scratch);
  return s;
}

void expect_evidence(const Finding* f, const std::string& path, std::uint64_t line) {
  ASSERT_NE(f, nullptr);
  ASSERT_FALSE(f->evidence.empty()) << f->message;
  EXPECT_EQ(f->evidence[0].path, path) << f->message;
  if (line) {
    EXPECT_EQ(f->evidence[0].line, line) << f->message;
  } else {
    EXPECT_FALSE(f->evidence[0].line.has_value()) << f->message;
  }
}

void add(MemoryVfs& v, std::string_view path, std::string_view text, vfs::FileMeta meta = {}) {
  ASSERT_TRUE(v.add_file(path, text, meta).ok()) << path;
}
void link(MemoryVfs& v, std::string_view path, std::string_view target) {
  ASSERT_TRUE(v.add_symlink(path, target).ok()) << path;
}

/// The line of `needle` in a file (1-based), so tests over host files do not hard-code it.
std::size_t line_of(const std::string& text, const std::string& needle) {
  auto pos = text.find(needle);
  EXPECT_NE(pos, std::string::npos) << needle;
  return static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n')) + 1;
}

// ---- BusyBox: inittab, rcS, inetd ----------------------------------------------------------

std::shared_ptr<MemoryVfs> busybox_tree() {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/bin/busybox",
      "\x7f"
      "ELF",
      {04755, 0, 0, 0});
  for (auto applet :
       {"/bin/sh", "/bin/login", "/sbin/getty", "/usr/sbin/inetd", "/usr/sbin/telnetd", "/usr/sbin/ftpd"}) {
    link(*v, applet, "/bin/busybox");
  }
  add(*v, "/usr/bin/avs-client",
      "\x7f"
      "ELF");
  add(*v, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  add(*v, "/etc/inittab",
      "# BusyBox init\n"
      "::sysinit:/etc/init.d/rcS\n"
      "ttyS0::respawn:-/bin/sh\n"
      "tty1::respawn:/sbin/getty 38400 tty1\n"
      "::shutdown:/bin/umount -a -r\n");
  add(*v, "/etc/init.d/rcS",
      "#!/bin/sh\n"
      "mount -t proc proc /proc\n"
      "/usr/sbin/inetd /etc/inetd.conf\n"
      "/usr/bin/avs-client --config /etc/alexa/config.json &\n",
      {0755, 0, 0, 0});
  add(*v, "/etc/inetd.conf",
      "# inetd.conf\n"
      "telnet  stream  tcp  nowait  root  /usr/sbin/telnetd  telnetd -i\n");
  return v;
}

TEST(ServicesBusyBox, InventoryOfInittabRcsAndInetd) {
  auto s = scan(busybox_tree());
  const Service* sh = s->service("service:inittab:ttyS0:respawn");
  ASSERT_NE(sh, nullptr) << s->describe();
  EXPECT_EQ(sh->program, "/bin/sh");
  EXPECT_TRUE(sh->at_boot);
  EXPECT_EQ(sh->line, 3u);

  const Service* inetd = s->service("service:rc-script:inetd");
  ASSERT_NE(inetd, nullptr) << s->describe();
  EXPECT_TRUE(inetd->at_boot);
  EXPECT_THAT(inetd->args, ElementsAre("/etc/inetd.conf"));
  EXPECT_EQ(inetd->line, 3u);
  EXPECT_TRUE(inetd->runs_as_root());

  const Service* telnet = s->service("service:inetd:telnet/tcp");
  ASSERT_NE(telnet, nullptr) << s->describe();
  EXPECT_EQ(telnet->program, "/usr/sbin/telnetd");
  EXPECT_THAT(telnet->args, ElementsAre("-i"));
  EXPECT_TRUE(telnet->at_boot);
  EXPECT_THAT(telnet->boot_reason, HasSubstr("service:rc-script:inetd"));
  EXPECT_TRUE(telnet->network_facing);
  EXPECT_EQ(telnet->user, "root");

  const Service* shutdown = s->service("service:inittab:console:shutdown");
  ASSERT_NE(shutdown, nullptr);
  EXPECT_FALSE(shutdown->at_boot);
  // mount is a utility of the boot script, not a service
  EXPECT_EQ(s->service("service:rc-script:mount"), nullptr);
}

TEST(ServicesBusyBox, ChecksFailOnTelnetAsRootAndAShellOnTheUart) {
  auto s = scan(busybox_tree());
  const Finding* legacy = s->find("net-legacy-daemons", "service:inetd:telnet/tcp");
  ASSERT_NE(legacy, nullptr) << s->describe();
  EXPECT_EQ(legacy->status, Status::kFail);
  EXPECT_EQ(legacy->severity, Severity::kCritical);
  EXPECT_TRUE(legacy->severity_override);
  expect_evidence(legacy, "/etc/inetd.conf", 2);

  // ftpd is only a BusyBox applet link: present, not enabled.
  const Finding* ftp = s->find("net-legacy-daemons", "/usr/sbin/ftpd");
  ASSERT_NE(ftp, nullptr) << s->describe();
  EXPECT_EQ(ftp->status, Status::kWarn);
  EXPECT_THAT(ftp->message, HasSubstr("BusyBox applet link"));
  // telnetd's applet link is covered by the enabled finding, not repeated as "present".
  EXPECT_EQ(s->find("net-legacy-daemons", "/usr/sbin/telnetd"), nullptr);

  const Finding* uart = s->find("net-serial-console", "service:inittab:ttyS0:respawn");
  ASSERT_NE(uart, nullptr) << s->describe();
  EXPECT_EQ(uart->status, Status::kFail);
  EXPECT_EQ(uart->severity, Severity::kCritical);
  expect_evidence(uart, "/etc/inittab", 3);
  // tty1 is a virtual terminal, not a serial port.
  EXPECT_EQ(s->all("net-serial-console").size(), 1u);

  const Finding* telnet_root = s->find("priv-services-non-root", "service:inetd:telnet/tcp");
  ASSERT_NE(telnet_root, nullptr) << s->describe();
  EXPECT_EQ(telnet_root->status, Status::kFail);
  expect_evidence(telnet_root, "/etc/inetd.conf", 2);
  const Finding* alexa = s->find("priv-services-non-root", "service:rc-script:avs-client");
  ASSERT_NE(alexa, nullptr) << s->describe();
  EXPECT_EQ(alexa->status, Status::kFail);
  expect_evidence(alexa, "/etc/init.d/rcS", 4);
  // inetd itself must be root to switch to each entry's user; it is not flagged.
  EXPECT_EQ(s->find("priv-services-non-root", "service:rc-script:inetd"), nullptr);
}

TEST(ServicesBusyBox, InetdEntryWithoutARunningInetdIsOnlyConfigured) {
  auto v = busybox_tree();
  add(*v, "/etc/init.d/rcS", "#!/bin/sh\nmount -a\n", {0755, 0, 0, 0});
  auto s = scan(v);
  const Service* telnet = s->service("service:inetd:telnet/tcp");
  ASSERT_NE(telnet, nullptr);
  EXPECT_FALSE(telnet->at_boot);
  const Finding* legacy = s->find("net-legacy-daemons", "service:inetd:telnet/tcp");
  ASSERT_NE(legacy, nullptr) << s->describe();
  EXPECT_EQ(legacy->status, Status::kWarn);
  EXPECT_THAT(legacy->message, HasSubstr("not started"));
  // Not started, so not a root daemon either.
  EXPECT_EQ(s->find("priv-services-non-root", "service:inetd:telnet/tcp"), nullptr);
}

TEST(ServicesBusyBox, GettyWithAShellAsLoginProgramIsCritical) {
  auto v = busybox_tree();
  add(*v, "/etc/inittab", "::respawn:/sbin/getty -n -l /bin/sh -L ttyAMA0 115200 vt100\n");
  auto s = scan(v);
  auto serial = s->all("net-serial-console");
  ASSERT_EQ(serial.size(), 1u) << s->describe();
  EXPECT_EQ(serial[0]->status, Status::kFail);
  EXPECT_EQ(serial[0]->severity, Severity::kCritical);
  EXPECT_THAT(serial[0]->message, HasSubstr("ttyAMA0"));
  expect_evidence(serial[0], "/etc/inittab", 1);
}

TEST(ServicesBusyBox, PlainLoginPromptOnUartFailsWithCatalogSeverity) {
  auto v = busybox_tree();
  add(*v, "/etc/inittab", "ttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100\n");
  auto s = scan(v);
  const Finding* f = s->find("net-serial-console", "service:inittab:ttyS0:respawn");
  ASSERT_NE(f, nullptr) << s->describe();
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_FALSE(f->severity_override);
  EXPECT_THAT(f->message, HasSubstr("login prompt"));
}

// ---- systemd -------------------------------------------------------------------------------

std::shared_ptr<MemoryVfs> systemd_tree() {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/usr/sbin/nologin\n");
  add(*v, "/usr/sbin/webd",
      "\x7f"
      "ELF");
  add(*v, "/usr/sbin/in.telnetd",
      "\x7f"
      "ELF");
  add(*v, "/lib/systemd/system/web.service",
      "[Unit]\n"
      "Description=web admin\n"
      "[Service]\n"
      "ExecStart=/usr/sbin/webd \\\n"
      "    --port 80\n"
      "[Install]\n"
      "WantedBy=multi-user.target\n");
  // The same drop-in name in /etc hides the one in /lib; 20-caps from /lib still applies.
  add(*v, "/lib/systemd/system/web.service.d/10-user.conf", "[Service]\nUser=nobody\n");
  add(*v, "/etc/systemd/system/web.service.d/10-user.conf", "[Service]\nUser=www\n");
  add(*v, "/lib/systemd/system/web.service.d/20-caps.conf", "[Service]\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n");
  link(*v, "/etc/systemd/system/multi-user.target.wants/web.service", "/lib/systemd/system/web.service");
  // telnet via a per-connection socket (Accept=yes -> telnet@.service)
  add(*v, "/lib/systemd/system/telnet.socket",
      "[Socket]\nListenStream=23\nAccept=yes\n[Install]\nWantedBy=sockets.target\n");
  add(*v, "/lib/systemd/system/telnet@.service", "[Service]\nExecStart=-/usr/sbin/in.telnetd\nStandardInput=socket\n");
  link(*v, "/etc/systemd/system/sockets.target.wants/telnet.socket", "/lib/systemd/system/telnet.socket");
  // installed but not enabled
  add(*v, "/lib/systemd/system/idle.service", "[Service]\nExecStart=/usr/sbin/webd --idle\n");
  // masked, although /lib has it and a link would enable it
  add(*v, "/lib/systemd/system/masked.service", "[Service]\nExecStart=/usr/sbin/webd --masked\n");
  link(*v, "/etc/systemd/system/masked.service", "/dev/null");
  link(*v, "/etc/systemd/system/multi-user.target.wants/masked.service", "/lib/systemd/system/masked.service");
  return v;
}

TEST(ServicesSystemd, DropInsFollowSystemdPrecedence) {
  auto s = scan(systemd_tree());
  const Service* web = s->service("service:systemd:web.service");
  ASSERT_NE(web, nullptr) << s->describe();
  EXPECT_EQ(web->program, "/usr/sbin/webd");
  EXPECT_THAT(web->args, ElementsAre("--port", "80"));
  EXPECT_EQ(web->user, "www");
  EXPECT_EQ(web->user_path, "/etc/systemd/system/web.service.d/10-user.conf");
  EXPECT_EQ(web->user_line, 2u);
  EXPECT_THAT(web->capabilities, ElementsAre("CAP_NET_BIND_SERVICE"));
  EXPECT_TRUE(web->at_boot);
  EXPECT_THAT(web->boot_reason, HasSubstr("/etc/systemd/system/multi-user.target.wants/web.service"));
  EXPECT_FALSE(web->network_facing);  // no socket unit says so and webd is not a known daemon name
}

TEST(ServicesSystemd, SocketActivationEnablementAndMasking) {
  auto s = scan(systemd_tree());
  const Service* telnet = s->service("service:systemd:telnet@.service");
  ASSERT_NE(telnet, nullptr) << s->describe();
  EXPECT_TRUE(telnet->at_boot);
  EXPECT_TRUE(telnet->network_facing);
  ASSERT_EQ(telnet->network_reasons.size(), 1u);
  EXPECT_THAT(telnet->network_reasons[0], HasSubstr("ListenStream=23 in /lib/systemd/system/telnet.socket line 2"));

  const Service* idle = s->service("service:systemd:idle.service");
  ASSERT_NE(idle, nullptr);
  EXPECT_FALSE(idle->at_boot);
  EXPECT_EQ(s->service("service:systemd:masked.service"), nullptr);

  const Finding* legacy = s->find("net-legacy-daemons", "service:systemd:telnet@.service");
  ASSERT_NE(legacy, nullptr) << s->describe();
  EXPECT_EQ(legacy->status, Status::kFail);
  EXPECT_EQ(legacy->severity, Severity::kCritical);
  expect_evidence(legacy, "/lib/systemd/system/telnet@.service", 2);

  const Finding* root = s->find("priv-services-non-root", "service:systemd:telnet@.service");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->status, Status::kFail);
  // web runs as www: not flagged
  EXPECT_EQ(s->find("priv-services-non-root", "service:systemd:web.service"), nullptr);
}

TEST(ServicesSystemd, BoundingSetTurnsARootNetworkDaemonIntoAWarning) {
  auto v = systemd_tree();
  add(*v, "/etc/systemd/system/telnet@.service.d/caps.conf", "[Service]\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n");
  auto s = scan(v);
  const Finding* root = s->find("priv-services-non-root", "service:systemd:telnet@.service");
  ASSERT_NE(root, nullptr) << s->describe();
  EXPECT_EQ(root->status, Status::kWarn);
  EXPECT_THAT(root->evidence[0].observed, HasSubstr("CapabilityBoundingSet=CAP_NET_BIND_SERVICE"));
}

/// The real getty units of this machine's systemd package, enabled the way
/// systemd-getty-generator or `systemctl enable serial-getty@ttyS0` would.
TEST(ServicesSystemd, RealSerialGettyUnitAndAnAutologinDropIn) {
  const std::string unit = "/lib/systemd/system/serial-getty@.service";
  if (!test::have_tool("systemctl")) GTEST_SKIP() << "no systemd on this machine";
  std::string text = test::read_file(unit);
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  add(*v, unit, text);
  add(*v, "/lib/systemd/system/getty.target", test::read_file("/lib/systemd/system/getty.target"));
  link(*v, "/etc/systemd/system/getty.target.wants/serial-getty@ttyS0.service", unit);
  auto s = scan(v);
  const Service* getty = s->service("service:systemd:serial-getty@ttyS0.service");
  ASSERT_NE(getty, nullptr) << s->describe();
  EXPECT_TRUE(getty->at_boot);
  EXPECT_EQ(getty->program, "/sbin/agetty");
  const Finding* f = s->find("net-serial-console", "service:systemd:serial-getty@ttyS0.service");
  ASSERT_NE(f, nullptr) << s->describe();
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_FALSE(f->severity_override);
  expect_evidence(f, unit, line_of(text, "ExecStart="));

  add(*v, "/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf",
      "[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --keep-baud 115200 %I $TERM\n");
  auto s2 = scan(v);
  const Finding* auto_f = s2->find("net-serial-console", "service:systemd:serial-getty@ttyS0.service");
  ASSERT_NE(auto_f, nullptr) << s2->describe();
  EXPECT_EQ(auto_f->severity, Severity::kCritical);
  EXPECT_THAT(auto_f->message, HasSubstr("--autologin"));
  expect_evidence(auto_f, "/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf", 3);
  const Service* g2 = s2->service("service:systemd:serial-getty@ttyS0.service");
  ASSERT_NE(g2, nullptr);
  EXPECT_THAT(g2->args, ::testing::Contains("ttyS0"));  // %I expanded
}

/// The host's own unit tree: dbus and logind come out enabled through the links Debian's
/// packages install, nothing in it listens on the network, and nothing is a diagnostic.
TEST(ServicesSystemd, HostUnitTreeLoadsWithEnablementFromPackageLinks) {
  if (!test::have_tool("systemctl")) GTEST_SKIP() << "no systemd on this machine";
  test::TempDir root;
  ASSERT_EQ(
      test::run("mkdir -p " + root / "lib/systemd && cp -a /lib/systemd/system " + root / "lib/systemd/").exit_code, 0);
  auto v = std::make_shared<MemoryVfs>();
  // Copy the tree into memory: regular files and symlinks.
  auto listing = test::run("cd " + test::shell_quote(root.path()) + " && find lib -mindepth 1 -printf '%y %p\\t%l\\n'");
  ASSERT_EQ(listing.exit_code, 0);
  std::size_t pos = 0;
  while (pos < listing.output.size()) {
    auto end = listing.output.find('\n', pos);
    std::string line = listing.output.substr(pos, end - pos);
    pos = end == std::string::npos ? listing.output.size() : end + 1;
    auto tab = line.find('\t');
    std::string type = line.substr(0, 1), path = "/" + line.substr(2, tab - 2), target = line.substr(tab + 1);
    if (type == "f") add(*v, path, test::read_file(root / path.substr(1)));
    if (type == "l") link(*v, path, target);
  }
  auto s = scan(v);
  for (const auto& d : s->out.diagnostics) ADD_FAILURE() << d.path << ": " << d.message;
  const Service* logind = s->service("service:systemd:systemd-logind.service");
  ASSERT_NE(logind, nullptr) << s->describe();
  EXPECT_TRUE(logind->at_boot);
  EXPECT_FALSE(logind->sandbox.empty());
  // dbus ships its own units; a host without the dbus package (a minimal Debian with only
  // systemd installed) has none to judge.
  if (std::filesystem::exists("/lib/systemd/system/dbus.service")) {
    const Service* dbus = s->service("service:systemd:dbus.service");
    ASSERT_NE(dbus, nullptr);
    EXPECT_TRUE(dbus->at_boot);
    EXPECT_FALSE(dbus->network_facing);  // dbus.socket listens on a file-system path
  }
  EXPECT_FALSE(logind->network_facing);
  // Whatever else the host has installed (avahi-daemon comes with a desktop stack), a service
  // is network-facing only with a reason: a socket it listens on or a known network daemon.
  for (const auto& svc : s->services) {
    if (svc.network_facing) EXPECT_FALSE(svc.network_reasons.empty()) << svc.subject;
  }
}

// ---- SysV and sshd ---------------------------------------------------------------------------

std::shared_ptr<MemoryVfs> sysv_tree() {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nsshd:x:100:65534::/run/sshd:/usr/sbin/nologin\n");
  add(*v, "/usr/sbin/sshd",
      "\x7f"
      "ELF");
  add(*v, "/usr/sbin/ntpd",
      "\x7f"
      "ELF");
  // Shaped like Debian's /etc/init.d/ssh
  add(*v, "/etc/init.d/ssh",
      "#!/bin/sh\n"
      "DAEMON=/usr/sbin/sshd\n"
      "case \"$1\" in\n"
      "  start)\n"
      "    start-stop-daemon --start --quiet --oknodo --pidfile /run/sshd.pid --exec $DAEMON -- $SSHD_OPTS\n"
      "    ;;\n"
      "esac\n",
      {0755, 0, 0, 0});
  add(*v, "/etc/init.d/ntp",
      "#!/bin/sh\n"
      "start-stop-daemon --start --exec /usr/sbin/ntpd -c ntp:ntp -- -g\n",
      {0755, 0, 0, 0});
  link(*v, "/etc/rc2.d/S01ssh", "../init.d/ssh");
  link(*v, "/etc/rc2.d/S02ntp", "../init.d/ntp");
  add(*v, "/etc/ssh/sshd_config",
      "Include /etc/ssh/sshd_config.d/*.conf\n"
      "PermitRootLogin prohibit-password\n"
      "PasswordAuthentication no\n");
  add(*v, "/etc/ssh/sshd_config.d/50-vendor.conf", "# vendor\nPermitRootLogin yes\n");
  return v;
}

TEST(ServicesSysv, RcLinksStartStopDaemonAndChuid) {
  auto s = scan(sysv_tree());
  const Service* ssh = s->service("service:sysv:ssh");
  ASSERT_NE(ssh, nullptr) << s->describe();
  EXPECT_EQ(ssh->program, "/usr/sbin/sshd");
  EXPECT_TRUE(ssh->at_boot);
  EXPECT_THAT(ssh->boot_reason, HasSubstr("/etc/rc2.d/S01ssh"));
  EXPECT_EQ(ssh->line, 5u);
  EXPECT_TRUE(ssh->network_facing);
  const Service* ntp = s->service("service:sysv:ntp");
  ASSERT_NE(ntp, nullptr);
  EXPECT_EQ(ntp->user, "ntp");
  EXPECT_THAT(ntp->args, ElementsAre("-g"));

  // sshd keeps a root monitor by design and parses the network in an unprivileged child
  // (privilege separation): reported, with its evidence, but not as a root daemon to fix.
  const Finding* root = s->find("priv-services-non-root", "service:sysv:ssh");
  ASSERT_NE(root, nullptr) << s->describe();
  EXPECT_EQ(root->status, Status::kInfo);
  EXPECT_THAT(root->message, HasSubstr("privilege separation"));
  expect_evidence(root, "/etc/init.d/ssh", 5);
  EXPECT_EQ(s->find("priv-services-non-root", "service:sysv:ntp"), nullptr);
}

TEST(ServicesSsh, IncludedFileComesFirstAndItsValueWins) {
  auto s = scan(sysv_tree());
  const Finding* f = s->find("net-ssh-config", "sshd:permitrootlogin");
  ASSERT_NE(f, nullptr) << s->describe();
  EXPECT_EQ(f->status, Status::kFail);
  expect_evidence(f, "/etc/ssh/sshd_config.d/50-vendor.conf", 2);
  EXPECT_EQ(s->find("net-ssh-config", "sshd:passwordauthentication"), nullptr);
}

TEST(ServicesSsh, SoundSshdEnabledAtBootIsAWarning) {
  auto v = sysv_tree();
  add(*v, "/etc/ssh/sshd_config.d/50-vendor.conf", "PermitRootLogin no\n");
  auto s = scan(v);
  auto ssh = s->all("net-ssh-config");
  ASSERT_EQ(ssh.size(), 1u) << s->describe();
  EXPECT_EQ(ssh[0]->status, Status::kWarn);
  EXPECT_EQ(ssh[0]->subject, "service:sysv:ssh");
}

TEST(ServicesSsh, ShippedAuthorizedKeysAreCritical) {
  auto v = sysv_tree();
  add(*v, "/root/.ssh/authorized_keys",
      "# factory access\n\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPlaceholderKeyMaterial0000000000000000 "
      "factory@vendor\n");
  auto s = scan(v);
  const Finding* f = s->find("net-ssh-config", "/root/.ssh/authorized_keys");
  ASSERT_NE(f, nullptr) << s->describe();
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_EQ(f->severity, Severity::kCritical);
  expect_evidence(f, "/root/.ssh/authorized_keys", 3);
  EXPECT_THAT(f->evidence[0].observed, HasSubstr("ssh-ed25519"));
}

// ---- OpenWrt procd ---------------------------------------------------------------------------

TEST(ServicesProcd, DropbearWithoutRootRestrictionFails) {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/passwd", "root:x:0:0:root:/root:/bin/ash\n");
  add(*v, "/usr/sbin/dropbear",
      "\x7f"
      "ELF");
  add(*v, "/etc/init.d/dropbear",
      "#!/bin/sh /etc/rc.common\n"
      "START=19\n"
      "USE_PROCD=1\n"
      "PROG=/usr/sbin/dropbear\n"
      "start_service() {\n"
      "  procd_open_instance\n"
      "  procd_set_param command \"$PROG\" -F -P /var/run/dropbear.1.pid -p 22\n"
      "  procd_close_instance\n"
      "}\n",
      {0755, 0, 0, 0});
  link(*v, "/etc/rc.d/S19dropbear", "../init.d/dropbear");
  add(*v, "/etc/init.d/uhttpd",
      "#!/bin/sh /etc/rc.common\nUSE_PROCD=1\nstart_service() {\n procd_open_instance\n"
      " procd_set_param command /usr/sbin/uhttpd -f -p 80\n procd_set_param user www\n procd_close_instance\n}\n",
      {0755, 0, 0, 0});
  auto s = scan(v);
  const Service* db = s->service("service:procd:dropbear");
  ASSERT_NE(db, nullptr) << s->describe();
  EXPECT_EQ(db->program, "/usr/sbin/dropbear");
  EXPECT_TRUE(db->at_boot);
  const Service* web = s->service("service:procd:uhttpd");
  ASSERT_NE(web, nullptr);
  EXPECT_FALSE(web->at_boot);  // no /etc/rc.d link
  EXPECT_EQ(web->user, "www");

  const Finding* f = s->find("net-ssh-config", "service:procd:dropbear");
  ASSERT_NE(f, nullptr) << s->describe();
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_THAT(f->message, HasSubstr("root"));
  expect_evidence(f, "/etc/init.d/dropbear", 7);

  add(*v, "/etc/init.d/dropbear",
      "#!/bin/sh /etc/rc.common\nUSE_PROCD=1\nstart_service() {\n"
      "  procd_set_param command /usr/sbin/dropbear -F -w -s -B\n}\n",
      {0755, 0, 0, 0});
  auto s2 = scan(v);
  auto ssh = s2->all("net-ssh-config");
  ASSERT_EQ(ssh.size(), 1u) << s2->describe();
  EXPECT_THAT(ssh[0]->message, HasSubstr("-B"));
}

// ---- Android init .rc ------------------------------------------------------------------------

TEST(ServicesAndroid, TriggeredAndClassServicesAndAConsoleShell) {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/init.rc",
      "on property:ro.debuggable=1\n"
      "    start console\n"
      "service console /system/bin/sh\n"
      "    class core\n"
      "    console\n"
      "    disabled\n"
      "    user shell\n"
      "    group shell log readproc\n");
  add(*v, "/system/etc/init/netd.rc", "service netd /system/bin/netd\n    class main\n    capabilities NET_ADMIN\n");
  add(*v, "/system/etc/init/idle.rc", "service idle /system/bin/idle\n    disabled\n");
  add(*v, "/etc/passwd", "root:x:0:0::/:/system/bin/sh\n");
  auto s = scan(v);
  const Service* console = s->service("service:android:console");
  ASSERT_NE(console, nullptr) << s->describe();
  EXPECT_TRUE(console->at_boot);
  EXPECT_THAT(console->boot_reason, HasSubstr("ro.debuggable=1"));
  EXPECT_EQ(console->user, "shell");
  const Service* netd = s->service("service:android:netd");
  ASSERT_NE(netd, nullptr);
  EXPECT_TRUE(netd->at_boot);
  EXPECT_THAT(netd->capabilities, ElementsAre("NET_ADMIN"));
  EXPECT_EQ(netd->path, "/system/etc/init/netd.rc");
  const Service* idle = s->service("service:android:idle");
  ASSERT_NE(idle, nullptr);
  EXPECT_FALSE(idle->at_boot);

  const Finding* f = s->find("net-serial-console", "service:android:console");
  ASSERT_NE(f, nullptr) << s->describe();
  EXPECT_EQ(f->severity, Severity::kCritical);
  expect_evidence(f, "/init.rc", 3);
  const Finding* root = s->find("priv-services-non-root", "service:android:netd");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->status, Status::kWarn);
}

// ---- xinetd ----------------------------------------------------------------------------------

TEST(ServicesXinetd, DisabledEntryIsOnlyConfiguredEnabledOneFails) {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  add(*v, "/usr/sbin/xinetd",
      "\x7f"
      "ELF");
  add(*v, "/etc/inittab", "::sysinit:/etc/init.d/rcS\n");
  add(*v, "/etc/init.d/rcS", "#!/bin/sh\n/usr/sbin/xinetd -stayalive\n", {0755, 0, 0, 0});
  add(*v, "/etc/xinetd.conf", "defaults\n{\n}\nincludedir /etc/xinetd.d\n");
  add(*v, "/etc/xinetd.d/tftp",
      "service tftp\n{\n  socket_type = dgram\n  user = nobody\n  server = /usr/sbin/in.tftpd\n  disable = yes\n}\n");
  add(*v, "/etc/xinetd.d/rlogin",
      "service login\n{\n  socket_type = stream\n  user = root\n  server = /usr/sbin/in.rlogind\n  disable = no\n}\n");
  add(*v, "/etc/xinetd.d/ignored.rpmsave", "service finger\n{\n server = /usr/sbin/in.fingerd\n}\n");
  auto s = scan(v);
  const Finding* tftp = s->find("net-legacy-daemons", "service:xinetd:tftp");
  ASSERT_NE(tftp, nullptr) << s->describe();
  EXPECT_EQ(tftp->status, Status::kWarn);
  EXPECT_THAT(tftp->message, HasSubstr("disable = yes"));
  const Finding* rlogin = s->find("net-legacy-daemons", "service:xinetd:login");
  ASSERT_NE(rlogin, nullptr);
  EXPECT_EQ(rlogin->status, Status::kFail);
  expect_evidence(rlogin, "/etc/xinetd.d/rlogin", 1);
  EXPECT_EQ(s->service("service:xinetd:finger"), nullptr);
}

// ---- clean images ----------------------------------------------------------------------------

TEST(ServicesClean, HardenedSystemdImagePassesEveryCheck) {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\navs:x:1000:1000::/home/avs:/usr/sbin/nologin\n");
  add(*v, "/usr/bin/avs-client",
      "\x7f"
      "ELF");
  add(*v, "/lib/systemd/system/avs.service",
      "[Service]\nExecStart=/usr/bin/avs-client\nUser=avs\nNoNewPrivileges=yes\nProtectSystem=strict\n"
      "ProtectHome=yes\nPrivateTmp=yes\nPrivateDevices=yes\nProtectKernelTunables=yes\nProtectKernelModules=yes\n"
      "ProtectKernelLogs=yes\nProtectControlGroups=yes\nProtectClock=yes\nRestrictNamespaces=yes\n"
      "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\nSystemCallFilter=@system-service\n"
      "SystemCallArchitectures=native\nCapabilityBoundingSet=\nLockPersonality=yes\nRestrictSUIDSGID=yes\n");
  link(*v, "/etc/systemd/system/multi-user.target.wants/avs.service", "/lib/systemd/system/avs.service");
  add(*v, "/usr/sbin/sshd",
      "\x7f"
      "ELF");  // installed, not enabled, no host keys shipped
  add(*v, "/etc/sudoers", "Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n%sudo ALL=(ALL:ALL) ALL\n", {0440, 0, 0, 0});
  add(*v, "/etc/pam.d/common-auth",
      "auth required pam_faillock.so preauth\nauth [success=1 default=ignore] pam_unix.so\n"
      "auth requisite pam_deny.so\nauth required pam_permit.so\n");
  add(*v, "/usr/bin/ping",
      "\x7f"
      "ELF",
      {04755, 0, 0, 0});  // on the allow-list
  auto s = scan(v, "squashfs");
  for (auto check : checks()) {
    auto fs = s->all(check);
    ASSERT_EQ(fs.size(), 1u) << check << "\n" << s->describe();
    EXPECT_EQ(fs[0]->status, Status::kPass) << check << ": " << fs[0]->message;
  }
  const Service* avs = s->service("service:systemd:avs.service");
  ASSERT_NE(avs, nullptr);
  EXPECT_THAT(avs->sandbox, ::testing::Contains("ProtectSystem=strict"));
  ASSERT_TRUE(avs->exposure.has_value());
  EXPECT_LT(*avs->exposure, 4.0);
}

TEST(ServicesClean, NoInitConfigurationIsInconclusive) {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  auto s = scan(v);
  auto f = s->all("priv-services-non-root");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->status, Status::kInconclusive);
  EXPECT_EQ(s->all("net-serial-console")[0]->status, Status::kInconclusive);
}

}  // namespace
}  // namespace fwcert::analyzers::services

namespace fwcert::analyzers::services {
namespace {

// ---- net-debug-services ----------------------------------------------------------------------

TEST(ServicesDebug, AndroidPropertiesEnablingAdbFail) {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/init.rc",
      "on property:sys.usb.config=adb\n"
      "    start adbd\n"
      "service adbd /system/bin/adbd --root_seclabel=u:r:su:s0\n"
      "    class core\n"
      "    disabled\n");
  add(*v, "/default.prop",
      "# ADDITIONAL_DEFAULT_PROPERTIES\n"
      "ro.secure=1\n"
      "ro.adb.secure=0\n"
      "ro.debuggable=1\n"
      "persist.sys.usb.config=mtp,adb\n"
      "service.adb.tcp.port=5555\n");
  add(*v, "/system/build.prop", "ro.build.tags=release-keys\n");
  add(*v, "/etc/passwd", "root:x:0:0::/:/system/bin/sh\n");
  auto s = scan(v);
  const Service* adbd = s->service("service:android:adbd");
  ASSERT_NE(adbd, nullptr);
  EXPECT_TRUE(adbd->conditional);
  // The trigger alone is in every AOSP build; the properties decide.
  EXPECT_EQ(s->find("net-debug-services", "service:android:adbd"), nullptr);
  std::vector<std::pair<std::string, std::uint64_t>> got;
  for (const auto* f : s->all("net-debug-services")) {
    EXPECT_EQ(f->status, Status::kFail) << f->message;
    EXPECT_EQ(f->evidence[0].path, "/default.prop");
    got.emplace_back(f->subject, *f->evidence[0].line);
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::pair<std::string, std::uint64_t>>{{"property:persist.sys.usb.config", 5},
                                                                     {"property:ro.adb.secure", 3},
                                                                     {"property:ro.debuggable", 4},
                                                                     {"property:service.adb.tcp.port", 6}}));
}

TEST(ServicesDebug, LinuxDebugServicesFailToolsOnDiskWarn) {
  auto v = busybox_tree();
  add(*v, "/usr/bin/gdbserver",
      "\x7f"
      "ELF");
  add(*v, "/usr/bin/strace",
      "\x7f"
      "ELF");
  link(*v, "/sbin/devmem", "/bin/busybox");
  link(*v, "/usr/bin/nc", "/bin/busybox");
  add(*v, "/etc/init.d/rcS",
      "#!/bin/sh\n"
      "/usr/bin/gdbserver --multi :2345 &\n"
      "nc -l -p 4444 -e /bin/sh &\n"
      "nc 10.0.0.1 80 < /dev/null\n",
      {0755, 0, 0, 0});
  auto s = scan(v);
  const Finding* gdb = s->find("net-debug-services", "service:rc-script:gdbserver");
  ASSERT_NE(gdb, nullptr);
  EXPECT_EQ(gdb->status, Status::kFail);
  expect_evidence(gdb, "/etc/init.d/rcS", 2);
  const Finding* nc = s->find("net-debug-services", "service:rc-script:nc");
  ASSERT_NE(nc, nullptr);
  expect_evidence(nc, "/etc/init.d/rcS", 3);
  EXPECT_EQ(s->find("net-debug-services", "service:rc-script:nc@4"), nullptr);  // a client, not a listener
  const Finding* devmem = s->find("net-debug-services", "/sbin/devmem");
  ASSERT_NE(devmem, nullptr);
  EXPECT_EQ(devmem->status, Status::kWarn);
  EXPECT_THAT(devmem->message, HasSubstr("BusyBox applet"));
  ASSERT_NE(s->find("net-debug-services", "/usr/bin/strace"), nullptr);
  EXPECT_EQ(s->find("net-debug-services", "/usr/bin/gdbserver"), nullptr);  // reported as the service
}

}  // namespace
}  // namespace fwcert::analyzers::services

namespace fwcert::analyzers::services {
namespace {

// ---- priv-systemd-sandbox --------------------------------------------------------------------

TEST(ServicesSandboxCheck, UnsandboxedNetworkServiceWarnsWithItsScore) {
  auto s = scan(systemd_tree());
  const Finding* f = s->find("priv-systemd-sandbox", "service:systemd:telnet@.service");
  ASSERT_NE(f, nullptr) << s->describe();
  EXPECT_EQ(f->status, Status::kWarn);
  EXPECT_THAT(f->message, HasSubstr("exposure 9.6 (UNSAFE)"));
  expect_evidence(f, "/lib/systemd/system/telnet@.service", 2);
  EXPECT_THAT(f->evidence[0].observed, HasSubstr("PrivateNetwork="));  // the heaviest missing test first
  // web.service is neither network-facing nor the Alexa client: not judged.
  EXPECT_EQ(s->find("priv-systemd-sandbox", "service:systemd:web.service"), nullptr);
  const Service* idle = s->service("service:systemd:idle.service");
  ASSERT_NE(idle, nullptr);
  ASSERT_TRUE(idle->exposure.has_value());
  EXPECT_DOUBLE_EQ(*idle->exposure, 9.6);
}

TEST(ServicesSandboxCheck, NoSystemdServiceIsNotApplicable) {
  auto s = scan(busybox_tree());
  auto f = s->all("priv-systemd-sandbox");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->status, Status::kNotApplicable);
}

}  // namespace
}  // namespace fwcert::analyzers::services

namespace fwcert::analyzers::services {
namespace {

bool is_valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

/// Config files need not be UTF-8 (a Latin-1 banner, a truncated multi-byte name); what the
/// analyzer reports must be, or a JSON writer cannot carry it.
TEST(ServicesOutput, NonUtf8ConfigTextIsReportedAsValidUtf8) {
  auto v = busybox_tree();
  add(*v, "/etc/inetd.conf", "telnet stream tcp nowait root /usr/sbin/telnetd telnetd -b caf\xe9 \xc3\n");
  auto s = scan(v);
  const Service* t = s->service("service:inetd:telnet/tcp");
  ASSERT_NE(t, nullptr);
  std::size_t checked = 0;
  for (const auto& f : s->out.facts) {
    if (auto* l = std::get_if<std::vector<std::string>>(&f.value)) {
      for (const auto& x : *l) {
        EXPECT_TRUE(is_valid_utf8(x)) << x;
        ++checked;
      }
    }
    if (auto* str = std::get_if<std::string>(&f.value)) {
      EXPECT_TRUE(is_valid_utf8(*str)) << *str;
      ++checked;
    }
  }
  for (const auto& f : s->out.findings) {
    EXPECT_TRUE(is_valid_utf8(f.message)) << f.message;
    for (const auto& e : f.evidence) EXPECT_TRUE(is_valid_utf8(e.observed)) << e.observed;
  }
  EXPECT_GT(checked, 10u);
  const Finding* legacy = s->find("net-legacy-daemons", "service:inetd:telnet/tcp");
  ASSERT_NE(legacy, nullptr);
  EXPECT_THAT(legacy->evidence[0].observed, HasSubstr("caf\xEF\xBF\xBD \xEF\xBF\xBD"));
}

}  // namespace
}  // namespace fwcert::analyzers::services

namespace fwcert::analyzers::services {
namespace {

TEST(ServicesLegacy, SnmpDefaultCommunitiesFail) {
  auto v = busybox_tree();
  // Shaped like net-snmp's example snmpd.conf: a secure default, then a vendor's additions.
  add(*v, "/etc/snmp/snmpd.conf",
      "agentAddress udp:127.0.0.1:161\n"
      "rocommunity public default -V systemonly\n"
      "com2sec notConfigUser default private\n"
      "rocommunity s3cr3t-per-device 10.0.0.0/8\n");
  auto s = scan(v);
  const Finding* pub = s->find("net-legacy-daemons", "snmp:public");
  ASSERT_NE(pub, nullptr) << s->describe();
  EXPECT_EQ(pub->status, Status::kFail);
  expect_evidence(pub, "/etc/snmp/snmpd.conf", 2);
  const Finding* priv = s->find("net-legacy-daemons", "snmp:private");
  ASSERT_NE(priv, nullptr);
  EXPECT_THAT(priv->message, HasSubstr("change settings"));
  expect_evidence(priv, "/etc/snmp/snmpd.conf", 3);
  EXPECT_EQ(s->find("net-legacy-daemons", "snmp:s3cr3t-per-device"), nullptr);
}

// ---- keys-ssh-host-keys-shipped --------------------------------------------------------------

TEST(ServicesHostKeys, KeysMadeBySshKeygenFail) {
  auto base = [] {
    auto v = std::make_shared<MemoryVfs>();
    add(*v, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
    return v;
  };
  if (!test::have_tool("ssh-keygen")) GTEST_SKIP() << "no ssh-keygen";
  test::TempDir dir;
  auto r = test::run("ssh-keygen -q -t ed25519 -N '' -C demo -f " + dir / "ssh_host_ed25519_key");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto v = base();
  add(*v, "/usr/sbin/sshd",
      "\x7f"
      "ELF");
  add(*v, "/etc/ssh/ssh_host_ed25519_key", test::read_file(dir / "ssh_host_ed25519_key"), {0600, 0, 0, 0});
  add(*v, "/etc/ssh/ssh_host_ed25519_key.pub", test::read_file(dir / "ssh_host_ed25519_key.pub"));
  add(*v, "/etc/dropbear/dropbear_rsa_host_key", std::string("\0\0\0\7ssh-rsa", 11), {0600, 0, 0, 0});
  auto s = scan(v);
  auto f = s->all("keys-ssh-host-keys-shipped");
  ASSERT_EQ(f.size(), 2u);
  const Finding* ossh = s->find("keys-ssh-host-keys-shipped", "/etc/ssh/ssh_host_ed25519_key");
  ASSERT_NE(ossh, nullptr);
  EXPECT_EQ(ossh->status, Status::kFail);
  EXPECT_THAT(ossh->evidence[0].observed, HasSubstr("OPENSSH PRIVATE KEY"));  // the inventory's content kind
  ASSERT_NE(s->find("keys-ssh-host-keys-shipped", "/etc/dropbear/dropbear_rsa_host_key"), nullptr);

  auto clean = base();
  add(*clean, "/usr/sbin/sshd",
      "\x7f"
      "ELF");
  auto s2 = scan(clean);
  EXPECT_EQ(s2->all("keys-ssh-host-keys-shipped")[0]->status, Status::kPass);
  EXPECT_EQ(scan(base())->all("keys-ssh-host-keys-shipped")[0]->status, Status::kNotApplicable);
}

}  // namespace
}  // namespace fwcert::analyzers::services
