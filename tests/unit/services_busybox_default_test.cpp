// BusyBox init without /etc/inittab falls back to its built-in table, which starts a shell on
// the console after "press Enter", with no login: the services analyzer must see it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "services_fixture.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::services {
namespace {

using ::testing::HasSubstr;
using vfs::MemoryVfs;

std::shared_ptr<MemoryVfs> busybox_root() {
  auto v = std::make_shared<MemoryVfs>();
  EXPECT_TRUE(v->add_file("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n").ok());
  EXPECT_TRUE(v->add_file("/bin/busybox",
                          "\x7f"
                          "ELF",
                          {0755, 0, 0, 0})
                  .ok());
  EXPECT_TRUE(v->add_symlink("/sbin/init", "../bin/busybox").ok());
  EXPECT_TRUE(v->add_symlink("/bin/sh", "busybox").ok());
  EXPECT_TRUE(v->add_file("/etc/init.d/rcS", "#!/bin/sh\nmount -a\n", {0755, 0, 0, 0}).ok());
  return v;
}

TEST(ServicesBusyBoxDefault, NoInittabMeansAShellOnTheConsole) {
  auto s = testing::scan_tree(busybox_root(), "squashfs");
  const Finding* f = s->find("net-serial-console", "service:inittab:console:askfirst");
  ASSERT_NE(f, nullptr) << s->describe("net-serial-console");
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_EQ(f->severity, Severity::kCritical);
  ASSERT_FALSE(f->evidence.empty());
  EXPECT_EQ(f->evidence[0].path, "/sbin/init");
  EXPECT_THAT(f->evidence[0].observed, HasSubstr("built-in inittab"));
  // tty2-4 are virtual terminals, not serial ports: no finding for them.
  EXPECT_EQ(s->find("net-serial-console", "service:inittab:tty2:askfirst"), nullptr);
}

TEST(ServicesBusyBoxDefault, AnInittabOrAnotherInitReplacesTheDefault) {
  auto v = busybox_root();
  ASSERT_TRUE(
      v->add_file("/etc/inittab", "::sysinit:/etc/init.d/rcS\n::respawn:/sbin/getty -L ttyS0 115200 vt100\n").ok());
  auto s = testing::scan_tree(v, "squashfs");
  EXPECT_EQ(s->find("net-serial-console", "service:inittab:console:askfirst"), nullptr)
      << s->describe("net-serial-console");

  auto other = busybox_root();
  ASSERT_TRUE(other
                  ->add_file("/lib/systemd/systemd",
                             "\x7f"
                             "ELF",
                             {0755, 0, 0, 0})
                  .ok());
  ASSERT_TRUE(other->add_symlink("/sbin/init", "/lib/systemd/systemd").ok());
  auto s2 = testing::scan_tree(other, "squashfs");
  EXPECT_EQ(s2->find("net-serial-console", "service:inittab:console:askfirst"), nullptr)
      << s2->describe("net-serial-console");
}

}  // namespace
}  // namespace fwcert::analyzers::services
