// Services as the init system really runs them: PID 1, SysV scripts shadowed by units,
// Condition*= on files of the image, Type=dbus without a bus, wrapper scripts followed to the
// daemon, and the account a daemon switches to by its own configuration
// (data/daemon-privileges.yaml). The real Debian files behind each case are held by the
// systems.precision.* tests (tests/fixtures/systems/).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "analyzers/services/services.hpp"
#include "services_fixture.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::services {
namespace {

using ::testing::HasSubstr;
using vfs::MemoryVfs;

struct Run : testing::Scan {
  std::vector<Service> services;
  const Service* service(const std::string& subject) const {
    for (const auto& s : services)
      if (s.subject == subject) return &s;
    return nullptr;
  }
};

std::unique_ptr<Run> scan(std::shared_ptr<MemoryVfs> v) {
  auto s = testing::scan_tree<Run>(std::move(v), "memory");
  std::vector<Diagnostic> scratch;
  s->services = collect(s->inv, 0, scratch);
  return s;
}

void add(MemoryVfs& v, std::string_view path, std::string_view text, vfs::FileMeta meta = {0644, 0, 0, 0}) {
  ASSERT_TRUE(v.add_file(path, text, meta).ok()) << path;
}
void link(MemoryVfs& v, std::string_view path, std::string_view target) {
  ASSERT_TRUE(v.add_symlink(path, target).ok()) << path;
}

/// A systemd system: /sbin/init -> systemd, multi-user.target, accounts, and `units` enabled.
std::shared_ptr<MemoryVfs> systemd_tree() {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/usr/lib/systemd/systemd",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  link(*v, "/sbin/init", "/usr/lib/systemd/systemd");
  add(*v, "/usr/lib/systemd/system/multi-user.target", "[Unit]\nDescription=Multi-User\n");
  add(*v, "/etc/passwd",
      "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
      "dnsmasq:x:100:65534:dnsmasq:/var/lib/misc:/usr/sbin/nologin\n");
  return v;
}

void enable(MemoryVfs& v, const std::string& unit, const std::string& text) {
  add(v, "/usr/lib/systemd/system/" + unit, text);
  link(v, "/etc/systemd/system/multi-user.target.wants/" + unit, "/usr/lib/systemd/system/" + unit);
}

TEST(ServicesRuns, UnmetConditionOnAnImageFileMeansTheUnitNeverStarts) {
  auto v = systemd_tree();
  add(*v, "/usr/sbin/hostapd",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  enable(
      *v, "hostapd.service",
      "[Unit]\nDescription=hostapd\nConditionFileNotEmpty=/etc/hostapd/hostapd.conf\n"
      "[Service]\nExecStart=/usr/sbin/hostapd -B /etc/hostapd/hostapd.conf\n[Install]\nWantedBy=multi-user.target\n");
  auto s = scan(v);
  const Service* h = s->service("service:systemd:hostapd.service");
  ASSERT_NE(h, nullptr);
  EXPECT_FALSE(h->at_boot);
  EXPECT_THAT(h->boot_reason, HasSubstr("ConditionFileNotEmpty=/etc/hostapd/hostapd.conf"));
  EXPECT_THAT(h->boot_reason, HasSubstr("line 3"));
  EXPECT_EQ(s->find("priv-services-non-root", "service:systemd:hostapd.service"), nullptr);

  // With the file present (and not empty) the same unit starts and is judged.
  auto v2 = systemd_tree();
  add(*v2, "/usr/sbin/hostapd",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  add(*v2, "/etc/hostapd/hostapd.conf", "interface=wlan0\n");
  enable(
      *v2, "hostapd.service",
      "[Unit]\nConditionFileNotEmpty=/etc/hostapd/hostapd.conf\n"
      "[Service]\nExecStart=/usr/sbin/hostapd -B /etc/hostapd/hostapd.conf\n[Install]\nWantedBy=multi-user.target\n");
  auto s2 = scan(v2);
  ASSERT_NE(s2->service("service:systemd:hostapd.service"), nullptr);
  EXPECT_TRUE(s2->service("service:systemd:hostapd.service")->at_boot);
  const Finding* f = s2->find("priv-services-non-root", "service:systemd:hostapd.service");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kFail);
}

TEST(ServicesRuns, NegatedAndRunTimeConditionsAreJudgedAsSystemdWould) {
  auto v = systemd_tree();
  add(*v, "/usr/sbin/sshd",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  add(*v, "/etc/ssh/sshd_not_to_be_run", "");
  enable(*v, "ssh.service",
         "[Unit]\nConditionPathExists=!/etc/ssh/sshd_not_to_be_run\n[Service]\nExecStart=/usr/sbin/sshd -D\n");
  add(*v, "/usr/sbin/foo-daemon",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  enable(*v, "foo.service",
         "[Unit]\nConditionPathExists=/run/foo/enabled\n[Service]\nExecStart=/usr/sbin/foo-daemon\n");
  auto s = scan(v);
  ASSERT_NE(s->service("service:systemd:ssh.service"), nullptr);
  EXPECT_FALSE(s->service("service:systemd:ssh.service")->at_boot) << "the negated condition fails";
  ASSERT_NE(s->service("service:systemd:foo.service"), nullptr);
  EXPECT_TRUE(s->service("service:systemd:foo.service")->at_boot) << "a /run path is not judged from the image";
}

TEST(ServicesRuns, TypeDbusWithoutASystemBusNeverStarts) {
  auto v = systemd_tree();
  add(*v, "/usr/sbin/wpa_supplicant",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  const std::string unit =
      "[Unit]\nDescription=WPA supplicant\n[Service]\nType=dbus\nBusName=fi.w1.wpa_supplicant1\n"
      "ExecStart=/usr/sbin/wpa_supplicant -u -s -O /run/wpa_supplicant\n";
  enable(*v, "wpa_supplicant.service", unit);
  auto s = scan(v);
  ASSERT_NE(s->service("service:systemd:wpa_supplicant.service"), nullptr);
  EXPECT_FALSE(s->service("service:systemd:wpa_supplicant.service")->at_boot);
  EXPECT_THAT(s->service("service:systemd:wpa_supplicant.service")->boot_reason, HasSubstr("Type=dbus"));

  add(*v, "/usr/lib/systemd/system/dbus.socket", "[Socket]\nListenStream=/run/dbus/system_bus_socket\n");
  auto s2 = scan(v);
  EXPECT_TRUE(s2->service("service:systemd:wpa_supplicant.service")->at_boot);
}

TEST(ServicesRuns, SysvScriptWithANativeUnitIsNotRunBySystemd) {
  auto v = systemd_tree();
  add(*v, "/usr/sbin/lighttpd",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  add(*v, "/etc/init.d/lighttpd",
      "#!/bin/sh\nDAEMON=/usr/sbin/lighttpd\n$DAEMON -t -f /etc/lighttpd/lighttpd.conf\n"
      "start-stop-daemon --start --exec $DAEMON -- -f /etc/lighttpd/lighttpd.conf\n",
      {0755, 0, 0, 0});
  link(*v, "/etc/rc2.d/S01lighttpd", "../init.d/lighttpd");
  add(*v, "/usr/lib/systemd/system/lighttpd.service",
      "[Service]\nExecStart=/usr/sbin/lighttpd -D -f /etc/lighttpd/lighttpd.conf\n");
  auto s = scan(v);
  EXPECT_EQ(s->service("service:sysv:lighttpd"), nullptr) << "shadowed by lighttpd.service";

  // Under another init the script is the service, and its configuration test is not the daemon.
  auto b = std::make_shared<MemoryVfs>();
  add(*b, "/usr/sbin/lighttpd",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  add(*b, "/etc/init.d/lighttpd",
      "#!/bin/sh\nDAEMON=/usr/sbin/lighttpd\n$DAEMON -t -f /etc/lighttpd/lighttpd.conf\n"
      "start-stop-daemon --start --exec $DAEMON --test > /dev/null\n"
      "start-stop-daemon --start --exec $DAEMON -- -f /etc/lighttpd/lighttpd.conf\n",
      {0755, 0, 0, 0});
  link(*b, "/etc/rc2.d/S01lighttpd", "../init.d/lighttpd");
  auto s2 = scan(b);
  const Service* l = s2->service("service:sysv:lighttpd");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->line, 5u) << "the start-stop-daemon line that starts it, not -t or --test";
}

TEST(ServicesRuns, WrapperScriptIsFollowedToTheDaemonAndItsUser) {
  auto v = systemd_tree();
  add(*v, "/usr/sbin/dnsmasq",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  add(*v, "/usr/share/dnsmasq/common",
      "DAEMON=/usr/sbin/dnsmasq\nif [ ! \"${DNSMASQ_USER}\" ]; then\n    DNSMASQ_USER=\"dnsmasq\"\nfi\n");
  add(*v, "/usr/share/dnsmasq/systemd-helper",
      "#!/bin/sh\n. /usr/share/dnsmasq/common\ncase \"$1\" in\n  exec)\n"
      "    exec ${DAEMON} -x /run/dnsmasq/dnsmasq.pid \\\n"
      "      ${DNSMASQ_USER:+ -u ${DNSMASQ_USER}} \\\n"
      "      ${DNSMASQ_OPTS:+ ${DNSMASQ_OPTS}}\n    ;;\nesac\n",
      {0755, 0, 0, 0});
  enable(*v, "dnsmasq.service", "[Service]\nType=forking\nExecStart=/usr/share/dnsmasq/systemd-helper exec\n");
  auto s = scan(v);
  const Service* d = s->service("service:systemd:dnsmasq.service");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->program, "/usr/sbin/dnsmasq");
  EXPECT_EQ(d->wrapper, "/usr/share/dnsmasq/systemd-helper line 5");
  EXPECT_TRUE(d->network_facing);
  EXPECT_EQ(d->user, "dnsmasq");
  EXPECT_THAT(d->privilege_note, HasSubstr("-u dnsmasq"));
  EXPECT_EQ(s->find("priv-services-non-root", "service:systemd:dnsmasq.service"), nullptr);
}

TEST(ServicesRuns, ConfiguredAccountCountsOnlyWhenTheImageHasIt) {
  auto v = systemd_tree();
  add(*v, "/usr/sbin/lighttpd",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  add(*v, "/etc/lighttpd/lighttpd.conf",
      "server.document-root = \"/var/www/html\"\nserver.username             = \"www-data\"\n");
  enable(*v, "lighttpd.service", "[Service]\nExecStart=/usr/sbin/lighttpd -D -f /etc/lighttpd/lighttpd.conf\n");
  auto s = scan(v);
  const Service* l = s->service("service:systemd:lighttpd.service");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->user, "www-data");
  EXPECT_EQ(l->user_path, "/etc/lighttpd/lighttpd.conf");
  EXPECT_EQ(l->user_line, 2u);

  // The same configuration naming an account the image lacks: lighttpd cannot switch, so it
  // is still a network-facing root daemon.
  add(*v, "/etc/lighttpd/lighttpd.conf", "server.username = \"httpd\"\n");
  auto s2 = scan(v);
  const Service* l2 = s2->service("service:systemd:lighttpd.service");
  ASSERT_NE(l2, nullptr);
  EXPECT_TRUE(l2->runs_as_root());
  EXPECT_THAT(l2->privilege_note, HasSubstr("no such account"));
  const Finding* f = s2->find("priv-services-non-root", "service:systemd:lighttpd.service");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kFail);
}

TEST(ServicesRuns, RootByDesignDaemonsAreInfoNotWarnings) {
  auto v = systemd_tree();
  add(*v, "/usr/sbin/cron",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  enable(*v, "cron.service", "[Service]\nExecStart=/usr/sbin/cron -f\n");
  add(*v, "/usr/sbin/mydaemon",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  enable(*v, "mydaemon.service", "[Service]\nExecStart=/usr/sbin/mydaemon\n");
  auto s = scan(v);
  const Finding* cron = s->find("priv-services-non-root", "service:systemd:cron.service");
  ASSERT_NE(cron, nullptr);
  EXPECT_EQ(cron->status, Status::kInfo);
  EXPECT_THAT(cron->message, HasSubstr("by design"));
  const Finding* other = s->find("priv-services-non-root", "service:systemd:mydaemon.service");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->status, Status::kWarn) << "an unknown root daemon still warns";
}

TEST(ServicesRuns, SystemdUnitsDoNotRunUnderBusyBoxInit) {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/bin/busybox",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  link(*v, "/sbin/init", "/bin/busybox");
  add(*v, "/usr/sbin/lighttpd",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  add(*v, "/usr/lib/systemd/system/multi-user.target", "[Unit]\n");
  enable(*v, "lighttpd.service", "[Service]\nExecStart=/usr/sbin/lighttpd -D\n");
  add(*v, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  auto s = scan(v);
  const Service* l = s->service("service:systemd:lighttpd.service");
  ASSERT_NE(l, nullptr);
  EXPECT_FALSE(l->at_boot);
  EXPECT_THAT(l->boot_reason, HasSubstr("/sbin/init is busybox"));
}

TEST(ServicesRuns, MosquittoAndChronyListenOnlyLocallyUntilConfigured) {
  auto v = systemd_tree();
  // mosquitto 2 prints this when it starts without a listener: its local only mode.
  add(*v, "/usr/sbin/mosquitto",
      std::string("\x7f"
                  "ELF") +
          std::string(2, '\0') + "Starting in local only mode. Connections will only be possible",
      {0755, 0, 0, 0});
  add(*v, "/etc/mosquitto/mosquitto.conf",
      "pid_file /run/mosquitto/mosquitto.pid\ninclude_dir /etc/mosquitto/conf.d\n");
  enable(*v, "mosquitto.service", "[Service]\nExecStart=/usr/sbin/mosquitto -c /etc/mosquitto/mosquitto.conf\n");
  add(*v, "/usr/sbin/chronyd",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  add(*v, "/etc/chrony/chrony.conf", "confdir /etc/chrony/conf.d\npool 2.debian.pool.ntp.org iburst\n");
  enable(*v, "chrony.service", "[Service]\nExecStart=/usr/sbin/chronyd -F 1\n");
  auto s = scan(v);
  ASSERT_NE(s->service("service:systemd:mosquitto.service"), nullptr);
  EXPECT_FALSE(s->service("service:systemd:mosquitto.service")->network_facing);
  EXPECT_THAT(s->service("service:systemd:mosquitto.service")->network_reasons.at(0), HasSubstr("local only mode"));
  ASSERT_NE(s->service("service:systemd:chrony.service"), nullptr);
  EXPECT_FALSE(s->service("service:systemd:chrony.service")->network_facing);

  // A listener in an included file, and an allow line in chrony's confdir, open them.
  add(*v, "/etc/mosquitto/conf.d/net.conf", "listener 1883\n");
  add(*v, "/etc/chrony/conf.d/server.conf", "allow 192.168.0.0/16\n");
  auto s2 = scan(v);
  EXPECT_TRUE(s2->service("service:systemd:mosquitto.service")->network_facing);
  EXPECT_TRUE(s2->service("service:systemd:chrony.service")->network_facing);
}

}  // namespace
}  // namespace fwcert::analyzers::services
