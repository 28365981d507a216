// U-Boot environments and the boot analyzer's U-Boot checks, over artefacts made by the real
// tools: mkenvimage (stored environments, plain and redundant), mkimage (boot.scr), and the
// U-Boot binaries Debian builds for QEMU boards (u-boot-qemu), whose compiled-in default
// environment boots from USB and DHCP with a 2 second interruptible countdown.

#include "analyzers/boot/boot.hpp"

#include <gtest/gtest.h>

#include "boot_support.hpp"
#include "formats/uboot/env.hpp"

namespace fwcert {
namespace {

namespace fu = formats::uboot;
using test::AnalyzerScan;
using test::must_run;

constexpr const char* kQemuUboot = "/usr/lib/u-boot/qemu_arm64/u-boot.bin";

std::span<const std::byte> bytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

/// A stored environment made by mkenvimage from `text` (redundant layout when asked).
std::string env_image(const std::string& text, bool redundant, const std::string& size = "0x4000") {
  test::TempDir d;
  test::write_file(d / "env.txt", text);
  std::string cmd = std::string("mkenvimage ") + (redundant ? "-r " : "") + "-s " + size + " -o env.bin env.txt";
  auto r = test::run("cd " + test::shell_quote(d.path()) + " && " + cmd);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return test::read_file(d / "env.bin");
}

TEST(UbootEnvParse, MkenvimageBlobBothLayoutsAndDamage) {
  std::string text = "bootcmd=run boot_mmc\nboot_mmc=mmc dev 0; bootm 0x80000000\nbootdelay=-2\n";
  for (bool redundant : {false, true}) {
    std::string blob = env_image(text, redundant);
    ASSERT_EQ(blob.size(), 0x4000u);
    auto env = fu::detect_env_blob(bytes(blob));
    ASSERT_TRUE(env.has_value()) << redundant;
    EXPECT_TRUE(env->crc_ok);
    EXPECT_EQ(env->redundant, redundant);
    ASSERT_EQ(env->vars.size(), 3u);
    EXPECT_EQ(env->find("bootdelay")->value, "-2");
    EXPECT_EQ(env->find("boot_mmc")->value, "mmc dev 0; bootm 0x80000000");
    EXPECT_EQ(env->vars.front().offset, redundant ? 5u : 4u);
    // One flipped byte in the data breaks the CRC: not an environment any more.
    blob[20] ^= 1;
    EXPECT_FALSE(fu::detect_env_blob(bytes(blob)).has_value());
    EXPECT_FALSE(fu::parse_env_blob(bytes(blob), redundant).crc_ok);
  }
}

TEST(UbootEnvParse, TextWithCommentsAndContinuations) {
  auto env = fu::parse_env_text("# comment\n\nbootargs=console=ttyS0 \\\nroot=/dev/mmcblk0p2\nnot a pair\nx=1\nx=2\n");
  ASSERT_EQ(env.vars.size(), 3u);
  EXPECT_EQ(env.vars[0].name, "bootargs");
  EXPECT_EQ(env.vars[0].value, "console=ttyS0 \nroot=/dev/mmcblk0p2");
  EXPECT_EQ(env.vars[0].line, 3u);
  EXPECT_EQ(env.find("x")->value, "2");  // the later definition wins
  EXPECT_EQ(env.find("x")->line, 7u);
  ASSERT_EQ(env.diagnostics.size(), 1u);
  EXPECT_NE(env.diagnostics[0].find("line 5"), std::string::npos);
}

TEST(UbootEnvParse, DefaultEnvironmentOfARealUbootBinary) {
  if (!test::have_tool("mkimage")) GTEST_SKIP() << "u-boot-tools not installed";
  std::string bin = test::read_file(kQemuUboot);
  ASSERT_FALSE(bin.empty()) << "install u-boot-qemu (scripts/install-deps.sh)";
  auto env = fu::find_default_env(bytes(bin));
  ASSERT_TRUE(env.has_value());
  ASSERT_NE(env->find("bootcmd"), nullptr);
  EXPECT_EQ(env->find("bootcmd")->value, "run distro_bootcmd");
  ASSERT_NE(env->find("bootdelay"), nullptr);
  EXPECT_EQ(env->find("bootdelay")->value, "2");
  ASSERT_NE(env->find("boot_targets"), nullptr);
  EXPECT_NE(env->find("boot_targets")->value.find("usb0"), std::string::npos);
  // Offsets point at the variable's text in the binary.
  const auto* v = env->find("bootcmd");
  EXPECT_EQ(bin.compare(v->offset, 8, "bootcmd="), 0);
  EXPECT_GT(env->vars.size(), 20u);
}

TEST(UbootEnvParse, BootScriptAndFwEnvConfigAndCommands) {
  if (!test::have_tool("mkimage")) GTEST_SKIP() << "u-boot-tools not installed";
  test::TempDir d;
  test::write_file(d / "boot.cmd", "setenv bootargs console=ttyS0\ntftpboot ${loadaddr} fitImage\nbootm\n");
  must_run(d.path(), "mkimage -A arm -T script -C none -d boot.cmd boot.scr > /dev/null");
  std::string scr = test::read_file(d / "boot.scr");
  auto h = fu::parse_legacy_header(bytes(scr));
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->type_name(), "script");
  EXPECT_TRUE(h->header_crc_ok);
  EXPECT_TRUE(h->data_crc_ok);
  auto text = fu::script_text(bytes(scr));
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, test::read_file(d / "boot.cmd"));
  scr[10] ^= 1;
  EXPECT_FALSE(fu::parse_legacy_header(bytes(scr))->header_crc_ok);

  auto cfg = fu::parse_fw_env_config(
      "# MTD device name  Device offset  Env. size  Flash sector size\n"
      "/dev/mtd1 0x0000 0x20000 0x20000\n"
      "/boot/uboot.env 0x4000 16384\n"
      "garbage\n");
  ASSERT_EQ(cfg.locations.size(), 2u);
  EXPECT_EQ(cfg.locations[0].env_size, 0x20000u);
  EXPECT_EQ(cfg.locations[1].offset, 0x4000u);
  EXPECT_EQ(cfg.locations[1].env_size, 16384u);
  EXPECT_EQ(cfg.locations[1].line, 3u);
  EXPECT_EQ(cfg.diagnostics.size(), 1u);

  auto cmds = fu::split_commands("if test -e usb 0; then run a; else echo 'x;y'; fi; tftp && bootm");
  ASSERT_EQ(cmds.size(), 6u);
  EXPECT_EQ(cmds[2], (std::vector<std::string>{"else", "echo", "x;y"}));
  EXPECT_EQ(cmds[4], (std::vector<std::string>{"tftp"}));
}

std::shared_ptr<vfs::MemoryVfs> with_qemu_uboot() {
  auto v = std::make_shared<vfs::MemoryVfs>();
  std::string bin = test::read_file(kQemuUboot);
  EXPECT_FALSE(bin.empty()) << "install u-boot-qemu (scripts/install-deps.sh)";
  EXPECT_TRUE(v->add_file("/boot/u-boot.bin", bin).ok());
  return v;
}

TEST(BootUboot, RealQemuUbootBootsFromUsbAndNetworkWithAnOpenPrompt) {
  AnalyzerScan s(with_qemu_uboot(), &analyzers::boot::run);

  const Finding& ext = s.only("boot-uboot-no-external-boot");
  EXPECT_EQ(ext.status, Status::kFail) << ext.message;
  EXPECT_EQ(ext.subject, "/boot/u-boot.bin");
  // distro boot walks boot_targets: usb0 runs usb_boot, which starts USB; dhcp loads over the
  // network.
  EXPECT_TRUE(s.evidence_has(ext, "usb_boot: usb start")) << ext.message;
  EXPECT_TRUE(s.evidence_has(ext, "bootcmd_dhcp: dhcp")) << ext.message;
  for (const auto& e : ext.evidence) EXPECT_TRUE(e.offset.has_value()) << e.observed;

  const Finding& con = s.only("boot-uboot-console-locked");
  EXPECT_EQ(con.status, Status::kFail) << con.message;
  EXPECT_NE(con.message.find("2 second countdown"), std::string::npos) << con.message;
  EXPECT_TRUE(s.evidence_has(con, "mw")) << con.message;

  // FIT signature code is compiled in, but so is the legacy uImage boot path.
  const Finding& legacy = s.only("boot-uboot-legacy-disabled");
  EXPECT_EQ(legacy.status, Status::kFail) << legacy.message;
  const Finding& fit = s.only("boot-uboot-fit-required-key");
  EXPECT_EQ(fit.status, Status::kInconclusive) << fit.message;
}

TEST(BootUboot, StoredEnvironmentReplacesTheDefaultAndLocksTheConsole) {
  if (!test::have_tool("mkenvimage")) GTEST_SKIP() << "u-boot-tools not installed";
  auto v = with_qemu_uboot();
  std::string stored =
      "bootcmd=run boot_emmc\n"
      "boot_emmc=mmc dev 1; load mmc 1:1 ${loadaddr} fitImage && bootm ${loadaddr}\n"
      "bootdelay=-2\n";
  std::string blob(0x1000, '\xff');
  blob += env_image(stored, true);  // at offset 0x1000, redundant layout
  ASSERT_TRUE(v->add_file("/boot/env-partition.bin", blob).ok());
  ASSERT_TRUE(v->add_file("/etc/fw_env.config",
                          "/boot/env-partition.bin 0x1000 0x4000\n"
                          "/boot/env-partition.bin 0x1000 0x4000\n")
                  .ok());
  {
    AnalyzerScan s(v, &analyzers::boot::run);
    const Finding& ext = s.only("boot-uboot-no-external-boot");
    EXPECT_EQ(ext.status, Status::kPass) << ext.message;
    EXPECT_EQ(ext.subject, "/boot/env-partition.bin");
    const Finding& con = s.only("boot-uboot-console-locked");
    EXPECT_EQ(con.status, Status::kPass) << con.message;
    ASSERT_FALSE(con.evidence.empty());
    EXPECT_EQ(con.evidence[0].offset, 0x1000u + 5 + stored.find("bootdelay"));
  }
  // With fw_setenv in the image, root can rewrite bootdelay: no longer a pass.
  ASSERT_TRUE(v->add_file("/usr/bin/fw_printenv",
                          "\x7f"
                          "ELF",
                          {0755, 0, 0, 0})
                  .ok());
  ASSERT_TRUE(v->add_symlink("/usr/bin/fw_setenv", "fw_printenv").ok());
  AnalyzerScan s(v, &analyzers::boot::run);
  const Finding& con = s.only("boot-uboot-console-locked");
  EXPECT_EQ(con.status, Status::kWarn) << con.message;
  EXPECT_TRUE(s.evidence_has(con, "fw_setenv")) << con.message;
}

TEST(BootUboot, UenvAndBootScriptWithoutABinary) {
  if (!test::have_tool("mkimage")) GTEST_SKIP() << "u-boot-tools not installed";
  test::TempDir d;
  test::write_file(d / "boot.cmd", "load mmc 0:1 ${kernel_addr_r} Image\nbooti ${kernel_addr_r} - ${fdt_addr}\n");
  must_run(d.path(), "mkimage -A arm64 -T script -C none -d boot.cmd boot.scr > /dev/null");
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/boot/boot.scr", test::read_file(d / "boot.scr")).ok());
  ASSERT_TRUE(
      v->add_file("/boot/uEnv.txt", "bootdelay=3\nbootcmd=run mmcboot\nmmcboot=ext4load mmc 0:2 0x80000 Image\n").ok());
  {
    AnalyzerScan s(v, &analyzers::boot::run);
    EXPECT_EQ(s.only("boot-uboot-no-external-boot").status, Status::kPass);
    const Finding& con = s.only("boot-uboot-console-locked");
    // Reachable, but no binary tells which commands the prompt offers.
    EXPECT_EQ(con.status, Status::kWarn) << con.message;
    EXPECT_EQ(con.evidence[0].line, 1u);
    EXPECT_EQ(con.evidence[0].path, "/boot/uEnv.txt");
  }
  // The same boot script fetching the kernel over TFTP fails.
  test::write_file(d / "boot.cmd", "dhcp\ntftpboot ${kernel_addr_r} Image\nbooti ${kernel_addr_r}\n");
  must_run(d.path(), "mkimage -A arm64 -T script -C none -d boot.cmd boot.scr > /dev/null");
  auto v2 = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v2->add_file("/boot/boot.scr", test::read_file(d / "boot.scr")).ok());
  AnalyzerScan s(v2, &analyzers::boot::run);
  const Finding& ext = s.only("boot-uboot-no-external-boot");
  EXPECT_EQ(ext.status, Status::kFail);
  EXPECT_TRUE(s.evidence_has(ext, "script: tftpboot"));
  EXPECT_EQ(s.only("boot-uboot-console-locked").status, Status::kInconclusive);
}

TEST(BootUboot, NothingToJudge) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/etc/hostname", "box\n").ok());
  AnalyzerScan s(v, &analyzers::boot::run);
  for (auto id : analyzers::boot::checks()) {
    for (const auto* f : s.all(id)) {
      EXPECT_NE(f->status, Status::kPass) << id;
      EXPECT_NE(f->status, Status::kFail) << id;
    }
  }
  EXPECT_EQ(s.only("boot-uboot-no-external-boot").status, Status::kInconclusive);
  EXPECT_EQ(s.only("boot-uboot-fit-required-key").status, Status::kInconclusive);
}

}  // namespace
}  // namespace fwcert
