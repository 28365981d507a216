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

}  // namespace
}  // namespace fwcert
