#include "analyzers/services/services.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analyzers/services/common.hpp"
#include "analyzers/services/parse.hpp"
#include "analyzers/services/sandbox.hpp"
#include "core/limits.hpp"
#include "core/text.hpp"
#include "data/resources.hpp"

namespace fwcert::analyzers::services {

namespace {

using text::lower;

using detail::entries_of;
using detail::file_name;
using detail::FsReader;

constexpr std::string_view kNonRootCheck = "priv-services-non-root";
constexpr std::string_view kLegacyCheck = "net-legacy-daemons";
constexpr std::string_view kSerialCheck = "net-serial-console";
constexpr std::string_view kSshCheck = "net-ssh-config";
constexpr std::string_view kDebugCheck = "net-debug-services";
constexpr std::string_view kSandboxCheck = "priv-systemd-sandbox";
constexpr std::string_view kChecks[] = {kNonRootCheck,
                                        kLegacyCheck,
                                        kSerialCheck,
                                        kSshCheck,
                                        detail::kSetuidCheck,
                                        detail::kPermissionsCheck,
                                        detail::kRootfsCheck,
                                        detail::kSudoCheck,
                                        detail::kPamCheck,
                                        detail::kHostKeysCheck,
                                        kDebugCheck,
                                        kSandboxCheck,
                                        detail::kFirewallCheck,
                                        detail::kUsbGadgetCheck,
                                        detail::kUnneededCheck,
                                        detail::kListenersCheck};

/// systemd's unit search path, highest precedence first (systemd.unit(5), system mode).
constexpr std::string_view kUnitDirs[] = {"/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
                                          "/usr/lib/systemd/system", "/lib/systemd/system"};

/// Where systemd.preset(5) files live, highest precedence first.
constexpr std::string_view kPresetDirs[] = {"/etc/systemd/system-preset", "/run/systemd/system-preset",
                                            "/usr/local/lib/systemd/system-preset", "/usr/lib/systemd/system-preset",
                                            "/lib/systemd/system-preset"};

/// Dependencies that stock systemd target units declare; added in case an image ships
/// without the target files, so enablement under multi-user.target still counts as boot.
constexpr std::pair<std::string_view, std::string_view> kImplicitEdges[] = {
    {"graphical.target", "multi-user.target"}, {"multi-user.target", "basic.target"},
    {"multi-user.target", "getty.target"},     {"basic.target", "sysinit.target"},
    {"basic.target", "sockets.target"},        {"basic.target", "timers.target"},
    {"basic.target", "paths.target"}};

/// The systemd directives that `systemd-analyze security` weighs, recorded per service.
constexpr std::string_view kSandboxKeys[] = {"NoNewPrivileges",
                                             "ProtectSystem",
                                             "ProtectHome",
                                             "PrivateTmp",
                                             "PrivateDevices",
                                             "PrivateNetwork",
                                             "PrivateUsers",
                                             "PrivateMounts",
                                             "ProtectKernelTunables",
                                             "ProtectKernelModules",
                                             "ProtectKernelLogs",
                                             "ProtectControlGroups",
                                             "ProtectClock",
                                             "ProtectHostname",
                                             "ProtectProc",
                                             "ProcSubset",
                                             "RestrictAddressFamilies",
                                             "RestrictNamespaces",
                                             "RestrictRealtime",
                                             "RestrictSUIDSGID",
                                             "LockPersonality",
                                             "MemoryDenyWriteExecute",
                                             "SystemCallFilter",
                                             "SystemCallArchitectures",
                                             "CapabilityBoundingSet",
                                             "AmbientCapabilities",
                                             "RemoveIPC",
                                             "UMask",
                                             "DevicePolicy",
                                             "DeviceAllow",
                                             "IPAddressDeny",
                                             "KeyringMode",
                                             "NotifyAccess",
                                             "Delegate",
                                             "RootDirectory",
                                             "RootImage"};

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

/// Debug and diagnostic programs: a service running one is reachable debugging; the file
/// alone is a tool an attacker can use once inside.
constexpr std::string_view kDebugPrograms[] = {
    "gdbserver",  "frida-server",  "frida",    "strace", "ltrace",       "tcpdump", "gdb",
    "devmem",     "devmem2",       "socat",    "nc",     "netcat",       "ncat",    "adbd",
    "diag_mdlog", "diagrebootapp", "valgrind", "perf",   "busybox-debug"};

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

template <std::size_t N>
bool in_list(const std::string_view (&list)[N], std::string_view s) {
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

std::string join(const std::vector<std::string>& v, std::string_view sep = " ") {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

const std::set<std::string>& network_daemons() {
  static const std::set<std::string> kSet = [] {
    std::set<std::string> out;
    std::string_view text = data::resource("data/network-daemons.txt");
    std::size_t pos = 0;
    while (pos < text.size()) {
      auto end = text.find('\n', pos);
      std::string_view line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
      pos = end == std::string_view::npos ? text.size() : end + 1;
      auto hash = line.find('#');
      if (hash != std::string_view::npos) line = line.substr(0, hash);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      if (!line.empty()) out.emplace(line);
    }
    return out;
  }();
  return kSet;
}

/// The names a service's command goes by: the program's file name, and for multi-call
/// binaries and wrappers (busybox, tcpd, tcpsvd, nohup, ...) the program they run.
std::vector<std::string> program_names(const Service& s) {
  std::vector<std::string> out;
  if (s.program.empty()) return out;
  std::string base(file_name(s.program));
  out.push_back(base);
  if (base == "busybox" || base == "dropbearmulti" || base == "tcpd" || base == "nohup" || base == "env") {
    if (!s.args.empty()) out.emplace_back(file_name(s.args[0]));
  } else if (base == "tcpsvd" || base == "udpsvd") {
    // tcpsvd [options] IP PORT PROG ARGS: the third word that is not an option is the program.
    int plain = 0;
    for (const auto& a : s.args) {
      if (a.starts_with("-")) continue;
      if (++plain == 3) {
        out.emplace_back(file_name(a));
        if (out.back() == "busybox" && &a != &s.args.back()) out.emplace_back(file_name(*(&a + 1)));
        break;
      }
    }
  }
  return out;
}

// ---- systemd ---------------------------------------------------------------------------------

bool has_unit_suffix(std::string_view n) {
  return n.ends_with(".service") || n.ends_with(".socket") || n.ends_with(".target") || n.ends_with(".timer") ||
         n.ends_with(".path");
}

/// "foo@bar.service" -> ("foo@.service", "bar"); nullopt for non-instances.
std::optional<std::pair<std::string, std::string>> split_instance(std::string_view name) {
  auto at = name.find('@');
  auto dot = name.rfind('.');
  if (at == std::string_view::npos || dot == std::string_view::npos || dot <= at + 1) return std::nullopt;
  return std::pair{std::string(name.substr(0, at + 1)) + std::string(name.substr(dot)),
                   std::string(name.substr(at + 1, dot - at - 1))};
}

bool is_template(std::string_view name) {
  auto at = name.find('@');
  return at != std::string_view::npos && at + 1 < name.size() && name[at + 1] == '.';
}

std::string stem(std::string_view name) { return std::string(name.substr(0, name.rfind('.'))); }

struct Systemd {
  const FsReader& r;
  std::vector<std::string> dirs;                ///< canonical, deduplicated, by precedence
  std::map<std::string, std::string> fragment;  ///< unit -> canonical path of its file
  std::set<std::string> masked;
  std::map<std::string, std::string> alias;                               ///< alias -> unit
  std::multimap<std::string, std::pair<std::string, std::string>> edges;  ///< from -> (to, display path)
  std::map<std::string, MergedUnit> cache;
  /// Edges added by presets on first boot: from -> (to, reason).
  std::multimap<std::string, std::pair<std::string, std::string>> preset_edges;

  explicit Systemd(const FsReader& reader) : r(reader) {
    for (auto d : kUnitDirs) {
      auto c = r.v().resolve(d);
      if (!c.ok()) continue;
      auto st = r.v().stat(*c);
      if (!st.ok() || !st->is_dir()) continue;
      if (std::find(dirs.begin(), dirs.end(), *c) == dirs.end()) dirs.push_back(*c);
    }
    for (const auto& dir : dirs) scan_dir(dir);
    if (first_boot()) apply_presets();
  }

  /// systemd applies presets when it boots with /etc/machine-id missing, empty or
  /// "uninitialized" (machine-id(5)): that is the state a freshly flashed image is in.
  bool first_boot() const {
    if (!present()) return false;
    auto text = r.read("/etc/machine-id");
    if (!text) return true;
    std::string_view t = *text;
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.remove_suffix(1);
    return t.empty() || t == "uninitialized";
  }

  /// One `enable`/`disable` line of a preset file.
  struct PresetRule {
    bool enable = false;
    std::string pattern;
    std::vector<std::string> instances;
    std::string where;  ///< display path and line
  };

  /// Preset rules in the order systemd consults them: files sorted by name (a name in a
  /// higher-precedence directory hides the same name lower down), lines in file order.
  std::vector<PresetRule> preset_rules() const {
    std::map<std::string, std::string> files;  // file name -> path
    for (auto d : kPresetDirs) {
      for (const auto& e : r.list(std::string(d))) {
        if (e.name.ends_with(".preset")) files.emplace(e.name, std::string(d) + "/" + e.name);
      }
    }
    std::vector<PresetRule> rules;
    for (const auto& [name, path] : files) {
      auto text = r.read(path);
      if (!text) continue;
      std::size_t no = 0, pos = 0;
      while (pos < text->size() && rules.size() < limits::kMaxConfigLines) {
        auto end = text->find('\n', pos);
        std::string_view line =
            std::string_view(*text).substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        pos = end == std::string::npos ? text->size() : end + 1;
        ++no;
        auto w = split_command(line);
        if (w.size() < 2 || (w[0] != "enable" && w[0] != "disable")) continue;
        PresetRule rule{
            w[0] == "enable", w[1], {w.begin() + 2, w.end()}, fmt::format("{} line {}", r.display(path), no)};
        rules.push_back(std::move(rule));
      }
    }
    return rules;
  }

  /// What first boot's preset-all (enable-only mode) adds: for every unit with an [Install]
  /// section whose first matching preset line says enable (or that no line matches), the
  /// links its WantedBy=/RequiredBy= would create.
  void apply_presets() {
    auto rules = preset_rules();
    for (const auto& [name, path] : fragment) {
      const PresetRule* match = nullptr;
      for (const auto& rule : rules) {
        if (fnmatch(rule.pattern.c_str(), name.c_str(), FNM_NOESCAPE) == 0) {
          match = &rule;
          break;
        }
      }
      if (match && !match->enable) continue;
      const MergedUnit* m = load(name);
      if (!m) continue;
      std::vector<std::string> units;
      if (is_template(name)) {
        // A template is enabled through the instances the preset names, else DefaultInstance=.
        std::vector<std::string> instances = match ? match->instances : std::vector<std::string>{};
        if (instances.empty()) {
          if (const auto* d = m->last("Install", "DefaultInstance")) instances.push_back(d->value);
        }
        auto at = name.find("@.");
        if (at == std::string::npos) continue;
        for (const auto& i : instances) units.push_back(name.substr(0, at + 1) + i + name.substr(at + 1));
      } else {
        units.push_back(name);
      }
      std::string why = match ? fmt::format(
                                    "enabled on first boot by the preset `enable {}` ({}; /etc/machine-id is "
                                    "not initialised)",
                                    match->pattern, match->where)
                              : std::string(
                                    "enabled on first boot: no preset line disables it and /etc/machine-id is "
                                    "not initialised");
      for (auto key : {"WantedBy", "RequiredBy"}) {
        for (const auto* a : m->all("Install", key)) {
          for (const auto& target : split_command(a->value)) {
            for (const auto& u : units) preset_edges.emplace(target, std::pair{u, why});
          }
        }
      }
    }
  }

  bool present() const { return !fragment.empty(); }

  void scan_dir(const std::string& dir) {
    for (const auto& e : r.list(dir)) {
      std::string path = dir + "/" + e.name;
      if (e.type == vfs::FileType::kDirectory && (e.name.ends_with(".wants") || e.name.ends_with(".requires"))) {
        std::string from = e.name.substr(0, e.name.rfind('.'));
        for (const auto& link : r.list(path)) {
          if (has_unit_suffix(link.name)) edges.emplace(from, std::pair{link.name, r.display(path + "/" + link.name)});
        }
        continue;
      }
      if (!has_unit_suffix(e.name) || fragment.count(e.name) || masked.count(e.name) || alias.count(e.name)) continue;
      if (e.type == vfs::FileType::kSymlink) {
        auto target = r.v().readlink(path);
        if (target.ok() && (*target == "/dev/null")) {
          masked.insert(e.name);
          continue;
        }
        if (target.ok()) {
          std::string tname(file_name(*target));
          if (tname != e.name && has_unit_suffix(tname)) {
            alias.emplace(e.name, tname);
            continue;
          }
        }
      }
      fragment.emplace(e.name, path);
    }
  }

  std::string canonical_name(const std::string& name) const {
    std::string n = name;
    for (int hops = 0; hops < 8; ++hops) {
      auto it = alias.find(n);
      if (it == alias.end()) break;
      n = it->second;
    }
    return n;
  }

  /// The unit file and drop-ins of `name` merged in systemd's order, or nullptr when the unit
  /// has no file (or is masked).
  const MergedUnit* load(const std::string& name) {
    if (auto it = cache.find(name); it != cache.end()) return &it->second;
    if (masked.count(name)) return nullptr;
    auto inst = split_instance(name);
    auto frag = fragment.find(name);
    if (frag == fragment.end() && inst) frag = fragment.find(inst->first);
    if (frag == fragment.end()) return nullptr;

    MergedUnit merged;
    auto add = [&](const std::string& path) {
      auto text = r.read(path);
      if (!text) return;
      UnitFile u = parse_unit(*text, r.display(path));
      r.diagnostics(u.diagnostics, path);
      for (auto& a : u.assignments) {
        if (inst) expand_specifiers(a.value, name, inst->second);
        merged.assignments.push_back(std::move(a));
      }
    };
    add(frag->second);
    // Drop-ins: a file name in a higher-precedence directory hides the same name lower down;
    // the survivors apply in file-name order (systemd.unit(5)).
    std::map<std::string, std::string> dropins;
    std::vector<std::string> names;
    if (inst) names.push_back(inst->first);
    names.push_back(name);
    for (const auto& dir : dirs) {
      for (const auto& n : names) {
        for (const auto& e : r.list(dir + "/" + n + ".d")) {
          if (e.name.ends_with(".conf")) dropins.emplace(e.name, dir + "/" + n + ".d/" + e.name);
        }
      }
    }
    for (const auto& [file, path] : dropins) add(path);
    return &cache.emplace(name, std::move(merged)).first->second;
  }

  static void expand_specifiers(std::string& v, const std::string& name, const std::string& instance) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] != '%' || i + 1 >= v.size()) {
        out += v[i];
        continue;
      }
      char c = v[++i];
      if (c == 'i' || c == 'I') {
        out += instance;
      } else if (c == 'n' || c == 'N') {
        out += c == 'n' ? name : stem(name);
      } else if (c == '%') {
        out += '%';
      } else {
        out += '%';
        out += c;
      }
    }
    v = std::move(out);
  }

  /// Units reached from default.target, each with the reason it was reached.
  std::map<std::string, std::string> boot_closure() {
    std::string start;
    if (alias.count("default.target")) {
      start = canonical_name("default.target");
    } else if (fragment.count("graphical.target") && !fragment.count("multi-user.target")) {
      start = "graphical.target";
    } else {
      start = "multi-user.target";
    }
    std::map<std::string, std::string> reached{{start, "the default target"}};
    std::deque<std::string> queue{start};
    auto visit = [&](const std::string& to, std::string why) {
      std::string n = canonical_name(to);
      if (masked.count(n) || reached.count(n) || reached.size() > limits::kMaxConfigLines) return;
      reached.emplace(n, std::move(why));
      queue.push_back(n);
    };
    while (!queue.empty()) {
      std::string u = queue.front();
      queue.pop_front();
      auto [lo, hi] = edges.equal_range(u);
      for (auto it = lo; it != hi; ++it)
        visit(it->second.first, fmt::format("enabled by the link {}", it->second.second));
      auto [plo, phi] = preset_edges.equal_range(u);
      for (auto it = plo; it != phi; ++it) visit(it->second.first, it->second.second);
      for (const auto& [from, to] : kImplicitEdges) {
        if (from == u) visit(std::string(to), fmt::format("pulled in by {}", u));
      }
      if (const MergedUnit* m = load(u)) {
        for (auto key : {"Wants", "Requires", "BindsTo", "Upholds"}) {
          for (const auto* a : m->all("Unit", key)) {
            for (const auto& dep : split_command(a->value)) {
              visit(dep, fmt::format("{}= of {} ({} line {})", key, u, a->path, a->line));
            }
          }
        }
      }
    }
    return reached;
  }
};

bool is_network_listen(std::string_view v) {
  if (v.empty() || v[0] == '/' || v[0] == '@') return false;  // file system or abstract socket
  if (v.starts_with("vsock:")) return false;
  return true;
}

bool is_loopback_listen(std::string_view v) {
  return v.starts_with("127.") || v.starts_with("[::1]") || v.starts_with("localhost:");
}

Service systemd_service(Systemd& sd, const std::string& name, const MergedUnit& m) {
  const FsReader& r = sd.r;
  Service s;
  s.init = "systemd";
  s.name = name;
  auto frag = sd.fragment.find(name);
  if (frag == sd.fragment.end()) {
    if (auto inst = split_instance(name)) frag = sd.fragment.find(inst->first);
  }
  if (frag != sd.fragment.end()) s.path = r.display(frag->second);
  auto execs = m.all("Service", "ExecStart");
  if (!execs.empty()) {
    if (auto cmd = parse_exec(execs.front()->value)) {
      s.program = cmd->program;
      s.args = cmd->args;
    }
    s.path = execs.front()->path;
    s.line = execs.front()->line;
  }
  if (const auto* u = m.last("Service", "User")) {
    s.user = u->value;
    s.user_path = u->path;
    s.user_line = u->line;
  }
  if (const auto* g = m.last("Service", "Group")) s.group = g->value;
  if (const auto* d = m.last("Service", "DynamicUser")) {
    s.dynamic_user = parse_systemd_bool(d->value).value_or(false);
    if (s.dynamic_user && s.user_path.empty()) {
      s.user_path = d->path;
      s.user_line = d->line;
    }
  }
  for (const auto* a : m.all("Service", "AmbientCapabilities")) {
    for (const auto& c : split_command(a->value)) s.capabilities.push_back(c);
  }
  std::vector<std::string> bounding;
  for (const auto* a : m.all("Service", "CapabilityBoundingSet")) bounding.push_back(a->value);
  s.capability_bounding = join(bounding);
  if (const auto* t = m.last("Service", "Type")) s.oneshot = t->value == "oneshot";
  for (auto key : kSandboxKeys) {
    auto values = m.all("Service", key);
    if (!values.empty()) s.sandbox.push_back(fmt::format("{}={}", key, values.back()->value));
  }
  SandboxAssessment sa = assess_sandbox(m);
  s.exposure = sa.exposure;
  s.exposure_unmet = std::move(sa.unmet);
  return s;
}

void collect_systemd(const FsReader& r, std::vector<Service>& services) {
  Systemd sd(r);
  if (!sd.present()) return;
  auto reached = sd.boot_closure();

  std::map<std::string, Service> by_name;
  auto ensure = [&](const std::string& name) -> Service* {
    if (auto it = by_name.find(name); it != by_name.end()) return &it->second;
    const MergedUnit* m = sd.load(name);
    if (!m) return nullptr;
    return &by_name.emplace(name, systemd_service(sd, name, *m)).first->second;
  };

  for (const auto& [name, path] : sd.fragment) {
    if (name.ends_with(".service") && !is_template(name)) ensure(name);
  }
  for (const auto& [name, why] : reached) {
    if (!name.ends_with(".service")) continue;
    if (Service* s = ensure(name)) {
      s->at_boot = true;
      s->boot_reason = why;
    }
  }
  // Sockets and timers start their services on demand; a socket that listens on the network
  // makes its service network-facing.
  for (const auto& [name, path] : sd.fragment) {
    bool socket = name.ends_with(".socket"), timer = name.ends_with(".timer");
    if ((!socket && !timer) || is_template(name)) continue;
    const MergedUnit* m = sd.load(name);
    if (!m) continue;
    std::string target;
    if (socket) {
      const auto* svc = m->last("Socket", "Service");
      const auto* accept = m->last("Socket", "Accept");
      bool per_connection = accept && parse_systemd_bool(accept->value).value_or(false);
      target = svc ? svc->value : stem(name) + (per_connection ? "@.service" : ".service");
    } else {
      const auto* unit = m->last("Timer", "Unit");
      target = unit ? unit->value : stem(name) + ".service";
    }
    Service* s = ensure(sd.canonical_name(target));
    if (!s) continue;
    bool started = reached.count(name) > 0;
    if (started && !s->at_boot) {
      s->at_boot = true;
      s->boot_reason = fmt::format("started on demand by {}, which is {}", name, reached[name]);
    }
    if (!socket) continue;
    for (auto key : {"ListenStream", "ListenDatagram", "ListenSequentialPacket"}) {
      for (const auto* a : m->all("Socket", key)) {
        if (!is_network_listen(a->value) || is_loopback_listen(a->value)) continue;
        s->network_facing = true;
        s->network_reasons.push_back(fmt::format("{}={} in {} line {}", key, a->value, a->path, a->line));
      }
    }
  }
  for (auto& [name, s] : by_name) {
    if (!s.at_boot && s.boot_reason.empty())
      s.boot_reason = "not enabled: no link or dependency from the default target";
    services.push_back(std::move(s));
  }
}

// ---- scripts (BusyBox rcS, SysV init.d) ------------------------------------------------------

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

std::string expand_vars(const std::string& word, const std::map<std::string, std::string>& vars) {
  std::string out;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (word[i] != '$' || i + 1 >= word.size()) {
      out += word[i];
      continue;
    }
    std::size_t start = i + 1, end;
    std::string name;
    if (word[start] == '{') {
      end = word.find('}', start);
      if (end == std::string::npos) break;
      name = word.substr(start + 1, end - start - 1);
      i = end;
    } else {
      end = start;
      while (end < word.size() && (std::isalnum(static_cast<unsigned char>(word[end])) || word[end] == '_')) ++end;
      name = word.substr(start, end - start);
      i = end - 1;
    }
    if (auto it = vars.find(name); it != vars.end()) out += it->second;
  }
  return out;
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
  std::size_t pos = 0, no = 0;
  std::size_t found = 0;
  while (pos < text->size() && no < limits::kMaxConfigLines) {
    auto end = text->find('\n', pos);
    std::string_view line =
        std::string_view(*text).substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? text->size() : end + 1;
    ++no;
    auto w = split_command(line);
    while (!w.empty() && (w[0] == "exec" || w[0] == "then" || w[0] == "do" || w[0] == "else")) w.erase(w.begin());
    // A leading NAME=value is a variable assignment (or an environment prefix), not a command.
    while (!w.empty() && w[0].find('=') != std::string::npos && w[0].find('=') < w[0].find('/')) w.erase(w.begin());
    if (w.empty()) continue;
    for (auto& word : w) word = expand_vars(word, vars);
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

/// Runlevel links (/etc/rc?.d/S*) of SysV init, and Buildroot-style /etc/init.d/S??* scripts
/// that BusyBox's rcS runs in order.
void collect_sysv(const FsReader& r, std::vector<Service>& services) {
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
      for (const auto& w : in.command) cmd.push_back(expand_vars(w, vars));
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

// ---- Android init ----------------------------------------------------------------------------

void collect_android(const FsReader& r, std::vector<Service>& services) {
  std::vector<std::string> files;
  for (const auto& e : r.list("/")) {
    if (e.name == "init.rc" || (e.name.starts_with("init.") && e.name.ends_with(".rc"))) files.push_back("/" + e.name);
  }
  for (auto d :
       {"/system/etc/init", "/vendor/etc/init", "/odm/etc/init", "/product/etc/init", "/system_ext/etc/init"}) {
    for (const auto& e : r.list(d)) {
      if (e.name.ends_with(".rc")) files.push_back(std::string(d) + "/" + e.name);
    }
  }
  struct Parsed {
    std::string path;
    InitRc rc;
  };
  std::vector<Parsed> parsed;
  for (const auto& f : files) {
    auto text = r.read(f);
    if (!text) continue;
    Parsed p{f, parse_init_rc(*text)};
    r.diagnostics(p.rc.diagnostics, f);
    parsed.push_back(std::move(p));
  }
  std::map<std::string, std::string> started;  // service -> reason
  std::set<std::string> started_classes;
  for (const auto& p : parsed) {
    for (const auto& a : p.rc.actions) {
      for (const auto& [svc, line] : a.starts) {
        started.emplace(svc, fmt::format("started by 'on {}' ({} line {})", a.trigger, r.display(p.path), line));
      }
      for (const auto& [cls, line] : a.class_starts) started_classes.insert(cls);
    }
  }
  for (const auto& p : parsed) {
    for (const auto& rs : p.rc.services) {
      Service s;
      s.init = "android";
      s.name = rs.name;
      s.program = rs.program;
      s.args = rs.args;
      s.user = rs.user;
      s.group = rs.groups.empty() ? std::string() : rs.groups[0];
      s.capabilities = rs.capabilities;
      s.oneshot = rs.oneshot;
      s.path = r.display(p.path);
      s.line = rs.line;
      if (rs.user_line) {
        s.user_path = s.path;
        s.user_line = rs.user_line;
      }
      if (auto it = started.find(rs.name); it != started.end()) {
        s.at_boot = true;
        s.boot_reason = it->second;
        s.conditional = it->second.find("'on property:") != std::string::npos;
      } else if (!rs.disabled) {
        // Without the triggers evaluated, a service that is not disabled counts as started:
        // init starts the classes core, main, late_start and default during every boot.
        s.at_boot = true;
        s.boot_reason = fmt::format("not disabled; class {}", join(rs.classes, ","));
      } else {
        s.boot_reason = "disabled and not started by any action";
      }
      services.push_back(std::move(s));
    }
  }
}

// ---- inetd and xinetd ------------------------------------------------------------------------

/// The first service started at boot whose program is named `daemon`, or nullptr.
const Service* started_daemon(const std::vector<Service>& services, std::initializer_list<std::string_view> daemons) {
  for (const auto& s : services) {
    if (!s.at_boot) continue;
    for (const auto& n : program_names(s)) {
      if (std::find(daemons.begin(), daemons.end(), n) != daemons.end()) return &s;
    }
  }
  return nullptr;
}

void collect_inetd(const FsReader& r, std::vector<Service>& services) {
  const std::string path = "/etc/inetd.conf";
  auto text = r.read(path);
  if (!text) return;
  InetdConf conf = parse_inetd_conf(*text);
  r.diagnostics(conf.diagnostics, path);
  const Service* inetd = started_daemon(services, {"inetd", "inetutils-inetd", "openbsd-inetd"});
  std::vector<Service> added;
  for (const auto& e : conf.entries) {
    Service s;
    s.init = "inetd";
    s.name = e.service + "/" + e.protocol;
    s.path = r.display(path);
    s.line = e.line;
    s.user = e.user;
    s.group = e.group;
    s.user_path = s.path;
    s.user_line = e.line;
    s.oneshot = false;
    if (e.server == "internal") {
      s.program = "internal";
    } else if (file_name(e.server) == "tcpd" && !e.args.empty()) {
      s.program = e.args[0];
      s.args.assign(e.args.begin() + 1, e.args.end());
    } else {
      s.program = e.server;
      if (!e.args.empty()) s.args.assign(e.args.begin() + 1, e.args.end());
    }
    s.network_facing = true;
    s.network_reasons.push_back(
        fmt::format("inetd.conf entry '{} {} {}' ({} line {})", e.service, e.socket_type, e.protocol, s.path, e.line));
    s.at_boot = inetd != nullptr;
    s.boot_reason =
        inetd ? fmt::format("inetd is started at boot ({})", inetd->subject.empty() ? inetd->path : inetd->subject)
              : std::string("inetd is not started at boot by any init configuration found");
    added.push_back(std::move(s));
  }
  services.insert(services.end(), added.begin(), added.end());
}

void collect_xinetd(const FsReader& r, std::vector<Service>& services) {
  std::vector<std::string> files;
  std::vector<std::string> dirs;
  XinetdConf main;
  if (auto text = r.read("/etc/xinetd.conf")) {
    main = parse_xinetd(*text);
    r.diagnostics(main.diagnostics, "/etc/xinetd.conf");
    files.push_back("/etc/xinetd.conf");
    dirs = main.includedirs;
  }
  if (std::find(dirs.begin(), dirs.end(), "/etc/xinetd.d") == dirs.end() && r.exists("/etc/xinetd.d"))
    dirs.push_back("/etc/xinetd.d");
  std::set<std::string> disabled_by_default;
  for (const auto& d : main.defaults) {
    if (const std::string* v = d.get("disabled")) {
      for (auto& w : split_command(*v)) disabled_by_default.insert(w);
    }
  }
  const Service* xinetd = started_daemon(services, {"xinetd"});
  std::vector<Service> added;
  auto add_conf = [&](const std::string& path, const XinetdConf& conf) {
    for (const auto& xs : conf.services) {
      Service s;
      s.init = "xinetd";
      s.name = xs.name;
      s.path = r.display(path);
      s.line = xs.line;
      if (const std::string* u = xs.get("user")) {
        s.user = *u;
        s.user_path = s.path;
        s.user_line = xs.line_of("user");
      }
      if (const std::string* g = xs.get("group")) s.group = *g;
      if (const std::string* srv = xs.get("server")) s.program = *srv;
      if (const std::string* a = xs.get("server_args")) s.args = split_command(*a);
      const std::string* type = xs.get("type");
      if (s.program.empty() && type && type->find("INTERNAL") != std::string::npos) s.program = "internal";
      const std::string* dis = xs.get("disable");
      bool disabled = (dis && *dis == "yes") || disabled_by_default.count(xs.name);
      s.network_facing = true;
      s.network_reasons.push_back(fmt::format("xinetd service '{}' ({} line {})", xs.name, s.path, xs.line));
      s.at_boot = !disabled && xinetd != nullptr;
      s.boot_reason = disabled ? fmt::format("disable = yes ({} line {})", s.path, xs.line_of("disable"))
                      : xinetd ? std::string("xinetd is started at boot")
                               : std::string("xinetd is not started at boot by any init configuration found");
      added.push_back(std::move(s));
    }
  };
  if (!files.empty()) add_conf(files[0], main);
  for (const auto& d : dirs) {
    for (const auto& e : r.list(d)) {
      // xinetd skips names containing a dot or ending with '~' (rpm/dpkg leftovers).
      if (e.name.find('.') != std::string::npos || e.name.ends_with("~")) continue;
      std::string path = d + "/" + e.name;
      auto text = r.read(path);
      if (!text) continue;
      XinetdConf conf = parse_xinetd(*text);
      r.diagnostics(conf.diagnostics, path);
      add_conf(path, conf);
    }
  }
  services.insert(services.end(), added.begin(), added.end());
}

// ---- findings --------------------------------------------------------------------------------

std::string command_text(const Service& s) {
  std::string c = s.program;
  for (const auto& a : s.args) c += " " + a;
  return c;
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

/// True for the Alexa client (AVS Device SDK sample app or a vendor client named after it).
bool is_alexa_client(const Service& s) {
  for (const auto& n : program_names(s)) {
    std::string l = n;
    for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (l.find("alexa") != std::string::npos || l.starts_with("avs") || l == "sampleapp") return true;
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
    if (is_alexa_client(s)) {
      out.findings.push_back(finding(kNonRootCheck, Status::kFail, s.subject,
                                     fmt::format("the Alexa client {} runs as root", s.name), std::move(ev)));
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

const LegacyProtocol* legacy_of(std::string_view name) {
  for (const auto& p : legacy_protocols()) {
    if (std::find(p.programs.begin(), p.programs.end(), name) != p.programs.end()) return &p;
  }
  return nullptr;
}

void check_legacy(const inventory::Inventory& inv, std::uint32_t fs, const std::vector<Service>& services,
                  const std::string& where, Output& out) {
  FsReader r{inv, fs, out};
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
    std::size_t pos = 0, no = 0;
    while (pos < text->size() && no < limits::kMaxConfigLines) {
      auto end = text->find('\n', pos);
      std::string_view line =
          std::string_view(*text).substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      pos = end == std::string::npos ? text->size() : end + 1;
      ++no;
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
    out.findings.push_back(
        finding(kLegacyCheck, Status::kWarn, display,
                fmt::format("legacy {} server {} is present{} but no init configuration starts it", proto->label, name,
                            applet ? " as a BusyBox applet link" : ""),
                {at(display, 0, applet ? "symlink to " + e.link_target : "executable on disk", "not shipped")}));
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

// net-ssh-config

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
    std::size_t pos = 0, no = 0, keys = 0, first_line = 0;
    std::string first_type;
    while (pos < text->size() && no < limits::kMaxConfigLines) {
      auto end = text->find('\n', pos);
      std::string_view line =
          std::string_view(*text).substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      pos = end == std::string::npos ? text->size() : end + 1;
      ++no;
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

// net-debug-services

/// True when a netcat or socat command line listens or executes programs for its peer.
bool is_listening_relay(const Service& s, std::string_view name) {
  for (const auto& a : s.args) {
    if (name == "socat") {
      std::string u = a;
      for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (u.find("LISTEN") != std::string::npos || u.starts_with("EXEC") || u.starts_with("SYSTEM")) return true;
    } else if (a.starts_with("-") && !a.starts_with("--") &&
               (a.find('l') != std::string::npos || a.find('e') != std::string::npos ||
                a.find('c') != std::string::npos)) {
      return true;
    }
  }
  return false;
}

void check_debug(const FsReader& r, const std::vector<Service>& services, const std::string& where, Output& out) {
  std::size_t fails = 0, warns = 0;
  std::set<std::string> reported;
  for (const auto& s : services) {
    if (!s.at_boot || s.conditional) continue;
    for (const auto& n : program_names(s)) {
      if (!in_list(kDebugPrograms, n)) continue;
      if ((n == "nc" || n == "netcat" || n == "ncat" || n == "socat") && !is_listening_relay(s, n)) break;
      out.findings.push_back(finding(kDebugCheck, Status::kFail, s.subject,
                                     fmt::format("debug service {} is started at boot: {}", n, s.boot_reason),
                                     {at(s.path, s.line, command_text(s), "no debug service in production")}));
      reported.insert(std::string(file_name(s.program)));
      ++fails;
      break;
    }
  }
  // Android build properties that turn debugging on for everyone who can reach the device.
  struct Prop {
    std::string key, value, path;
    std::size_t line;
  };
  std::vector<Prop> props;
  for (auto path :
       {"/default.prop", "/prop.default", "/system/build.prop", "/system/etc/prop.default", "/vendor/build.prop",
        "/vendor/default.prop", "/odm/build.prop", "/product/build.prop", "/system/system/build.prop"}) {
    auto text = r.read(path);
    if (!text) continue;
    std::size_t pos = 0, no = 0;
    while (pos < text->size() && no < limits::kMaxConfigLines) {
      auto end = text->find('\n', pos);
      std::string_view line =
          std::string_view(*text).substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      pos = end == std::string::npos ? text->size() : end + 1;
      ++no;
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
      if (line.empty() || line[0] == '#') continue;
      auto eq = line.find('=');
      if (eq == std::string_view::npos) continue;
      props.push_back({std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)), r.display(path), no});
    }
  }
  for (const auto& p : props) {
    std::string problem;
    if (p.key == "ro.debuggable" && p.value == "1") problem = "the build is debuggable (adbd can run as root)";
    if (p.key == "ro.secure" && p.value == "0") problem = "ro.secure=0: adb shells run as root";
    if (p.key == "ro.adb.secure" && p.value == "0")
      problem = "ro.adb.secure=0: adb accepts hosts without authorising their key";
    if ((p.key == "persist.sys.usb.config" || p.key == "sys.usb.config" || p.key == "persist.vendor.usb.config") &&
        p.value.find("adb") != std::string::npos) {
      problem = "adb is enabled on USB by default (" + p.key + "=" + p.value + ")";
    }
    if ((p.key == "service.adb.tcp.port" || p.key == "persist.adb.tcp.port") && !p.value.empty() && p.value != "-1" &&
        p.value != "0") {
      problem = "adb listens on TCP port " + p.value;
    }
    if (p.key == "ro.build.tags" && p.value.find("test-keys") != std::string::npos) {
      problem = "the build is signed with the public AOSP test keys";
    }
    if (problem.empty()) continue;
    out.findings.push_back(finding(kDebugCheck, Status::kFail, "property:" + p.key, problem,
                                   {at(p.path, p.line, p.key + "=" + p.value, "a user build: adb off and secure")}));
    ++fails;
  }
  // Tools on disk.
  std::size_t emitted = 0;
  for (const auto& e : entries_of(r.inv, r.fs)) {
    if (e.filesystem != r.fs || !(e.st.is_regular() || e.st.is_symlink())) continue;
    if (e.path.find("/bin/") == std::string::npos && e.path.find("/sbin/") == std::string::npos) continue;
    std::string name(file_name(e.path));
    if (!in_list(kDebugPrograms, name) || reported.count(name) || name == "adbd") continue;
    if (emitted++ >= 100) continue;
    std::string path = r.inv.display_path(e);
    bool applet = e.st.is_symlink() && file_name(e.link_target) == "busybox";
    out.findings.push_back(
        finding(kDebugCheck, Status::kWarn, path,
                fmt::format("debug tool {} is present{}", name, applet ? " as a BusyBox applet link" : ""),
                {at(path, 0, applet ? "symlink to " + e.link_target : "executable on disk", "not shipped")}));
    ++warns;
  }
  if (fails || warns) return;
  out.findings.push_back(
      finding(kDebugCheck, Status::kPass, where,
              "no debug service is started, no debug tool is on disk, and no Android property enables adb "
              "or a debuggable build",
              {at(where, 0, "no debug service or tool")}));
}

// priv-systemd-sandbox

/// Exposure at or above which a network-facing or Alexa service fails to be sandboxed enough:
/// systemd-analyze calls such scores EXPOSED or UNSAFE.
constexpr double kHighExposure = 7.0;

void check_sandbox(const std::vector<Service>& services, const std::string& where, Output& out) {
  std::size_t judged = 0, flagged = 0;
  for (const auto& s : services) {
    if (!s.exposure || !s.at_boot || s.oneshot) continue;
    if (!s.network_facing && !is_alexa_client(s)) continue;
    ++judged;
    if (*s.exposure < kHighExposure) continue;
    std::vector<std::string> top(
        s.exposure_unmet.begin(),
        s.exposure_unmet.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(8, s.exposure_unmet.size())));
    out.findings.push_back(finding(
        kSandboxCheck, Status::kWarn, s.subject,
        fmt::format("{} service {} has sandbox exposure {:.1f} ({}) on the systemd-analyze security scale",
                    is_alexa_client(s) ? "Alexa" : "network-facing", s.name, *s.exposure, exposure_level(*s.exposure)),
        {at(s.path, s.line, fmt::format("exposure {:.1f}; missing first: {}", *s.exposure, join(top, ", ")),
            fmt::format("exposure below {:.1f}", kHighExposure))}));
    ++flagged;
  }
  if (flagged) return;
  if (judged == 0) {
    out.findings.push_back(finding(kSandboxCheck, Status::kNotApplicable, where,
                                   "no network-facing or Alexa service is a systemd unit started at boot"));
    return;
  }
  out.findings.push_back(
      finding(kSandboxCheck, Status::kPass, where,
              fmt::format("all {} network-facing or Alexa systemd services have sandbox exposure below "
                          "{:.1f}",
                          judged, kHighExposure),
              {at(where, 0, "exposure below threshold")}));
}

/// True when an SSH server is configured as a service or its program is in the image.
bool has_ssh_server(const inventory::Inventory& inv, std::uint32_t fs, const std::vector<Service>& services) {
  for (const auto& s : services) {
    for (const auto& n : program_names(s)) {
      if (n == "sshd" || n == "dropbear") return true;
    }
  }
  for (const auto& e : entries_of(inv, fs)) {
    if (e.filesystem != fs || !(e.st.is_regular() || e.st.is_symlink())) continue;
    auto n = file_name(e.path);
    if (n == "sshd" || n == "dropbear" || n == "dropbearmulti") return true;
  }
  return false;
}

void record_facts(const std::vector<Service>& services, Output& out) {
  for (const auto& s : services) {
    Evidence src = at(s.path, s.line, {});
    auto fact = [&](std::string name, FactValue v) {
      out.facts.push_back({"services", s.subject, std::move(name), std::move(v), src});
    };
    fact("service.init", s.init);
    fact("service.program", s.program);
    if (!s.args.empty()) fact("service.args", s.args);
    fact("service.at_boot", s.at_boot);
    fact("service.boot_reason", s.boot_reason);
    fact("service.user", s.dynamic_user ? std::string("(dynamic)") : s.user.empty() ? std::string("root") : s.user);
    if (!s.group.empty()) fact("service.group", s.group);
    if (!s.capabilities.empty()) fact("service.capabilities", s.capabilities);
    if (!s.capability_bounding.empty()) fact("service.capability_bounding_set", s.capability_bounding);
    fact("service.network_facing", s.network_facing);
    if (!s.network_reasons.empty()) fact("service.network_reasons", s.network_reasons);
    if (!s.sandbox.empty()) fact("service.sandbox", s.sandbox);
    if (s.exposure) fact("service.exposure", fmt::format("{:.1f} {}", *s.exposure, exposure_level(*s.exposure)));
  }
}

/// Replaces every byte that does not belong to a well-formed UTF-8 sequence with U+FFFD. Image
/// files are not obliged to be UTF-8, and report writers must never be handed text that is not.
void make_utf8(std::string& s) {
  std::string out;
  bool changed = false;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (ok && n == 2) ok = c >= 0xc2;  // no overlong 2-byte forms
    if (ok && n == 3) {
      auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);  // overlong, surrogates
    }
    if (ok && n == 4) {
      auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = c <= 0xf4 && !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(s, i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      changed = true;
      ++i;
    }
  }
  if (changed) s = std::move(out);
}

void make_utf8(Evidence& e) {
  make_utf8(e.path);
  make_utf8(e.observed);
  make_utf8(e.expected);
}

void make_utf8(Output& out) {
  for (auto& f : out.findings) {
    make_utf8(f.subject);
    make_utf8(f.message);
    for (auto& e : f.evidence) make_utf8(e);
  }
  for (auto& f : out.facts) {
    make_utf8(f.subject);
    make_utf8(f.name);
    make_utf8(f.source);
    if (auto* str = std::get_if<std::string>(&f.value)) make_utf8(*str);
    if (auto* list = std::get_if<std::vector<std::string>>(&f.value)) {
      for (auto& x : *list) make_utf8(x);
    }
  }
  for (auto& d : out.diagnostics) {
    make_utf8(d.path);
    make_utf8(d.message);
  }
}

}  // namespace

bool Service::runs_as_root() const {
  if (dynamic_user) return false;
  return user.empty() || user == "root" || user == "0";
}

std::span<const std::string_view> checks() { return kChecks; }

/// An address sshd or dropbear listens on that only the device itself reaches: 127.x,
/// ::1 or localhost, with or without a port ("127.0.0.1", "[::1]:22", "localhost:2222").
bool loopback_address(std::string_view a) {
  return a.starts_with("127.") || a == "::1" || a.starts_with("[::1]") || a == "localhost" ||
         a.starts_with("localhost:");
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
  if (listens.empty()) return std::nullopt;
  for (const auto& [address, where] : listens) {
    if (!loopback_address(address)) return std::nullopt;
  }
  return fmt::format("{} listens on loopback only ({} at {})", daemon,
                     daemon == "sshd" ? "ListenAddress " + listens.front().first : "-p " + listens.front().first,
                     listens.front().second);
}

std::vector<Service> collect(const inventory::Inventory& inv, std::uint32_t filesystem, Output& out) {
  FsReader r{inv, filesystem, out};
  std::vector<Service> services;
  collect_systemd(r, services);
  collect_inittab(r, services);
  collect_sysv(r, services);
  collect_procd(r, services);
  collect_android(r, services);
  const std::string prefix = inv.filesystems().at(filesystem).prefix;
  auto set_subjects = [&] {
    for (auto& s : services) {
      if (s.subject.empty()) s.subject = fmt::format("{}service:{}:{}", prefix, s.init, s.name);
    }
  };
  set_subjects();
  collect_inetd(r, services);
  collect_xinetd(r, services);
  set_subjects();
  // Subjects must be unique: a second service of the same name gets its line.
  std::set<std::string> seen;
  for (auto& s : services) {
    if (!seen.insert(s.subject).second) {
      s.subject += fmt::format("@{}", s.line);
      seen.insert(s.subject);
    }
  }
  for (auto& s : services) {
    for (const auto& n : program_names(s)) {
      if (!network_daemons().count(n)) continue;
      if (auto local = loopback_only(r, s, n)) {
        s.network_reasons.push_back(*local);
        break;
      }
      if (!s.network_facing || s.network_reasons.empty() || s.init == "inetd" || s.init == "xinetd") {
        if (s.init != "inetd" && s.init != "xinetd") {
          s.network_facing = true;
          s.network_reasons.push_back(fmt::format("{} is a network daemon (data/network-daemons.txt)", n));
        }
      }
      break;
    }
  }
  return services;
}

Output run(const Context& ctx) {
  Output out;
  const auto& filesystems = ctx.inventory.filesystems();
  bool any = false;
  detail::DeclaredList declared;
  if (ctx.options.declared_services) {
    declared.source = ctx.options.declared_services_source;
    declared.entries = *ctx.options.declared_services;
    declared.used.assign(declared.entries.size(), false);
  }
  for (std::uint32_t fs = 0; fs < filesystems.size(); ++fs) {
    if (!filesystems[fs].vfs) continue;
    const vfs::Vfs& v = ctx.inventory.vfs(fs);
    if (!v.exists("/etc") && !v.exists("/init.rc") && !v.exists("/lib/systemd")) continue;
    std::vector<Service> services = collect(ctx.inventory, fs, out);
    FsReader r{ctx.inventory, fs, out, &ctx.evidence()};
    bool has_init = !services.empty() || v.exists("/etc/inittab") || v.exists("/etc/ssh");
    if (!has_init && !v.exists("/etc/passwd")) continue;
    any = true;
    std::string where = ctx.inventory.display_path(fs, "/etc");
    if (services.empty()) {
      std::string msg =
          "no init configuration (systemd units, inittab, rc scripts, inetd, procd, init.rc) was found, "
          "so the services this filesystem starts are unknown";
      out.findings.push_back(finding(kNonRootCheck, Status::kInconclusive, where, msg));
      out.findings.push_back(finding(kSerialCheck, Status::kInconclusive, where, msg));
    } else {
      check_non_root(services, where, out);
      check_serial(services, where, out);
    }
    check_legacy(ctx.inventory, fs, services, where, out);
    check_ssh(r, services, where, out);
    check_debug(r, services, where, out);
    check_sandbox(services, where, out);
    detail::check_firewall(r, services, where, out);
    detail::check_usb_gadget(r, services, where, out);
    detail::check_unneeded(r, where, out);
    detail::check_listeners(services, declared, where, out);
    detail::check_setuid(r, out);
    detail::check_permissions(r, out);
    detail::check_rootfs(r, out);
    detail::check_sudo(r, out);
    detail::check_pam(r, out);
    detail::check_host_keys(r, has_ssh_server(ctx.inventory, fs, services), out);
    record_facts(services, out);
  }
  if (any) detail::report_unused_declarations(declared, out);
  if (!any) {
    for (auto check : kChecks) {
      out.findings.push_back(finding(check, Status::kInconclusive, "/etc",
                                     "no filesystem of the target has /etc or an init configuration"));
    }
  }
  make_utf8(out);
  return out;
}

}  // namespace fwcert::analyzers::services
