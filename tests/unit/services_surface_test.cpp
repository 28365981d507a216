// The services analyzer's threat-surface checks that combine the service list with other
// configuration: net-firewall (nftables, iptables-save, OpenWrt), net-usb-gadget (configfs
// scripts, gadget modules, a getty on ttyGS0) and net-unneeded-software.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "analyzers/services/services.hpp"
#include "inventory/inventory.hpp"
#include "services_fixture.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::services {
namespace {

using ::testing::HasSubstr;
using testing::Scan;
using vfs::MemoryVfs;

std::unique_ptr<Scan> scan(std::shared_ptr<MemoryVfs> v) { return testing::scan_tree(std::move(v), "squashfs"); }

void add(MemoryVfs& v, std::string_view path, std::string_view text, vfs::FileMeta meta = {}) {
  ASSERT_TRUE(v.add_file(path, text, meta).ok()) << path;
}

/// An image whose boot script starts dropbear, a network daemon.
std::shared_ptr<MemoryVfs> listening_image() {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  add(*v, "/usr/sbin/dropbear",
      "\x7f"
      "ELF");
  add(*v, "/etc/inittab", "::sysinit:/etc/init.d/rcS\n");
  add(*v, "/etc/init.d/rcS", "#!/bin/sh\n/usr/sbin/dropbear -w -s -p 22\n", {0755, 0, 0, 0});
  return v;
}

// ---- net-firewall ----------------------------------------------------------------------------

TEST(ServicesFirewall, NoFirewallWithAListenerWarns) {
  auto s = scan(listening_image());
  auto f = s->all("net-firewall");
  ASSERT_EQ(f.size(), 1u) << s->describe("net-firewall");
  EXPECT_EQ(f[0]->status, Status::kWarn);
  EXPECT_THAT(f[0]->message, HasSubstr("dropbear"));
  EXPECT_EQ(f[0]->evidence[0].path, "/etc/init.d/rcS");
  EXPECT_EQ(f[0]->evidence[0].line, 2u);
}

TEST(ServicesFirewall, NftablesAcceptPolicyWarnsDropPolicyPasses) {
  auto v = listening_image();
  // Shaped like the /etc/nftables.conf Debian's nftables package installs: no policy, accept.
  add(*v, "/etc/nftables.conf",
      "#!/usr/sbin/nft -f\n"
      "flush ruleset\n"
      "table inet filter {\n"
      "\tchain input {\n"
      "\t\ttype filter hook input priority filter;\n"
      "\t}\n"
      "}\n");
  auto s = scan(v);
  auto f = s->all("net-firewall");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->status, Status::kWarn);
  EXPECT_EQ(f[0]->evidence[0].path, "/etc/nftables.conf");
  EXPECT_EQ(f[0]->evidence[0].line, 5u);

  add(*v, "/etc/nftables.conf",
      "table inet filter {\n  chain input {\n    type filter hook input priority 0; policy drop;\n"
      "    ct state established,related accept\n    tcp dport 22 accept\n  }\n}\n");
  auto s2 = scan(v);
  auto f2 = s2->all("net-firewall");
  ASSERT_EQ(f2.size(), 1u);
  EXPECT_EQ(f2[0]->status, Status::kPass);
  EXPECT_EQ(f2[0]->evidence[0].line, 3u);
}

TEST(ServicesFirewall, IptablesSaveAndOpenWrtZones) {
  auto v = listening_image();
  add(*v, "/etc/iptables/rules.v4",
      "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -j REJECT --reject-with "
      "icmp-port-unreachable\nCOMMIT\n");
  auto s = scan(v);
  ASSERT_EQ(s->all("net-firewall")[0]->status, Status::kPass) << s->describe("net-firewall");
  EXPECT_EQ(s->all("net-firewall")[0]->evidence[0].line, 5u);

  auto w = listening_image();
  // Shaped like OpenWrt's package/network/config/firewall/files/firewall.config.
  add(*w, "/etc/config/firewall",
      "config defaults\n\toption input 'ACCEPT'\n\toption output 'ACCEPT'\n\n"
      "config zone\n\toption name 'lan'\n\toption input 'ACCEPT'\n\n"
      "config zone\n\toption name 'wan'\n\toption input 'ACCEPT'\n\toption masq '1'\n");
  auto s2 = scan(w);
  auto f = s2->all("net-firewall");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->status, Status::kWarn);
  EXPECT_EQ(f[0]->evidence[0].path, "/etc/config/firewall");
  EXPECT_EQ(f[0]->evidence[0].line, 11u);
  EXPECT_EQ(f[0]->evidence[0].observed, "wan zone input ACCEPT");
}

// ---- net-usb-gadget --------------------------------------------------------------------------

TEST(ServicesUsbGadget, GettyOnTtyGSFailsConfigfsFunctionsWarn) {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  add(*v, "/etc/inittab", "::sysinit:/etc/init.d/rcS\nttyGS0::respawn:/sbin/getty -L ttyGS0 115200 vt100\n");
  add(*v, "/etc/init.d/rcS", "#!/bin/sh\n/etc/init.d/S90usb-gadget start\n", {0755, 0, 0, 0});
  add(*v, "/etc/init.d/S90usb-gadget",
      "#!/bin/sh\n"
      "G=/sys/kernel/config/usb_gadget/g1\n"
      "mkdir -p $G/functions/acm.usb0\n"
      "mkdir -p $G/functions/rndis.usb0\n"
      "ln -s $G/functions/acm.usb0 $G/configs/c.1/\n",
      {0755, 0, 0, 0});
  add(*v, "/etc/modules-load.d/gadget.conf", "# USB serial console\ng_serial\n");
  auto s = scan(v);
  auto f = s->all("net-usb-gadget");
  std::vector<std::tuple<std::string, std::string, std::uint64_t>> got;
  for (const auto* x : f) got.emplace_back(to_string(x->status), x->evidence[0].path, x->evidence[0].line.value_or(0));
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::tuple<std::string, std::string, std::uint64_t>>{
                     {"fail", "/etc/inittab", 2},
                     {"warn", "/etc/init.d/S90usb-gadget", 3},
                     {"warn", "/etc/init.d/S90usb-gadget", 4},
                     {"warn", "/etc/modules-load.d/gadget.conf", 2}}))
      << s->describe("net-usb-gadget");
}

// ---- net-unneeded-software -------------------------------------------------------------------

TEST(ServicesUnneeded, CompilersAndPackageManagersWarnBusyBoxAppletsDoNot) {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  add(*v, "/usr/bin/gcc",
      "\x7f"
      "ELF");
  add(*v, "/bin/opkg",
      "\x7f"
      "ELF");
  ASSERT_TRUE(v->add_symlink("/usr/bin/vi", "/bin/busybox").ok());
  ASSERT_TRUE(v->add_symlink("/usr/bin/nano", "/bin/busybox").ok());
  auto s = scan(v);
  auto f = s->all("net-unneeded-software");
  ASSERT_EQ(f.size(), 2u) << s->describe("net-unneeded-software");
  std::vector<std::string> subjects{f[0]->subject, f[1]->subject};
  std::sort(subjects.begin(), subjects.end());
  EXPECT_EQ(subjects, (std::vector<std::string>{"software:compiler or toolchain", "software:package manager"}));
  for (const auto* x : f) EXPECT_EQ(x->status, Status::kWarn);
}

}  // namespace
}  // namespace fwcert::analyzers::services
