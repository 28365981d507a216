// systemd: unit files by search-path precedence, masks and aliases, drop-ins, presets on first
// boot, and reachability from default.target; sockets and timers start their services.

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "evidence/services/detail.hpp"
#include "evidence/services/parse.hpp"
#include "evidence/services/sandbox.hpp"

namespace fwcert::evidence::services::detail {

namespace {

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

bool has_unit_suffix(std::string_view n) {
  return n.ends_with(".service") || n.ends_with(".socket") || n.ends_with(".target") || n.ends_with(".timer") ||
         n.ends_with(".path");
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

/// Paths whose content exists only at run time (or is made by the boot itself): a condition on
/// them cannot be judged from the image.
bool runtime_path(std::string_view p) {
  for (std::string_view d :
       {"/run", "/proc", "/sys", "/dev", "/tmp", "/var/run", "/var/lib", "/var/cache", "/var/log"}) {
    if (p == d || (p.starts_with(d) && p.size() > d.size() && p[d.size()] == '/')) return true;
  }
  return false;
}

/// The first Condition*=/Assert*= on the file system that the image as shipped does not meet
/// (systemd then skips the unit, or fails it): "ConditionFileNotEmpty=/etc/hostapd/hostapd.conf
/// (/usr/lib/systemd/system/hostapd.service line 5): the file is absent". Conditions on run-time
/// paths, on anything but files, and triggering conditions (`|`) are not judged.
std::optional<std::string> unmet_condition(const FsReader& r, const MergedUnit& m) {
  for (std::string_view kind : {"Condition", "Assert"}) {
    for (std::string_view test : {"PathExists", "PathIsDirectory", "PathIsSymbolicLink", "FileNotEmpty",
                                  "DirectoryNotEmpty", "FileIsExecutable"}) {
      std::string key = std::string(kind) + std::string(test);
      for (const auto* a : m.all("Unit", key)) {
        std::string_view v = text::trim_space(a->value);
        if (v.starts_with("|")) continue;
        bool negate = v.starts_with("!");
        if (negate) v = text::trim_space(v.substr(1));
        std::string path(v);
        if (!path.starts_with("/") || runtime_path(path)) continue;
        auto lst = r.v().lstat(path);
        auto st = r.v().stat(path);
        bool holds = false;
        std::string seen = st.ok() || lst.ok() ? "present" : "absent";
        if (test == "PathExists") {
          holds = st.ok() || lst.ok();
        } else if (test == "PathIsDirectory") {
          holds = st.ok() && st->is_dir();
        } else if (test == "PathIsSymbolicLink") {
          holds = lst.ok() && lst->is_symlink();
        } else if (test == "FileNotEmpty") {
          holds = st.ok() && st->is_regular() && st->size > 0;
          if (st.ok() && st->is_regular() && st->size == 0) seen = "empty";
        } else if (test == "DirectoryNotEmpty") {
          auto d = r.v().readdir(path);
          holds = d.ok() && !d->empty();
          if (d.ok() && d->empty()) seen = "an empty directory";
        } else {
          holds = st.ok() && st->is_regular() && (st->mode & 0111);
        }
        if (holds != negate) continue;
        return fmt::format("{}={}{} ({} line {}) is not met by the image: {} is {}", key, negate ? "!" : "", path,
                           a->path, a->line, path, seen);
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::pair<std::string, std::string>> split_instance(std::string_view name) {
  auto at = name.find('@');
  auto dot = name.rfind('.');
  if (at == std::string_view::npos || dot == std::string_view::npos || dot <= at + 1) return std::nullopt;
  return std::pair{std::string(name.substr(0, at + 1)) + std::string(name.substr(dot)),
                   std::string(name.substr(at + 1, dot - at - 1))};
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
    // Only a socket that is started puts its service on the network; an installed socket unit
    // that nothing enables (Debian's ssh.socket) does not.
    if (!socket || !started) continue;
    for (auto key : {"ListenStream", "ListenDatagram", "ListenSequentialPacket"}) {
      for (const auto* a : m->all("Socket", key)) {
        if (!is_network_listen(a->value) || is_loopback_listen(a->value)) continue;
        s->network_facing = true;
        s->network_reasons.push_back(fmt::format("{}={} in {} line {}", key, a->value, a->path, a->line));
      }
    }
  }
  for (auto& [name, s] : by_name) {
    if (s.at_boot) {
      if (const MergedUnit* m = sd.load(name)) {
        if (auto unmet = unmet_condition(r, *m)) {
          s.at_boot = false;
          s.boot_reason = fmt::format("{}, but never starts: {}", s.boot_reason, *unmet);
        } else if (const auto* t = m->last("Service", "Type");
                   t && t->value == "dbus" && !sd.fragment.count("dbus.socket") && !sd.fragment.count("dbus.service")) {
          // Type=dbus orders the service after, and makes it require, dbus.socket.
          s.at_boot = false;
          s.boot_reason = fmt::format(
              "{}, but never starts: Type=dbus ({} line {}) needs the D-Bus system bus, and "
              "the image has no dbus.socket or dbus.service unit",
              s.boot_reason, t->path, t->line);
        }
      }
    }
    if (!s.at_boot && s.boot_reason.empty())
      s.boot_reason = "not enabled: no link or dependency from the default target";
    services.push_back(std::move(s));
  }
}

}  // namespace fwcert::evidence::services::detail
