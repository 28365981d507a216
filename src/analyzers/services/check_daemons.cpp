// Checks on who the services are and what they run: priv-services-non-root, net-legacy-daemons
// and net-serial-console.

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

namespace {

constexpr std::string_view kShells[] = {"sh", "ash", "bash", "dash", "hush", "zsh", "ksh", "mksh", "msh"};
constexpr std::string_view kGettys[] = {"getty", "agetty", "mingetty", "mgetty", "fbgetty", "login"};

/// Legacy daemons of net-legacy-daemons: program names and inetd service names, by protocol.
struct LegacyProtocol {
  std::string_view label;
  std::vector<std::string_view> programs;
  std::vector<std::string_view> inetd_services;
};
const std::vector<LegacyProtocol>& legacy_protocols() {
  static const std::vector<LegacyProtocol> kList = {
      {"telnet", {"telnetd", "utelnetd", "in.telnetd", "telnetd.busybox"}, {"telnet"}},
      {"ftp", {"ftpd", "vsftpd", "proftpd", "pure-ftpd", "in.ftpd", "bftpd"}, {"ftp"}},
      {"tftp", {"tftpd", "in.tftpd", "atftpd"}, {"tftp"}},
      {"rsh/rlogin/rexec",
       {"rshd", "in.rshd", "rlogind", "in.rlogind", "rexecd", "in.rexecd"},
       {"shell", "login", "exec"}},
      {"finger", {"fingerd", "in.fingerd"}, {"finger"}},
      {"snmp", {"snmpd"}, {"snmp"}},
      {"upnp", {"miniupnpd"}, {}},
      {"rpc/nfs", {"rpcbind", "portmap", "rpc.nfsd", "rpc.mountd"}, {}},
      {"smb", {"smbd"}, {}},
  };
  return kList;
}

std::string user_text(const Service& s) {
  if (s.dynamic_user) return "a dynamic user";
  return s.user.empty() ? std::string("root (no user configured)") : s.user;
}

bool is_serial_tty(std::string_view t) {
  if (t.starts_with("/dev/")) t.remove_prefix(5);
  for (auto p : {"ttyS",   "ttyAMA", "ttymxc", "ttyMSM", "ttyHS",  "ttySAC", "ttyO",  "ttyPS",  "ttyUL", "ttyMV",
                 "ttyAML", "ttyFIQ", "ttyGS",  "ttyUSB", "ttyACM", "hvc",    "ttyLP", "ttyTHS", "ttyMT", "ttySIF"}) {
    if (t.starts_with(p)) return true;
  }
  return t == "console";
}

// priv-services-non-root

/// True when a root service keeps the full capability set: no CapabilityBoundingSet that
/// narrows it (an allow-list, or a `~` deny-list).
bool has_full_capabilities(const Service& s) {
  if (!s.runs_as_root()) return false;
  return s.capability_bounding.empty();
}

bool is_login_program(const Service& s) {
  for (const auto& n : program_names(s)) {
    if (in_list(kGettys, n) || in_list(kShells, n)) return true;
  }
  return false;
}

/// inetd and xinetd must start as root to bind ports and switch to each entry's user; their
/// entries are judged one by one instead.
bool is_super_server(const Service& s) {
  for (const auto& n : program_names(s)) {
    if (n == "inetd" || n == "xinetd" || n == "inetutils-inetd" || n == "openbsd-inetd") return true;
  }
  return false;
}

const LegacyProtocol* legacy_of(std::string_view name) {
  for (const auto& p : legacy_protocols()) {
    if (std::find(p.programs.begin(), p.programs.end(), name) != p.programs.end()) return &p;
  }
  return nullptr;
}

}  // namespace

void check_non_root(const std::vector<Service>& services, const std::string& where, Output& out) {
  std::size_t daemons = 0, flagged = 0;
  for (const auto& s : services) {
    if (!s.at_boot || s.oneshot || s.program.empty() || s.program == "internal") continue;
    // A getty or console shell must start as root to switch to the user who logs in;
    // net-serial-console judges those.
    if (is_login_program(s) || is_super_server(s)) continue;
    ++daemons;
    if (!s.runs_as_root()) continue;
    std::vector<Evidence> ev;
    ev.push_back(at(s.user_path.empty() ? s.path : s.user_path, s.user_path.empty() ? s.line : s.user_line,
                    fmt::format("{} runs as {}", command_text(s), user_text(s)),
                    "a dedicated unprivileged account (User=, DynamicUser=, inetd user field, .rc user)"));
    if (!s.capability_bounding.empty()) ev.back().observed += "; CapabilityBoundingSet=" + s.capability_bounding;
    bool full = has_full_capabilities(s);
    if (!s.privilege_note.empty()) ev.back().observed += "; " + s.privilege_note;
    if (is_alexa_client(s)) {
      out.findings.push_back(finding(kNonRootCheck, Status::kFail, s.subject,
                                     fmt::format("the Alexa client {} runs as root", s.name), std::move(ev)));
    } else if (s.privilege_separated || (s.root_by_design && !s.network_facing)) {
      // Judged as the daemon is built to run: not a root daemon to fix (data/daemon-privileges.yaml).
      ev.back().expected = "a daemon that needs root by design, or separates privileges";
      out.findings.push_back(finding(kNonRootCheck, Status::kInfo, s.subject,
                                     fmt::format("service {} runs as root by design: {}", s.name, s.privileges_source),
                                     std::move(ev)));
      --daemons;
      continue;
    } else if (s.network_facing && full) {
      out.findings.push_back(finding(kNonRootCheck, Status::kFail, s.subject,
                                     fmt::format("network-facing service {} runs as root with full capabilities ({})",
                                                 s.name, join(s.network_reasons, "; ")),
                                     std::move(ev)));
    } else {
      out.findings.push_back(finding(
          kNonRootCheck, Status::kWarn, s.subject,
          fmt::format("service {} runs as root{}", s.name, full ? "" : " with a reduced capability bounding set"),
          std::move(ev)));
    }
    ++flagged;
  }
  if (flagged) return;
  if (daemons == 0) {
    out.findings.push_back(finding(kNonRootCheck, Status::kPass, where,
                                   "no long-running service other than a console or getty is started at boot",
                                   {at(where, 0, "no daemon started at boot")}));
    return;
  }
  out.findings.push_back(finding(kNonRootCheck, Status::kPass, where,
                                 fmt::format("all {} services started at boot run under a non-root account", daemons),
                                 {at(where, 0, "no root daemon")}));
}

// net-legacy-daemons

void check_legacy(const inventory::Inventory& inv, std::uint32_t fs, const std::vector<Service>& services,
                  const std::string& where, Output& out) {
  FsReader r{{inv, fs, out.diagnostics}};
  std::size_t flagged = 0;
  std::set<std::string> configured_programs;  // program names already reported through a service
  for (const auto& s : services) {
    const LegacyProtocol* proto = nullptr;
    std::string matched;
    for (const auto& n : program_names(s)) {
      if ((proto = legacy_of(n))) {
        matched = n;
        break;
      }
    }
    if (!proto && s.init == "inetd") {
      std::string svc = s.name.substr(0, s.name.find('/'));
      for (const auto& p : legacy_protocols()) {
        if (std::find(p.inetd_services.begin(), p.inetd_services.end(), svc) != p.inetd_services.end()) {
          proto = &p;
          matched = svc;
        }
      }
    }
    if (!proto || s.oneshot) continue;
    configured_programs.insert(matched);
    if (!s.program.empty()) configured_programs.insert(std::string(file_name(s.program)));
    std::vector<Evidence> ev{at(s.path, s.line,
                                fmt::format("{} ({}), runs as {}", command_text(s), s.boot_reason, user_text(s)),
                                fmt::format("no {} server", proto->label))};
    if (s.at_boot) {
      Finding f = finding(kLegacyCheck, Status::kFail, s.subject,
                          fmt::format("legacy {} server {} is enabled: {}", proto->label, matched, s.boot_reason),
                          std::move(ev));
      if (proto->label == std::string_view("telnet") && s.runs_as_root()) {
        // Cleartext remote login handing out root shells: the worst case the catalog names.
        f.severity = Severity::kCritical;
        f.severity_override = true;
        f.message += ", as root";
      }
      out.findings.push_back(std::move(f));
    } else {
      out.findings.push_back(finding(
          kLegacyCheck, Status::kWarn, s.subject,
          fmt::format("legacy {} server {} is configured but not started: {}", proto->label, matched, s.boot_reason),
          std::move(ev)));
    }
    ++flagged;
  }
  // SNMP with the well-known communities hands out (or lets anyone change) device settings.
  for (auto conf : {"/etc/snmp/snmpd.conf", "/etc/snmpd.conf", "/var/etc/snmpd.conf"}) {
    auto text = r.read(conf);
    if (!text) continue;
    for (auto [no, line] : text::lines(*text)) {
      auto w = split_command(line);
      if (w.size() < 2) continue;
      // rocommunity/rwcommunity COMMUNITY [source]; com2sec NAME SOURCE COMMUNITY
      std::string community =
          w[0] == "com2sec" || w[0] == "com2sec6" ? (w.size() >= 4 ? w[3] : "")
          : (w[0] == "rocommunity" || w[0] == "rwcommunity" || w[0] == "rocommunity6" || w[0] == "rwcommunity6") ? w[1]
                                                                                                                 : "";
      if (community != "public" && community != "private") continue;
      bool write = w[0].starts_with("rw") || community == "private";
      std::string shown = r.display(conf);
      out.findings.push_back(
          finding(kLegacyCheck, Status::kFail, "snmp:" + community,
                  fmt::format("SNMP answers the well-known community '{}'{}", community,
                              write ? ", which may also change settings" : ""),
                  {at(shown, no, std::string(line), "no SNMP, or SNMPv3 with per-device credentials")}));
      ++flagged;
    }
  }
  // Present on disk: binaries and BusyBox applet links in program directories.
  for (const auto& e : entries_of(inv, fs)) {
    if (e.filesystem != fs || !(e.st.is_regular() || e.st.is_symlink())) continue;
    if (e.path.find("/bin/") == std::string::npos && e.path.find("/sbin/") == std::string::npos &&
        e.path.find("/libexec/") == std::string::npos)
      continue;
    std::string name(file_name(e.path));
    const LegacyProtocol* proto = legacy_of(name);
    if (!proto || configured_programs.count(name)) continue;
    bool applet = e.st.is_symlink() && file_name(e.link_target) == "busybox";
    std::string display = inv.display_path(e);
    Finding f = finding(kLegacyCheck, Status::kWarn, display,
                        fmt::format("legacy {} server {} is present{} but no init configuration starts it: it is "
                                    "one configuration line from running, so a release image should not ship it",
                                    proto->label, name, applet ? " as a BusyBox applet link" : ""),
                        {at(display, 0, applet ? "symlink to " + e.link_target : "executable on disk", "not shipped")});
    // Calibrated (docs/checks.md): a server nothing starts is not the exposure of one that runs.
    f.severity = Severity::kMedium;
    f.severity_override = true;
    out.findings.push_back(std::move(f));
    ++flagged;
  }
  if (flagged) return;
  out.findings.push_back(finding(kLegacyCheck, Status::kPass, where,
                                 "no telnet, ftp, tftp, r-services, finger, snmp, upnp, rpc/nfs or smb server is "
                                 "present or enabled",
                                 {at(where, 0, "no legacy daemon")}));
}

// net-serial-console

void check_serial(const std::vector<Service>& services, const std::string& where, Output& out) {
  std::size_t flagged = 0;
  for (const auto& s : services) {
    if (!s.at_boot) continue;
    std::string tty;
    if (s.init == "inittab") {
      std::string id = s.name.substr(0, s.name.rfind(':'));
      tty = id;
      if (id == "console" || id.size() <= 4) {  // SysV ids are short labels; the tty is an argument
        for (const auto& a : s.args) {
          if (is_serial_tty(a) || a.starts_with("tty")) tty = a;
        }
      }
    } else if (s.init == "systemd") {
      auto inst = split_instance(s.name);
      if (s.name == "console-getty.service")
        tty = "console";
      else if (inst && (inst->first == "serial-getty@.service" || inst->first == "getty@.service"))
        tty = inst->second;
      else
        continue;
    } else if (s.init == "android") {
      bool console = false;
      for (const auto& n : program_names(s)) console |= in_list(kShells, n);
      if (!console) continue;
      tty = "console";
    } else {
      continue;
    }
    if (!is_serial_tty(tty)) continue;
    auto names = program_names(s);
    if (names.empty()) continue;
    const std::string& prog = names.back();
    bool shell = in_list(kShells, prog);
    bool getty = in_list(kGettys, prog);
    if (!shell && !getty) continue;
    bool autologin = false;
    std::string how;
    for (std::size_t i = 0; i < s.args.size(); ++i) {
      const std::string& a = s.args[i];
      if (a == "--autologin" || a.starts_with("--autologin=") || (a == "-a" && prog == "agetty")) {
        autologin = true;
        how = "autologin (" + a + ")";
      }
      if ((a == "-l" || a == "--login-program") && i + 1 < s.args.size() &&
          in_list(kShells, file_name(s.args[i + 1]))) {
        autologin = true;
        how = "login program " + s.args[i + 1];
      }
    }
    std::string seen = fmt::format("{} on {}", command_text(s), tty);
    if (s.init == "inittab" && s.line == 0) seen += " (" + s.boot_reason + ")";
    std::vector<Evidence> ev{
        at(s.path, s.line, std::move(seen), "no shell or login prompt on a serial port in production")};
    if (shell || autologin) {
      Finding f =
          finding(kSerialCheck, Status::kFail, s.subject,
                  shell ? fmt::format("a shell ({}) is started on serial console {} without any login", s.program, tty)
                        : fmt::format("{} on serial console {} logs in without a password: {}", prog, tty, how),
                  std::move(ev));
      f.severity = Severity::kCritical;
      f.severity_override = true;
      out.findings.push_back(std::move(f));
    } else {
      out.findings.push_back(finding(kSerialCheck, Status::kFail, s.subject,
                                     fmt::format("a login prompt ({}) is offered on serial console {}", prog, tty),
                                     std::move(ev)));
    }
    ++flagged;
  }
  if (flagged) return;
  out.findings.push_back(finding(kSerialCheck, Status::kPass, where,
                                 "no getty, login or shell is started on a serial port or the console by the init "
                                 "configuration (a kernel command line console= can still add one under systemd)",
                                 {at(where, 0, "no serial getty or shell")}));
}

}  // namespace fwcert::analyzers::services::detail
