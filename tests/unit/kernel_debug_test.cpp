// debug-coredumps and debug-kernel-interfaces over in-memory trees made of real files: Debian's
// systemd-coredump sysctl and coredump.conf, Debian's limits.conf, Debian's kernel
// configurations, a core written by gdb's gcore, and each way a core or a debug interface is
// opened up planted on top.

#include <gtest/gtest.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "analyzers/kernel/debug.hpp"
#include "analyzers/kernel/kernel.hpp"
#include "inventory/inventory.hpp"
#include "support/analyzer_run.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::kernel {
namespace {

std::string fixture(const std::string& name) {
  return test::read_file(test::source_dir() + "/tests/fixtures/kernel/" + name);
}

/// The kernel analyzer over a fixture tree (tests/support/analyzer_run.hpp), judged at a fixed day.
struct Scan : test::AnalyzerRun {
  explicit Scan(std::shared_ptr<vfs::MemoryVfs> v) {
    options.assessment_date = "2026-12-01";
    walk(std::move(v));
    AnalyzerRun::run(kernel::run);
  }
};

std::shared_ptr<vfs::MemoryVfs> tree(const std::map<std::string, std::string>& files) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  EXPECT_TRUE(v->add_dir("/etc").ok());
  for (const auto& [path, text] : files) {
    vfs::FileMeta meta;
    if (path.find("init.d/") != std::string::npos || path.find("bin/") != std::string::npos) meta.mode = 0755;
    EXPECT_TRUE(v->add_file(path, text, meta).ok()) << path;
  }
  return v;
}

/// A Debian system with systemd-coredump installed, as the package leaves it.
std::map<std::string, std::string> debian_with_systemd_coredump() {
  return {{"/usr/lib/sysctl.d/50-coredump.conf", fixture("systemd-coredump-50-coredump.conf")},
          {"/etc/systemd/coredump.conf", fixture("systemd-coredump.conf")},
          {"/lib/systemd/systemd-coredump",
           "\x7f"
           "ELF"},
          {"/etc/security/limits.conf", fixture("pam-limits.conf")}};
}

TEST(DebugParse, CoreLimitsUlimitAndDebugfsOptions) {
  EXPECT_FALSE(core_limit_allows_dumps("0"));
  EXPECT_FALSE(core_limit_allows_dumps("0:infinity"));  // systemd's default: soft 0
  EXPECT_TRUE(core_limit_allows_dumps("infinity"));
  EXPECT_TRUE(core_limit_allows_dumps("unlimited"));
  EXPECT_TRUE(core_limit_allows_dumps("1024"));

  EXPECT_EQ(ulimit_core_value("ulimit -c unlimited"), "unlimited");
  EXPECT_EQ(ulimit_core_value("  ulimit -S -c 0 # none"), "0");
  EXPECT_EQ(ulimit_core_value("ulimit -Sc 2048"), "2048");
  EXPECT_EQ(ulimit_core_value("ulimit -H -c unlimited"), std::nullopt);  // the hard limit only
  EXPECT_EQ(ulimit_core_value("ulimit -n 4096"), std::nullopt);
  EXPECT_EQ(ulimit_core_value("echo ulimit"), std::nullopt);

  EXPECT_FALSE(parse_debugfs_options("defaults").reachable_by_non_root());  // mode 0700 root
  EXPECT_TRUE(parse_debugfs_options("defaults,mode=0755").reachable_by_non_root());
  EXPECT_TRUE(parse_debugfs_options("uid=1000").reachable_by_non_root());
  EXPECT_FALSE(parse_debugfs_options("mode=0750,gid=0").reachable_by_non_root());
  EXPECT_TRUE(parse_debugfs_options("mode=0750,gid=44").reachable_by_non_root());
}

TEST(DebugCoredumps, DebianSystemdCoredumpAsPackagedPasses) {
  Scan s(tree(debian_with_systemd_coredump()));
  const Finding& f = s.only("debug-coredumps");
  EXPECT_EQ(f.status, Status::kPass) << f.message;
  const Evidence* pattern = s.evidence("debug-coredumps", "kernel.core_pattern = |/lib/systemd/systemd-coredump");
  ASSERT_NE(pattern, nullptr);
  EXPECT_EQ(pattern->path, "/usr/lib/sysctl.d/50-coredump.conf");
  EXPECT_EQ(pattern->line, 16u);
  ASSERT_NE(s.evidence("debug-coredumps", "fs.suid_dumpable = 2"), nullptr);
  ASSERT_NE(s.evidence("debug-coredumps", "Storage=external (systemd's default)"), nullptr);
}

TEST(DebugCoredumps, NoSysctlAndNoLimitRaisedPassesOnKernelDefaults) {
  Scan s(tree({{"/etc/hostname", "unit\n"}, {"/etc/security/limits.conf", fixture("pam-limits.conf")}}));
  const Finding& f = s.only("debug-coredumps");
  EXPECT_EQ(f.status, Status::kPass) << f.message;
  const Evidence* e = s.evidence("debug-coredumps", "kernel.core_pattern = core (kernel default");
  ASSERT_NE(e, nullptr);
  EXPECT_NE(e->observed.find("no file raises the core limit"), std::string::npos);
}

TEST(DebugCoredumps, SuidDumpableOneFails) {
  auto files = debian_with_systemd_coredump();
  files["/etc/sysctl.d/90-debug.conf"] = "# left from bring-up\nfs.suid_dumpable = 1\n";
  Scan s(tree(files));
  const Finding& f = s.only("debug-coredumps");
  EXPECT_EQ(f.status, Status::kFail);
  const Evidence* e = s.evidence("debug-coredumps", "fs.suid_dumpable = 1");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, "/etc/sysctl.d/90-debug.conf");
  EXPECT_EQ(e->line, 2u);
  EXPECT_FALSE(e->expected.empty());
}

TEST(DebugCoredumps, UlimitInAnInitScriptAndLimitsConfWarnWithTheirLines) {
  auto files = std::map<std::string, std::string>{
      {"/etc/init.d/alexa", "#!/bin/sh\n# start the client\nulimit -c unlimited\nexec /usr/bin/alexa\n"},
      {"/etc/security/limits.conf", fixture("pam-limits.conf") + "*               soft    core            unlimited\n"},
      {"/etc/sysctl.conf", "kernel.core_pattern=/tmp/core.%e.%p\n"}};
  auto v = tree(files);
  ASSERT_TRUE(v->add_dir("/tmp", {01777, 0, 0, 0}).ok());
  Scan s(v);
  const Finding& f = s.only("debug-coredumps");
  EXPECT_EQ(f.status, Status::kWarn) << f.message;
  const Evidence* script = s.evidence("debug-coredumps", "ulimit -c unlimited");
  ASSERT_NE(script, nullptr);
  EXPECT_EQ(script->path, "/etc/init.d/alexa");
  EXPECT_EQ(script->line, 3u);
  const Evidence* limits = s.evidence("debug-coredumps", "soft    core            unlimited");
  ASSERT_NE(limits, nullptr);
  EXPECT_EQ(limits->path, "/etc/security/limits.conf");
  ASSERT_NE(s.evidence("debug-coredumps", "directory mode 1777"), nullptr);
}

TEST(DebugCoredumps, DefaultLimitCoreInfinityWarnsAndZeroDoesNot) {
  Scan on(tree({{"/etc/systemd/system.conf", "[Manager]\nDefaultLimitCORE=infinity\n"}}));
  EXPECT_EQ(on.only("debug-coredumps").status, Status::kWarn);
  ASSERT_NE(on.evidence("debug-coredumps", "DefaultLimitCORE=infinity"), nullptr);
  Scan off(tree({{"/etc/systemd/system.conf", "[Manager]\nDefaultLimitCORE=0\n"}}));
  EXPECT_EQ(off.only("debug-coredumps").status, Status::kPass);
  ASSERT_NE(off.evidence("debug-coredumps", "DefaultLimitCORE=0"), nullptr);
}

TEST(DebugCoredumps, UnknownPipeHandlerWarnsAbsentHandlerWritesNothing) {
  Scan other(tree({{"/etc/sysctl.d/60-crash.conf", "kernel.core_pattern = |/usr/bin/crashd %p\n"},
                   {"/usr/bin/crashd",
                    "\x7f"
                    "ELF"}}));
  EXPECT_EQ(other.only("debug-coredumps").status, Status::kWarn);
  EXPECT_NE(other.only("debug-coredumps").message.find("/usr/bin/crashd"), std::string::npos);
  Scan absent(tree({{"/etc/sysctl.d/60-crash.conf", "kernel.core_pattern = |/usr/bin/crashd %p\n"}}));
  EXPECT_EQ(absent.only("debug-coredumps").status, Status::kPass);
  ASSERT_NE(absent.evidence("debug-coredumps", "is not in the image"), nullptr);
}

TEST(DebugCoredumps, CoreFileWrittenByGcoreInTheImageFails) {
  if (!test::have_tool("gcore")) GTEST_SKIP() << "gcore (package gdb) not installed (scripts/install-deps.sh)";
  test::TempDir d;
  // The core of a small real program (sleep), not of this test process: a copy of a sanitizer
  // build maps terabytes of shadow memory and its core would fill the disk.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::execl("/bin/sleep", "sleep", "60", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 200; ++i) {  // wait until the child is sleep (at most 2 s)
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(child) + "/exe", ec);
    if (!ec && exe.filename() == "sleep") break;
    ::usleep(10'000);
  }
  auto r = test::run("gcore -o " + test::shell_quote(d / "core") + " " + std::to_string(child));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string core = test::read_file(d / "core." + std::to_string(child));
  ASSERT_GT(core.size(), 64u);

  auto files = debian_with_systemd_coredump();
  files["/root/core"] = core;
  files["/usr/lib/libfoo.core"] = "not an ELF file at all";  // a name alone is not a core
  Scan s(tree(files));
  const Finding& f = s.only("debug-coredumps");
  EXPECT_EQ(f.status, Status::kFail) << f.message;
  const Evidence* e = s.evidence("debug-coredumps", "core dump of");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, "/root/core");
  EXPECT_EQ(s.evidence("debug-coredumps", "libfoo"), nullptr);
}

TEST(DebugCoredumps, KernelWithoutCoredumpPassesNoEtcIsInconclusive) {
  Scan off(tree({{"/boot/config-6.1.0", "CONFIG_ARM64=y\n# CONFIG_COREDUMP is not set\n"}}));
  const Finding& f = off.only("debug-coredumps");
  EXPECT_EQ(f.status, Status::kPass);
  ASSERT_EQ(f.evidence.size(), 1u);
  EXPECT_EQ(f.evidence[0].path, "/boot/config-6.1.0");
  EXPECT_EQ(f.evidence[0].line, 2u);

  auto bare = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(bare->add_file("/data/blob", "x").ok());
  Scan none(bare);
  EXPECT_EQ(none.only("debug-coredumps").status, Status::kInconclusive);
}

TEST(DebugKernelInterfaces, DebianCloudKernelWarnsForEachDebugFeature) {
  Scan s(tree({{"/boot/config-6.1.0-56-cloud-amd64", fixture("debian-6.1.0-56-cloud-amd64.config")}}));
  const Finding& f = s.only("debug-kernel-interfaces");
  EXPECT_EQ(f.status, Status::kWarn) << f.message;
  EXPECT_EQ(f.subject, "/boot/config-6.1.0-56-cloud-amd64");
  for (const char* seen :
       {"CONFIG_DEBUG_FS=y", "CONFIG_PROC_KCORE=y", "CONFIG_KPROBES=y", "CONFIG_FUNCTION_TRACER=y"}) {
    const Evidence* e = s.evidence("debug-kernel-interfaces", seen);
    ASSERT_NE(e, nullptr) << seen;
    EXPECT_GT(e->line, 0u) << seen;
    EXPECT_FALSE(e->expected.empty()) << seen;
  }
  // Debian builds STRICT_DEVMEM and no KGDB: recorded, not a reason.
  EXPECT_NE(s.evidence("debug-kernel-interfaces", "# CONFIG_KGDB is not set"), nullptr);
  EXPECT_EQ(f.message.find("/dev/mem reaches"), std::string::npos) << f.message;
  EXPECT_EQ(f.message.find("KGDB"), std::string::npos) << f.message;
}

TEST(DebugKernelInterfaces, ProductionKernelPasses) {
  Scan s(tree({{"/boot/config-6.1.0",
                "CONFIG_ARM64=y\n# CONFIG_DEBUG_FS is not set\n# CONFIG_DEVMEM is not set\n"
                "# CONFIG_PROC_KCORE is not set\n# CONFIG_KPROBES is not set\n# CONFIG_FTRACE is not set\n"
                "# CONFIG_KGDB is not set\n"},
               {"/etc/fstab", "/dev/mmcblk0p2 / ext4 ro 0 1\nproc /proc proc defaults 0 0\n"}}));
  const Finding& f = s.only("debug-kernel-interfaces");
  EXPECT_EQ(f.status, Status::kPass) << f.message;
  EXPECT_NE(s.evidence("debug-kernel-interfaces", "# CONFIG_DEBUG_FS is not set"), nullptr);
}

TEST(DebugKernelInterfaces, OpenDebugfsMountDevMemNodeAndKgdbocFail) {
  auto v = tree({{"/boot/config-6.1.0-56-cloud-amd64", fixture("debian-6.1.0-56-cloud-amd64.config")},
                 {"/etc/fstab",
                  "# <fs> <mount> <type> <options>\n"
                  "debugfs /sys/kernel/debug debugfs defaults,mode=0755 0 0\n"},
                 {"/boot/cmdline.txt", "console=ttyS0,115200 kgdboc=ttyS0,115200 root=/dev/mmcblk0p2\n"}});
  ASSERT_TRUE(v->add_dir("/dev").ok());
  ASSERT_TRUE(v->add_special("/dev/mem", vfs::FileType::kCharDevice, 1, 1, {0666, 0, 0, 0}).ok());
  Scan s(v);
  const Finding& f = s.only("debug-kernel-interfaces");
  EXPECT_EQ(f.status, Status::kFail) << f.message;
  const Evidence* mount = s.evidence("debug-kernel-interfaces", "debugfs /sys/kernel/debug");
  ASSERT_NE(mount, nullptr);
  EXPECT_EQ(mount->path, "/etc/fstab");
  EXPECT_EQ(mount->line, 2u);
  EXPECT_NE(mount->observed.find("mode 0755"), std::string::npos);
  const Evidence* node = s.evidence("debug-kernel-interfaces", "character device 1,1 mode 0666");
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->path, "/dev/mem");
  // Debian's cloud kernel has no KGDB, so kgdboc= attaches nothing: recorded, not a reason.
  EXPECT_NE(s.evidence("debug-kernel-interfaces", "kgdboc=ttyS0,115200 (the kernel has no KGDB)"), nullptr);
}

TEST(DebugKernelInterfaces, KgdbocWithKgdbFailsRootOnlyMountWarns) {
  Scan s(tree({{"/boot/config-6.1.0", "CONFIG_ARM64=y\nCONFIG_KGDB=y\nCONFIG_KGDB_SERIAL_CONSOLE=y\n"},
               {"/boot/cmdline.txt", "console=ttyS0 kgdboc=ttyS0,115200 kgdbwait\n"}}));
  EXPECT_EQ(s.only("debug-kernel-interfaces").status, Status::kFail);
  ASSERT_NE(s.evidence("debug-kernel-interfaces", "kgdbwait"), nullptr);

  Scan mount(tree({{"/etc/init.d/S10debug", "#!/bin/sh\nmount -t debugfs none /sys/kernel/debug\n"}}));
  const Finding& f = mount.only("debug-kernel-interfaces");
  EXPECT_EQ(f.status, Status::kWarn) << f.message;  // no kernel config, but a root-only mount
  EXPECT_NE(f.message.find("no kernel configuration"), std::string::npos);
  const Evidence* e = mount.evidence("debug-kernel-interfaces", "mount -t debugfs");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, "/etc/init.d/S10debug");
  EXPECT_EQ(e->line, 2u);
}

TEST(DebugKernelInterfaces, NoKernelConfigurationIsInconclusive) {
  Scan s(tree({{"/etc/fstab", "/dev/root / ext4 ro 0 1\n"}}));
  EXPECT_EQ(s.only("debug-kernel-interfaces").status, Status::kInconclusive);
}

}  // namespace
}  // namespace fwcert::analyzers::kernel
