// The kernel analyzer over in-memory filesystems: a Debian /boot/config with its modules
// directory, kernel images carrying IKCONFIG directly or inside a compressed payload made by
// the real compressors, and a target with no configuration at all.

#include "analyzers/kernel/kernel.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "formats/kernel/kernel.hpp"
#include "inventory/inventory.hpp"
#include "support/analyzer_run.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::kernel {
using namespace formats::kernel;
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
    out = run(Context{inv, test::analyzer_options(options)});
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
  std::string config =
      "CONFIG_ARM64=y\nCONFIG_STRICT_KERNEL_RWX=y\nCONFIG_STACKPROTECTOR=y\n"
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

namespace fwcert::analyzers::kernel {
namespace {

/// Every setting of data/sysctl-hardening.yaml at its hardened value.
constexpr const char* kHardened = R"(kernel.randomize_va_space = 2
kernel.kptr_restrict = 2
kernel.dmesg_restrict = 1
kernel.yama.ptrace_scope = 3
kernel.unprivileged_bpf_disabled = 1
net.core.bpf_jit_harden = 2
kernel.perf_event_paranoid = 3
kernel.sysrq = 0
kernel.kexec_load_disabled = 1
fs.protected_symlinks = 1
fs.protected_hardlinks = 1
fs.protected_fifos = 2
fs.protected_regular = 2
fs.suid_dumpable = 0
vm.mmap_min_addr = 65536
net.ipv4.tcp_syncookies = 1
net.ipv4.conf.all.accept_redirects = 0
net.ipv4.conf.default.accept_redirects = 0
net.ipv4.conf.all.send_redirects = 0
net.ipv4.conf.default.send_redirects = 0
net.ipv4.conf.all.accept_source_route = 0
net.ipv4.conf.default.accept_source_route = 0
net.ipv4.conf.all.rp_filter = 1
net.ipv4.conf.default.rp_filter = 1
net.ipv4.icmp_echo_ignore_broadcasts = 1
net.ipv6.conf.all.accept_redirects = 0
net.ipv6.conf.default.accept_redirects = 0
net.ipv4.ip_forward = 0
)";

TEST(KernelSysctl, ParseSyntax) {
  auto f = parse_sysctl("# c\n; c\n  kernel.sysrq=0  \n-net/ipv4/ip_forward = 1\nbogus\n = 3\nfs.x = a b\r\n");
  ASSERT_EQ(f.assignments.size(), 3u);
  EXPECT_EQ(f.assignments[0].key, "kernel.sysrq");
  EXPECT_EQ(f.assignments[0].value, "0");
  EXPECT_EQ(f.assignments[0].line, 3u);
  EXPECT_EQ(f.assignments[1].key, "net.ipv4.ip_forward");
  EXPECT_EQ(f.assignments[1].value, "1");
  EXPECT_EQ(f.assignments[2].value, "a b");
  ASSERT_EQ(f.diagnostics.size(), 2u);
  EXPECT_EQ(f.diagnostics[0].line, 5u);
}

TEST(KernelSysctl, HardenedFilePasses) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/etc/sysctl.d/90-hardening.conf", kHardened).ok());
  Scan s(v);
  const Finding& f = s.only("sysctl-hardening");
  EXPECT_EQ(f.status, Status::kPass) << f.message;
  EXPECT_NE(f.message.find("28 of 28"), std::string::npos) << f.message;
}

TEST(KernelSysctl, SystemdPrecedenceAndSysctlConfLast) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/usr/lib/sysctl.d/90-hardening.conf", kHardened).ok());
  // Same name in /etc hides the vendor file entirely: everything it does not set is default.
  ASSERT_TRUE(v->add_file("/etc/sysctl.d/90-hardening.conf", "kernel.kptr_restrict = 2\n").ok());
  ASSERT_TRUE(v->add_file("/usr/lib/sysctl.d/50-default.conf", "fs.protected_symlinks = 1\nkernel.sysrq = 16\n").ok());
  // A later file name wins over an earlier one; a masked file is not read.
  ASSERT_TRUE(v->add_file("/usr/lib/sysctl.d/60-sysrq.conf", "kernel.sysrq = 0\n").ok());
  ASSERT_TRUE(v->add_file("/usr/lib/sysctl.d/70-bad.conf", "kernel.randomize_va_space = 0\n").ok());
  ASSERT_TRUE(v->add_symlink("/etc/sysctl.d/70-bad.conf", "/dev/null").ok());
  // /etc/sysctl.conf is applied after every sysctl.d file.
  ASSERT_TRUE(v->add_file("/run/sysctl.d/99-z.conf", "kernel.dmesg_restrict = 1\n").ok());
  ASSERT_TRUE(v->add_file("/etc/sysctl.conf", "kernel.dmesg_restrict = 0\n").ok());
  Scan s(v);

  auto value = [&](const std::string& key) {
    const Fact* f = s.fact("sysctl:" + key, "sysctl.value");
    EXPECT_NE(f, nullptr) << key;
    return f ? std::get<std::string>(f->value) : std::string();
  };
  EXPECT_EQ(value("kernel.kptr_restrict"), "2");
  EXPECT_EQ(value("fs.protected_symlinks"), "1");
  EXPECT_EQ(value("kernel.sysrq"), "0");
  EXPECT_EQ(value("kernel.randomize_va_space"), "2") << "masked file ignored, kernel default";
  EXPECT_EQ(value("kernel.dmesg_restrict"), "0") << "/etc/sysctl.conf last";
  EXPECT_EQ(value("fs.protected_hardlinks"), "0") << "the hidden vendor file's value does not count";

  const Finding& f = s.only("sysctl-hardening");
  EXPECT_EQ(f.status, Status::kFail);
  bool dmesg = false;
  for (const auto& e : f.evidence) {
    if (e.observed.starts_with("kernel.dmesg_restrict = 0")) {
      dmesg = true;
      EXPECT_EQ(e.path, "/etc/sysctl.conf");
      EXPECT_EQ(e.line, 1u);
    }
    EXPECT_FALSE(e.observed.starts_with("kernel.kptr_restrict")) << "2 is KSPP's value";
  }
  EXPECT_TRUE(dmesg);
}

TEST(KernelSysctl, KernelConfigDecidesDefaultsAndApplicability) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/boot/config-6.1.0",
                          "CONFIG_X86_64=y\nCONFIG_SECURITY_DMESG_RESTRICT=y\n"
                          "# CONFIG_MAGIC_SYSRQ is not set\nCONFIG_DEFAULT_MMAP_MIN_ADDR=65536\n")
                  .ok());
  ASSERT_TRUE(v->add_dir("/etc").ok());
  Scan s(v);
  EXPECT_EQ(std::get<std::string>(s.fact("sysctl:kernel.dmesg_restrict", "sysctl.value")->value), "1");
  EXPECT_EQ(std::get<std::string>(s.fact("sysctl:vm.mmap_min_addr", "sysctl.value")->value), "65536");
  EXPECT_EQ(s.fact("sysctl:kernel.sysrq", "sysctl.value"), nullptr) << "no sysrq without MAGIC_SYSRQ";
  EXPECT_EQ(s.only("sysctl-hardening").status, Status::kFail) << "kptr_restrict and redirects stay at defaults";
}

TEST(KernelSysctl, NoEtcIsInconclusive) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/bin/sh", "x").ok());
  Scan s(v);
  EXPECT_EQ(s.only("sysctl-hardening").status, Status::kInconclusive);
}

}  // namespace
}  // namespace fwcert::analyzers::kernel

#include "analyzers/kernel/cmdline.hpp"

namespace fwcert::analyzers::kernel {
namespace {

TEST(KernelCmdline, SplitLikeTheKernel) {
  auto p = split_cmdline("  root=/dev/mmcblk0p2 ro  quiet dyndbg=\"file x.c +p\" init=/bin/sh ");
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[0].name, "root");
  EXPECT_EQ(p[0].value, "/dev/mmcblk0p2");
  EXPECT_FALSE(p[1].has_value);
  EXPECT_EQ(p[3].value, "file x.c +p");
  EXPECT_EQ(p[4].value, "/bin/sh");
}

TEST(KernelCmdline, EachBootFileFormat) {
  struct Case {
    const char* name;
    const char* text;
    std::size_t line;
    const char* cmdline;
  } cases[] = {
      {"extlinux.conf", "label l\n  kernel /Image\n  APPEND root=/dev/sda1 nokaslr\n", 3, "root=/dev/sda1 nokaslr"},
      {"grub.cfg", "menuentry 'x' {\n\tlinux\t/vmlinuz-6.1 root=UUID=1 ro quiet\n}\n", 2, "root=UUID=1 ro quiet"},
      {"grub", "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet mitigations=off\"\n", 2, "quiet mitigations=off"},
      {"cmdline.txt", "console=serial0,115200 root=/dev/mmcblk0p2\n", 1, "console=serial0,115200 root=/dev/mmcblk0p2"},
      {"uEnv.txt", "fdtfile=x.dtb\nbootargs=console=ttyS0 selinux=0\n", 2, "console=ttyS0 selinux=0"},
      {"boot.cmd", "setenv bootargs \"console=ttyS2 root=/dev/mmcblk1p2\"\nbootz\n", 1,
       "console=ttyS2 root=/dev/mmcblk1p2"},
  };
  for (const auto& c : cases) {
    auto got = cmdlines_in_file(c.name, c.text, "/f");
    ASSERT_EQ(got.size(), 1u) << c.name;
    EXPECT_EQ(got[0].line, c.line) << c.name;
    EXPECT_EQ(got[0].text, c.cmdline) << c.name;
  }
}

TEST(KernelCmdline, FailWarnPassAndConfigCmdline) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/boot/extlinux/extlinux.conf",
                          "label a\n  append root=/dev/mmcblk0p2 init=/bin/sh enforcing=0 lockdown=none\n")
                  .ok());
  ASSERT_TRUE(v->add_file("/boot/cmdline.txt", "console=ttyAMA0,115200 loglevel=8 root=/dev/mmcblk0p2\n").ok());
  ASSERT_TRUE(v->add_file("/boot/config-5.10.0", "CONFIG_ARM64=y\nCONFIG_CMDLINE=\"console=tty1 quiet\"\n").ok());
  Scan s(v);
  std::map<std::string, const Finding*> by_subject;
  for (const auto& f : s.out.findings) {
    if (f.check == "boot-kernel-cmdline") by_subject[f.subject] = &f;
  }
  ASSERT_EQ(by_subject.size(), 3u);
  const Finding* ext = by_subject["/boot/extlinux/extlinux.conf:2"];
  ASSERT_NE(ext, nullptr);
  EXPECT_EQ(ext->status, Status::kFail);
  ASSERT_EQ(ext->evidence.size(), 3u);
  EXPECT_EQ(ext->evidence[0].observed, "init=/bin/sh");
  EXPECT_EQ(ext->evidence[1].observed, "enforcing=0");
  EXPECT_EQ(ext->evidence[2].observed, "lockdown=none");
  ASSERT_NE(by_subject["/boot/cmdline.txt:1"], nullptr);
  EXPECT_EQ(by_subject["/boot/cmdline.txt:1"]->status, Status::kWarn);
  ASSERT_NE(by_subject["/boot/config-5.10.0:2"], nullptr);
  EXPECT_EQ(by_subject["/boot/config-5.10.0:2"]->status, Status::kPass);
}

TEST(KernelCmdline, NoneFoundIsInconclusive) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/etc/hostname", "x\n").ok());
  Scan s(v);
  EXPECT_EQ(s.only("boot-kernel-cmdline").status, Status::kInconclusive);
}

}  // namespace
}  // namespace fwcert::analyzers::kernel

namespace fwcert::analyzers::kernel {
namespace {

TEST(KernelSysctl, SysrqDefaultComesFromTheConfig) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/boot/config-6.1.0",
                          "CONFIG_X86_64=y\nCONFIG_MAGIC_SYSRQ=y\n"
                          "CONFIG_MAGIC_SYSRQ_DEFAULT_ENABLE=0x01b6\n")
                  .ok());
  ASSERT_TRUE(v->add_dir("/etc").ok());
  Scan s(v);
  const Fact* f = s.fact("sysctl:kernel.sysrq", "sysctl.value");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(std::get<std::string>(f->value), "0x01b6");
  EXPECT_NE(f->source.observed.find("CONFIG_MAGIC_SYSRQ_DEFAULT_ENABLE"), std::string::npos) << f->source.observed;
}

}  // namespace
}  // namespace fwcert::analyzers::kernel
