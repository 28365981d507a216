// OpenWrt: UCI configuration (/etc/config/*) read by the services analyzer. Dropbear's
// effective flags come from /etc/config/dropbear (OpenWrt builds the command line from it);
// the parser keeps lines and reports what it cannot read.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "evidence/services/parse.hpp"
#include "services_fixture.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::services {
namespace {

using evidence::services::parse_uci;
using evidence::services::UciConfig;
using ::testing::HasSubstr;
using vfs::MemoryVfs;

// Shaped like the /etc/config/dropbear OpenWrt's dropbear package installs.
constexpr const char* kDefaultUci =
    "config dropbear\n"
    "\toption PasswordAuth 'on'\n"
    "\toption RootPasswordAuth 'on'\n"
    "\toption Port         '22'\n"
    "#\toption BannerFile   '/etc/banner'\n";

std::shared_ptr<MemoryVfs> openwrt(const char* uci) {
  auto v = std::make_shared<MemoryVfs>();
  EXPECT_TRUE(v->add_file("/etc/passwd", "root:x:0:0:root:/root:/bin/ash\n").ok());
  EXPECT_TRUE(v->add_file("/usr/sbin/dropbear",
                          "\x7f"
                          "ELF",
                          {0755, 0, 0, 0})
                  .ok());
  EXPECT_TRUE(v->add_file("/etc/init.d/dropbear",
                          "#!/bin/sh /etc/rc.common\nSTART=19\nUSE_PROCD=1\nPROG=/usr/sbin/dropbear\n"
                          "start_service() {\n  procd_open_instance\n"
                          "  procd_set_param command \"$PROG\" -F -P /var/run/dropbear.1.pid $args\n"
                          "  procd_close_instance\n}\n",
                          {0755, 0, 0, 0})
                  .ok());
  EXPECT_TRUE(v->add_symlink("/etc/rc.d/S19dropbear", "../init.d/dropbear").ok());
  if (uci) EXPECT_TRUE(v->add_file("/etc/config/dropbear", uci).ok());
  return v;
}

TEST(ServicesOpenWrt, DefaultDropbearUciLetsRootInWithAPassword) {
  auto s = testing::scan_tree(openwrt(kDefaultUci), "squashfs");
  const Finding* f = s->find("net-ssh-config", "service:procd:dropbear");
  ASSERT_NE(f, nullptr) << s->describe("net-ssh-config");
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_THAT(f->message, HasSubstr("UCI"));
  ASSERT_EQ(f->evidence.size(), 1u);
  EXPECT_EQ(f->evidence[0].path, "/etc/config/dropbear");
  EXPECT_EQ(f->evidence[0].line, 3u);
  EXPECT_EQ(f->evidence[0].observed, "option RootPasswordAuth 'on'");
}

TEST(ServicesOpenWrt, AnyOfTheThreeOptionsOffPassesAndDisabledSectionsDoNotCount) {
  for (const char* uci :
       {"config dropbear\n\toption RootPasswordAuth 'off'\n", "config dropbear\n\toption PasswordAuth '0'\n",
        "config dropbear\n\toption RootLogin 'no'\n", "config dropbear\n\toption enable '0'\n"}) {
    auto s = testing::scan_tree(openwrt(uci), "squashfs");
    const Finding* f = s->find("net-ssh-config", "service:procd:dropbear");
    ASSERT_NE(f, nullptr) << uci;
    // Only the general "an SSH server is enabled" warning remains.
    EXPECT_EQ(f->status, Status::kWarn) << uci << "\n" << s->describe("net-ssh-config");
    EXPECT_THAT(f->message, ::testing::Not(HasSubstr("password"))) << uci;
  }
  // No RootPasswordAuth line at all: the default is on, and the section line is the evidence.
  auto s = testing::scan_tree(openwrt("config dropbear\n\toption Port '22'\n"), "squashfs");
  const Finding* f = s->find("net-ssh-config", "service:procd:dropbear");
  ASSERT_NE(f, nullptr) << s->describe("net-ssh-config");
  EXPECT_EQ(f->evidence[0].line, 1u);
  EXPECT_THAT(f->evidence[0].observed, HasSubstr("default on"));
}

TEST(UciParser, SectionsOptionsListsQuotesAndDiagnostics) {
  UciConfig c = parse_uci(
      "package firewall\n"
      "config defaults\n"
      "\toption input 'ACCEPT'\n"
      "config zone 'wan'\n"
      "\toption name \"wan\"\n"
      "\tlist network 'wan'\n"
      "\tlist network 'wan6'\n"
      "\toption input REJECT\n"
      "\toption input DROP\n"
      "bogus line\n"
      "config\n");
  ASSERT_EQ(c.sections.size(), 2u);
  EXPECT_EQ(c.sections[0].type, "defaults");
  EXPECT_EQ(c.sections[0].name, "");
  EXPECT_EQ(c.sections[1].name, "wan");
  EXPECT_EQ(c.sections[1].line, 4u);
  ASSERT_EQ(c.sections[1].options.size(), 5u);
  EXPECT_EQ(c.sections[1].options[1].value, "wan");
  ASSERT_NE(c.sections[1].option("input"), nullptr);
  EXPECT_EQ(c.sections[1].option("input")->value, "DROP");  // the last value wins
  EXPECT_EQ(c.sections[1].option("input")->line, 9u);
  EXPECT_EQ(c.sections[1].option("missing"), nullptr);
  ASSERT_EQ(c.diagnostics.size(), 2u);
  EXPECT_EQ(c.diagnostics[0].line, 10u);
  EXPECT_EQ(c.diagnostics[1].line, 11u);

  UciConfig orphan = parse_uci("option x 'y'\n");
  EXPECT_TRUE(orphan.sections.empty());
  ASSERT_EQ(orphan.diagnostics.size(), 1u);
  EXPECT_THAT(orphan.diagnostics[0].message, HasSubstr("outside"));
}

}  // namespace
}  // namespace fwcert::analyzers::services
