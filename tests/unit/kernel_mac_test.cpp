// mac-selinux, mac-apparmor, mac-enforced and crypto-hw-engine, crypto-hw-rng over in-memory
// trees: each way SELinux or AppArmor is switched off or left permissive, coverage of
// network-facing programs by AppArmor profiles, and crypto options of real Debian configs.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "analyzers/kernel/kernel.hpp"
#include "analyzers/kernel/mac_parse.hpp"
#include "inventory/inventory.hpp"
#include "support/analyzer_run.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::kernel {
using namespace formats::kernel;
namespace {

struct Scan {
  inventory::Inventory inv;
  Output out;
  explicit Scan(std::shared_ptr<vfs::MemoryVfs> v) {
    std::vector<Diagnostic> diags;
    inv.walk(inv.add_filesystem({"", "memory", 0, "", 0, v}), diags);
    inv.finish();
    ScanOptions o;
    o.assessment_date = "2025-01-01";
    out = run(Context{inv, test::analyzer_options(o)});
  }
  const Finding& only(std::string_view check) const {
    const Finding* found = nullptr;
    for (const auto& f : out.findings) {
      if (f.check == check) {
        EXPECT_EQ(found, nullptr) << "more than one " << check;
        found = &f;
      }
    }
    EXPECT_NE(found, nullptr) << check;
    static const Finding kNone;
    return found ? *found : kNone;
  }
  bool evidence_has(std::string_view check, std::string_view text) const {
    for (const auto& e : only(check).evidence) {
      if (e.observed.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

constexpr const char* kSelinuxKernel =
    "CONFIG_ARM64=y\nCONFIG_SECURITY=y\nCONFIG_SECURITY_SELINUX=y\nCONFIG_LSM=\"landlock,lockdown,yama,selinux\"\n";
constexpr const char* kAppArmorKernel =
    "CONFIG_ARM64=y\nCONFIG_SECURITY=y\nCONFIG_SECURITY_APPARMOR=y\nCONFIG_LSM=\"landlock,lockdown,yama,apparmor\"\n";

std::shared_ptr<vfs::MemoryVfs> tree(const std::map<std::string, std::string>& files) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  for (const auto& [path, text] : files) {
    vfs::FileMeta meta;
    if (path.find("bin/") != std::string::npos) meta.mode = 0755;
    EXPECT_TRUE(v->add_file(path, text, meta).ok()) << path;
  }
  return v;
}

std::map<std::string, std::string> selinux_enforcing() {
  return {{"/etc/selinux/config", "# comment\nSELINUX=enforcing\nSELINUXTYPE=targeted\n"},
          {"/etc/selinux/targeted/policy/policy.33", "policy bytes"},
          {"/boot/config-6.1.0", kSelinuxKernel}};
}

TEST(MacParse, SelinuxConfigAndPermissiveDomains) {
  auto c = parse_selinux_config("SELINUX=Permissive\n# x\nSELINUXTYPE=\"mls\"\nnonsense\n");
  EXPECT_EQ(c.mode, "permissive");
  EXPECT_EQ(c.mode_line, 1u);
  EXPECT_EQ(c.type, "mls");
  ASSERT_EQ(c.diagnostics.size(), 1u);
  EXPECT_EQ(c.diagnostics[0].first, 4u);
  auto d = find_permissive_domains("(type foo)\n(typepermissive su)\npermissive init_t;\n(typepermissive )\n");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].domain, "su");
  EXPECT_EQ(d[0].line, 2u);
  EXPECT_EQ(d[1].domain, "init_t");
}

TEST(MacParse, AppArmorHeadersAndGlobs) {
  auto f = parse_apparmor_profiles(
      "#include <tunables/global>\n@{exec} = /usr/sbin/ntpd /usr/bin/x\n"
      "profile ntpd @{exec} flags=(attach_disconnected, complain) {\n  /etc/{a,b} r,\n  ^hat {\n  }\n}\n"
      "/usr/sbin/dnsmasq {\n  network inet,\n}\nprofile named-only {\n}\n\"/opt/my app/bin/d\" flags=(unconfined) "
      "{\n}\n");
  ASSERT_EQ(f.profiles.size(), 4u);
  EXPECT_EQ(f.profiles[0].name, "ntpd");
  EXPECT_EQ(f.profiles[0].attachment, "/usr/sbin/ntpd");
  EXPECT_TRUE(f.profiles[0].is_complain());
  EXPECT_EQ(f.profiles[0].line, 3u);
  EXPECT_EQ(f.profiles[1].attachment, "/usr/sbin/dnsmasq");
  EXPECT_FALSE(f.profiles[1].is_complain());
  EXPECT_EQ(f.profiles[2].attachment, "");
  EXPECT_EQ(f.profiles[3].attachment, "/opt/my app/bin/d");
  EXPECT_TRUE(f.profiles[3].is_unconfined());
  EXPECT_TRUE(apparmor_glob_match("/usr/{s,}bin/sshd", "/usr/sbin/sshd"));
  EXPECT_TRUE(apparmor_glob_match("/usr/{s,}bin/sshd", "/usr/bin/sshd"));
  EXPECT_TRUE(apparmor_glob_match("/usr/sbin/*", "/usr/sbin/dropbear"));
  EXPECT_FALSE(apparmor_glob_match("/usr/*", "/usr/sbin/dropbear"));
  EXPECT_TRUE(apparmor_glob_match("/usr/**", "/usr/sbin/dropbear"));
  EXPECT_TRUE(apparmor_glob_match("/bin/[bd]ash", "/bin/dash"));
  EXPECT_FALSE(apparmor_glob_match("/bin/[^bd]ash", "/bin/dash"));
  EXPECT_FALSE(apparmor_glob_match(std::string(200, '*') + "x", std::string(4000, 'a')));  // bounded, no match
}

TEST(MacSelinux, EnforcingWithPolicyAndKernelPasses) {
  Scan s(tree(selinux_enforcing()));
  EXPECT_EQ(s.only("mac-selinux").status, Status::kPass) << s.only("mac-selinux").message;
  EXPECT_EQ(s.only("mac-apparmor").status, Status::kNotApplicable);
  EXPECT_EQ(s.only("mac-enforced").status, Status::kPass);
}

TEST(MacSelinux, EachWayOfSwitchingItOff) {
  struct Case {
    const char* what;
    std::map<std::string, std::string> change;
    const char* observed;
    Status status;
  } cases[] = {
      {"permissive config",
       {{"/etc/selinux/config", "SELINUX=permissive\nSELINUXTYPE=targeted\n"}},
       "SELINUX=permissive",
       Status::kFail},
      {"no policy", {{"/etc/selinux/targeted/policy/policy.33", ""}}, "SELINUXTYPE=targeted", Status::kFail},
      {"kernel without SELinux",
       {{"/boot/config-6.1.0", "CONFIG_ARM64=y\n# CONFIG_SECURITY_SELINUX is not set\n"}},
       "CONFIG_SECURITY_SELINUX is not set",
       Status::kFail},
      {"LSM order",
       {{"/boot/config-6.1.0", "CONFIG_ARM64=y\nCONFIG_SECURITY_SELINUX=y\nCONFIG_LSM=\"yama\"\n"}},
       "CONFIG_LSM=\"yama\"",
       Status::kFail},
      {"cmdline selinux=0", {{"/boot/cmdline.txt", "root=/dev/mmcblk0p2 selinux=0\n"}}, "selinux=0", Status::kFail},
      {"cmdline enforcing=0",
       {{"/boot/extlinux/extlinux.conf", "label a\n  append enforcing=0\n"}},
       "enforcing=0",
       Status::kFail},
      {"permissive domain",
       {{"/etc/selinux/targeted/cil/local.cil", "(typepermissive httpd_t)\n"}},
       "permissive domain httpd_t",
       Status::kFail},
      {"develop switch",
       {{"/boot/config-6.1.0", std::string(kSelinuxKernel) + "CONFIG_SECURITY_SELINUX_DEVELOP=y\n"}},
       "CONFIG_SECURITY_SELINUX_DEVELOP=y",
       Status::kWarn},
  };
  for (const auto& c : cases) {
    auto files = selinux_enforcing();
    for (const auto& [p, t] : c.change) files[p] = t;
    if (std::string(c.what) == "no policy") files.erase("/etc/selinux/targeted/policy/policy.33");
    Scan s(tree(files));
    EXPECT_EQ(s.only("mac-selinux").status, c.status) << c.what << ": " << s.only("mac-selinux").message;
    EXPECT_TRUE(s.evidence_has("mac-selinux", c.observed)) << c.what;
    EXPECT_EQ(s.only("mac-enforced").status, c.status == Status::kWarn ? Status::kWarn : Status::kFail) << c.what;
  }
}

TEST(MacSelinux, AndroidPolicyAndNoKernelConfig) {
  Scan android(tree({{"/system/etc/selinux/plat_sepolicy.cil", "(type init)\n(typepermissive su)\n"}}));
  EXPECT_EQ(android.only("mac-selinux").status, Status::kFail);
  EXPECT_TRUE(android.evidence_has("mac-selinux", "permissive domain su"));
  Scan no_kernel(tree({{"/system/etc/selinux/plat_sepolicy.cil", "(type init)\n"}}));
  EXPECT_EQ(no_kernel.only("mac-selinux").status, Status::kInconclusive);
  EXPECT_EQ(no_kernel.only("mac-enforced").status, Status::kInconclusive);
  Scan prop(tree({{"/system/etc/selinux/plat_sepolicy.cil", "(type init)\n"},
                  {"/default.prop", "ro.secure=1\nro.boot.selinux=permissive\n"}}));
  EXPECT_EQ(prop.only("mac-selinux").status, Status::kFail);
}

std::map<std::string, std::string> apparmor_image() {
  return {{"/etc/apparmor.d/usr.sbin.dnsmasq", "/usr/sbin/dnsmasq {\n  network inet,\n}\n"},
          {"/etc/apparmor.d/sshd", "profile sshd /usr/{s,}bin/sshd {\n}\n"},
          {"/etc/apparmor.d/tunables/global", "@{HOME}=/home/\n"},
          {"/usr/sbin/dnsmasq",
           "\x7f"
           "ELF"},
          {"/usr/sbin/sshd",
           "\x7f"
           "ELF"},
          {"/usr/bin/ls",
           "\x7f"
           "ELF"},
          {"/boot/config-6.1.0", kAppArmorKernel}};
}

TEST(MacAppArmor, EnforcingProfilesForEveryNetworkDaemonPass) {
  Scan s(tree(apparmor_image()));
  const Finding& f = s.only("mac-apparmor");
  EXPECT_EQ(f.status, Status::kPass) << f.message;
  EXPECT_NE(f.message.find("2 profiles in /etc/apparmor.d, 2 enforcing; 2 network-facing programs"), std::string::npos)
      << f.message;
  EXPECT_EQ(s.only("mac-selinux").status, Status::kNotApplicable);
  EXPECT_EQ(s.only("mac-enforced").status, Status::kPass);
}

TEST(MacAppArmor, UncoveredComplainDisabledAndKernelOff) {
  {
    auto files = apparmor_image();
    files["/usr/sbin/telnetd"] =
        "\x7f"
        "ELF";
    Scan s(tree(files));
    EXPECT_EQ(s.only("mac-apparmor").status, Status::kFail);
    EXPECT_TRUE(s.evidence_has("mac-apparmor", "network-facing telnetd has no AppArmor profile"));
  }
  {
    auto files = apparmor_image();
    files["/etc/apparmor.d/sshd"] = "profile sshd /usr/sbin/sshd flags=(complain) {\n}\n";
    Scan s(tree(files));
    EXPECT_EQ(s.only("mac-apparmor").status, Status::kFail);
    EXPECT_TRUE(s.evidence_has("mac-apparmor", "is in complain mode"));
  }
  {
    auto files = apparmor_image();
    files["/etc/apparmor.d/disable/usr.sbin.dnsmasq"] = "";
    Scan s(tree(files));
    EXPECT_TRUE(s.evidence_has("mac-apparmor", "is in disabled mode"));
  }
  {
    auto files = apparmor_image();
    files["/boot/cmdline.txt"] = "root=/dev/mmcblk0p2 apparmor=0\n";
    Scan s(tree(files));
    EXPECT_EQ(s.only("mac-apparmor").status, Status::kFail);
    EXPECT_TRUE(s.evidence_has("mac-apparmor", "apparmor=0"));
    EXPECT_EQ(s.only("mac-enforced").status, Status::kFail);
  }
  {
    auto files = apparmor_image();
    files.erase("/boot/config-6.1.0");
    Scan s(tree(files));
    EXPECT_EQ(s.only("mac-apparmor").status, Status::kInconclusive);
  }
}

TEST(MacAppArmor, OnlyProgramsAServiceStartedAtBootRunsMustBeConfined) {
  // The shared service evidence decides: BusyBox init starts sshd; dnsmasq and telnetd are on
  // disk but nothing starts them, so they need no profile.
  auto files = apparmor_image();
  files["/usr/sbin/telnetd"] =
      "\x7f"
      "ELF";
  files["/etc/inittab"] = "::respawn:/usr/sbin/sshd -D\n";
  Scan s(tree(files));
  const Finding& f = s.only("mac-apparmor");
  EXPECT_EQ(f.status, Status::kPass) << f.message;
  EXPECT_NE(f.message.find("1 network-facing programs started, 2 more present that no service started at boot runs"),
            std::string::npos)
      << f.message;
  // Started through inetd, telnetd must be confined.
  files["/etc/inittab"] = "::respawn:/usr/sbin/sshd -D\n::respawn:/usr/sbin/inetd -f\n";
  files["/usr/sbin/inetd"] =
      "\x7f"
      "ELF";
  files["/etc/inetd.conf"] = "telnet stream tcp nowait root /usr/sbin/telnetd telnetd\n";
  Scan t(tree(files));
  EXPECT_EQ(t.only("mac-apparmor").status, Status::kFail);
  EXPECT_TRUE(t.evidence_has("mac-apparmor", "network-facing telnetd has no AppArmor profile"));
}

TEST(MacEnforced, NoOperatingSystemFilesIsInconclusive) {
  // A kernel image or a data partition alone: no /etc, so no evidence either way.
  Scan s(tree({{"/boot/config-6.1.0", "CONFIG_ARM64=y\n"}, {"/data/x", "y"}}));
  EXPECT_EQ(s.only("mac-selinux").status, Status::kInconclusive);
  EXPECT_EQ(s.only("mac-apparmor").status, Status::kInconclusive);
  EXPECT_EQ(s.only("mac-enforced").status, Status::kInconclusive);
}

TEST(MacEnforced, NothingAtAllFails) {
  Scan s(tree({{"/etc/hostname", "x\n"}, {"/boot/config-6.1.0", "CONFIG_ARM64=y\n"}}));
  EXPECT_EQ(s.only("mac-selinux").status, Status::kNotApplicable);
  EXPECT_EQ(s.only("mac-apparmor").status, Status::kNotApplicable);
  EXPECT_EQ(s.only("mac-enforced").status, Status::kFail);
}

std::string fixture(const std::string& name) {
  return test::read_file(test::source_dir() + "/tests/fixtures/kernel/" + name);
}

TEST(CryptoHw, RealDebianCloudConfigHasAesNiAndShaButNoRngDriver) {
  // Debian's cloud-amd64 6.1 kernel: AES-NI and the SHA-256/512 SSSE3/AVX glue are modules; the
  // only hwrng drivers are virtio and TPM, which are not the device's own.
  Scan s(tree({{"/boot/config-6.1.0-56-cloud-amd64", fixture("debian-6.1.0-56-cloud-amd64.config")}}));
  const Finding& e = s.only("crypto-hw-engine");
  EXPECT_EQ(e.status, Status::kPass) << e.message;
  EXPECT_TRUE(s.evidence_has("crypto-hw-engine", "CONFIG_CRYPTO_AES_NI_INTEL=m"));
  EXPECT_TRUE(s.evidence_has("crypto-hw-engine", "CONFIG_CRYPTO_SHA256_SSSE3=m"));
  const Finding& r = s.only("crypto-hw-rng");
  EXPECT_EQ(r.status, Status::kPass) << r.message;  // RANDOM_TRUST_CPU credits RDRAND
  EXPECT_TRUE(s.evidence_has("crypto-hw-rng", "CONFIG_RANDOM_TRUST_CPU=y"));
}

TEST(CryptoHw, SocEngineAndRngPassSoftwareOnlyWarnsNoConfigInconclusive) {
  Scan soc(tree({{"/boot/config-6.1.0",
                  "CONFIG_ARM64=y\nCONFIG_CRYPTO_DEV_FSL_CAAM=y\nCONFIG_CRYPTO_DEV_FSL_CAAM_CRYPTO_API=y\n"
                  "CONFIG_CRYPTO_DEV_FSL_CAAM_AHASH_API=y\nCONFIG_CRYPTO_DEV_FSL_CAAM_PKC_API=y\n"
                  "CONFIG_HW_RANDOM=y\nCONFIG_HW_RANDOM_IMX_RNGC=y\n"},
                 {"/usr/sbin/rngd",
                  "\x7f"
                  "ELF"}}));
  EXPECT_EQ(soc.only("crypto-hw-engine").status, Status::kPass);
  EXPECT_NE(soc.only("crypto-hw-engine").message.find("RSA/ECC offload: CRYPTO_DEV_FSL_CAAM_PKC_API"),
            std::string::npos);
  EXPECT_EQ(soc.only("crypto-hw-rng").status, Status::kPass);
  EXPECT_NE(soc.only("crypto-hw-rng").message.find("rngd"), std::string::npos);

  Scan sw(tree({{"/boot/config-6.1.0",
                 "CONFIG_ARM64=y\nCONFIG_CRYPTO_AES_ARM64=y\nCONFIG_CRYPTO_SHA256_ARM64=y\n"
                 "CONFIG_CRYPTO_AES_ARM64_CE=y\nCONFIG_HW_RANDOM=y\nCONFIG_HW_RANDOM_VIRTIO=y\n"}}));
  const Finding& e = sw.only("crypto-hw-engine");
  EXPECT_EQ(e.status, Status::kWarn) << e.message;
  EXPECT_NE(e.message.find("SHA-2 only in software"), std::string::npos) << e.message;
  EXPECT_EQ(sw.only("crypto-hw-rng").status, Status::kWarn);

  Scan none(tree({{"/lib/modules/6.1.0/kernel/drivers/crypto/caam/caam.ko", "x"}}));
  EXPECT_EQ(none.only("crypto-hw-engine").status, Status::kInconclusive);
  EXPECT_NE(none.only("crypto-hw-engine").message.find("1 crypto or hwrng modules"), std::string::npos);
  EXPECT_EQ(none.only("crypto-hw-rng").status, Status::kInconclusive);
}

}  // namespace
}  // namespace fwcert::analyzers::kernel
