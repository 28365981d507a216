// SSH: net-ssh-config on the effective sshd configuration (evidence/services/detail.hpp) and
// the dropbear command lines, and keys-ssh-host-keys-shipped.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analyzers/services/common.hpp"
#include "core/text.hpp"
#include "evidence/services/parse.hpp"

namespace fwcert::analyzers::services::detail {

void check_ssh(const FsReader& r, const std::vector<Service>& services, const std::string& where, Output& out) {
  const auto& inv = r.inv;
  std::size_t fails = 0, warns = 0;
  // Shipped authorized keys: anyone holding the matching private key logs in on every unit.
  std::set<std::string> homes{"/root"};
  std::vector<std::string> key_files{"/etc/dropbear/authorized_keys"};
  for (const auto& p : r.accounts().passwd.records) {
    if (!p.home.empty() && p.home[0] == '/' && p.home != "/") homes.insert(p.home);
  }
  for (const auto& h : homes) {
    key_files.push_back(h + "/.ssh/authorized_keys");
    key_files.push_back(h + "/.ssh/authorized_keys2");
  }
  for (const auto& kf : key_files) {
    auto text = r.read(kf);
    if (!text) continue;
    std::size_t keys = 0, first_line = 0;
    std::string first_type;
    for (auto [no, line] : text::lines(*text)) {
      auto w = split_command(line);
      if (w.empty()) continue;
      ++keys;
      if (!first_line) {
        first_line = no;
        for (const auto& word : w) {
          if (word.starts_with("ssh-") || word.starts_with("ecdsa-") || word.starts_with("sk-")) {
            first_type = word;
            break;
          }
        }
      }
    }
    if (!keys) continue;
    std::string shown = r.display(kf);
    Finding f = finding(
        kSshCheck, Status::kFail, shown,
        fmt::format("{} ships {} authorized public key(s): whoever holds the private key logs in "
                    "to every device",
                    shown, keys),
        {at(shown, first_line, fmt::format("{} key(s){}", keys, first_type.empty() ? "" : ", first " + first_type),
            "no authorized_keys in the shipped image")});
    f.severity = Severity::kCritical;
    f.severity_override = true;
    out.findings.push_back(std::move(f));
    ++fails;
  }

  // OpenSSH server configuration.
  bool sshd_present = false;
  const Service* sshd_service = nullptr;
  const Service* dropbear_service = nullptr;
  for (const auto& s : services) {
    for (const auto& n : program_names(s)) {
      if (n == "sshd" && (!sshd_service || (s.at_boot && !sshd_service->at_boot))) sshd_service = &s;
      if (n == "dropbear" && (!dropbear_service || (s.at_boot && !dropbear_service->at_boot))) dropbear_service = &s;
    }
  }
  for (const auto& e : entries_of(inv, r.fs)) {
    if (e.filesystem == r.fs && file_name(e.path) == "sshd" && e.st.is_regular()) sshd_present = true;
  }
  SshdEffective eff;
  load_sshd(r, "/etc/ssh/sshd_config", 0, eff);
  if (!eff.files.empty() || sshd_present || sshd_service) {
    auto opt = [&](std::string_view k) { return first_of(eff, k); };
    std::string cfg = eff.files.empty() ? r.display("/etc/ssh/sshd_config") : eff.files.front();
    auto flag = [&](const SshdOption* o, Status st, std::string message, std::string expected) {
      out.findings.push_back(finding(kSshCheck, st, "sshd:" + o->keyword, std::move(message),
                                     {at(o->path, o->line, o->keyword + " " + o->value, std::move(expected))}));
      ++(st == Status::kFail ? fails : warns);
    };
    if (const auto* o = opt("permitrootlogin");
        o && text::lower(split_command(o->value).empty() ? "" : split_command(o->value)[0]) == "yes") {
      flag(o, Status::kFail, "sshd lets root log in with a password (PermitRootLogin yes)",
           "PermitRootLogin no or prohibit-password");
    }
    if (const auto* o = opt("permitemptypasswords"); o && text::lower(o->value) == "yes") {
      flag(o, Status::kFail, "sshd accepts accounts with empty passwords (PermitEmptyPasswords yes)",
           "PermitEmptyPasswords no");
    }
    const auto* pw = opt("passwordauthentication");
    if (pw && text::lower(pw->value) == "yes") {
      flag(pw, Status::kWarn, "sshd accepts password logins (PasswordAuthentication yes), open to guessing",
           "PasswordAuthentication no");
    } else if (!pw && !eff.files.empty()) {
      out.findings.push_back(
          finding(kSshCheck, Status::kWarn, "sshd:passwordauthentication",
                  "sshd accepts password logins: PasswordAuthentication is not set and defaults to yes",
                  {at(cfg, 0, "PasswordAuthentication unset (default yes)", "PasswordAuthentication no")}));
      ++warns;
    }
  }
  // Dropbear launch flags (dropbear(8)): -w no root logins, -s no password logins, -g no
  // password logins for root, -B allows blank passwords.
  std::optional<std::string> uci_text;
  if (dropbear_service && dropbear_service->init == "procd") uci_text = r.read("/etc/config/dropbear");
  if (uci_text) {
    // OpenWrt builds dropbear's flags from UCI at start: RootLogin off -> -w, PasswordAuth off
    // -> -s, RootPasswordAuth off -> -g; each defaults to on.
    const std::string path = r.display("/etc/config/dropbear");
    UciConfig uci = parse_uci(*uci_text);
    r.diagnostics(uci.diagnostics, "/etc/config/dropbear");
    for (const auto& sec : uci.sections) {
      if (sec.type != "dropbear") continue;
      auto on = [&](std::string_view name) {
        const UciOption* o = sec.option(name);
        return !o || parse_systemd_bool(o->value).value_or(o->value != "off");
      };
      if (!on("enable")) continue;
      if (on("RootLogin") && on("PasswordAuth") && on("RootPasswordAuth")) {
        const UciOption* o = sec.option("RootPasswordAuth");
        out.findings.push_back(
            finding(kSshCheck, Status::kFail, dropbear_service->subject,
                    "dropbear lets root log in with a password (OpenWrt UCI: RootLogin, PasswordAuth and "
                    "RootPasswordAuth are on)",
                    {at(path, o ? o->line : sec.line,
                        o ? "option RootPasswordAuth '" + o->value + "'" : "RootPasswordAuth not set (default on)",
                        "option RootPasswordAuth 'off' (or RootLogin / PasswordAuth 'off')")}));
        ++fails;
      }
    }
  } else if (dropbear_service) {
    const Service& s = *dropbear_service;
    std::set<char> flags;
    for (const auto& a : s.args) {
      if (a.size() >= 2 && a[0] == '-' && a[1] != '-') {
        for (std::size_t i = 1; i < a.size() && std::isalpha(static_cast<unsigned char>(a[i])); ++i) flags.insert(a[i]);
      }
    }
    std::string cmd = command_text(s);
    if (flags.count('B')) {
      out.findings.push_back(finding(kSshCheck, Status::kFail, s.subject,
                                     "dropbear is started with -B: blank passwords are accepted",
                                     {at(s.path, s.line, cmd, "no -B")}));
      ++fails;
    }
    if (!flags.count('w') && !flags.count('g') && !flags.count('s')) {
      out.findings.push_back(finding(kSshCheck, Status::kFail, s.subject,
                                     "dropbear lets root log in with a password (neither -w, -g nor -s is given)",
                                     {at(s.path, s.line, cmd, "-w (no root login) or -g/-s (no password login)")}));
      ++fails;
    }
  }
  const Service* server = sshd_service && sshd_service->at_boot           ? sshd_service
                          : dropbear_service && dropbear_service->at_boot ? dropbear_service
                                                                          : nullptr;
  if (fails || warns) return;
  if (server) {
    out.findings.push_back(
        finding(kSshCheck, Status::kWarn, server->subject,
                fmt::format("an SSH server ({}) is enabled at boot with a sound configuration; a "
                            "consumer product should not need one",
                            server->name),
                {at(server->path, server->line, command_text(*server), "no SSH server in production")}));
    return;
  }
  out.findings.push_back(finding(kSshCheck, Status::kPass, where,
                                 eff.files.empty() && !sshd_present && !dropbear_service
                                     ? "no SSH server and no shipped authorized_keys"
                                     : "no SSH server is started at boot and no authorized_keys is shipped",
                                 {at(where, 0, "no shipped keys, no enabled SSH server")}));
}

// ---- keys-ssh-host-keys-shipped --------------------------------------------------------------

void check_host_keys(const FsReader& r, bool ssh_server, Output& out) {
  std::size_t found = 0;
  for (const auto& e : entries_of(r.inv, r.fs)) {
    if (e.filesystem != r.fs || !e.st.is_regular() || e.st.size == 0) continue;
    std::string name(file_name(e.path));
    bool openssh = name.starts_with("ssh_host_") && name.ends_with("_key");
    bool dropbear = name.starts_with("dropbear_") && name.ends_with("_key");
    if (!openssh && !dropbear) continue;
    std::string path = r.inv.display_path(e);
    out.findings.push_back(finding(kHostKeysCheck, Status::kFail, path,
                                   fmt::format("{} host private key {} is baked into the image: every unit shares it",
                                               openssh ? "OpenSSH" : "Dropbear", path),
                                   {at(path, 0,
                                       fmt::format("{} bytes, {}{}", e.st.size, to_string(e.kind),
                                                   e.kind_detail.empty() ? "" : " " + e.kind_detail),
                                       "host keys generated on each unit at first boot")}));
    ++found;
  }
  if (found) return;
  std::string where = r.display("/etc/ssh");
  if (!ssh_server) {
    out.findings.push_back(
        finding(kHostKeysCheck, Status::kNotApplicable, where, "no SSH server and no SSH host key in the image"));
    return;
  }
  out.findings.push_back(finding(kHostKeysCheck, Status::kPass, where,
                                 "no SSH host private key is shipped; the server generates its keys on the unit",
                                 {at(where, 0, "no ssh_host_*_key or dropbear_*_key")}));
}

}  // namespace fwcert::analyzers::services::detail
