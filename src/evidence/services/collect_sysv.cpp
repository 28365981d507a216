// BusyBox and SysV init: inittab (or BusyBox init's built-in one), the boot scripts it runs,
// rc?.d runlevel links and Buildroot-style /etc/init.d/S??* scripts, and OpenWrt procd scripts.
// Scripts are read line by line, never evaluated; top-level NAME=value assignments are substituted.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "core/text.hpp"
#include "evidence/services/detail.hpp"
#include "evidence/services/parse.hpp"

namespace fwcert::evidence::services::detail {

namespace {

/// Commands of boot scripts that are never services.
constexpr std::string_view kScriptUtilities[] = {"mount",
                                                 "umount",
                                                 "mkdir",
                                                 "ln",
                                                 "echo",
                                                 "printf",
                                                 "sleep",
                                                 "hostname",
                                                 "ifconfig",
                                                 "ip",
                                                 "route",
                                                 "sysctl",
                                                 "modprobe",
                                                 "insmod",
                                                 "rmmod",
                                                 "mdev",
                                                 "udevadm",
                                                 "chmod",
                                                 "chown",
                                                 "touch",
                                                 "rm",
                                                 "cp",
                                                 "mv",
                                                 "cat",
                                                 "kill",
                                                 "killall",
                                                 "test",
                                                 "[",
                                                 "true",
                                                 "false",
                                                 "mknod",
                                                 "swapon",
                                                 "fsck",
                                                 "hwclock",
                                                 "loadkmap",
                                                 "date",
                                                 "sed",
                                                 "grep",
                                                 "awk",
                                                 "find",
                                                 "xargs",
                                                 "tr",
                                                 "cut",
                                                 "logger",
                                                 "sync",
                                                 "run-parts",
                                                 "start-stop-daemon",
                                                 "exec",
                                                 "nohup",
                                                 "env",
                                                 "busybox",
                                                 "sh",
                                                 "ash",
                                                 "bash",
                                                 "dash"};

/// Shell variables assigned at the top level of a script (`NAME=value`), for $NAME expansion.
std::map<std::string, std::string> script_variables(std::string_view text) {
  std::map<std::string, std::string> vars;
  std::size_t pos = 0, lines = 0;
  while (pos < text.size() && lines++ < limits::kMaxConfigLines) {
    auto end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    auto w = split_command(line);
    if (w.size() != 1) continue;
    auto eq = w[0].find('=');
    if (eq == std::string::npos || eq == 0) continue;
    std::string name = w[0].substr(0, eq);
    if (!std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }))
      continue;
    vars.emplace(name, w[0].substr(eq + 1));  // the first assignment is the default
  }
  return vars;
}

/// `start-stop-daemon` words: the program, its arguments and the -c/--chuid user.
struct SsdCommand {
  std::string program, user;
  std::vector<std::string> args;
};
std::optional<SsdCommand> parse_start_stop_daemon(const std::vector<std::string>& w) {
  SsdCommand c;
  bool start = false;
  std::string exec, startas;
  for (std::size_t i = 1; i < w.size(); ++i) {
    const std::string& a = w[i];
    auto value = [&](std::string_view longopt, std::string_view shortopt) -> std::optional<std::string> {
      if (a == longopt || a == shortopt) return i + 1 < w.size() ? std::optional(w[++i]) : std::nullopt;
      if (a.starts_with(std::string(longopt) + "=")) return a.substr(longopt.size() + 1);
      return std::nullopt;
    };
    if (a == "--") {
      c.args.assign(w.begin() + static_cast<std::ptrdiff_t>(i) + 1, w.end());
      break;
    }
    if (a == "-S" || a == "--start") start = true;
    if (a == "-t" || a == "--test") return std::nullopt;  // only asks whether it would start
    if (auto v = value("--exec", "-x"))
      exec = *v;
    else if (auto v2 = value("--startas", "-a"))
      startas = *v2;
    else if (auto v3 = value("--chuid", "-c"))
      c.user = *v3;
  }
  if (!start) return std::nullopt;
  c.program = !startas.empty() ? startas : exec;
  if (c.program.empty()) return std::nullopt;
  auto colon = c.user.find(':');
  if (colon != std::string::npos) c.user.resize(colon);
  return c;
}

/// Services a boot script starts: start-stop-daemon --start lines, and commands naming a
/// program that exists in the image and is not a utility.
void scan_script(const FsReader& r, const std::string& path, std::string_view init, const std::string& script_name,
                 std::vector<Service>& services) {
  auto text = r.read(path);
  if (!text) return;
  auto vars = script_variables(*text);
  std::size_t found = 0;
  for (auto [no, line] : text::lines(*text)) {
    auto w = split_command(line);
    while (!w.empty() && (w[0] == "exec" || w[0] == "then" || w[0] == "do" || w[0] == "else")) w.erase(w.begin());
    // A leading NAME=value is a variable assignment (or an environment prefix), not a command.
    while (!w.empty() && w[0].find('=') != std::string::npos && w[0].find('=') < w[0].find('/')) w.erase(w.begin());
    if (w.empty()) continue;
    for (auto& word : w) word = expand_shell(word, vars);
    Service s;
    s.init = std::string(init);
    s.at_boot = true;
    s.path = r.display(path);
    s.line = no;
    if (file_name(w[0]) == "start-stop-daemon") {
      auto c = parse_start_stop_daemon(w);
      if (!c) continue;
      s.program = c->program;
      s.args = c->args;
      s.user = c->user;
      if (!s.user.empty()) {
        s.user_path = s.path;
        s.user_line = no;
      }
    } else {
      std::string base(file_name(w[0]));
      bool known_daemon = network_daemons().count(base) > 0 || in_list(kDebugPrograms, base);
      bool exists = w[0].starts_with("/") && r.exists(w[0]);
      if (in_list(kScriptUtilities, base) || !(exists || known_daemon)) continue;
      // `sshd -t`, `nginx -t`, `lighttpd -t -f ...`: the configuration test of an init script,
      // which parses the configuration and exits; not the daemon being started.
      if ((base == "sshd" || base == "nginx" || base == "lighttpd" || base == "apache2" || base == "httpd") &&
          std::any_of(w.begin() + 1, w.end(),
                      [](const std::string& a) { return a == "-t" || a == "-tt" || a == "-T"; }))
        continue;
      s.program = w[0];
      s.args.assign(w.begin() + 1, w.end());
      bool background = line.find('&') != std::string_view::npos;
      s.oneshot = !(background || known_daemon || base.ends_with("d"));
    }
    s.name = script_name.empty() ? std::string(file_name(s.program)) : script_name;
    s.boot_reason = fmt::format("started by {} line {}", s.path, no);
    services.push_back(std::move(s));
    if (++found > 256) break;
  }
}

// ---- inittab ---------------------------------------------------------------------------------

bool is_boot_action(std::string_view a) {
  return a == "sysinit" || a == "respawn" || a == "askfirst" || a == "once" || a == "wait" || a == "boot" ||
         a == "bootwait";
}

/// What BusyBox init runs when there is no /etc/inittab (its documented default): rcS, then a
/// shell after "press Enter" on the console and on tty2-tty4, with no login.
constexpr std::string_view kBusyboxDefaultInittab =
    "::sysinit:/etc/init.d/rcS\n"
    "::askfirst:/bin/sh\n"
    "tty2::askfirst:/bin/sh\n"
    "tty3::askfirst:/bin/sh\n"
    "tty4::askfirst:/bin/sh\n"
    "::ctrlaltdel:/sbin/reboot\n"
    "::shutdown:/sbin/swapoff -a\n"
    "::shutdown:/bin/umount -a -r\n"
    "::restart:/sbin/init\n";

/// True when /sbin/init is BusyBox (a link to the busybox binary), whose init falls back to
/// its built-in inittab.
bool busybox_init(const FsReader& r) {
  auto target = r.v().resolve("/sbin/init");
  return target.ok() && file_name(*target) == "busybox" && r.v().stat(*target).ok();
}

}  // namespace

void collect_inittab(const FsReader& r, std::vector<Service>& services) {
  const std::string path = "/etc/inittab";
  auto text = r.read(path);
  bool builtin = false;
  if (!text) {
    if (r.exists(path) || !busybox_init(r)) return;
    text = std::string(kBusyboxDefaultInittab);
    builtin = true;
  }
  Inittab tab = parse_inittab(*text);
  r.diagnostics(tab.diagnostics, path);
  bool sysv_rc = false;
  for (const auto& e : tab.entries) {
    Service s;
    s.init = "inittab";
    s.name = (e.id.empty() ? std::string("console") : e.id) + ":" + e.action;
    s.path = builtin ? r.display("/sbin/init") : r.display(path);
    s.line = builtin ? 0 : e.line;
    std::string process = e.process;
    if (!process.empty() && process[0] == '-') process.erase(0, 1);
    auto w = split_command(process);
    if (!w.empty()) {
      s.program = w[0];
      s.args.assign(w.begin() + 1, w.end());
    }
    s.at_boot = is_boot_action(e.action);
    s.oneshot = e.action != "respawn" && e.action != "askfirst";
    s.boot_reason =
        s.at_boot ? fmt::format("inittab action '{}'", e.action) : fmt::format("runs only on '{}'", e.action);
    if (builtin) s.boot_reason += " of BusyBox init's built-in inittab (there is no /etc/inittab)";
    services.push_back(s);
    // A boot script started from inittab starts services of its own.
    if (s.at_boot && !s.program.empty() && s.program[0] == '/') {
      auto entry = r.v().stat(s.program);
      if (entry.ok() && entry->is_regular()) {
        std::string base(file_name(s.program));
        if (base == "rc" || base.starts_with("rc."))
          sysv_rc = true;
        else if (s.oneshot)
          scan_script(r, s.program, "rc-script", {}, services);
      }
    }
  }
  (void)sysv_rc;
}

std::string pid1(const FsReader& r) {
  auto target = r.v().resolve("/sbin/init");
  if (!target.ok() || !r.v().stat(*target).ok()) return {};
  auto name = file_name(*target);
  if (name == "systemd") return "systemd";
  if (name == "busybox") return "busybox";
  if (name == "procd") return "procd";
  if (name == "init" && target->find("systemd") == std::string::npos) {
    // sysvinit's /sbin/init is its own binary; tell it from others by a string it carries.
    auto head = r.v().read_file(*target, limits::kMaxConfigFileBytes);
    if (head.ok() && head->find("INIT_VERSION") != std::string::npos) return "sysvinit";
  }
  return {};
}

/// Runlevel links (/etc/rc?.d/S*) of SysV init, and Buildroot-style /etc/init.d/S??* scripts
/// that BusyBox's rcS runs in order. Under systemd, a script with a native unit of the same
/// name is never run (systemd-sysv-generator skips it), so it is not a service.
void collect_sysv(const FsReader& r, std::vector<Service>& services) {
  const bool systemd = pid1(r) == "systemd";
  auto shadowed = [&](const std::string& name) {
    if (!systemd) return false;
    for (auto dir : {"/etc/systemd/system/", "/usr/lib/systemd/system/", "/lib/systemd/system/"}) {
      if (r.exists(dir + name + ".service")) return true;
    }
    return false;
  };
  std::map<std::string, std::string> scripts;  // canonical script -> the link that starts it
  for (auto d : {"/etc/rcS.d", "/etc/rc2.d", "/etc/rc3.d", "/etc/rc4.d", "/etc/rc5.d", "/etc/rc.d/rcS.d",
                 "/etc/rc.d/rc3.d", "/etc/rc.d/rc5.d"}) {
    for (const auto& e : r.list(d)) {
      if (e.name.size() < 2 || e.name[0] != 'S') continue;
      std::string link = std::string(d) + "/" + e.name;
      auto c = r.v().resolve(link);
      if (!c.ok()) continue;
      auto text = r.read(*c);
      if (!text || text->find("USE_PROCD=1") != std::string::npos) continue;
      scripts.emplace(*c, r.display(link));
    }
  }
  if (auto rcs = r.read("/etc/init.d/rcS"); rcs && rcs->find("/etc/init.d/S??*") != std::string::npos) {
    for (const auto& e : r.list("/etc/init.d")) {
      if (e.name.size() > 3 && e.name[0] == 'S' && std::isdigit(static_cast<unsigned char>(e.name[1])) &&
          std::isdigit(static_cast<unsigned char>(e.name[2]))) {
        scripts.emplace("/etc/init.d/" + e.name, r.display("/etc/init.d/rcS"));
      }
    }
  }
  for (const auto& [script, link] : scripts) {
    std::size_t before = services.size();
    std::string name(file_name(script));
    if (shadowed(name)) continue;
    scan_script(r, script, "sysv", name, services);
    for (std::size_t i = before; i < services.size(); ++i) {
      services[i].boot_reason = fmt::format("{}, run at boot by {}", services[i].boot_reason, link);
    }
  }
}

// ---- procd -----------------------------------------------------------------------------------

void collect_procd(const FsReader& r, std::vector<Service>& services) {
  std::set<std::string> enabled;
  for (const auto& e : r.list("/etc/rc.d")) {
    if (e.name.size() > 3 && e.name[0] == 'S') {
      auto c = r.v().resolve("/etc/rc.d/" + e.name);
      if (c.ok()) enabled.insert(*c);
    }
  }
  for (const auto& e : r.list("/etc/init.d")) {
    std::string path = "/etc/init.d/" + e.name;
    auto text = r.read(path);
    if (!text || text->find("USE_PROCD=1") == std::string::npos) continue;
    ProcdScript p = parse_procd_script(*text);
    if (!p.uses_procd) continue;
    auto vars = script_variables(*text);
    bool on = enabled.count(path) > 0;
    for (std::size_t i = 0; i < p.instances.size(); ++i) {
      const auto& in = p.instances[i];
      Service s;
      s.init = "procd";
      s.name = p.instances.size() > 1 ? fmt::format("{}#{}", e.name, i + 1) : e.name;
      std::vector<std::string> cmd;
      for (const auto& w : in.command) cmd.push_back(expand_shell(w, vars));
      s.program = cmd.empty() ? std::string() : cmd[0];
      if (cmd.size() > 1) s.args.assign(cmd.begin() + 1, cmd.end());
      s.user = in.user;
      s.group = in.group;
      s.path = r.display(path);
      s.line = in.line;
      if (!in.user.empty()) {
        s.user_path = s.path;
        s.user_line = in.user_line;
      }
      s.at_boot = on;
      s.boot_reason = on ? fmt::format("enabled by a link in {}", r.display("/etc/rc.d"))
                         : std::string("not enabled: no /etc/rc.d/S?? link");
      services.push_back(std::move(s));
    }
  }
}

}  // namespace fwcert::evidence::services::detail
