#include "analyzers/avs/avs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "core/text.hpp"
#include "data/resources.hpp"
#include "evidence/evidence.hpp"
#include "evidence/values.hpp"
#include "formats/elf/elf.hpp"
#include "formats/elf/hardening.hpp"

namespace fwcert::analyzers::avs {

namespace {

using evidence::line_of_key;
using evidence::SdkConfig;
using evidence::values_of;

using text::lower;
using vfs::base_name;

using inventory::Entry;

constexpr std::string_view kConfigCheck = "avs-config-protected";
constexpr std::string_view kStateCheck = "avs-state-protected";
constexpr std::string_view kIpcCheck = "avs-ipc-protected";
constexpr std::string_view kExecutablesCheck = "avs-executables-protected";
constexpr std::string_view kPkcs11Check = "keys-avs-pkcs11";
constexpr std::string_view kChecks[] = {kConfigCheck, kStateCheck, kIpcCheck, kExecutablesCheck, kPkcs11Check};

std::string mode_text(const Entry& e) {
  return fmt::format("mode {:04o}, owner {}:{}", e.st.mode & 07777, e.st.uid, e.st.gid);
}

bool writable_by_non_root(const Entry& e) {
  return (e.st.mode & 0002) || ((e.st.mode & 0020) && e.st.gid != 0) || e.st.uid != 0;
}

/// The nearest existing entry at or above `path` in filesystem `fs`.
const Entry* nearest_existing(const inventory::Inventory& inv, std::uint32_t fs, std::string path) {
  path = vfs::normalize_path(path);
  for (int depth = 0; depth < limits::kMaxDirectoryDepth; ++depth) {
    if (auto canonical = inv.vfs(fs).resolve(path); canonical.ok()) {
      if (const Entry* e = inv.find(fs, *canonical)) return e;
    }
    if (path == "/") return nullptr;
    path = vfs::parent_path(path);
  }
  return nullptr;
}

bool is_loopback(std::string_view address) {
  std::string a = lower(address);
  return a == "localhost" || a == "::1" || a == "[::1]" || a.starts_with("127.");
}

// ---- avs-config-protected --------------------------------------------------------------------

void check_config(const inventory::Inventory& inv, const SdkConfig& c, Output& out) {
  const Entry& e = *c.entry;
  std::vector<std::string> fails, warns;
  std::vector<Evidence> ev{at(c.path, 0,
                              fmt::format("{}; filesystem {}", mode_text(e), inv.filesystems()[e.filesystem].type),
                              "root-owned, mode 0644 or stricter on a read-only verified filesystem, no secrets")};
  if (writable_by_non_root(e)) fails.push_back("it can be changed by a non-root user");
  std::vector<std::string> secrets;
  for (std::string_view key : {"refreshToken", "clientSecret", "refresh_token", "client_secret"}) {
    for (const auto& v : values_of(c.doc, key)) {
      if (evidence::is_placeholder(v)) continue;
      secrets.emplace_back(key);
      ev.push_back(at(c.path, line_of_key(c.text, key), fmt::format("{} set (value redacted)", key)));
    }
  }
  if (!secrets.empty()) {
    fails.push_back(fmt::format("it holds {}{}", fmt::join(secrets, " and "),
                                (e.st.mode & 0004) ? ", and every user can read it" : ""));
  } else if (e.st.mode & 0004) {
    warns.push_back("every user can read it");
  }
  for (const auto& g : values_of(c.doc, "avsGateway")) {
    if (lower(g).starts_with("https://")) continue;
    fails.push_back(fmt::format("avsGateway {} is not https", g));
    ev.push_back(at(c.path, line_of_key(c.text, "avsGateway"), g, "https://..."));
  }
  for (const auto& s : values_of(c.doc, "deviceSerialNumber")) {
    std::string l = lower(s);
    if (evidence::is_placeholder(s) || l == "123456" || l.find("serial") != std::string::npos ||
        l.find_first_not_of('0') == std::string::npos) {
      warns.push_back(fmt::format("deviceSerialNumber \"{}\" is a placeholder, not a per-unit value", s));
      ev.push_back(at(c.path, line_of_key(c.text, "deviceSerialNumber"), s, "a unique serial per unit"));
    }
  }
  for (const auto& dir : values_of(c.doc, "CURLOPT_CAPATH")) {
    const Entry* d = nearest_existing(inv, e.filesystem, dir);
    if (d && writable_by_non_root(*d)) {
      fails.push_back(fmt::format("its CURLOPT_CAPATH {} is writable by a non-root user", dir));
      ev.push_back(at(inv.display_path(*d), 0, mode_text(*d), "root-owned, not writable by others"));
    }
  }
  if (!fails.empty()) {
    out.findings.push_back(finding(kConfigCheck, Status::kFail, c.path,
                                   fmt::format("AVS SDK configuration {}: {}", c.path, fmt::join(fails, "; ")),
                                   std::move(ev)));
  } else if (!warns.empty()) {
    out.findings.push_back(finding(kConfigCheck, Status::kWarn, c.path,
                                   fmt::format("AVS SDK configuration {}: {}", c.path, fmt::join(warns, "; ")),
                                   std::move(ev)));
  } else {
    out.findings.push_back(finding(kConfigCheck, Status::kPass, c.path,
                                   fmt::format("AVS SDK configuration {} is root-owned, not readable or writable by "
                                               "others, holds no token or client secret and uses an https gateway",
                                               c.path),
                                   std::move(ev)));
  }
}

// ---- avs-state-protected ---------------------------------------------------------------------

void check_state(const inventory::Inventory& inv, const std::vector<SdkConfig>& configs, Output& out) {
  std::size_t judged = 0;
  for (const auto& c : configs) {
    for (const auto& db : values_of(c.doc, "databaseFilePath")) {
      if (db.empty()) continue;
      ++judged;
      std::string subject = fmt::format("{} ({})", db, c.path);
      Evidence cfg = at(c.path, line_of_key(c.text, "databaseFilePath"), "databaseFilePath " + db);
      for (std::string_view p : {"/media/", "/mnt/sd", "/mnt/usb", "/run/media/", "/sdcard", "/storage/", "/tmp/",
                                 "/var/tmp/", "/dev/shm/"}) {
        if (!db.starts_with(p)) continue;
        out.findings.push_back(finding(kStateCheck, Status::kFail, subject,
                                       fmt::format("SDK database {} is on removable or shared temporary storage", db),
                                       {cfg}));
        goto next;
      }
      {
        const Entry* e = nearest_existing(inv, c.entry->filesystem, db);
        if (!e) {
          out.findings.push_back(
              finding(kStateCheck, Status::kInconclusive, subject, "no directory of " + db + " is in the image"));
          continue;
        }
        std::string where = inv.display_path(*e);
        Evidence ev = at(where, 0, mode_text(*e), "owned by the SDK user, mode 0600 (directory 0700)");
        if (e->st.is_regular()) {
          bool plaintext = false;
          std::string head(16, '\0');
          if (auto r = inv.vfs(e->filesystem).read_raw(e->path, 0, std::as_writable_bytes(std::span(head))); r.ok())
            plaintext = *r == 16 && head == std::string("SQLite format 3\0", 16);
          if (e->st.mode & 0006) {
            out.findings.push_back(finding(kStateCheck, Status::kFail, subject,
                                           fmt::format("SDK database {} is readable or writable by every user", where),
                                           {cfg, ev}));
          } else if (plaintext) {
            out.findings.push_back(finding(kStateCheck, Status::kWarn, subject,
                                           fmt::format("SDK database {} ships in the image as plaintext SQLite (see "
                                                       "keys-lwa-tokens for tokens in it)",
                                                       where),
                                           {cfg, ev}));
          } else {
            out.findings.push_back(finding(kStateCheck, Status::kPass, subject,
                                           fmt::format("SDK database {} is not accessible to other users", where),
                                           {cfg, ev}));
          }
        } else if (e->st.mode & 0002) {
          out.findings.push_back(finding(
              kStateCheck, Status::kFail, subject,
              fmt::format("SDK database {} will be created in {}, which every user can write", db, where), {cfg, ev}));
        } else if (e->st.mode & 0005) {
          out.findings.push_back(finding(kStateCheck, Status::kWarn, subject,
                                         fmt::format("SDK database {} will be created in {}, which other users can "
                                                     "enter; its own mode decides who reads it",
                                                     db, where),
                                         {cfg, ev}));
        } else {
          out.findings.push_back(finding(
              kStateCheck, Status::kPass, subject,
              fmt::format("SDK database {} will be created in {}, closed to other users", db, where), {cfg, ev}));
        }
      }
    next:;
    }
  }
  if (judged == 0) {
    out.findings.push_back(finding(kStateCheck, Status::kInconclusive, configs.front().path,
                                   "the SDK configuration names no databaseFilePath"));
  }
}

// ---- avs-ipc-protected -----------------------------------------------------------------------

void check_ipc(const inventory::Inventory& inv, const std::vector<SdkConfig>& configs, Output& out) {
  bool any = false;
  for (const auto& c : configs) {
    auto interfaces = values_of(c.doc, "websocketInterface");
    if (interfaces.empty()) continue;
    any = true;
    std::vector<std::string> fails;
    std::vector<Evidence> ev;
    for (const auto& a : interfaces) {
      ev.push_back(
          at(c.path, line_of_key(c.text, "websocketInterface"), "websocketInterface " + a, "127.0.0.1 or ::1"));
      if (!is_loopback(a)) fails.push_back(fmt::format("the websocket listens on {}, not loopback", a));
    }
    auto cert = values_of(c.doc, "websocketCertificate");
    auto key = values_of(c.doc, "websocketPrivateKey");
    if (cert.empty() || key.empty()) {
      fails.push_back("no websocketCertificate/websocketPrivateKey: the websocket runs without TLS");
    }
    for (const auto& k : key) {
      const Entry* e = nearest_existing(inv, c.entry->filesystem, k);
      if (e && e->st.is_regular() && inv.vfs(e->filesystem).resolve(k).ok() && (e->st.mode & 0004)) {
        fails.push_back(fmt::format("the websocket private key {} is readable by every user", k));
        ev.push_back(at(inv.display_path(*e), 0, mode_text(*e), "mode 0600"));
      }
    }
    if (fails.empty()) {
      out.findings.push_back(finding(kIpcCheck, Status::kPass, c.path,
                                     "the Smart Screen websocket is bound to loopback and configured with TLS",
                                     std::move(ev)));
    } else {
      out.findings.push_back(finding(kIpcCheck, Status::kFail, c.path,
                                     fmt::format("{}: {}", c.path, fmt::join(fails, "; ")), std::move(ev)));
    }
  }
  if (!any) {
    out.findings.push_back(finding(kIpcCheck, Status::kNotApplicable, "/",
                                   "no Smart Screen websocket interface is configured (websocketInterface)"));
  }
}

// ---- avs-executables-protected ---------------------------------------------------------------

const std::vector<std::string>& sdk_patterns() {
  static const std::vector<std::string> kList = [] {
    auto lines = data::resource_lines("data/avs-sdk-binaries.txt");
    return std::vector<std::string>(lines.begin(), lines.end());
  }();
  return kList;
}

bool is_sdk_name(std::string_view name) {
  for (const auto& p : sdk_patterns()) {
    if (p.back() == '*' ? name.starts_with(std::string_view(p).substr(0, p.size() - 1)) : name == p) return true;
  }
  return false;
}

class VfsInput final : public formats::elf::Input {
 public:
  VfsInput(const vfs::Vfs& v, const std::string& path, std::uint64_t size) : v_(v), path_(path), size_(size) {}
  std::uint64_t size() const override { return size_; }
  bool read(std::uint64_t offset, std::span<std::byte> out) const override {
    std::size_t done = 0;
    while (done < out.size()) {
      auto r = v_.read_raw(path_, offset + done, out.subspan(done));
      if (!r.ok() || *r == 0) return false;
      done += *r;
    }
    return true;
  }

 private:
  const vfs::Vfs& v_;
  const std::string& path_;
  std::uint64_t size_;
};

void check_executables(const inventory::Inventory& inv, bool have_config, Output& out) {
  std::size_t sdk = 0, bad = 0;
  for (const auto& e : inv.entries()) {
    if (e.kind != inventory::Kind::kElf || e.hardlink_secondary || !is_sdk_name(base_name(e.path))) continue;
    ++sdk;
    std::string path = inv.display_path(e);
    std::vector<std::string> problems;
    std::string hardening = "not parsed";
    VfsInput input(inv.vfs(e.filesystem), e.path, e.st.size);
    if (auto elf = formats::elf::parse(input); elf.ok()) {
      auto h = formats::elf::assess(*elf);
      hardening = fmt::format("type={} nx={} relro={} canary={}", formats::elf::to_string(h.type), h.nx ? "yes" : "no",
                              formats::elf::to_string(h.relro), h.canary ? "yes" : "no");
      for (const auto* list : {&h.rpath, &h.runpath}) {
        if (!*list) continue;
        for (const auto& dir : **list) {
          if (dir.empty() || (dir[0] != '/' && !dir.starts_with("$ORIGIN") && !dir.starts_with("${ORIGIN}"))) {
            problems.push_back(
                fmt::format("library search path entry \"{}\" is relative to the working directory", dir));
          } else if (dir[0] == '/') {
            const Entry* d = nearest_existing(inv, e.filesystem, dir);
            if (d && writable_by_non_root(*d))
              problems.push_back(fmt::format("library search path {} is writable by a non-root user", dir));
          }
        }
      }
    }
    if (writable_by_non_root(e)) problems.push_back(fmt::format("it can be modified by a non-root user"));
    Evidence ev = at(path, 0, fmt::format("{}; {}", mode_text(e), hardening),
                     "root-owned, not group- or world-writable, library path only in root-owned directories");
    if (!problems.empty()) {
      ++bad;
      out.findings.push_back(finding(kExecutablesCheck, Status::kFail, path,
                                     fmt::format("AVS SDK binary {}: {}", path, fmt::join(problems, "; ")), {ev}));
    }
  }
  if (sdk == 0) {
    out.findings.push_back(finding(kExecutablesCheck, have_config ? Status::kInconclusive : Status::kNotApplicable, "/",
                                   have_config ? "an SDK configuration is present but no SDK binary was recognised by "
                                                 "name (data/avs-sdk-binaries.txt)"
                                               : "no AVS SDK binary in the image"));
  } else if (bad == 0) {
    out.findings.push_back(finding(kExecutablesCheck, Status::kPass, "AVS SDK binaries",
                                   fmt::format("all {} AVS SDK binaries are root-owned, not writable by others, and "
                                               "load libraries only from root-owned directories (their exploit "
                                               "mitigations are judged by bin-exploit-mitigations; ptrace and core "
                                               "dumps by sysctl-hardening)",
                                               sdk)));
  }
}

// ---- keys-avs-pkcs11 -------------------------------------------------------------------------

void check_pkcs11(const inventory::Inventory& inv, const std::vector<SdkConfig>& configs, Output& out) {
  for (const auto& c : configs) {
    auto libs = values_of(c.doc, "libraryPath");
    if (c.doc.contains("pkcs11Module") || !libs.empty()) {
      std::string lib = libs.empty() ? std::string() : libs.front();
      Evidence ev = at(c.path, line_of_key(c.text, "pkcs11Module"), "pkcs11Module libraryPath " + lib,
                       "a TEE, TPM or secure-element PKCS#11 library");
      std::string n = lower(base_name(lib));
      const Entry* e = lib.empty() ? nullptr : nearest_existing(inv, c.entry->filesystem, lib);
      bool exists = e && inv.vfs(c.entry->filesystem).resolve(lib).ok();
      auto pin = values_of(c.doc, "userPin");
      bool pin_readable = !pin.empty() && (c.entry->st.mode & 0004);
      if (lib.empty() || !exists) {
        out.findings.push_back(finding(kPkcs11Check, Status::kFail, c.path,
                                       fmt::format("pkcs11Module names library \"{}\", which is not in the image", lib),
                                       {ev}));
      } else if (n.find("softhsm") != std::string::npos) {
        out.findings.push_back(finding(kPkcs11Check, Status::kWarn, c.path,
                                       fmt::format("the SDK's PKCS#11 module is SoftHSM ({}): a software token, keys "
                                                   "are files on flash",
                                                   lib),
                                       {ev}));
      } else if (pin_readable) {
        out.findings.push_back(finding(
            kPkcs11Check, Status::kWarn, c.path,
            fmt::format("the PKCS#11 userPin is in {}, which every user can read", c.path),
            {ev, at(c.path, line_of_key(c.text, "userPin"), mode_text(*c.entry), "PIN readable only by the SDK")}));
      } else if (n.find("tpm2") != std::string::npos || n.find("optee") != std::string::npos ||
                 n.find("teec") != std::string::npos || n.find("sss") != std::string::npos ||
                 n.find("cryptoauth") != std::string::npos || n.find("se05") != std::string::npos) {
        out.findings.push_back(
            finding(kPkcs11Check, Status::kPass, c.path,
                    fmt::format("the SDK keeps its keys through hardware-backed PKCS#11 module {}", lib), {ev}));
      } else {
        out.findings.push_back(finding(kPkcs11Check, Status::kWarn, c.path,
                                       fmt::format("the SDK uses PKCS#11 module {}; whether it is backed by hardware "
                                                   "cannot be told from its name",
                                                   lib),
                                       {ev}));
      }
    } else {
      out.findings.push_back(finding(kPkcs11Check, Status::kWarn, c.path,
                                     fmt::format("{} configures no pkcs11Module: the SDK's stored state is not "
                                                 "protected by a hardware-held key",
                                                 c.path),
                                     {at(c.path, 0, "no pkcs11Module", "pkcs11Module with a TEE/TPM/SE library")}));
    }
  }
}

}  // namespace

std::span<const std::string_view> checks() { return kChecks; }

Output run(const Context& ctx) {
  Output out;
  const auto& inv = ctx.inventory;
  const evidence::SdkConfigs& sdk = ctx.evidence().sdk_configs();
  out.diagnostics = sdk.diagnostics;
  const std::vector<evidence::SdkConfig>& configs = sdk.configs;
  check_executables(inv, !configs.empty(), out);
  if (configs.empty()) {
    for (auto check : {kConfigCheck, kStateCheck, kIpcCheck, kPkcs11Check}) {
      out.findings.push_back(finding(check, Status::kNotApplicable, "/",
                                     "no AVS SDK configuration (AlexaClientSDKConfig.json) in the image"));
    }
    return out;
  }
  for (const auto& c : configs) check_config(inv, c, out);
  check_state(inv, configs, out);
  check_ipc(inv, configs, out);
  check_pkcs11(inv, configs, out);
  return out;
}

}  // namespace fwcert::analyzers::avs
