// systemd presets: an image whose /etc/machine-id is missing or "uninitialized" boots for the
// first time, and systemd then enables every installed unit that its preset files do not
// disable (enable-only). The test uses the preset file of Debian's systemd package.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "services_fixture.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::services {
namespace {

using ::testing::HasSubstr;
using vfs::MemoryVfs;

constexpr const char* kDebianPreset = "/usr/lib/systemd/system-preset/90-systemd.preset";

const Service* find(const std::vector<Service>& services, const std::string& name) {
  for (const auto& s : services) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::shared_ptr<MemoryVfs> tree(const std::string& preset) {
  auto v = std::make_shared<MemoryVfs>();
  auto add = [&](const char* path, std::string_view text) { EXPECT_TRUE(v->add_file(path, text).ok()) << path; };
  add("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  add("/usr/lib/systemd/system-preset/90-systemd.preset", preset);
  // Units shaped like systemd's own (debug-shell.service, getty@.service) and a product daemon.
  add("/usr/lib/systemd/system/debug-shell.service",
      "[Unit]\nDescription=Early root shell on /dev/tty9 FOR DEBUGGING ONLY\n[Service]\n"
      "Environment=TERM=linux\nExecStart=/bin/sh\nTTYPath=/dev/tty9\n[Install]\nWantedBy=sysinit.target\n");
  add("/usr/lib/systemd/system/getty@.service",
      "[Service]\nExecStart=-/sbin/agetty -o '-p -- \\\\u' --noclear - $TERM\n"
      "[Install]\nWantedBy=getty.target\nDefaultInstance=tty1\n");
  add("/usr/lib/systemd/system/productd.service",
      "[Service]\nExecStart=/usr/bin/productd\nUser=productd\n[Install]\nWantedBy=multi-user.target\n");
  add("/usr/lib/systemd/system/helper.service", "[Service]\nExecStart=/usr/bin/helper\n");
  return v;
}

std::vector<Service> services_of(std::shared_ptr<MemoryVfs> v) {
  auto s = testing::scan_tree(std::move(v), "squashfs");
  std::vector<Diagnostic> scratch;
  return collect(s->inv, 0, scratch);
}

TEST(ServicesPresets, FirstBootEnablesWhatThePresetsDoNotDisable) {
  if (!test::have_tool("systemctl")) GTEST_SKIP() << "Debian's systemd package is not installed";
  const std::string preset = test::read_file(kDebianPreset);
  ASSERT_THAT(preset, HasSubstr("disable debug-shell.service"));
  ASSERT_THAT(preset, HasSubstr("enable getty@.service"));
  auto services = services_of(tree(preset));

  const Service* product = find(services, "productd.service");
  ASSERT_NE(product, nullptr);
  EXPECT_TRUE(product->at_boot);
  EXPECT_THAT(product->boot_reason, HasSubstr("first boot"));

  const Service* debug = find(services, "debug-shell.service");
  ASSERT_NE(debug, nullptr);
  EXPECT_FALSE(debug->at_boot) << debug->boot_reason;

  const Service* getty = find(services, "getty@tty1.service");
  ASSERT_NE(getty, nullptr);
  EXPECT_TRUE(getty->at_boot);
  EXPECT_THAT(getty->boot_reason, HasSubstr("enable getty@.service"));
  EXPECT_THAT(getty->boot_reason, HasSubstr("90-systemd.preset line"));

  // No [Install] section: presets cannot enable it.
  const Service* helper = find(services, "helper.service");
  if (helper) EXPECT_FALSE(helper->at_boot);
}

TEST(ServicesPresets, AnInitialisedMachineIdMeansNoPresetsAndADisableLineWins) {
  auto v = tree("enable getty@.service\n");
  ASSERT_TRUE(v->add_file("/etc/machine-id", "4f1c2e0d9a7b4c3e8f6a5b4c3d2e1f00\n").ok());
  auto services = services_of(v);
  const Service* product = find(services, "productd.service");
  ASSERT_NE(product, nullptr);
  EXPECT_FALSE(product->at_boot) << product->boot_reason;

  // "uninitialized" is first boot again; a later `disable *` file does not override an earlier match.
  auto w = tree("disable productd.service\nenable *\n");
  ASSERT_TRUE(w->add_file("/etc/machine-id", "uninitialized\n").ok());
  ASSERT_TRUE(w->add_file("/etc/systemd/system-preset/99-default.preset", "disable *\n").ok());
  auto s2 = services_of(w);
  EXPECT_FALSE(find(s2, "productd.service")->at_boot);
  ASSERT_NE(find(s2, "debug-shell.service"), nullptr);
  EXPECT_TRUE(find(s2, "debug-shell.service")->at_boot);
}

}  // namespace
}  // namespace fwcert::analyzers::services
