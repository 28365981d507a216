// The service-configuration parsers, table-driven over literal files and over the real
// systemd unit files this machine's Debian packages ship.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "evidence/services/parse.hpp"
#include "support/test_util.hpp"

namespace fwcert::evidence::services {
namespace {

using ::testing::ElementsAre;

TEST(ServicesParseUnit, SectionsKeysCommentsAndContinuations) {
  UnitFile u = parse_unit(
      "# comment\n"
      "[Unit]\n"
      "Description=Demo  \n"
      "; another comment\n"
      "[Service]\n"
      "ExecStart=/usr/bin/daemon \\\n"
      "# a comment inside a continuation is skipped\n"
      "  --flag \\\n"
      "  value\n"
      "User = alice\n"
      "Environment=\n",
      "/lib/systemd/system/demo.service");
  EXPECT_TRUE(u.diagnostics.empty());
  ASSERT_EQ(u.assignments.size(), 4u);
  EXPECT_EQ(u.assignments[0].section, "Unit");
  EXPECT_EQ(u.assignments[0].value, "Demo");
  EXPECT_EQ(u.assignments[1].key, "ExecStart");
  EXPECT_EQ(u.assignments[1].value, "/usr/bin/daemon  --flag  value");
  EXPECT_EQ(u.assignments[1].line, 6u);
  EXPECT_EQ(u.assignments[2].key, "User");
  EXPECT_EQ(u.assignments[2].value, "alice");
  EXPECT_EQ(u.assignments[2].line, 10u);
  EXPECT_EQ(u.assignments[2].path, "/lib/systemd/system/demo.service");
  EXPECT_EQ(u.assignments[3].value, "");
}

TEST(ServicesParseUnit, DamageBecomesLineDiagnostics) {
  UnitFile u = parse_unit("User=early\n[Service\nUser=lost\n[Service]\nno equals sign\n=empty key\nUser=kept\n");
  ASSERT_EQ(u.assignments.size(), 1u);
  EXPECT_EQ(u.assignments[0].value, "kept");
  std::vector<std::size_t> lines;
  for (const auto& d : u.diagnostics) lines.push_back(d.line);
  EXPECT_THAT(lines, ElementsAre(1u, 2u, 3u, 5u, 6u));
}

TEST(ServicesParseUnit, EmptyAssignmentResetsAListAndLastWinsForSingleValues) {
  MergedUnit m;
  for (auto& a : parse_unit("[Service]\nUser=a\nAmbientCapabilities=CAP_A\nUser=b\n").assignments)
    m.assignments.push_back(a);
  for (auto& a : parse_unit("[Service]\nAmbientCapabilities=\nAmbientCapabilities=CAP_B\nAmbientCapabilities=CAP_C\n")
                     .assignments) {
    m.assignments.push_back(a);
  }
  ASSERT_NE(m.last("Service", "User"), nullptr);
  EXPECT_EQ(m.last("Service", "User")->value, "b");
  auto caps = m.all("Service", "AmbientCapabilities");
  ASSERT_EQ(caps.size(), 2u);
  EXPECT_EQ(caps[0]->value, "CAP_B");
  EXPECT_EQ(caps[1]->value, "CAP_C");
  EXPECT_EQ(m.last("Unit", "User"), nullptr);
}

TEST(ServicesParseUnit, ExecPrefixesQuotesAndSemicolons) {
  struct Case {
    std::string value, program;
    std::vector<std::string> args;
    bool full, ignore;
  };
  const Case cases[] = {
      {"-/sbin/agetty -o '-p -- \\\\u' --keep-baud 115200 - $TERM",
       "/sbin/agetty",
       {"-o", "-p -- \\\\u", "--keep-baud", "115200", "-", "$TERM"},
       false,
       true},
      {"+/usr/bin/tool \"a b\" c", "/usr/bin/tool", {"a b", "c"}, true, false},
      {"@/usr/sbin/daemon shown-name --x", "/usr/sbin/daemon", {"--x"}, false, false},
      {"/bin/true ; /bin/false", "/bin/true", {}, false, false},
  };
  for (const auto& c : cases) {
    auto e = parse_exec(c.value);
    ASSERT_TRUE(e.has_value()) << c.value;
    EXPECT_EQ(e->program, c.program) << c.value;
    EXPECT_EQ(e->args, c.args) << c.value;
    EXPECT_EQ(e->full_privileges, c.full) << c.value;
    EXPECT_EQ(e->ignore_failure, c.ignore) << c.value;
  }
  EXPECT_FALSE(parse_exec("  -  ").has_value());
}

TEST(ServicesParseUnit, SystemdBooleans) {
  for (auto t : {"1", "yes", "Y", "true", "t", "on", " On "}) EXPECT_EQ(parse_systemd_bool(t), true) << t;
  for (auto f : {"0", "no", "n", "false", "f", "off"}) EXPECT_EQ(parse_systemd_bool(f), false) << f;
  EXPECT_EQ(parse_systemd_bool("maybe"), std::nullopt);
}

/// Every unit file the host's Debian packages ship parses with no diagnostic: the parser
/// reads real systemd syntax, not just our fixtures.
TEST(ServicesParseUnit, EveryHostUnitFileParsesCleanly) {
  namespace fs = std::filesystem;
  std::size_t files = 0, execs = 0;
  for (const auto& e : fs::directory_iterator("/lib/systemd/system")) {
    if (!e.is_regular_file()) continue;
    std::string name = e.path().filename().string();
    if (!name.ends_with(".service") && !name.ends_with(".socket") && !name.ends_with(".target") &&
        !name.ends_with(".timer")) {
      continue;
    }
    UnitFile u = parse_unit(test::read_file(e.path().string()));
    for (const auto& d : u.diagnostics) ADD_FAILURE() << name << ":" << d.line << ": " << d.message;
    for (const auto& a : u.assignments) {
      if (a.key == "ExecStart" && !a.value.empty()) {
        auto cmd = parse_exec(a.value);
        ASSERT_TRUE(cmd.has_value()) << name << ": " << a.value;
        // systemd also accepts a bare name searched in its fixed PATH ("systemctl ..."); what
        // must never remain is a prefix character.
        ASSERT_FALSE(cmd->program.empty()) << name;
        EXPECT_EQ(std::string("-@:+!").find(cmd->program[0]), std::string::npos) << name << ": " << a.value;
        ++execs;
      }
    }
    ++files;
  }
  EXPECT_GT(files, 20u);
  EXPECT_GT(execs, 10u);
}

TEST(ServicesParseShell, SplitCommand) {
  EXPECT_THAT(split_command("/usr/sbin/inetd /etc/inetd.conf"), ElementsAre("/usr/sbin/inetd", "/etc/inetd.conf"));
  EXPECT_THAT(split_command("/usr/bin/avs-client --config \"/etc/a b.json\" &"),
              ElementsAre("/usr/bin/avs-client", "--config", "/etc/a b.json"));
  EXPECT_THAT(split_command("daemon -x 2>/dev/null"), ElementsAre("daemon", "-x"));
  EXPECT_THAT(split_command("echo 'it''s' # trailing"), ElementsAre("echo", "its"));
  EXPECT_THAT(split_command("a\\ b c; d"), ElementsAre("a b", "c"));
  EXPECT_TRUE(split_command("   # only a comment").empty());
}

TEST(ServicesParseInittab, BusyBoxAndSysvLines) {
  Inittab t = parse_inittab(
      "# BusyBox\n"
      "::sysinit:/etc/init.d/rcS\n"
      "ttyS0::respawn:-/bin/sh\n"
      "id:2:initdefault:\n"
      "T0:23:respawn:/sbin/getty -L ttyS0 9600 vt100\n"
      "broken line\n"
      "x:::\n");
  ASSERT_EQ(t.entries.size(), 4u);
  EXPECT_EQ(t.entries[0].id, "");
  EXPECT_EQ(t.entries[0].action, "sysinit");
  EXPECT_EQ(t.entries[0].process, "/etc/init.d/rcS");
  EXPECT_EQ(t.entries[1].id, "ttyS0");
  EXPECT_EQ(t.entries[1].process, "-/bin/sh");
  EXPECT_EQ(t.entries[1].line, 3u);
  EXPECT_EQ(t.entries[2].action, "initdefault");
  EXPECT_EQ(t.entries[3].runlevels, "23");
  ASSERT_EQ(t.diagnostics.size(), 2u);
  EXPECT_EQ(t.diagnostics[0].line, 6u);
  EXPECT_EQ(t.diagnostics[1].line, 7u);
}

TEST(ServicesParseInetd, FieldsUserGroupAndDamage) {
  InetdConf c = parse_inetd_conf(
      "# inetutils-telnetd installs a line like this one\n"
      "telnet  stream  tcp  nowait  root  /usr/sbin/tcpd  /usr/sbin/telnetd\n"
      "ftp stream tcp nowait.400 ftp:ftp /usr/sbin/ftpd ftpd -l\n"
      "echo dgram udp wait root.wheel internal\n"
      "too few fields\n");
  ASSERT_EQ(c.entries.size(), 3u);
  EXPECT_EQ(c.entries[0].service, "telnet");
  EXPECT_EQ(c.entries[0].user, "root");
  EXPECT_EQ(c.entries[0].server, "/usr/sbin/tcpd");
  EXPECT_THAT(c.entries[0].args, ElementsAre("/usr/sbin/telnetd"));
  EXPECT_EQ(c.entries[1].wait, "nowait.400");
  EXPECT_EQ(c.entries[1].user, "ftp");
  EXPECT_EQ(c.entries[1].group, "ftp");
  EXPECT_EQ(c.entries[2].group, "wheel");
  EXPECT_EQ(c.entries[2].server, "internal");
  ASSERT_EQ(c.diagnostics.size(), 1u);
  EXPECT_EQ(c.diagnostics[0].line, 5u);
}

TEST(ServicesParseXinetd, BlocksDefaultsAndAppends) {
  XinetdConf c = parse_xinetd(
      "defaults\n"
      "{\n"
      "  log_type = SYSLOG daemon info\n"
      "  disabled = echo\n"
      "}\n"
      "includedir /etc/xinetd.d\n"
      "service telnet\n"
      "{\n"
      "  disable = no\n"
      "  socket_type = stream\n"
      "  user = root\n"
      "  server = /usr/sbin/in.telnetd\n"
      "  server_args = -h\n"
      "  server_args += -L /bin/login\n"
      "}\n"
      "service broken {\n"
      "  no equals\n");
  ASSERT_EQ(c.defaults.size(), 1u);
  EXPECT_EQ(*c.defaults[0].get("disabled"), "echo");
  EXPECT_THAT(c.includedirs, ElementsAre("/etc/xinetd.d"));
  ASSERT_EQ(c.services.size(), 1u);
  const auto& t = c.services[0];
  EXPECT_EQ(t.name, "telnet");
  EXPECT_EQ(t.line, 7u);
  EXPECT_EQ(*t.get("user"), "root");
  EXPECT_EQ(t.line_of("user"), 11u);
  EXPECT_EQ(*t.get("server_args"), "-h -L /bin/login");
  EXPECT_EQ(t.get("port"), nullptr);
  ASSERT_EQ(c.diagnostics.size(), 2u);  // the line without '=' and the unclosed block
  EXPECT_EQ(c.diagnostics[0].line, 17u);
}

TEST(ServicesParseInitRc, ServicesOptionsAndActions) {
  // Shaped like AOSP's system/core/rootdir/init.rc and adbd's init file.
  InitRc rc = parse_init_rc(
      "import /init.${ro.hardware}.rc\n"
      "on property:sys.usb.config=adb\n"
      "    setprop sys.usb.state ${sys.usb.config}\n"
      "    start adbd\n"
      "on boot\n"
      "    class_start core\n"
      "service adbd /system/bin/adbd --root_seclabel=u:r:su:s0\n"
      "    class core\n"
      "    socket adbd seqpacket 660 system system\n"
      "    disabled\n"
      "    seclabel u:r:adbd:s0\n"
      "service console /system/bin/sh\n"
      "    class core\n"
      "    console\n"
      "    disabled\n"
      "    user shell\n"
      "    group shell log readproc\n"
      "service netd /system/bin/netd\n"
      "    capabilities NET_ADMIN NET_RAW\n"
      "    oneshot\n"
      "service\n");
  EXPECT_THAT(rc.imports, ElementsAre("/init.${ro.hardware}.rc"));
  ASSERT_EQ(rc.actions.size(), 2u);
  EXPECT_EQ(rc.actions[0].trigger, "property:sys.usb.config=adb");
  ASSERT_EQ(rc.actions[0].starts.size(), 1u);
  EXPECT_EQ(rc.actions[0].starts[0].first, "adbd");
  EXPECT_EQ(rc.actions[0].starts[0].second, 4u);
  EXPECT_EQ(rc.actions[1].class_starts[0].first, "core");
  ASSERT_EQ(rc.services.size(), 3u);
  EXPECT_EQ(rc.services[0].name, "adbd");
  EXPECT_THAT(rc.services[0].args, ElementsAre("--root_seclabel=u:r:su:s0"));
  EXPECT_TRUE(rc.services[0].disabled);
  EXPECT_EQ(rc.services[0].user, "");
  EXPECT_THAT(rc.services[0].sockets, ElementsAre("adbd seqpacket 660 system system"));
  EXPECT_EQ(rc.services[1].user, "shell");
  EXPECT_EQ(rc.services[1].user_line, 16u);
  EXPECT_TRUE(rc.services[1].console);
  EXPECT_THAT(rc.services[1].groups, ElementsAre("shell", "log", "readproc"));
  EXPECT_THAT(rc.services[2].capabilities, ElementsAre("NET_ADMIN", "NET_RAW"));
  EXPECT_TRUE(rc.services[2].oneshot);
  EXPECT_THAT(rc.services[2].classes, ElementsAre("default"));
  ASSERT_EQ(rc.diagnostics.size(), 1u);
  EXPECT_EQ(rc.diagnostics[0].line, 21u);
}

TEST(ServicesParseProcd, CommandUserAndStart) {
  // Shaped like OpenWrt's package/network/services/dropbear/files/dropbear.init.
  ProcdScript p = parse_procd_script(
      "#!/bin/sh /etc/rc.common\n"
      "START=19\n"
      "USE_PROCD=1\n"
      "PROG=/usr/sbin/dropbear\n"
      "start_service() {\n"
      "  procd_open_instance\n"
      "  procd_set_param command \"$PROG\" -F -P /var/run/dropbear.pid\n"
      "  procd_append_param command -p 22\n"
      "  procd_set_param user dropbear\n"
      "  procd_close_instance\n"
      "}\n");
  EXPECT_TRUE(p.uses_procd);
  EXPECT_EQ(p.start, 19);
  ASSERT_EQ(p.instances.size(), 1u);
  EXPECT_THAT(p.instances[0].command, ElementsAre("$PROG", "-F", "-P", "/var/run/dropbear.pid", "-p", "22"));
  EXPECT_EQ(p.instances[0].line, 7u);
  EXPECT_EQ(p.instances[0].user, "dropbear");
  EXPECT_EQ(p.instances[0].user_line, 9u);
}

TEST(ServicesParseSshd, FirstValueWinsMatchIsSkippedIncludeStaysInPlace) {
  SshdConfig c = parse_sshd_config(
      "Include /etc/ssh/sshd_config.d/*.conf\n"
      "PermitRootLogin no\n"
      "permitrootlogin yes\n"
      "PasswordAuthentication=no\n"
      "Match User guest\n"
      "  PermitEmptyPasswords yes\n"
      "Port\n",
      "/etc/ssh/sshd_config");
  ASSERT_NE(c.first("permitrootlogin"), nullptr);
  EXPECT_EQ(c.first("permitrootlogin")->value, "no");
  EXPECT_EQ(c.first("permitrootlogin")->line, 2u);
  EXPECT_EQ(c.first("passwordauthentication")->value, "no");
  EXPECT_EQ(c.first("permitemptypasswords"), nullptr);
  EXPECT_EQ(c.options.front().keyword, "include");
  EXPECT_THAT(c.includes, ElementsAre("/etc/ssh/sshd_config.d/*.conf"));
}

}  // namespace
}  // namespace fwcert::evidence::services
