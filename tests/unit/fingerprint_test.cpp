// The version fingerprints (sbom/fingerprint.hpp) on byte strings taken from Debian 12's own
// binaries (tests/systems/fingerprint_test.py holds the rules to the real packages of six
// architectures), misleading strings that must not count, and the components of a small tree.

#include "sbom/fingerprint.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/parallel.hpp"
#include "evidence/content.hpp"
#include "evidence/evidence.hpp"
#include "support/analyzer_run.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::sbom {
namespace {

using namespace std::string_literals;

const std::string kElf =
    "\x7f"
    "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0"s;

/// The (product, version) pairs read from `bytes` in an ELF file.
std::set<std::pair<std::string, std::string>> read(const std::string& bytes, bool elf = true) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& h : fingerprint_bytes((elf ? kElf : std::string()) + bytes, elf)) {
    out.insert({fingerprint_rules().at(h.rule).name, h.version});
  }
  return out;
}

using Found = std::set<std::pair<std::string, std::string>>;

TEST(Fingerprint, EveryRuleLoadsAndItsAnchorsCompileIntoTheContentPass) {
  const auto& rules = fingerprint_rules();
  EXPECT_GE(rules.size(), 27u);
  std::set<std::string> names;
  for (const auto& r : rules) {
    EXPECT_TRUE(names.insert(r.name).second) << "duplicate rule " << r.name;
    EXPECT_FALSE(r.anchors.empty()) << r.name;
    EXPECT_EQ(r.versions.size(), r.version_sources.size()) << r.name;
  }
  std::size_t anchors = 0;
  for (const auto& c : evidence::content::rules()) anchors += c.name.starts_with("fingerprint:");
  EXPECT_GE(anchors, rules.size());
  auto m = evidence::content::Matcher::compile();
  ASSERT_TRUE(m.ok()) << m.error().message;
}

// The strings below are as they stand in Debian 12's binaries (amd64 unless noted).
TEST(Fingerprint, ReadsTheUpstreamVersionOfEachProduct) {
  struct Case {
    std::string bytes, product, version;
  };
  const std::vector<Case> cases = {
      {"\0BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1)\0"s, "busybox", "1.35.0"},
      {"\0GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release version 2.36.\0"s, "glibc", "2.36"},
      {"nan\0/proc/self/fd/\0001.2.3\0Unsupported request %d\0musl libc (x86_64)\0"s, "musl", "1.2.3"},
      {"N/A\0OpenSSL 3.0.22 25 Aug 2026\0%s (Library: %s)\n\0"s, "openssl", "3.0.22"},
      {"\0OpenSSL 1.1.1w  11 Sep 2023\0OPENSSLDIR: \"/usr/lib/ssl\"\0"s, "openssl", "1.1.1w"},
      {"\0wolfSSL 5.5.4\0"s, "wolfssl", "5.5.4"},
      {"\0\0002.28.3\0mbed TLS 2.28.3\0"s, "mbedtls", "2.28.3"},
      {"\0OpenSSH_9.2p1 Debian-2+deb12u10\0"s, "openssh", "9.2p1"},
      {"\0SSH-2.0-dropbear_2022.83\0"s, "dropbear", "2022.83"},
      {"\0curl 7.88.1 (x86_64-pc-linux-gnu) %s\0"s, "curl", "7.88.1"},
      {"\0libcurl/7.88.1\0"s, "libcurl", "7.88.1"},
      {"\0lighttpd/1.4.69 (ssl) - a light and fast webserver\0"s, "lighttpd", "1.4.69"},
      {"\0nginx version: nginx/1.22.1\0"s, "nginx", "1.22.1"},
      {"\0dnsmasq-2.90\0"s, "dnsmasq", "2.90"},
      // hostapd: its version string before the usage text (arm64, armhf, mipsel) or after a
      // configuration error message (amd64, i386)
      {"configuration\0\0\0\0002.10\0\0\0\0hostapd v%s\nUser space daemon"s, "hostapd", "2.10"},
      {"interface\0\0Invalid BSS config identifier '%s'\0002.10\0IEEE 802.1X\0"s, "hostapd", "2.10"},
      {"\0wpa_supplicant v2.10\nCopyright (c) 2003-2022, Jouni Malinen\0"s, "wpa_supplicant", "2.10"},
      {"/etc/bluetooth\0005.66\0BlueZ %s\0%hhu.%hhu\0"s, "bluez", "5.66"},
      {"\0 deflate 1.2.13 Copyright 1995-2022 Jean-loup Gailly and Mark Adler \0"s, "zlib", "1.2.13"},
      {"\xf4\xc7\xf6\xff::20914\0\0\0\0\0xmlGetGlobalState: out of memory\n\0"s, "libxml2", "2.9.14"},
      {"\0expat_2.5.0\0"s, "expat", "2.5.0"},
      {"\0U-Boot 2023.01+dfsg-2+deb12u3 (Jun 22 2026 - 08:38:07 +0000)\0"s, "u-boot", "2023.01"},
      {"\0systemd 252 (252.39-1~deb12u2)\0"s, "systemd", "252.39"},
      {"\0systemd 255 (v255-rc1-12-gabc)\0"s, "systemd", "255"},
      {"\0util-linux 2.38.1\0"s, "util-linux", "2.38.1"},
      {"sudo_mode 0x%x\0Sudo version %s\n\0001.9.13p3\0Configure options: %s\n\0"s, "sudo", "1.9.13p3"},
      {"Authorizations\0"s + "122\0Started polkitd version %s\0"s, "polkit", "122"},
      {"\0avahi 0.8\0"s, "avahi", "0.8"},
      {"\0miniupnpd 2.3.1 Dec 21 2022\0"s, "miniupnpd", "2.3.1"},
      {"\0SAMBA_4.17.12_DEBIAN_SAMBA4\0"s, "samba", "4.17.12"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(read(c.bytes), (Found{{c.product, c.version}})) << c.product << ": " << c.bytes;
  }
}

TEST(Fingerprint, MisleadingStringsAreNoVersion) {
  // A requirement, not a version; a program built against OpenSSL names the headers' version
  // (hostapd, nginx) without holding OpenSSL's code.
  EXPECT_TRUE(read("\0OpenSSL 1.0.2 or later required\0OPENSSLDIR: x\0"s).empty());
  EXPECT_TRUE(read("Cipher %d: %s\0OpenSSL 3.0.16 11 Feb 2025\0OpenSSL build=%s run=%s\0"s).empty());
  // OpenSSH's compatibility table of peers' versions; the short form beside the full one.
  EXPECT_TRUE(read("\0OpenSSH_7.4*\0OpenSSH_6.5*,OpenSSH_6.6*\0OpenSSH_3.*\0"s).empty());
  EXPECT_EQ(read("\0OpenSSH_9.2\0OpenSSH_9.2p1\0OpenSSH_9.2p1 Debian-2\0"s), (Found{{"openssh", "9.2p1"}}));
  // The version of /proc/self/fd/ only counts in musl.
  EXPECT_TRUE(read("\0/proc/self/fd/\0001.2.3\0"s).empty());
  // A version string in a file that is not ELF is not a component of it; U-Boot's images are
  // not ELF, so its rule reads any binary.
  EXPECT_TRUE(read("\0SSH-2.0-dropbear_2022.83\0"s, false).empty());
  EXPECT_EQ(read("\0U-Boot 2023.10 (Oct 02 2023)\0"s, false), (Found{{"u-boot", "2023.10"}}));
  // Not a version: too long, not starting with a digit.
  EXPECT_TRUE(read("\0dnsmasq-" + std::string(40, '1') + "\0"s).empty());
}

TEST(Fingerprint, OneFileMayHoldSeveralProducts) {
  auto found = read(
      "\0BusyBox v1.36.1 (2023-05-18)\0GNU C Library (GNU libc) stable release version 2.37.\0"
      "\0curl 8.5.0 (x86_64-pc-linux-gnu) %s\0libcurl/8.5.0\0OpenSSL 3.2.1 30 Jan 2024\0OPENSSLDIR: x\0"s);
  EXPECT_EQ(
      found,
      (Found{{"busybox", "1.36.1"}, {"glibc", "2.37"}, {"curl", "8.5.0"}, {"libcurl", "8.5.0"}, {"openssl", "3.2.1"}}));
  // The version's offset is the first byte of the version in the input.
  std::string bytes = kElf + "xx\0SSH-2.0-dropbear_2022.83\0"s;
  auto hits = fingerprint_bytes(bytes, true);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].offset, bytes.find("2022.83"));
  EXPECT_EQ(hits[0].observed, "SSH-2.0-dropbear_2022.83");
}

TEST(Fingerprint, PurlAndCpe) {
  EXPECT_EQ(generic_purl("openssh", "9.2p1"), "pkg:generic/openssh@9.2p1");
  EXPECT_EQ(generic_purl("x", "1.0+git"), "pkg:generic/x@1.0%2Bgit");
  EXPECT_EQ(cpe23("openbsd", "openssh", "9.2p1"), "cpe:2.3:a:openbsd:openssh:9.2p1:*:*:*:*:*:*:*");
  EXPECT_EQ(cpe23("a", "b", "1.0+x"), "cpe:2.3:a:a:b:1.0\\+x:*:*:*:*:*:*:*");
}

class Components : public ::testing::Test {
 protected:
  std::vector<Component> scan(const std::shared_ptr<vfs::MemoryVfs>& v) {
    run_.walk(v);
    parallel::Pool pool(1);
    evidence::Evidence ev(run_.inv, pool);
    std::vector<Component> out;
    properties_.clear();
    for (auto& fc : fingerprint_components(ev, 0)) {
      out.push_back(fc.component);
      properties_.push_back(fc.properties);
    }
    return out;
  }
  std::vector<std::vector<std::pair<std::string, std::string>>> properties_;
  test::AnalyzerRun run_;
};

TEST_F(Components, OnePerProductAndVersionWithEveryFileAndTheFirstAsEvidence) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  std::string dropbear = kElf + std::string(100, 'x') + "\0SSH-2.0-dropbear_2022.83\0"s;
  ASSERT_TRUE(v->add_file("/usr/sbin/dropbear", dropbear).ok());
  ASSERT_TRUE(v->add_file("/usr/bin/dbclient", kElf + "\0SSH-2.0-dropbear_2022.83\0"s).ok());
  ASSERT_TRUE(v->add_file("/usr/bin/old", kElf + "\0SSH-2.0-dropbear_2020.81\0"s).ok());
  // Text that names a version is documentation, not a component.
  ASSERT_TRUE(v->add_file("/usr/share/doc/README", "Built with OpenSSH_9.2p1 and SSH-2.0-dropbear_2019.78\n").ok());
  auto busybox = kElf + "\0BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1)\0"s +
                 "\0[\0[[\0acpid\0ash\0cat\0chgrp\0chmod\0chown\0chroot\0cp\0date\0dd\0echo\0ls\0\0/var/log\0"s +
                 "GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release version 2.36.\0"s;
  ASSERT_TRUE(v->add_file("/bin/busybox", busybox).ok());
  auto cs = scan(v);
  ASSERT_EQ(cs.size(), 4u);
  EXPECT_EQ(cs[0].name, "busybox");
  ASSERT_EQ(properties_[0].size(), 1u);
  EXPECT_EQ(properties_[0][0].first, "fwcert:busybox:applets");
  EXPECT_EQ(properties_[0][0].second, "[ [[ acpid ash cat chgrp chmod chown chroot cp date dd echo ls");
  const Component& d = cs[1];
  EXPECT_EQ(d.name, "dropbear");
  EXPECT_EQ(d.version, "2020.81");
  EXPECT_EQ(cs[2].name, "dropbear");
  EXPECT_EQ(cs[2].version, "2022.83");
  EXPECT_EQ(cs[2].files, (std::vector<std::string>{"/usr/bin/dbclient", "/usr/sbin/dropbear"}));
  EXPECT_EQ(cs[2].evidence.path, "/usr/bin/dbclient");  // the first in inventory order
  EXPECT_EQ(cs[2].evidence.offset, std::optional<std::uint64_t>(kElf.size() + 18));
  EXPECT_EQ(cs[2].evidence.observed, "SSH-2.0-dropbear_2022.83");
  EXPECT_EQ(cs[2].ecosystem, "generic");
  EXPECT_EQ(cs[2].found_by, "fingerprint");
  EXPECT_EQ(cs[2].purl, "pkg:generic/dropbear@2022.83");
  EXPECT_EQ(cs[2].cpe, "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2022.83:*:*:*:*:*:*:*");
  EXPECT_EQ(cs[3].name, "glibc");
  EXPECT_EQ(cs[3].files, (std::vector<std::string>{"/bin/busybox"}));
}

TEST_F(Components, TheKernelVersionComesFromTheKernelEvidence) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/boot/vmlinux", kElf + "\0Linux version 6.1.76 (builder@host) (gcc 12.2.0) #1 SMP\n"s).ok());
  auto cs = scan(v);
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].name, "linux");
  EXPECT_EQ(cs[0].version, "6.1.76");
  EXPECT_EQ(cs[0].cpe, "cpe:2.3:o:linux:linux_kernel:6.1.76:*:*:*:*:*:*:*");
  EXPECT_EQ(cs[0].evidence.path, "/boot/vmlinux");
}

}  // namespace
}  // namespace fwcert::sbom
