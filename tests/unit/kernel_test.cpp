// The kernel analyzer over in-memory filesystems: a Debian /boot/config with its modules
// directory, kernel images carrying IKCONFIG directly or inside a compressed payload made by
// the real compressors, and a target with no configuration at all.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "analyzers/kernel/kernel.hpp"
#include "inventory/inventory.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::kernel {
namespace {

struct Scan {
  inventory::Inventory inv;
  ScanOptions options;
  Output out;

  explicit Scan(std::shared_ptr<vfs::MemoryVfs> v) {
    std::vector<Diagnostic> diags;
    auto fs = inv.add_filesystem({"", "memory", 0, "", 0, v});
    inv.walk(fs, diags);
    inv.finish();
    options.threads = 1;
    out = run(Context{inv, options});
  }
  const Finding& only(std::string_view check) const {
    const Finding* found = nullptr;
    for (const auto& f : out.findings) {
      if (f.check == check) {
        EXPECT_EQ(found, nullptr) << "more than one finding for " << check;
        found = &f;
      }
    }
    EXPECT_NE(found, nullptr) << check;
    static const Finding kNone;
    return found ? *found : kNone;
  }
  const Fact* fact(const std::string& subject, std::string_view name) const {
    for (const auto& f : out.facts) {
      if (f.subject == subject && f.name == name) return &f;
    }
    return nullptr;
  }
};

std::string fixture(const std::string& name) {
  return test::read_file(test::source_dir() + "/tests/fixtures/kernel/" + name);
}

std::string compress(const std::string& bytes, const std::string& tool) {
  test::TempDir d;
  test::write_file(d / "in", bytes);
  auto r = test::run(tool + " < " + test::shell_quote(d / "in") + " > " + test::shell_quote(d / "out"));
  EXPECT_EQ(r.exit_code, 0) << tool << ": " << r.output;
  return test::read_file(d / "out");
}

/// A kernel body: some code bytes, the banner, and optionally the IKCONFIG block.
std::string vmlinux_body(const std::string& banner, const std::string* config) {
  std::string body(8192, '\0');
  body += banner + std::string(1, '\0') + std::string(4096, '\x90');
  if (config) body += "IKCFG_ST" + compress(*config, "gzip -9 -n") + "IKCFG_ED";
  return body + std::string(4096, '\xcc');
}

/// An x86 bzImage stand-in: "HdrS" at 0x202 (so the inventory calls it a kernel image), then
/// the body compressed as CONFIG_KERNEL_XZ does.
std::string bzimage(const std::string& body) {
  std::string img(0x4000, '\0');
  img.replace(0x202, 4, "HdrS");
  return img + compress(body, "xz --check=crc32 --x86 --lzma2=dict=32MiB") + std::string(512, '\0');
}

TEST(KernelAnalyzer, DebianBootConfigAndModulesDirectory) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/boot/config-6.1.0-56-cloud-amd64", fixture("debian-6.1.0-56-cloud-amd64.config")).ok());
  ASSERT_TRUE(v->add_dir("/lib/modules/6.1.0-56-cloud-amd64").ok());
  Scan s(v);

  const Finding& ver = s.only("inv-kernel-version");
  EXPECT_EQ(ver.status, Status::kInfo);
  EXPECT_NE(ver.message.find("Linux 6.1.192"), std::string::npos) << ver.message;
  ASSERT_NE(s.fact("/lib/modules/6.1.0-56-cloud-amd64", "kernel.version"), nullptr);

  const Finding& cfg = s.only("inv-kernel-config");
  EXPECT_EQ(cfg.status, Status::kInfo);
  EXPECT_EQ(cfg.subject, "/boot/config-6.1.0-56-cloud-amd64");

  // Debian meets the fail set (strict RWX, strong stack protector, KASLR, STRICT_DEVMEM) but
  // not everything: kexec and binfmt_misc are on.
  const Finding& h = s.only("kern-hardening-config");
  EXPECT_EQ(h.status, Status::kWarn) << h.message;
  EXPECT_NE(h.message.find("X86_64 6.1.192"), std::string::npos) << h.message;
  bool kexec = false;
  for (const auto& e : h.evidence) {
    if (e.observed.starts_with("CONFIG_KEXEC y")) {
      kexec = true;
      EXPECT_EQ(e.expected, "CONFIG_KEXEC is not set");
      EXPECT_TRUE(e.line.has_value());
    }
  }
  EXPECT_TRUE(kexec);
  const Fact* rwx = s.fact("kconfig:STRICT_KERNEL_RWX=y", "kconfig.rule");
  ASSERT_NE(rwx, nullptr);
  EXPECT_EQ(std::get<std::string>(rwx->value), "met");
  const Fact* score = s.fact("/boot/config-6.1.0-56-cloud-amd64", "kconfig.score_percent");
  ASSERT_NE(score, nullptr);
  // 127 of 259 rules per kernel-hardening-checker's own count on this config.
  EXPECT_EQ(std::get<std::int64_t>(score->value), 127 * 100 / 259);
}

TEST(KernelAnalyzer, IkconfigInsideAnXzBzImageFailsOnTheFailSet) {
  std::string config =
      "# Linux/x86 5.10.200 Kernel Configuration\nCONFIG_X86_64=y\nCONFIG_STACKPROTECTOR=y\n"
      "CONFIG_STACKPROTECTOR_STRONG=y\n# CONFIG_STRICT_KERNEL_RWX is not set\nCONFIG_RANDOMIZE_BASE=y\n"
      "# CONFIG_DEVMEM is not set\n";
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/boot/vmlinuz-5.10.200",
                          bzimage(vmlinux_body("Linux version 5.10.200-vendor (b@h) (gcc 12) #1 SMP", &config)))
                  .ok());
  Scan s(v);
  const Finding& ver = s.only("inv-kernel-version");
  EXPECT_EQ(ver.status, Status::kInfo);
  EXPECT_NE(ver.message.find("release 5.10.200-vendor"), std::string::npos) << ver.message;
  EXPECT_NE(ver.message.find("version banner in the xz payload at offset 16384"), std::string::npos) << ver.message;
  const Finding& cfg = s.only("inv-kernel-config");
  EXPECT_EQ(cfg.subject, "/boot/vmlinuz-5.10.200");
  EXPECT_NE(cfg.message.find("embedded (IKCONFIG) in the xz payload"), std::string::npos) << cfg.message;

  const Finding& h = s.only("kern-hardening-config");
  EXPECT_EQ(h.status, Status::kFail);
  EXPECT_EQ(h.severity, Severity::kHigh);
  EXPECT_TRUE(h.severity_override);
  ASSERT_FALSE(h.evidence.empty());
  EXPECT_EQ(h.evidence.front().observed.substr(0, 38), "CONFIG_STRICT_KERNEL_RWX is not set (s");
  EXPECT_NE(h.message.find("1 of the fail set"), std::string::npos) << h.message;
}

TEST(KernelAnalyzer, UncompressedVmlinuxWithIkconfigDirectly) {
  std::string config = "CONFIG_ARM64=y\nCONFIG_STRICT_KERNEL_RWX=y\nCONFIG_STACKPROTECTOR=y\n"
                       "CONFIG_STACKPROTECTOR_STRONG=y\nCONFIG_RANDOMIZE_BASE=y\nCONFIG_STRICT_DEVMEM=y\n";
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/vmlinux", vmlinux_body("Linux version 6.6.30 (b@h) #1 SMP PREEMPT", &config)).ok());
  Scan s(v);
  EXPECT_NE(s.only("inv-kernel-version").message.find("Linux 6.6.30"), std::string::npos);
  const Finding& h = s.only("kern-hardening-config");
  EXPECT_EQ(h.status, Status::kWarn) << "fail set met, many other rules not";
  EXPECT_NE(h.message.find("ARM64 6.6.30"), std::string::npos) << h.message;
}

TEST(KernelAnalyzer, KernelWithoutIkconfigLeavesConfigChecksInconclusive) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/boot/vmlinuz", bzimage(vmlinux_body("Linux version 4.19.300 (b@h) #1", nullptr))).ok());
  Scan s(v);
  EXPECT_EQ(s.only("inv-kernel-version").status, Status::kInfo);
  EXPECT_NE(s.only("inv-kernel-version").message.find("Linux 4.19.300"), std::string::npos);
  EXPECT_EQ(s.only("inv-kernel-config").status, Status::kInconclusive);
  EXPECT_EQ(s.only("kern-hardening-config").status, Status::kInconclusive);
}

TEST(KernelAnalyzer, NothingKernelRelatedIsInconclusive) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/etc/hostname", "box\n").ok());
  Scan s(v);
  EXPECT_EQ(s.only("inv-kernel-version").status, Status::kInconclusive);
  EXPECT_EQ(s.only("inv-kernel-config").status, Status::kInconclusive);
  EXPECT_EQ(s.only("kern-hardening-config").status, Status::kInconclusive);
}

}  // namespace
}  // namespace fwcert::analyzers::kernel
