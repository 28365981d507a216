// The system analyzer's checks over files and the inventory: priv-setuid-inventory,
// priv-fs-permissions, priv-rootfs-readonly, priv-sudo and auth-pam, over in-memory trees and
// the host's real Debian PAM configuration.

#include "analyzers/system/system.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "inventory/inventory.hpp"
#include "support/analyzer_run.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::system {
namespace {

using ::testing::HasSubstr;
using vfs::MemoryVfs;

struct Scan : test::AnalyzerRun {
  std::string describe(std::string_view check) const {
    std::string d;
    for (const auto* f : all(check))
      d += std::string(to_string(f->status)) + " " + f->subject + ": " + f->message + "\n";
    return d;
  }
};

std::unique_ptr<Scan> scan(std::shared_ptr<MemoryVfs> v, const std::string& type = "squashfs") {
  auto s = std::make_unique<Scan>();
  s->walk(std::move(v), type);
  s->run(&run);
  return s;
}

void add(MemoryVfs& v, std::string_view path, std::string_view text, vfs::FileMeta meta = {}) {
  ASSERT_TRUE(v.add_file(path, text, meta).ok()) << path;
}

std::shared_ptr<MemoryVfs> base() {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  return v;
}

/// A security.capability xattr (VFS_CAP_REVISION_2, effective) granting the given bits.
std::string capability_xattr(std::initializer_list<int> caps) {
  std::uint64_t mask = 0;
  for (int c : caps) mask |= 1ull << c;
  auto le32 = [](std::uint32_t x) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((x >> (8 * i)) & 0xff);
    return s;
  };
  return le32(0x02000000u | 1u) + le32(static_cast<std::uint32_t>(mask)) + le32(0) +
         le32(static_cast<std::uint32_t>(mask >> 32)) + le32(0);
}

constexpr int kCapSetuid = 7, kCapNetAdmin = 12, kCapNetRaw = 13;

// ---- priv-setuid-inventory -------------------------------------------------------------------

TEST(SystemSetuid, ShellsScriptsWritableFilesFailUnknownOnesWarnAllowListPasses) {
  auto v = base();
  add(*v, "/bin/busybox",
      "\x7f"
      "ELF",
      {04755, 0, 0, 0});
  add(*v, "/usr/bin/passwd",
      "\x7f"
      "ELF",
      {04755, 0, 0, 0});
  add(*v, "/usr/sbin/fw-helper", "#!/bin/sh\necho hi\n", {04755, 0, 0, 0});
  add(*v, "/usr/bin/vendor-tool",
      "\x7f"
      "ELF",
      {04755, 0, 0, 0});
  add(*v, "/usr/bin/vendor-writable",
      "\x7f"
      "ELF",
      {04777, 0, 0, 0});
  add(*v, "/usr/bin/ping",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  ASSERT_TRUE(v->set_xattr("/usr/bin/ping", "security.capability", capability_xattr({kCapNetRaw})).ok());
  add(*v, "/usr/bin/python3.11",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  ASSERT_TRUE(v->set_xattr("/usr/bin/python3.11", "security.capability", capability_xattr({kCapSetuid})).ok());
  add(*v, "/usr/sbin/tcpdump",
      "\x7f"
      "ELF",
      {0755, 0, 0, 0});
  ASSERT_TRUE(
      v->set_xattr("/usr/sbin/tcpdump", "security.capability", capability_xattr({kCapNetAdmin, kCapNetRaw})).ok());
  auto s = scan(v);
  const auto check = "priv-setuid-inventory";
  auto status = [&](const std::string& path) -> std::string {
    const Finding* f = s->find(check, path);
    return f ? to_string(f->status) : "none";
  };
  EXPECT_EQ(status("/bin/busybox"), "fail") << s->describe(check);
  EXPECT_EQ(status("/usr/sbin/fw-helper"), "fail");
  EXPECT_EQ(status("/usr/bin/vendor-writable"), "fail");
  EXPECT_EQ(status("/usr/bin/python3.11"), "fail");
  EXPECT_EQ(status("/usr/bin/vendor-tool"), "warn");
  EXPECT_EQ(status("/usr/sbin/tcpdump"), "warn");  // cap_net_admin is beyond ping's allowance
  EXPECT_EQ(status("/usr/bin/passwd"), "none");
  EXPECT_EQ(status("/usr/bin/ping"), "none");
  EXPECT_EQ(s->all(check).size(), 6u);
  const Finding* bb = s->find(check, "/bin/busybox");
  ASSERT_FALSE(bb->evidence.empty());
  EXPECT_EQ(bb->evidence[0].path, "/bin/busybox");
  EXPECT_THAT(bb->evidence[0].observed, HasSubstr("mode 4755, owner 0:0"));
  EXPECT_THAT(s->find(check, "/usr/bin/python3.11")->message, HasSubstr("cap_setuid"));
}

TEST(SystemSetuid, OnlyAllowListedPrivilegeIsAPass) {
  auto v = base();
  add(*v, "/usr/bin/passwd",
      "\x7f"
      "ELF",
      {04755, 0, 0, 0});
  add(*v, "/usr/bin/crontab",
      "\x7f"
      "ELF",
      {02755, 0, 0, 0});
  auto s = scan(v);
  auto f = s->all("priv-setuid-inventory");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->status, Status::kPass);
  EXPECT_THAT(f[0]->message, HasSubstr("all 2"));
}

// ---- priv-fs-permissions ---------------------------------------------------------------------

TEST(SystemPermissions, WritableCodeAndConfigFailWorldWritableDataWarnsFstabOptions) {
  auto v = base();
  add(*v, "/etc/alexa/config.json", "{}", {0666, 1000, 1000, 0});
  ASSERT_TRUE(v->add_dir("/usr/local/bin", {0777, 0, 0, 0}).ok());
  add(*v, "/usr/lib/libvendor.so",
      "\x7f"
      "ELF",
      {0644, 1000, 0, 0});
  ASSERT_TRUE(v->add_dir("/data", {0777, 0, 0, 0}).ok());
  ASSERT_TRUE(v->add_dir("/tmp", {01777, 0, 0, 0}).ok());
  add(*v, "/var/log/app.log", "", {0666, 0, 0, 0});
  add(*v, "/etc/fstab",
      "# <fs> <mount> <type> <options>\n"
      "/dev/root / squashfs ro 0 0\n"
      "proc /proc proc defaults 0 0\n"
      "tmpfs /tmp tmpfs nosuid,nodev,noexec 0 0\n"
      "/dev/mmcblk0p3 /data ext4 defaults 0 2\n");
  auto s = scan(v);
  const auto check = "priv-fs-permissions";
  const Finding* cfg = s->find(check, "/etc/alexa/config.json");
  ASSERT_NE(cfg, nullptr) << s->describe(check);
  EXPECT_EQ(cfg->status, Status::kFail);
  EXPECT_THAT(cfg->message, HasSubstr("every user"));
  const Finding* bin = s->find(check, "/usr/local/bin");
  ASSERT_NE(bin, nullptr);
  EXPECT_EQ(bin->status, Status::kFail);
  const Finding* lib = s->find(check, "/usr/lib/libvendor.so");
  ASSERT_NE(lib, nullptr);
  EXPECT_EQ(lib->status, Status::kFail);
  EXPECT_THAT(lib->message, HasSubstr("uid 1000"));
  const Finding* data = s->find(check, "/data");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->status, Status::kWarn);
  EXPECT_EQ(s->find(check, "/tmp"), nullptr);
  ASSERT_NE(s->find(check, "/var/log/app.log"), nullptr);
  const Finding* mount = s->find(check, "mount:/data");
  ASSERT_NE(mount, nullptr);
  EXPECT_EQ(mount->status, Status::kWarn);
  EXPECT_THAT(mount->message, HasSubstr("nosuid,nodev,noexec"));
  EXPECT_EQ(mount->evidence[0].path, "/etc/fstab");
  EXPECT_EQ(mount->evidence[0].line, 5u);
  EXPECT_EQ(s->find(check, "mount:/tmp"), nullptr);
  EXPECT_EQ(s->find(check, "mount:/proc"), nullptr);
}

// debootstrap 1.0.128 (Debian 12) writes this one line as /etc/fstab: the installed system's
// mounts are left to whoever configures it.
constexpr const char* kDebootstrapFstab = "# UNCONFIGURED FSTAB FOR BASE SYSTEM\n";

TEST(SystemPermissions, FstabWithoutEntriesMakesMountOptionsInconclusiveNotAPass) {
  auto v = base();
  add(*v, "/etc/fstab", kDebootstrapFstab);
  {
    auto s = scan(v, "ext4");
    const auto check = "priv-fs-permissions";
    const Finding* mounts = s->find(check, "/etc/fstab");
    ASSERT_NE(mounts, nullptr) << s->describe(check);
    EXPECT_EQ(mounts->status, Status::kInconclusive);
    EXPECT_THAT(mounts->message, HasSubstr("no entries"));
    EXPECT_THAT(mounts->message, HasSubstr("decided at run time"));
    // The permission part is still judged, and its pass no longer claims anything of fstab.
    const Finding* perms = s->find(check, "/");
    ASSERT_NE(perms, nullptr) << s->describe(check);
    EXPECT_EQ(perms->status, Status::kPass);
    EXPECT_THAT(perms->message, ::testing::Not(HasSubstr("fstab")));
  }
  add(*v, "/var/log/app.log", "", {0666, 0, 0, 0});
  {
    auto s = scan(v, "ext4");
    const auto check = "priv-fs-permissions";
    ASSERT_NE(s->find(check, "/var/log/app.log"), nullptr) << s->describe(check);
    EXPECT_EQ(s->find(check, "/var/log/app.log")->status, Status::kWarn);
    EXPECT_EQ(s->find(check, "/etc/fstab")->status, Status::kInconclusive);
  }
  auto w = base();
  auto s = scan(w, "ext4");
  const Finding* none = s->find("priv-fs-permissions", "mount options");
  ASSERT_NE(none, nullptr) << s->describe("priv-fs-permissions");
  EXPECT_EQ(none->status, Status::kInconclusive);
}

// ---- priv-rootfs-readonly --------------------------------------------------------------------

TEST(SystemRootfs, SquashfsOrRoMountPassesReadWriteExtWarns) {
  {
    auto s = scan(base(), "squashfs");
    auto f = s->all("priv-rootfs-readonly");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0]->status, Status::kPass);
  }
  auto v = base();
  add(*v, "/etc/fstab", "/dev/mmcblk0p2 / ext4 rw,noatime 0 1\n/dev/mmcblk0p3 /data ext4 nosuid 0 2\n");
  {
    auto s = scan(v, "ext4");
    auto f = s->all("priv-rootfs-readonly");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0]->status, Status::kWarn);
    EXPECT_EQ(f[0]->evidence[0].path, "/etc/fstab");
    EXPECT_EQ(f[0]->evidence[0].line, 1u);
  }
  add(*v, "/etc/fstab", "/dev/mmcblk0p2 / ext4 ro,noatime 0 1\n");
  auto s = scan(v, "ext4");
  EXPECT_EQ(s->all("priv-rootfs-readonly")[0]->status, Status::kPass);
}

// ---- priv-sudo -------------------------------------------------------------------------------

TEST(SystemSudo, NopasswdAllForServiceUserFailsAdminGroupWarns) {
  auto v = base();
  add(*v, "/etc/sudoers",
      "Defaults env_reset\n"
      "root ALL=(ALL:ALL) ALL\n"
      "%wheel ALL=(ALL) NOPASSWD: ALL\n"
      "backup ALL=(root) NOPASSWD: /usr/bin/rsync\n"
      "@includedir /etc/sudoers.d\n");
  add(*v, "/etc/sudoers.d/web", "# added by the web UI package\nwww-data ALL=(ALL) \\\n  NOPASSWD: ALL\n");
  add(*v, "/etc/sudoers.d/README.txt", "www ALL=(ALL) NOPASSWD: ALL\n");  // has a dot: sudo skips it
  add(*v, "/etc/doas.conf", "permit persist :wheel\npermit nopass alice as root\n");
  auto s = scan(v);
  const auto check = "priv-sudo";
  const Finding* www = s->find(check, "sudo:www-data");
  ASSERT_NE(www, nullptr) << s->describe(check);
  EXPECT_EQ(www->status, Status::kFail);
  EXPECT_EQ(www->evidence[0].path, "/etc/sudoers.d/web");
  EXPECT_EQ(www->evidence[0].line, 2u);
  const Finding* wheel = s->find(check, "sudo:%wheel");
  ASSERT_NE(wheel, nullptr);
  EXPECT_EQ(wheel->status, Status::kWarn);
  EXPECT_EQ(wheel->evidence[0].line, 3u);
  EXPECT_EQ(s->find(check, "sudo:backup"), nullptr);
  EXPECT_EQ(s->find(check, "sudo:www"), nullptr);
  const Finding* alice = s->find(check, "doas:alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->status, Status::kFail);
  EXPECT_EQ(alice->evidence[0].line, 2u);
  EXPECT_EQ(s->all(check).size(), 3u);
}

TEST(SystemSudo, AbsentSudoIsInfo) {
  auto s = scan(base());
  auto f = s->all("priv-sudo");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->status, Status::kInfo);
}

// ---- auth-pam --------------------------------------------------------------------------------

/// Debian's own common-auth (libpam-runtime) carries nullok and no lockout module.
TEST(SystemPam, DebianCommonAuthWarnsOnNullokAndNoLockout) {
  const std::string host = "/etc/pam.d/common-auth";
  if (!std::ifstream(host).good()) GTEST_SKIP() << "no " << host;
  std::string text = test::read_file(host);
  if (text.find("nullok") == std::string::npos) GTEST_SKIP() << host << " has no nullok here";
  auto v = base();
  add(*v, host, text);
  auto s = scan(v);
  auto f = s->all("auth-pam");
  ASSERT_EQ(f.size(), 2u) << s->describe("auth-pam");
  const Finding* nullok = s->find("auth-pam", host);
  ASSERT_NE(nullok, nullptr);
  EXPECT_EQ(nullok->status, Status::kWarn);
  auto pos = text.find("pam_unix.so nullok");
  ASSERT_NE(pos, std::string::npos);
  EXPECT_EQ(nullok->evidence[0].line,
            static_cast<std::uint64_t>(std::count(text.begin(), text.begin() + pos, '\n') + 1));
  // Debian's "auth required pam_permit.so" after pam_deny is the normal primer, not a bypass.
  for (const auto* x : f) EXPECT_NE(x->status, Status::kFail) << x->message;
  const Finding* lockout = s->find("auth-pam", "/etc/pam.d");
  ASSERT_NE(lockout, nullptr);
  EXPECT_THAT(lockout->message, HasSubstr("pam_faillock"));
}

TEST(SystemPam, SufficientPamPermitFails) {
  auto v = base();
  add(*v, "/etc/pam.d/login", "auth sufficient pam_permit.so\nauth required pam_faillock.so authfail\n");
  auto s = scan(v);
  auto f = s->all("auth-pam");
  ASSERT_EQ(f.size(), 1u) << s->describe("auth-pam");
  EXPECT_EQ(f[0]->status, Status::kFail);
  EXPECT_EQ(f[0]->evidence[0].path, "/etc/pam.d/login");
  EXPECT_EQ(f[0]->evidence[0].line, 1u);
}

/// Each filesystem of a target is judged on its own entries, and nested ones report with
/// their display prefix.
TEST(SystemFilesystems, NestedFilesystemIsJudgedSeparatelyWithItsPrefix) {
  auto outer = base();
  add(*outer, "/usr/bin/passwd",
      "\x7f"
      "ELF",
      {04755, 0, 0, 0});
  auto inner = base();
  add(*inner, "/bin/busybox",
      "\x7f"
      "ELF",
      {04755, 0, 0, 0});
  Scan s;
  std::vector<Diagnostic> diags;
  auto a = s.inv.add_filesystem({"", "squashfs", 0, "", 0, outer});
  s.inv.walk(a, diags);
  auto b = s.inv.add_filesystem({"/boot/initrd.img!", "cpio", 0, "/boot/initrd.img", 1, inner});
  s.inv.walk(b, diags);
  s.inv.finish();
  s.run(&run);
  const Finding* bb = s.find("priv-setuid-inventory", "/boot/initrd.img!/bin/busybox");
  ASSERT_NE(bb, nullptr) << s.describe("priv-setuid-inventory");
  EXPECT_EQ(bb->status, Status::kFail);
  EXPECT_EQ(bb->evidence[0].path, "/boot/initrd.img!/bin/busybox");
  const Finding* outer_pass = s.find("priv-setuid-inventory", "/");
  ASSERT_NE(outer_pass, nullptr);
  EXPECT_EQ(outer_pass->status, Status::kPass);
  EXPECT_THAT(outer_pass->message, HasSubstr("all 1"));
  EXPECT_EQ(s.all("priv-setuid-inventory").size(), 2u);
}

}  // namespace
}  // namespace fwcert::analyzers::system
