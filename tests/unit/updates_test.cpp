// The updates analyzer over rootfs trees holding real configuration files of each update
// agent, each check on both sides: RAUC keyrings (a certificate made by openssl), SWUpdate
// keys and build support, Mender verification keys and server URLs, OSTree remotes, Android
// build tags, opkg/apt feeds, and update scripts that download and flash.

#include "analyzers/updates/updates.hpp"

#include <gtest/gtest.h>

#include "analyzers/updates/parse.hpp"
#include "boot_support.hpp"

namespace fwcert {
namespace {

using test::AnalyzerScan;
namespace up = analyzers::updates;

std::shared_ptr<vfs::MemoryVfs> tree() { return std::make_shared<vfs::MemoryVfs>(); }

std::string certificate(const std::string& cn) {
  test::TempDir d;
  auto r = test::run("cd " + test::shell_quote(d.path()) +
                     " && openssl req -batch -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -days 365 -subj " +
                     test::shell_quote("/CN=" + cn) + " 2>/dev/null");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return test::read_file(d / "c.pem");
}

TEST(UpdatesParse, IniLibconfigFeedsAndScripts) {
  auto ini = up::parse_ini("[system]\ncompatible=x\n[keyring]\npath = ca.cert.pem\n# c\nallow-partial-chain=true\n");
  ASSERT_EQ(ini.size(), 3u);
  EXPECT_EQ(ini[2].find("path")->value, "ca.cert.pem");
  EXPECT_EQ(ini[2].find("allow-partial-chain")->line, 6u);
  auto pairs = up::parse_libconfig_pairs("globals :\n{\n  verbose = true;\n  public-key-file = \"/etc/k.pem\";\n};\n");
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[1].key, "public-key-file");
  EXPECT_EQ(pairs[1].value, "/etc/k.pem");
  EXPECT_EQ(pairs[1].line, 4u);
  auto opkg = up::parse_opkg_conf("src/gz core http://downloads.example/core\noption check_signature\n");
  ASSERT_EQ(opkg.feeds.size(), 1u);
  EXPECT_TRUE(opkg.check_signature);
  EXPECT_FALSE(up::parse_opkg_conf("option check_signature 0\n").check_signature);
  auto apt =
      up::parse_apt_sources("deb [trusted=yes arch=arm64] http://x/debian bookworm main\ndeb https://y/ s c\n", false);
  ASSERT_EQ(apt.size(), 2u);
  EXPECT_TRUE(apt[0].trusted_without_signature);
  EXPECT_FALSE(apt[1].trusted_without_signature);
  auto d822 = up::parse_apt_sources("Types: deb\nURIs: http://z/\nSuites: s\nTrusted: yes\n", true);
  ASSERT_EQ(d822.size(), 1u);
  EXPECT_TRUE(d822[0].trusted_without_signature);
  auto s = up::scan_update_script(
      "#!/bin/sh\nwget -O /tmp/fw.bin http://fw.example/fw.bin\nmtd write /tmp/fw.bin firmware\n");
  EXPECT_TRUE(s.is_update_path());
  EXPECT_EQ(s.insecure.size(), 1u);
  EXPECT_TRUE(s.verifies.empty());
  auto v = up::scan_update_script(
      "curl -fo f https://x/f\nopenssl dgst -sha256 -verify k.pem -signature f.sig f\n"
      "dd if=f of=/dev/mmcblk0p2 bs=1M\n");
  EXPECT_TRUE(v.is_update_path());
  EXPECT_EQ(v.verifies.size(), 1u);
  EXPECT_TRUE(v.insecure.empty());
  EXPECT_FALSE(up::scan_update_script("dd if=/dev/zero of=/tmp/x\n").is_update_path());
}

TEST(Updates, NoMechanismFails) {
  auto v = tree();
  ASSERT_TRUE(v->add_file("/etc/hostname", "x\n").ok());
  {
    // Not a whole OS image: the updater may live in another artefact.
    AnalyzerScan s(v, &up::run);
    EXPECT_EQ(s.only("upd-agent-present").status, Status::kInconclusive);
  }
  ASSERT_TRUE(v->add_file("/bin/busybox",
                          "\x7f"
                          "ELF",
                          {0755, 0, 0, 0})
                  .ok());
  AnalyzerScan s(v, &up::run);
  EXPECT_EQ(s.only("upd-agent-present").status, Status::kFail);
  EXPECT_EQ(s.only("upd-rauc-signature").status, Status::kNotApplicable);
  EXPECT_EQ(s.only("upd-transport").status, Status::kInconclusive);
}

TEST(Updates, RaucKeyringPresentOrMissing) {
  auto v = tree();
  ASSERT_TRUE(v->add_file("/etc/rauc/system.conf",
                          "[system]\ncompatible=board\nbundle-formats=-plain\n[keyring]\npath=ca.cert.pem\n")
                  .ok());
  ASSERT_TRUE(v->add_file("/etc/rauc/ca.cert.pem", certificate("Board Production CA")).ok());
  {
    AnalyzerScan s(v, &up::run);
    const Finding& f = s.only("upd-rauc-signature");
    EXPECT_EQ(f.status, Status::kPass) << f.message;
    EXPECT_EQ(s.only("upd-agent-present").status, Status::kPass);
    EXPECT_NE(s.only("upd-agent-present").message.find("RAUC"), std::string::npos);
  }
  auto w = tree();
  ASSERT_TRUE(w->add_file("/etc/rauc/system.conf",
                          "[system]\ncompatible=board\n[keyring]\npath=/etc/rauc/missing.pem\n"
                          "allow-partial-chain=true\n")
                  .ok());
  AnalyzerScan s(w, &up::run);
  const Finding& f = s.only("upd-rauc-signature");
  EXPECT_EQ(f.status, Status::kFail);
  EXPECT_TRUE(s.evidence_has(f, "missing or empty"));
  EXPECT_EQ(f.evidence.at(0).line, 4u);
  // A keyring that is there but with risky options warns.
  ASSERT_TRUE(w->add_file("/etc/rauc/missing.pem", certificate("Board CA")).ok());
  AnalyzerScan s2(w, &up::run);
  const Finding& f2 = s2.only("upd-rauc-signature");
  EXPECT_EQ(f2.status, Status::kWarn);
  EXPECT_TRUE(s2.evidence_has(f2, "allow-partial-chain=true"));
}

TEST(Updates, SwupdateKeyAndBuildSupport) {
  auto v = tree();
  std::string binary = std::string(
                           "\x7f"
                           "ELF",
                           4) +
                       std::string(100, '\0') + "sw-description.sig" + std::string(50, '\0');
  ASSERT_TRUE(v->add_file("/usr/bin/swupdate", binary, {0755, 0, 0, 0}).ok());
  ASSERT_TRUE(v->add_file("/etc/swupdate.cfg",
                          "globals :\n{\n  verbose = true;\n};\nsuricatta :\n{\n  url = "
                          "\"https://hawkbit.example\";\n};\n")
                  .ok());
  {
    AnalyzerScan s(v, &up::run);
    EXPECT_EQ(s.only("upd-swupdate-signature").status, Status::kFail);  // no key given
  }
  ASSERT_TRUE(v->add_file("/lib/systemd/system/swupdate.service",
                          "[Service]\nExecStart=/usr/bin/swupdate -k /etc/swupdate/public.pem -u \"-t default\"\n")
                  .ok());
  {
    AnalyzerScan s(v, &up::run);
    const Finding& f = s.only("upd-swupdate-signature");
    EXPECT_EQ(f.status, Status::kPass) << f.message;
    EXPECT_EQ(s.only("upd-transport").status, Status::kPass);
  }
  // Without signed-image support in the binary the key does not help.
  auto w = tree();
  ASSERT_TRUE(w->add_file("/usr/bin/swupdate",
                          std::string("\x7f"
                                      "ELF",
                                      4) +
                              std::string(100, '\0'),
                          {0755, 0, 0, 0})
                  .ok());
  ASSERT_TRUE(w->add_file("/etc/swupdate.cfg", "globals :\n{\n  public-key-file = \"/etc/k.pem\";\n};\n").ok());
  AnalyzerScan s(w, &up::run);
  EXPECT_EQ(s.only("upd-swupdate-signature").status, Status::kFail);
}

TEST(Updates, MenderVerifyKeyServerUrlAndSkipVerify) {
  auto v = tree();
  ASSERT_TRUE(
      v->add_file(
           "/etc/mender/mender.conf",
           R"({"ServerURL": "https://hosted.mender.io", "ArtifactVerifyKey": "/etc/mender/artifact-verify-key.pem"})")
          .ok());
  ASSERT_TRUE(v->add_file("/etc/mender/artifact-verify-key.pem", "-----BEGIN PUBLIC KEY-----\nx\n").ok());
  {
    AnalyzerScan s(v, &up::run);
    EXPECT_EQ(s.only("upd-mender-signature").status, Status::kPass);
    EXPECT_EQ(s.only("upd-transport").status, Status::kPass);
  }
  auto w = tree();
  ASSERT_TRUE(
      w->add_file("/etc/mender/mender.conf", R"({"ServerURL": "http://mender.local", "SkipVerify": true})").ok());
  AnalyzerScan s(w, &up::run);
  const Finding& f = s.only("upd-mender-signature");
  EXPECT_EQ(f.status, Status::kFail);
  EXPECT_TRUE(s.evidence_has(f, "SkipVerify: true"));
  EXPECT_TRUE(s.evidence_has(f, "no ArtifactVerifyKey"));
  EXPECT_EQ(s.only("upd-transport").status, Status::kFail);
}

TEST(Updates, OstreeRemotes) {
  auto v = tree();
  ASSERT_TRUE(v->add_file("/etc/ostree/remotes.d/prod.conf",
                          "[remote \"prod\"]\nurl=https://ostree.example/repo\n"
                          "gpg-verify=true\n")
                  .ok());
  {
    AnalyzerScan s(v, &up::run);
    EXPECT_EQ(s.only("upd-ostree-signature").status, Status::kPass);
  }
  ASSERT_TRUE(
      v->add_file("/etc/ostree/remotes.d/dev.conf", "[remote \"dev\"]\nurl=http://10.0.0.1/repo\ngpg-verify=false\n")
          .ok());
  AnalyzerScan s(v, &up::run);
  const Finding& f = s.about("upd-ostree-signature", "dev.conf");
  EXPECT_EQ(f.status, Status::kFail);
  EXPECT_EQ(f.evidence.at(0).line, 3u);
}

TEST(Updates, AndroidBuildTags) {
  auto v = tree();
  ASSERT_TRUE(v->add_file("/system/build.prop", "ro.build.type=user\nro.build.tags=release-keys\n").ok());
  ASSERT_TRUE(v->add_file("/system/etc/security/otacerts.zip", "PK\x05\x06" + std::string(18, '\0')).ok());
  {
    AnalyzerScan s(v, &up::run);
    EXPECT_EQ(s.only("upd-android-ota-keys").status, Status::kPass);
    EXPECT_EQ(s.only("upd-agent-present").status, Status::kPass);
  }
  auto w = tree();
  ASSERT_TRUE(w->add_file("/system/build.prop", "ro.build.type=userdebug\nro.build.tags=test-keys\n").ok());
  AnalyzerScan s(w, &up::run);
  const Finding& f = s.only("upd-android-ota-keys");
  EXPECT_EQ(f.status, Status::kFail);
  EXPECT_EQ(f.evidence.at(0).observed, "ro.build.tags=test-keys");
  EXPECT_EQ(f.evidence.at(0).line, 2u);
}

TEST(Updates, PackageFeeds) {
  auto v = tree();
  ASSERT_TRUE(v->add_file("/etc/opkg/distfeeds.conf", "src/gz openwrt_core https://downloads.openwrt.org/core\n").ok());
  ASSERT_TRUE(v->add_file("/etc/opkg.conf", "dest root /\noption check_signature\n").ok());
  {
    AnalyzerScan s(v, &up::run);
    EXPECT_EQ(s.only("upd-package-feeds").status, Status::kPass);
  }
  auto w = tree();
  ASSERT_TRUE(
      w->add_file("/etc/apt/sources.list", "deb [trusted=yes] http://repo.example/debian bookworm main\n").ok());
  AnalyzerScan s(w, &up::run);
  const Finding& f = s.only("upd-package-feeds");
  EXPECT_EQ(f.status, Status::kFail);
  EXPECT_TRUE(s.evidence_has(f, "[trusted=yes]"));
  EXPECT_EQ(s.only("upd-transport").status, Status::kFail);
  auto x = tree();
  ASSERT_TRUE(x->add_file("/etc/apt/sources.list", "deb https://deb.debian.org/debian bookworm main\n").ok());
  ASSERT_TRUE(x->add_file("/etc/apt/apt.conf.d/99insecure", "APT::Get::AllowUnauthenticated \"true\";\n").ok());
  AnalyzerScan s3(x, &up::run);
  EXPECT_EQ(s3.only("upd-package-feeds").status, Status::kFail);
}

TEST(Updates, CustomUpdateScripts) {
  auto v = tree();
  ASSERT_TRUE(v->add_file("/usr/sbin/fw-update",
                          "#!/bin/sh\nset -e\nwget -O /tmp/fw.bin http://updates.example/fw.bin\n"
                          "flashcp -v /tmp/fw.bin /dev/mtd3\n",
                          {0755, 0, 0, 0})
                  .ok());
  {
    AnalyzerScan s(v, &up::run);
    const Finding& f = s.only("upd-custom-scripts");
    EXPECT_EQ(f.status, Status::kFail);
    EXPECT_EQ(f.evidence.at(0).line, 4u);
    EXPECT_EQ(s.only("upd-transport").status, Status::kFail);
    EXPECT_EQ(s.only("upd-agent-present").status, Status::kPass);
  }
  auto w = tree();
  ASSERT_TRUE(w->add_file("/usr/sbin/fw-update",
                          "#!/bin/sh\nset -e\ncurl -fsSo /tmp/fw.bin https://updates.example/fw.bin\n"
                          "curl -fsSo /tmp/fw.sig https://updates.example/fw.sig\n"
                          "usign -V -m /tmp/fw.bin -x /tmp/fw.sig -P /etc/opkg/keys\n"
                          "mtd write /tmp/fw.bin firmware\n",
                          {0755, 0, 0, 0})
                  .ok());
  AnalyzerScan s(w, &up::run);
  EXPECT_EQ(s.only("upd-custom-scripts").status, Status::kPass);
  EXPECT_EQ(s.only("upd-transport").status, Status::kPass);
}

// Debian 12's apt 2.6.2 ships /etc/apt/apt.conf.d/01autoremove in the nested braces form with
// '#' comments inside the braces (abridged here to its first two blocks, text as shipped).
constexpr const char* kApt01Autoremove = R"(APT
{
  NeverAutoRemove
  {
	"^firmware-linux.*";
	"^linux-firmware$";
  };

  VersionedKernelPackages
  {
	# kernels
	"linux-.*";
	# (out-of-tree) modules
	".*-modules";
  };
};
)";
// /etc/apt/apt.conf.d/20auto-upgrades as unattended-upgrades 2.9.1+nmu3 (Debian 12) writes it
// from /usr/share/unattended-upgrades/20auto-upgrades when automatic updates are enabled.
constexpr const char* kUu20AutoUpgrades =
    "APT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"1\";\n";
// /etc/apt/sources.list as debootstrap 1.0.128 writes it for `debootstrap bookworm ...
// http://deb.debian.org/debian` (no security suite: debootstrap adds none).
constexpr const char* kDebootstrapSources = "deb http://deb.debian.org/debian bookworm main\n";
constexpr const char* kDebian12OsRelease =
    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n"
    "VERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";

TEST(UpdatesParse, AptConfReadsBothSyntaxesListsCommentsAndClear) {
  auto o = up::parse_apt_conf(kApt01Autoremove);
  ASSERT_EQ(o.size(), 4u);
  EXPECT_EQ(o[0].key, "APT::NeverAutoRemove");
  EXPECT_EQ(o[0].value, "^firmware-linux.*");
  EXPECT_EQ(o[0].line, 5u);
  EXPECT_EQ(o[2].key, "APT::VersionedKernelPackages");
  EXPECT_EQ(o[3].value, ".*-modules");
  EXPECT_EQ(o[3].line, 14u);
  auto p = up::parse_apt_conf(
      "// comment \"x\";\nAPT::Periodic { Enable \"1\"; /* off? */ Unattended-Upgrade \"1\"; };\n"
      "APT { Periodic::Update-Package-Lists 0; };\n#clear APT::Periodic;\n");
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].key, "APT::Periodic::Enable");
  EXPECT_EQ(p[1].key, "APT::Periodic::Unattended-Upgrade");
  EXPECT_EQ(p[1].line, 2u);
  EXPECT_EQ(p[2].key, "APT::Periodic::Update-Package-Lists");
  EXPECT_EQ(p[2].value, "0");
  EXPECT_TRUE(p[3].clear);
  EXPECT_EQ(p[3].key, "APT::Periodic");
  EXPECT_TRUE(up::apt_true("TRUE"));
  EXPECT_FALSE(up::apt_true("0"));
}

TEST(UpdatesParse, AptSourcesSuitesTypesAndDisabledStanzas) {
  auto one = up::parse_apt_sources(
      "deb http://deb.debian.org/debian bookworm main\n# deb http://x/ bookworm-security main\n"
      "deb-src [allow-insecure=yes] http://deb.debian.org/debian bookworm main\n",
      false);
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(one[0].suites, std::vector<std::string>{"bookworm"});
  EXPECT_TRUE(one[1].source_only);
  EXPECT_TRUE(one[1].allow_insecure);
  // Debian 13's default /etc/apt/sources.list.d/debian.sources (two stanzas), and a disabled one.
  auto d = up::parse_apt_sources(
      "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie trixie-updates\nComponents: main\n"
      "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
      "Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: trixie-security\nComponents: main\n"
      "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
      "Enabled: no\nTypes: deb\nURIs: http://x/\nSuites: sid\n",
      true);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].suites, (std::vector<std::string>{"trixie", "trixie-updates"}));
  EXPECT_EQ(d[0].suites_line, 3u);
  EXPECT_EQ(d[1].suites, std::vector<std::string>{"trixie-security"});
}

TEST(Updates, SignedAptSourceOverHttpIsALowWarningUnsignedCleartextFailsWithItsCount) {
  auto v = tree();
  ASSERT_TRUE(v->add_file("/etc/apt/sources.list", kDebootstrapSources).ok());
  {
    AnalyzerScan s(v, &up::run);
    const Finding& f = s.only("upd-transport");
    EXPECT_EQ(f.status, Status::kWarn);
    EXPECT_TRUE(f.severity_override);
    EXPECT_EQ(f.severity, Severity::kLow);
    EXPECT_NE(f.message.find("signed Release file"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("only leaks which packages are fetched"), std::string::npos) << f.message;
    EXPECT_EQ(f.message.rfind("1 package source(s)", 0), 0u) << f.message;
  }
  // AllowInsecureRepositories turns the Release signature check off for every source.
  ASSERT_TRUE(v->add_file("/etc/apt/apt.conf.d/99insecure", "Acquire { AllowInsecureRepositories \"true\"; };\n").ok());
  ASSERT_TRUE(
      v->add_file("/etc/apt/sources.list.d/vendor.list", "deb [trusted=yes] http://vendor.example/apt bookworm main\n")
          .ok());
  AnalyzerScan s(v, &up::run);
  const Finding& f = s.only("upd-transport");
  EXPECT_EQ(f.status, Status::kFail);
  EXPECT_FALSE(f.severity_override);
  // The count is read before the evidence moves into the finding (it used to say "0").
  EXPECT_EQ(f.message.rfind("2 update download(s)", 0), 0u) << f.message;
  EXPECT_EQ(f.evidence.size(), 2u);
  EXPECT_EQ(s.only("upd-package-feeds").status, Status::kFail);
}

TEST(Updates, SecuritySourceMissingFailsPresentPassesOtherManagersAreInconclusive) {
  auto v = tree();
  ASSERT_TRUE(v->add_file("/etc/os-release", kDebian12OsRelease).ok());
  ASSERT_TRUE(v->add_file("/etc/apt/sources.list", kDebootstrapSources).ok());
  {
    AnalyzerScan s(v, &up::run);
    const Finding& f = s.only("upd-security-source");
    EXPECT_EQ(f.status, Status::kFail);
    ASSERT_EQ(f.evidence.size(), 1u);
    EXPECT_EQ(f.evidence[0].path, "/etc/apt/sources.list");
    EXPECT_EQ(f.evidence[0].line, 1u);
    EXPECT_TRUE(s.evidence_has(f, "bookworm-security"));
  }
  // bookworm-updates is not the security suite.
  ASSERT_TRUE(
      v->add_file("/etc/apt/sources.list.d/updates.list", "deb http://deb.debian.org/debian bookworm-updates main\n")
          .ok());
  EXPECT_EQ(AnalyzerScan(v, &up::run).only("upd-security-source").status, Status::kFail);
  ASSERT_TRUE(v->add_file("/etc/apt/sources.list.d/security.sources",
                          "Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\n"
                          "Components: main\n")
                  .ok());
  {
    AnalyzerScan s(v, &up::run);
    const Finding& f = s.only("upd-security-source");
    EXPECT_EQ(f.status, Status::kPass);
    EXPECT_EQ(f.evidence.at(0).path, "/etc/apt/sources.list.d/security.sources");
    EXPECT_EQ(f.evidence.at(0).line, 3u);
  }
  // Debian 10 names it buster/updates; buster-security does not exist.
  auto old = tree();
  ASSERT_TRUE(old->add_file("/etc/apt/sources.list",
                            "deb http://deb.debian.org/debian buster main\n"
                            "deb http://security.debian.org/debian-security buster-security main\n")
                  .ok());
  EXPECT_EQ(AnalyzerScan(old, &up::run).only("upd-security-source").status, Status::kFail);
  ASSERT_TRUE(old->add_file("/etc/apt/sources.list",
                            "deb http://deb.debian.org/debian buster main\n"
                            "deb http://security.debian.org/debian-security buster/updates main\n")
                  .ok());
  EXPECT_EQ(AnalyzerScan(old, &up::run).only("upd-security-source").status, Status::kPass);
  auto ubuntu = tree();
  ASSERT_TRUE(ubuntu
                  ->add_file("/etc/apt/sources.list",
                             "deb http://archive.ubuntu.com/ubuntu jammy main\n"
                             "deb http://security.ubuntu.com/ubuntu jammy-security main\n")
                  .ok());
  EXPECT_EQ(AnalyzerScan(ubuntu, &up::run).only("upd-security-source").status, Status::kPass);
  auto unknown = tree();
  ASSERT_TRUE(unknown->add_file("/etc/apt/sources.list", "deb http://repo.example/ vendorrel main\n").ok());
  EXPECT_EQ(AnalyzerScan(unknown, &up::run).only("upd-security-source").status, Status::kInconclusive);
  auto opkg = tree();
  ASSERT_TRUE(opkg->add_file("/etc/opkg/distfeeds.conf", "src/gz core https://downloads.openwrt.org/core\n").ok());
  EXPECT_EQ(AnalyzerScan(opkg, &up::run).only("upd-security-source").status, Status::kInconclusive);
  auto none = tree();
  ASSERT_TRUE(none->add_file("/etc/hostname", "x\n").ok());
  EXPECT_EQ(AnalyzerScan(none, &up::run).only("upd-security-source").status, Status::kNotApplicable);
}

TEST(Updates, AptDailyAloneInstallsNothingUnattendedUpgradesDoes) {
  // What Debian 12's apt 2.6.2 installs: the timers enabled, cron.daily/apt-compat, 01autoremove.
  auto v = tree();
  ASSERT_TRUE(v->add_file("/etc/apt/sources.list", kDebootstrapSources).ok());
  ASSERT_TRUE(v->add_file("/etc/apt/apt.conf.d/01autoremove", kApt01Autoremove).ok());
  ASSERT_TRUE(v->add_file("/etc/cron.daily/apt-compat", "#!/bin/sh\nexec /usr/lib/apt/apt.systemd.daily\n").ok());
  ASSERT_TRUE(
      v->add_symlink("/etc/systemd/system/timers.target.wants/apt-daily.timer", "/lib/systemd/system/apt-daily.timer")
          .ok());
  ASSERT_TRUE(v->add_symlink("/etc/systemd/system/timers.target.wants/apt-daily-upgrade.timer",
                             "/lib/systemd/system/apt-daily-upgrade.timer")
                  .ok());
  {
    AnalyzerScan s(v, &up::run);
    const Finding& f = s.only("upd-auto-check");
    EXPECT_EQ(f.status, Status::kWarn);
    EXPECT_NE(f.message.find("nothing installs updates automatically"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("unattended-upgrades package is not installed"), std::string::npos) << f.message;
  }
  // The package's binary without the periodic setting still installs nothing.
  ASSERT_TRUE(v->add_file("/usr/bin/unattended-upgrade", "#!/usr/bin/python3\n", {0755, 0, 0, 0}).ok());
  EXPECT_EQ(AnalyzerScan(v, &up::run).only("upd-auto-check").status, Status::kWarn);
  ASSERT_TRUE(v->add_file("/etc/apt/apt.conf.d/20auto-upgrades", kUu20AutoUpgrades).ok());
  {
    AnalyzerScan s(v, &up::run);
    const Finding& f = s.only("upd-auto-check");
    EXPECT_EQ(f.status, Status::kPass);
    EXPECT_EQ(f.evidence.at(0).path, "/etc/apt/apt.conf.d/20auto-upgrades");
    EXPECT_EQ(f.evidence.at(0).line, 2u);
  }
  // A later file turns it off in the nested form; a ".disabled" file is not read by apt.
  ASSERT_TRUE(v->add_file("/etc/apt/apt.conf.d/99off.disabled", "APT::Periodic::Unattended-Upgrade \"0\";\n").ok());
  EXPECT_EQ(AnalyzerScan(v, &up::run).only("upd-auto-check").status, Status::kPass);
  ASSERT_TRUE(
      v->add_file("/etc/apt/apt.conf.d/99off", "APT {\n  Periodic {\n    Unattended-Upgrade \"0\";\n  };\n};\n").ok());
  {
    AnalyzerScan s(v, &up::run);
    const Finding& f = s.only("upd-auto-check");
    EXPECT_EQ(f.status, Status::kWarn);
    EXPECT_TRUE(s.evidence_has(f, "APT::Periodic::Unattended-Upgrade \"0\""));
  }
}

}  // namespace
}  // namespace fwcert
