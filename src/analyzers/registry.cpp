#include "analyzers/accounts/accounts.hpp"
#include "analyzers/analyzer.hpp"
#include "analyzers/avs/avs.hpp"
#include "analyzers/boot/boot.hpp"
#include "analyzers/elf/elf.hpp"
#include "analyzers/kernel/kernel.hpp"
#include "analyzers/os/os.hpp"
#include "analyzers/sbom/sbom.hpp"
#include "analyzers/secrets/secrets.hpp"
#include "analyzers/services/services.hpp"
#include "analyzers/system/system.hpp"
#include "analyzers/tls/tls.hpp"
#include "analyzers/updates/updates.hpp"
#include "assess/assess.hpp"
#include "vulns/checks.hpp"

namespace fwcert::analyzers {

std::span<const AnalyzerInfo> registry() {
  static const AnalyzerInfo kAnalyzers[] = {
      {"accounts", "passwd/shadow/group: empty and default passwords, hash strength, uid 0 and login shells",
       accounts::checks(), &accounts::run},
      {"avs", "AVS SDK: configuration, databases, Smart Screen websocket, SDK binaries, PKCS#11 key storage",
       avs::checks(), &avs::run},
      {"boot",
       "boot chain: U-Boot environment and console, FIT signatures and required keys, legacy images, dm-verity, "
       "module signing, lockdown, IMA, Android vbmeta",
       boot::checks(), &boot::run},
      {"elf",
       "ELF hardening: PIE, NX, RELRO, stack protector, FORTIFY, RPATH, CET/BTI, risky imports, module signatures",
       elf::checks(), &elf::run},
      {"kernel",
       "kernel version and config (/boot, config.gz, IKCONFIG), hardening rules, sysctl, command line, "
       "branch end of life, SELinux/AppArmor, hardware crypto and RNG, core dumps, kernel debug interfaces",
       kernel::checks(), &kernel::run},
      {"os",
       "distribution and release (os-release, OpenWrt, Yocto, Buildroot, Android), end of life of it and of "
       "OpenSSL, Python, Node.js, SQLite",
       os::checks(), &os::run},
      {"sbom",
       "software bill of materials: dpkg, opkg, apk and rpm databases with the files each package owns, the "
       "operating system from os-release; which ELF files no component accounts for",
       sbom::checks(), &sbom::run},
      {"secrets",
       "one content pass over every file: private keys (parsed to confirm), LWA tokens, API keys, Wi-Fi PSKs, "
       "passwords; key stores, encryption at rest",
       secrets::checks(), &secrets::run},
      {"services", "init systems, inetd, sshd: who each service runs as, legacy daemons, serial consoles, SSH",
       services::checks(), &services::run},
      {"system",
       "host hardening: setuid/setgid and capability files, permissions and mount options, read-only root, "
       "sudo/doas, PAM",
       system::checks(), &system::run},
      {"updates",
       "update agents (RAUC, SWUpdate, Mender, OSTree, Android OTA, opkg/apt feeds, custom scripts): signature "
       "verification and transport",
       updates::checks(), &updates::run},
      {"tls",
       "CA stores (Amazon roots, test and interception CAs, expiry), verification bypass, OpenSSL minimum protocol",
       tls::checks(), &tls::run},
  };
  return kAnalyzers;
}

std::map<std::string, std::string, std::less<>> implementers() {
  std::map<std::string, std::string, std::less<>> out;
  for (const auto& a : registry()) {
    for (auto id : a.checks) out.emplace(std::string(id), std::string(a.id));
  }
  // The process checks have no analyzer: the assessment stage judges them from the manifest.
  for (const auto& id : assess::attestation_checks()) out.emplace(id, std::string(kManifestProducer));
  // Nor the vulnerability checks: the matching stage judges them from the database.
  for (const auto& id : vulns::checks()) out.emplace(id, std::string(vulns::kVulnsProducer));
  return out;
}

}  // namespace fwcert::analyzers
