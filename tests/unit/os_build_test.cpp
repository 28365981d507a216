// inv-build-type and os-build-age over in-memory filesystems: Android build types, tags and
// debuggable properties, Yocto image features and the traces debug-tweaks leaves, debug tools,
// and build dates from os-release, Yocto's DATETIME files, ro.build.date.utc and kernel
// banners in Debian's and upstream's formats, on both sides of the age threshold.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "analyzers/os/build.hpp"
#include "analyzers/os/os.hpp"
#include "analyzers/os/parse.hpp"
#include "inventory/inventory.hpp"
#include "support/analyzer_run.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::os {
namespace {

/// The os analyzer over a fixture tree (tests/support/analyzer_run.hpp), judged at a fixed day.
struct Scan : test::AnalyzerRun {
  Scan(std::shared_ptr<vfs::MemoryVfs> v, const std::string& date = "2026-12-01") {
    options.assessment_date = date;
    walk(std::move(v));
    AnalyzerRun::run(os::run);
  }
};

std::shared_ptr<vfs::MemoryVfs> tree(const std::map<std::string, std::string>& files) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  for (const auto& [path, text] : files) {
    vfs::FileMeta meta;
    if (path.find("bin/") != std::string::npos) meta.mode = 0755;
    EXPECT_TRUE(v->add_file(path, text, meta).ok()) << path;
  }
  return v;
}

// Yocto's image-buildinfo class writes /etc/build in this layout.
constexpr const char* kYoctoBuildinfo =
    "-----------------------\nBuild Configuration:  |\n-----------------------\n"
    "DISTRO = poky\nDISTRO_VERSION = 4.0.17\nIMAGE_FEATURES = debug-tweaks ssh-server-dropbear\n"
    "-----------------------\nLayer Revisions:      |\n-----------------------\n"
    "meta              = kirkstone:6a4b8a7e5c3f1d2b0a9e8d7c6b5a4f3e2d1c0b9a -- modified\n";

std::string yocto_os_release() {
  return "ID=poky\nNAME=\"Poky (Yocto Project Reference Distro)\"\nVERSION=\"4.0.17 (kirkstone)\"\n"
         "VERSION_ID=4.0.17\nPRETTY_NAME=\"Poky (Yocto Project Reference Distro) 4.0.17 (kirkstone)\"\n";
}

TEST(BuildParse, DatesInTextEpochAndKernelBanners) {
  EXPECT_EQ(date_in_text("20240315123456"), parse_date("2024-03-15"));
  EXPECT_EQ(date_in_text("2024-03-15_rc1"), parse_date("2024-03-15"));
  EXPECT_EQ(date_in_text("v2.1.2023.11.30"), parse_date("2023-11-30"));
  EXPECT_EQ(date_in_text("build 20240315.7"), parse_date("2024-03-15"));
  EXPECT_EQ(date_in_text("4.0.17"), std::nullopt);
  EXPECT_EQ(date_in_text("1234567"), std::nullopt);
  EXPECT_EQ(date_in_text("20241399"), std::nullopt);  // no 13th month
  EXPECT_EQ(date_of_epoch_seconds("1700000000"), parse_date("2023-11-14"));
  EXPECT_EQ(date_of_epoch_seconds("soon"), std::nullopt);

  // Debian 11: the compiler's own date comes first and must not be taken.
  EXPECT_EQ(kernel_banner_date("Linux version 5.10.0-28-amd64 (debian-kernel@lists.debian.org) (gcc-10 (Debian "
                               "10.2.1-6) 10.2.1 20210110, GNU ld (GNU Binutils for Debian) 2.35.2) #1 SMP Debian "
                               "5.10.209-2 (2024-01-31)"),
            parse_date("2024-01-31"));
  EXPECT_EQ(kernel_banner_date("Linux version 6.6.23 (oe-user@oe-host) (aarch64-poky-linux-gcc (GCC) 13.2.0, GNU ld "
                               "(GNU Binutils) 2.42.0) #1 SMP PREEMPT Thu Mar 14 12:00:00 UTC 2024"),
            parse_date("2024-03-14"));
  EXPECT_EQ(kernel_banner_date("Linux version 6.18.44 (builder@sandboxing) (gcc (GCC) 15.3.0) #1 SMP "
                               "PREEMPT_DYNAMIC @0"),
            std::nullopt);
}

TEST(BuildType, AndroidUserReleaseKeysPasses) {
  Scan s(tree({{"/system/build.prop", "ro.build.version.release=13\nro.build.type=user\nro.build.tags=release-keys\n"},
               {"/prop.default", "ro.secure=1\nro.debuggable=0\nro.adb.secure=1\n"}}));
  const Finding& f = s.only("inv-build-type");
  EXPECT_EQ(f.status, Status::kPass) << f.message;
  const Evidence* t = s.evidence("inv-build-type", "ro.build.type=user");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->path, "/system/build.prop");
  EXPECT_EQ(t->line, 2u);
  EXPECT_NE(s.evidence("inv-build-type", "ro.debuggable=0"), nullptr);
}

TEST(BuildType, AndroidUserdebugTestKeysDebuggableFails) {
  Scan s(
      tree({{"/system/build.prop", "ro.build.version.release=13\nro.build.type=userdebug\nro.build.tags=test-keys\n"},
            {"/prop.default", "ro.secure=1\nro.debuggable=1\n"}}));
  const Finding& f = s.only("inv-build-type");
  EXPECT_EQ(f.status, Status::kFail);
  EXPECT_NE(f.message.find("userdebug"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("test or development keys"), std::string::npos) << f.message;
  const Evidence* d = s.evidence("inv-build-type", "ro.debuggable=1");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->path, "/prop.default");
  EXPECT_EQ(d->line, 2u);
  EXPECT_EQ(d->expected, "ro.debuggable=0");
}

TEST(BuildType, RamdiskDebuggableWinsOverALaterFile) {
  // ro.* properties are set once: prop.default is loaded first and a later file cannot undo it.
  Scan s(tree({{"/prop.default", "ro.debuggable=1\n"},
               {"/system/build.prop", "ro.build.version.release=13\nro.build.type=user\nro.debuggable=0\n"}}));
  EXPECT_EQ(s.only("inv-build-type").status, Status::kFail);
}

TEST(BuildType, YoctoDebugTweaksAndItsTracesFail) {
  Scan s(tree({{"/etc/build", kYoctoBuildinfo},
               {"/etc/os-release", yocto_os_release()},
               {"/etc/default/dropbear", "# Disallow root logins by default\nDROPBEAR_EXTRA_ARGS=\" -B\"\n"},
               {"/etc/shadow", "root::19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"}}));
  const Finding& f = s.only("inv-build-type");
  EXPECT_EQ(f.status, Status::kFail);
  const Evidence* feature = s.evidence("inv-build-type", "IMAGE_FEATURES = debug-tweaks");
  ASSERT_NE(feature, nullptr);
  EXPECT_EQ(feature->path, "/etc/build");
  EXPECT_EQ(feature->line, 6u);
  const Evidence* dropbear = s.evidence("inv-build-type", "DROPBEAR_EXTRA_ARGS");
  ASSERT_NE(dropbear, nullptr);
  EXPECT_EQ(dropbear->line, 2u);
  const Evidence* root = s.evidence("inv-build-type", "root with an empty password field");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->path, "/etc/shadow");
}

TEST(BuildType, TraceAloneWithoutBuildinfoFailsAndDebugToolsWarn) {
  Scan trace(
      tree({{"/etc/os-release", yocto_os_release()}, {"/etc/ssh/sshd_config", "Port 22\nPermitEmptyPasswords yes\n"}}));
  EXPECT_EQ(trace.only("inv-build-type").status, Status::kFail);
  ASSERT_NE(trace.evidence("inv-build-type", "PermitEmptyPasswords yes"), nullptr);

  Scan tools(tree({{"/etc/os-release", yocto_os_release()},
                   {"/usr/bin/gdbserver",
                    "\x7f"
                    "ELF"},
                   {"/usr/lib/debug/usr/bin/alexa.debug",
                    "\x7f"
                    "ELF"}}));
  const Finding& f = tools.only("inv-build-type");
  EXPECT_EQ(f.status, Status::kWarn) << f.message;
  ASSERT_NE(tools.evidence("inv-build-type", "debug tool shipped"), nullptr);
  ASSERT_NE(tools.evidence("inv-build-type", "1 detached debug symbol files"), nullptr);
}

TEST(BuildType, HostDebianOsReleasePassesNothingIsInconclusive) {
  // This machine's own os-release (Debian), as a real production distribution ships it.
  std::string os_release = test::read_file("/usr/lib/os-release");
  ASSERT_FALSE(os_release.empty());
  Scan s(tree({{"/etc/os-release", os_release},
               {"/etc/shadow", "root:*:19000:0:99999:7:::\n"},
               {"/etc/ssh/sshd_config", "#PermitEmptyPasswords no\n"}}));
  const Finding& f = s.only("inv-build-type");
  EXPECT_EQ(f.status, Status::kPass) << f.message;
  ASSERT_NE(s.evidence("inv-build-type", "build identity file"), nullptr);

  Scan none(tree({{"/data/blob", "x"}}));
  EXPECT_EQ(none.only("inv-build-type").status, Status::kInconclusive);
}

TEST(BuildType, ProgramsBuiltWithDebugInformationWarnStrippedOnesPass) {
  // Real programs from gcc: one as a debug build leaves it (-g), one stripped as a release does.
  ASSERT_TRUE(test::have_tool("gcc")) << "gcc (build-essential) is needed";
  test::TempDir d;
  test::write_file(d / "hello.c", "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n");
  auto debug = test::run("gcc -g -O0 -o " + test::shell_quote(d / "debug") + " " + test::shell_quote(d / "hello.c"));
  ASSERT_EQ(debug.exit_code, 0) << debug.output;
  auto release =
      test::run("gcc -O2 -s -o " + test::shell_quote(d / "release") + " " + test::shell_quote(d / "hello.c"));
  ASSERT_EQ(release.exit_code, 0) << release.output;
  std::string os_release = "ID=buildroot\nNAME=Buildroot\nVERSION_ID=2024.02.1\n";

  Scan dbg(tree({{"/etc/os-release", os_release}, {"/usr/bin/hello", test::read_file(d / "debug")}}));
  const Finding& f = dbg.only("inv-build-type");
  EXPECT_EQ(f.status, Status::kWarn) << f.message;
  const Evidence* e = dbg.evidence("inv-build-type", "1 of 1 sampled programs have .debug_* sections");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, "/usr/bin/hello");

  Scan rel(tree({{"/etc/os-release", os_release}, {"/usr/bin/hello", test::read_file(d / "release")}}));
  EXPECT_EQ(rel.only("inv-build-type").status, Status::kPass) << rel.only("inv-build-type").message;
}

TEST(BuildAge, RecentYoctoBuildIsInfoWithEverySource) {
  Scan s(tree({{"/etc/os-release", yocto_os_release() + "BUILD_ID=\"20261015093000\"\n"},
               {"/etc/timestamp", "20261015093012\n"},
               {"/etc/version", "20261015093012\n"}}));
  const Finding& f = s.only("os-build-age");
  EXPECT_EQ(f.status, Status::kInfo) << f.message;
  EXPECT_NE(f.message.find("2026-10-15 is 47 days before"), std::string::npos) << f.message;
  const Evidence* id = s.evidence("os-build-age", "BUILD_ID=20261015093000");
  ASSERT_NE(id, nullptr);
  EXPECT_EQ(id->path, "/etc/os-release");
  EXPECT_EQ(id->line, 6u);
  EXPECT_FALSE(id->expected.empty());
  EXPECT_NE(s.evidence("os-build-age", "20261015093012 (built 2026-10-15)"), nullptr);
}

TEST(BuildAge, OldAndroidBuildWarnsKernelBannerCounts) {
  // ro.build.date.utc 1700000000 is 2023-11-14; the kernel banner is the newer stamp.
  auto v = tree({{"/system/build.prop", "ro.build.version.release=13\nro.build.date.utc=1700000000\n"},
                 {"/boot/vmlinux", std::string(4096, '\0') +
                                       "Linux version 5.10.0-28-amd64 (debian-kernel@lists.debian.org) (gcc-10 "
                                       "(Debian 10.2.1-6) 10.2.1 20210110, GNU ld (GNU Binutils for Debian) 2.35.2) "
                                       "#1 SMP Debian 5.10.209-2 (2024-01-31)\n" +
                                       std::string(4096, '\0')}});
  Scan s(v);
  const Finding& f = s.only("os-build-age");
  EXPECT_EQ(f.status, Status::kWarn) << f.message;
  EXPECT_NE(f.message.find("newest build date 2024-01-31"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("the oldest stamp, 2023-11-14 of /system/build.prop"), std::string::npos) << f.message;
  const Evidence* k = s.evidence("os-build-age", "kernel built 2024-01-31");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->path, "/boot/vmlinux");
}

TEST(BuildAge, ThresholdIsExclusiveAndNoStampIsInconclusive) {
  // 183 days before the assessment day is still inside the window; 184 is not.
  Scan inside(tree({{"/etc/timestamp", "20260601000000\n"}}), "2026-12-01");
  EXPECT_EQ(inside.only("os-build-age").status, Status::kInfo) << inside.only("os-build-age").message;
  Scan outside(tree({{"/etc/timestamp", "20260531000000\n"}}), "2026-12-01");
  EXPECT_EQ(outside.only("os-build-age").status, Status::kWarn);

  Scan none(tree({{"/etc/os-release", "ID=debian\nVERSION_ID=12\n"}}));
  EXPECT_EQ(none.only("os-build-age").status, Status::kInconclusive);
}

}  // namespace
}  // namespace fwcert::analyzers::os
