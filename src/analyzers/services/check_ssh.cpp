// SSH: the effective sshd configuration (includes expanded), net-ssh-config, whether sshd or
// dropbear listens on loopback only, and keys-ssh-host-keys-shipped.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analyzers/services/common.hpp"
#include "analyzers/services/parse.hpp"
#include "core/text.hpp"

namespace fwcert::analyzers::services::detail {

namespace {

struct SshdEffective {
  std::vector<SshdOption> options;  ///< in the order sshd reads them, includes expanded
  std::vector<std::string> files;   ///< display paths read
};

void load_sshd(const FsReader& r, const std::string& path, int depth, SshdEffective& eff) {
  if (depth > 8 || eff.files.size() > 256) return;
  auto text = r.read(path);
  if (!text) return;
  std::string shown = r.display(path);
  eff.files.push_back(shown);
  SshdConfig cfg = parse_sshd_config(*text, shown);
  r.diagnostics(cfg.diagnostics, path);
  for (auto& o : cfg.options) {
    if (o.keyword != "include") {
      eff.options.push_back(std::move(o));
      continue;
    }
    for (const auto& pattern : split_command(o.value)) {
      std::string p = pattern.starts_with("/") ? pattern : "/etc/ssh/" + pattern;
      auto star = p.find('*');
      if (star == std::string::npos) {
        load_sshd(r, p, depth + 1, eff);
        continue;
      }
      // Only a glob in the last component ("sshd_config.d/*.conf") is supported.
      auto slash = p.rfind('/');
      if (slash == std::string::npos || slash > star) continue;
      std::string dir = p.substr(0, slash), glob = p.substr(slash + 1);
      auto gstar = glob.find('*');
      std::string pre = glob.substr(0, gstar), post = glob.substr(gstar + 1);
      for (const auto& e : r.list(dir)) {
        if (e.name.size() >= pre.size() + post.size() && e.name.starts_with(pre) && e.name.ends_with(post)) {
          load_sshd(r, dir + "/" + e.name, depth + 1, eff);
        }
      }
    }
  }
}

const SshdOption* first_of(const SshdEffective& eff, std::string_view keyword) {
  for (const auto& o : eff.options) {
    if (o.keyword == keyword) return &o;
  }
  return nullptr;
}

/// An address sshd or dropbear listens on that only the device itself reaches: 127.x,
/// ::1 or localhost, with or without a port ("127.0.0.1", "[::1]:22", "localhost:2222").
bool loopback_address(std::string_view a) {
  return a.starts_with("127.") || a == "::1" || a.starts_with("[::1]") || a == "localhost" ||
         a.starts_with("localhost:");
}

}  // namespace

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

namespace {

/// The directive lines of a daemon's configuration file and of the *.conf files of the
/// directories it includes (`include_dir` for mosquitto, `confdir` for chrony): keyword, the
/// rest of the line, and where.
struct Directive {
  std::string keyword, value, where;
};
std::vector<Directive> directives(const FsReader& r, const std::string& file, std::string_view include_keyword) {
  std::vector<Directive> out;
  std::vector<std::string> files{file};
  for (std::size_t i = 0; i < files.size() && i < 64; ++i) {
    auto text = r.read(files[i]);
    if (!text) continue;
    for (auto [no, line] : text::lines(*text)) {
      auto w = text::words(text::trim_space(line), 2);
      if (w.empty() || w[0].starts_with("#")) continue;
      Directive d{std::string(w[0]), w.size() > 1 ? std::string(w[1]) : std::string(),
                  fmt::format("{} line {}", r.display(files[i]), no)};
      if (d.keyword == include_keyword && i == 0) {
        for (const auto& e : r.list(d.value)) {
          if (e.name.ends_with(".conf")) files.push_back(d.value + "/" + e.name);
        }
      }
      out.push_back(std::move(d));
    }
  }
  return out;
}

}  // namespace

/// Daemons that listen only locally unless their configuration opens them: mosquitto 2 with no
/// `listener` or `port` (its "local only mode"), chronyd with no `allow` (it serves no NTP
/// client; its command port is bound to localhost).
std::optional<std::string> local_only_by_configuration(const FsReader& r, const Service& s, std::string_view daemon) {
  auto option = [&](std::string_view name) -> std::optional<std::string> {
    for (std::size_t i = 0; i + 1 < s.args.size(); ++i)
      if (s.args[i] == name) return s.args[i + 1];
    return std::nullopt;
  };
  if (daemon == "mosquitto") {
    std::string conf = option("-c").value_or("/etc/mosquitto/mosquitto.conf");
    if (!r.exists(conf)) return std::nullopt;
    for (const auto& d : directives(r, conf, "include_dir")) {
      if (d.keyword == "listener" || d.keyword == "port") return std::nullopt;
    }
    // Local only mode is mosquitto 2's: the binary says so when it starts in it.
    auto binary = r.v().read_file(s.program, limits::kMaxContentScanFileBytes);
    if (!binary.ok() || binary->find("Starting in local only mode") == std::string::npos) return std::nullopt;
    return fmt::format(
        "mosquitto 2 with no listener or port in {} (or its include_dir) accepts connections only from "
        "this machine (local only mode)",
        r.display(conf));
  }
  std::string conf = option("-f").value_or("/etc/chrony/chrony.conf");
  if (!r.exists(conf)) return std::nullopt;
  for (const auto& d : directives(r, conf, "confdir")) {
    if (d.keyword == "allow" || d.keyword == "cmdallow" || (d.keyword == "port" && d.value != "0")) return std::nullopt;
    if (d.keyword == "bindcmdaddress" && !loopback_address(d.value) && !d.value.starts_with("/")) return std::nullopt;
  }
  return fmt::format(
      "chronyd serves no NTP client (no allow directive in {} or its confdir) and its command port "
      "listens on localhost only",
      r.display(conf));
}

/// When the daemon's own configuration binds it to loopback only, the reason (it is then not
/// network-facing): every sshd ListenAddress, or every dropbear -p address, is a loopback one.
std::optional<std::string> loopback_only(const FsReader& r, const Service& s, std::string_view daemon) {
  std::vector<std::pair<std::string, std::string>> listens;  // address, where
  if (daemon == "sshd") {
    SshdEffective eff;
    load_sshd(r, "/etc/ssh/sshd_config", 0, eff);
    for (const auto& o : eff.options) {
      if (o.keyword == "listenaddress") {
        auto words = split_command(o.value);
        listens.emplace_back(words.empty() ? std::string() : words[0], fmt::format("{} line {}", o.path, o.line));
      }
    }
  } else if (daemon == "dropbear") {
    for (std::size_t i = 0; i + 1 < s.args.size(); ++i) {
      if (s.args[i] != "-p") continue;
      const std::string& v = s.args[i + 1];
      auto colon = v.rfind(':');
      // "-p 22" listens on every address; "-p 127.0.0.1:22" or "-p [::1]:22" on one.
      listens.emplace_back(colon == std::string::npos ? std::string() : v.substr(0, colon),
                           fmt::format("{} line {}", s.path, s.line));
    }
  }
  if (daemon == "mosquitto" || daemon == "chronyd") return local_only_by_configuration(r, s, daemon);
  if (listens.empty()) return std::nullopt;
  for (const auto& [address, where] : listens) {
    if (!loopback_address(address)) return std::nullopt;
  }
  return fmt::format("{} listens on loopback only ({} at {})", daemon,
                     daemon == "sshd" ? "ListenAddress " + listens.front().first : "-p " + listens.front().first,
                     listens.front().second);
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
