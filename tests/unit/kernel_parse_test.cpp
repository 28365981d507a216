// Kernel configuration, version banner and IKCONFIG parsing, and the rule language of
// data/kernel-hardening.yaml, table-driven.

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "analyzers/kernel/rules.hpp"
#include "formats/kernel/kernel.hpp"
#include "support/test_util.hpp"

namespace fwcert::analyzers::kernel {
using namespace formats::kernel;
namespace {

TEST(KernelParse, AssignmentsNotSetCommentsAndLines) {
  auto cfg = parse_kconfig(
      "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/arm64 6.6.30 Kernel Configuration\n#\n"
      "CONFIG_X86_64=y\nCONFIG_FOO=m\nCONFIG_LSM=\"landlock,lockdown,yama\"\n"
      "CONFIG_NR=65536\n# CONFIG_DEVMEM is not set\nCONFIG_ESC=\"a\\\"b\"\r\n"
      "garbage line\nCONFIG_FOO=y\n");
  EXPECT_EQ(cfg.version, "6.6.30");
  ASSERT_NE(cfg.find("FOO"), nullptr);
  EXPECT_EQ(cfg.find("FOO")->value, "y") << "a later assignment wins";
  EXPECT_EQ(cfg.find("FOO")->line, 12u);
  EXPECT_EQ(cfg.find("LSM")->value, "landlock,lockdown,yama");
  EXPECT_TRUE(cfg.find("LSM")->quoted);
  EXPECT_EQ(cfg.find("NR")->value, "65536");
  ASSERT_NE(cfg.find("DEVMEM"), nullptr);
  EXPECT_FALSE(cfg.find("DEVMEM")->is_set);
  EXPECT_EQ(cfg.find("DEVMEM")->line, 9u);
  EXPECT_EQ(cfg.find("ESC")->value, "a\"b");
  EXPECT_EQ(cfg.arch(), "X86_64");
  ASSERT_EQ(cfg.diagnostics.size(), 1u);
  EXPECT_EQ(cfg.diagnostics[0].line, 11u);
  EXPECT_TRUE(looks_like_kconfig("# comment\n# CONFIG_A is not set\n"));
  EXPECT_FALSE(looks_like_kconfig("hello\nworld\n"));
}

TEST(KernelParse, UnterminatedStringIsADiagnosticNotALoss) {
  auto cfg = parse_kconfig("CONFIG_CMDLINE=\"console=ttyS0\n");
  ASSERT_NE(cfg.find("CMDLINE"), nullptr);
  EXPECT_EQ(cfg.find("CMDLINE")->value, "console=ttyS0");
  EXPECT_EQ(cfg.diagnostics.size(), 1u);
}

TEST(KernelParse, Releases) {
  struct Case {
    const char* text;
    bool ok;
    int major, minor, patch;
  } cases[] = {
      {"6.1.0-56-cloud-amd64", true, 6, 1, 0},
      {"5.10.217", true, 5, 10, 217},
      {"4.9", true, 4, 9, 0},
      {"3.18.140-g1234+", true, 3, 18, 140},
      {"v5.4", false, 0, 0, 0},
      {"6", false, 0, 0, 0},
      {"%s", false, 0, 0, 0},
  };
  for (const auto& c : cases) {
    auto v = parse_kernel_release(c.text);
    ASSERT_EQ(v.has_value(), c.ok) << c.text;
    if (!v) continue;
    EXPECT_EQ(v->major, c.major) << c.text;
    EXPECT_EQ(v->minor, c.minor) << c.text;
    EXPECT_EQ(v->patch, c.patch) << c.text;
  }
  auto v = parse_kernel_release("5.4.208");
  EXPECT_TRUE(v->at_least(5, 4, 208));
  EXPECT_FALSE(v->at_least(5, 4, 209));
  EXPECT_TRUE(v->at_least(4, 19, 300));
}

TEST(KernelParse, BannerSkipsTheFormatString) {
  std::string bytes("xxLinux version %s (%s)\0", 24);
  bytes += std::string("junk\0Linux version 6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) #1 SMP\n", 80);
  auto b = find_version_banner(bytes);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->version.release, "6.1.0-56-cloud-amd64");
  EXPECT_EQ(b->line, "Linux version 6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) #1 SMP");
  EXPECT_EQ(b->offset, bytes.find("Linux version 6"));
  EXPECT_FALSE(find_version_banner("Linux version 6.1.0 without builder").has_value());
}

std::string gzip_bytes(const std::string& text) {
  test::TempDir d;
  test::write_file(d / "in", text);
  auto r = test::run("gzip -9 -n -c " + test::shell_quote(d / "in") + " > " + test::shell_quote(d / "out"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return test::read_file(d / "out");
}

TEST(KernelParse, IkconfigBetweenMarkers) {
  std::string cfg = "CONFIG_IKCONFIG=y\n# CONFIG_DEVMEM is not set\n";
  std::string blob = std::string(1000, '\0') + "IKCFG_ST" + gzip_bytes(cfg) + "IKCFG_ED" + std::string(50, 'x');
  auto ik = find_ikconfig(blob);
  ASSERT_TRUE(ik.has_value());
  EXPECT_EQ(ik->error, "");
  EXPECT_EQ(ik->text, cfg);
  EXPECT_EQ(ik->offset, 1000u);

  std::string damaged = blob;
  damaged[1000 + 8 + 20] ^= 0x55;                              // inside the deflate data
  auto bad = find_ikconfig(damaged.substr(0, 1000 + 8 + 24));  // and cut short, no end marker
  ASSERT_TRUE(bad.has_value());
  EXPECT_NE(bad->error, "");
  EXPECT_FALSE(find_ikconfig("no markers here").has_value());
}

TEST(KernelParse, GunzipStopsAtTheLimit) {
  std::string big(1 << 20, 'A');
  std::string gz = gzip_bytes(big);
  std::string err;
  EXPECT_FALSE(gunzip(gz, 1000, &err).has_value());
  EXPECT_NE(err.find("more than 1000"), std::string::npos);
  auto ok = gunzip(gz, 2 << 20);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, big);
}

/// A stand-in for a compressed kernel: a header, then the payload compressed by the real tool
/// with the options the kernel's Makefile uses, then trailing data.
std::string fake_compressed_kernel(const std::string& payload, const std::string& tool) {
  test::TempDir d;
  test::write_file(d / "vmlinux.bin", payload);
  auto r = test::run(tool + " < " + test::shell_quote(d / "vmlinux.bin") + " > " + test::shell_quote(d / "z"));
  EXPECT_EQ(r.exit_code, 0) << tool << ": " << r.output;
  // A decoy gzip magic before the payload, as code bytes may contain one.
  return std::string("MZ\x1f\x8b\x08junkheader", 15) + std::string(4000, '\x90') + test::read_file(d / "z") +
         std::string(64, '\0');
}

TEST(KernelParse, PayloadOfEachCompressor) {
  std::string payload = std::string(20000, 'k') + std::string("Linux version 5.15.100 (b@h) #1\n", 32) + "IKCFG_ST" +
                        gzip_bytes("CONFIG_ARM64=y\n") + "IKCFG_ED" + std::string(20000, 'z');
  struct Case {
    const char* tool;
    const char* method;
  } cases[] = {{"gzip -9 -n", "gzip"},
               {"xz --check=crc32 --x86 --lzma2=dict=32MiB", "xz"},
               {"zstd -19 -q", "zstd"},
               {"lz4 -l -9 -q", "lz4"}};
  for (const auto& c : cases) {
    std::string image = fake_compressed_kernel(payload, c.tool);
    auto p = decompress_kernel_payload(image);
    ASSERT_TRUE(p.has_value()) << c.tool;
    EXPECT_EQ(p->method, c.method);
    EXPECT_EQ(p->offset, 15u + 4000u) << c.tool;
    EXPECT_EQ(p->data, payload) << c.tool;
    auto ik = find_ikconfig(p->data);
    ASSERT_TRUE(ik.has_value()) << c.tool;
    EXPECT_EQ(ik->text, "CONFIG_ARM64=y\n");
  }
}

TEST(KernelRules, ConditionLanguage) {
  struct Case {
    const char* text;
    bool ok;
    Condition::Kind kind;
  } cases[] = {
      {"STRICT_KERNEL_RWX=y", true, Condition::Kind::kEquals},
      {"ARCH_MMAP_RND_BITS=MAX", true, Condition::Kind::kEqualsMax},
      {"DEVMEM off", true, Condition::Kind::kOff},
      {"LDISC_AUTOLOAD present", true, Condition::Kind::kPresent},
      {"LSM has yama", true, Condition::Kind::kHas},
      {"version >= 5.4.208", true, Condition::Kind::kVersionAtLeast},
      {"version >= 5.4", false, Condition::Kind::kEquals},
      {"DEVMEM", false, Condition::Kind::kEquals},
      {"DEV MEM off", false, Condition::Kind::kEquals},
      {"=y", false, Condition::Kind::kEquals},
      {"LSM has two words", false, Condition::Kind::kEquals},
  };
  for (const auto& c : cases) {
    auto got = parse_condition(c.text);
    ASSERT_EQ(got.has_value(), c.ok) << c.text;
    if (got) EXPECT_EQ(got->kind, c.kind) << c.text;
  }
}

TEST(KernelRules, EvaluationOfAlternativesPrerequisitesAndArch) {
  auto rules = load_rules(R"(rules:
  - {reason: self_protection, source: kspp, critical: true, expect: STRICT_KERNEL_RWX=y, or: [DEBUG_RODATA=y]}
  - {reason: self_protection, source: kspp, expect: HARDENED_USERCOPY_FALLBACK off, and: [HARDENED_USERCOPY=y]}
  - {reason: self_protection, source: kspp, expect: REFCOUNT_FULL=y, or: [version >= 5.4.208]}
  - {reason: self_protection, source: kspp, arch: [ARM64], on: [ARM64_PAN]}
  - {reason: self_protection, source: kspp, expect: ARCH_MMAP_RND_BITS=MAX}
  - {reason: self_protection, source: kspp, expect: LSM has yama}
  - {reason: cut_attack_surface, source: kspp, off: [DEVMEM, KEXEC]}
)",
                          "t.yaml");
  ASSERT_TRUE(rules.ok()) << rules.error().describe();
  ASSERT_EQ(rules.value().size(), 8u);
  auto cfg = parse_kconfig(
      "CONFIG_DEBUG_RODATA=y\nCONFIG_HARDENED_USERCOPY_FALLBACK=y\nCONFIG_ARCH_MMAP_RND_BITS=28\n"
      "CONFIG_ARCH_MMAP_RND_BITS_MAX=32\nCONFIG_LSM=\"yama,apparmor\"\n# CONFIG_DEVMEM is not set\nCONFIG_KEXEC=y\n");
  auto res = evaluate(rules.value(), cfg, "X86_64", parse_kernel_release("4.9.0"));
  ASSERT_EQ(res.size(), 8u);
  EXPECT_EQ(res[0].state, RuleState::kMet) << "old name DEBUG_RODATA";
  EXPECT_EQ(res[0].met_by, "DEBUG_RODATA=y");
  EXPECT_EQ(res[1].state, RuleState::kNotMet) << "prerequisite HARDENED_USERCOPY absent";
  EXPECT_EQ(res[2].state, RuleState::kNotMet) << "4.9 is older than 5.4.208";
  EXPECT_EQ(res[3].state, RuleState::kNotApplicable) << "arm64 only";
  EXPECT_EQ(res[4].state, RuleState::kNotMet) << "28 is not the maximum 32";
  EXPECT_EQ(res[4].seen, "28");
  EXPECT_EQ(res[5].state, RuleState::kMet);
  EXPECT_EQ(res[6].state, RuleState::kMet);
  EXPECT_EQ(res[6].line, 6u);
  EXPECT_EQ(res[7].state, RuleState::kNotMet);
  EXPECT_EQ(res[7].seen, "y");
  auto newer = evaluate(rules.value(), cfg, "X86_64", parse_kernel_release("5.10.1"));
  EXPECT_EQ(newer[2].state, RuleState::kMet);
  EXPECT_EQ(newer[2].met_by, "version >= 5.4.208");
}

TEST(KernelRules, LoaderPointsAtTheBadLine) {
  auto r = load_rules("rules:\n  - {reason: a, source: b, expect: NOT A CONDITION}\n", "x.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().where.find("x.yaml:2:"), std::string::npos) << r.error().describe();
  auto unknown = load_rules("rules:\n  - {reason: a, source: b, on: [A], colour: red}\n", "x.yaml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("colour"), std::string::npos);
  EXPECT_FALSE(load_rules("rules:\n  - {reason: a, source: b, on: [A], off: [B]}\n", "x.yaml").ok());
}

TEST(KernelRules, BuiltinRulesLoadAndMarkTheFailSet) {
  const auto& rules = builtin_rules();
  EXPECT_GT(rules.size(), 250u);
  std::set<std::string> critical;
  for (const auto& r : rules) {
    if (r.critical) critical.insert(r.expect.option);
  }
  EXPECT_EQ(critical, (std::set<std::string>{"STRICT_KERNEL_RWX", "STACKPROTECTOR", "STACKPROTECTOR_STRONG",
                                             "RANDOMIZE_BASE", "STRICT_DEVMEM"}));
}

}  // namespace
}  // namespace fwcert::analyzers::kernel

namespace fwcert::analyzers::kernel {
using namespace formats::kernel;
namespace {

TEST(KernelParse, OtherKconfigProjectsAreNotKernelConfigs) {
  // U-Boot, BusyBox and Buildroot write the same CONFIG_ syntax; Debian ships U-Boot's as
  // /usr/share/doc/u-boot-tools/config.gz, which must not be taken for the kernel's.
  EXPECT_FALSE(
      looks_like_kconfig("#\n# Automatically generated file; DO NOT EDIT.\n# U-Boot 2023.01 Configuration\n"
                         "#\nCONFIG_ARM=y\n"));
  EXPECT_FALSE(
      looks_like_kconfig("# Automatically generated make config: don't edit\n# Busybox version: 1.36.1\n"
                         "CONFIG_HAVE_DOT_CONFIG=y\n"));
  EXPECT_FALSE(looks_like_kconfig("#\n# Buildroot 2024.02.1 Configuration\n#\nBR2_HAVE_DOT_CONFIG=y\nCONFIG_X=y\n"));
  EXPECT_TRUE(
      looks_like_kconfig("#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 6.1.0 Kernel "
                         "Configuration\n#\nCONFIG_X86_64=y\n"));
  EXPECT_TRUE(looks_like_kconfig("CONFIG_ARM64=y\n"));
}

}  // namespace
}  // namespace fwcert::analyzers::kernel
