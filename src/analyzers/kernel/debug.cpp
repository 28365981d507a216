#include "analyzers/kernel/debug.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "analyzers/kernel/sysctl.hpp"
#include "analyzers/verdict.hpp"
#include "core/limits.hpp"
#include "core/text.hpp"

namespace fwcert::analyzers::kernel {

using namespace formats::kernel;

namespace {

constexpr std::string_view kCoreCheck = "debug-coredumps";
constexpr std::string_view kInterfacesCheck = "debug-kernel-interfaces";

std::optional<std::string> read_text(const vfs::Vfs& v, const std::string& path) {
  auto text = v.read_file(path, limits::kMaxSmallConfigBytes);
  if (!text.ok()) return std::nullopt;
  return std::move(text.value());
}

bool enabled(const KernelConfig* c, std::string_view option) { return c && c->is_enabled(option, true); }

/// "CONFIG_X=y" or "# CONFIG_X is not set" or "CONFIG_X not in the configuration".
std::string option_text(const KernelConfig& c, std::string_view option) {
  const ConfigValue* v = c.find(option);
  if (!v) return fmt::format("CONFIG_{} not in the configuration", option);
  if (!v->is_set) return fmt::format("# CONFIG_{} is not set", option);
  return fmt::format("CONFIG_{}={}", option, v->value);
}
std::size_t option_line(const KernelConfig& c, std::string_view option) {
  const ConfigValue* v = c.find(option);
  return v ? v->line : 0;
}

/// The files of one filesystem under the given directory prefixes (or equal to a listed
/// path), regular only, in inventory (name) order.
std::vector<std::string> files_under(const inventory::Inventory& inv, std::uint32_t fs,
                                     std::initializer_list<std::string_view> prefixes, std::string_view suffix = {}) {
  std::vector<std::string> out;
  for (const auto& e : inv.entries()) {
    if (e.filesystem != fs || !e.st.is_regular() || e.hardlink_secondary) continue;
    if (!suffix.empty() && !e.path.ends_with(suffix)) continue;
    for (auto p : prefixes) {
      if (p.ends_with('/') ? e.path.starts_with(p) : e.path == p) {
        out.push_back(e.path);
        break;
      }
    }
  }
  return out;
}

/// systemd's "[Section]" / "Key=value" files: the last value of `key` and its line.
struct UnitValue {
  std::string value;
  std::size_t line = 0;
};
std::optional<UnitValue> unit_value(std::string_view text, std::string_view key) {
  std::optional<UnitValue> found;
  for (auto [no, raw] : text::lines(text)) {
    std::string_view line = text::trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';' || line.front() == '[') continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos || text::trim(line.substr(0, eq)) != key) continue;
    found = UnitValue{std::string(text::trim(line.substr(eq + 1))), no};
  }
  return found;
}

/// True for a regular file that is an ELF core dump (e_type ET_CORE).
bool is_elf_core(const vfs::Vfs& v, const std::string& path) {
  std::byte head[18] = {};
  auto n = v.read(path, 0, head);
  if (!n.ok() || *n < sizeof head) return false;
  if (head[0] != std::byte{0x7f} || head[1] != std::byte{'E'} || head[2] != std::byte{'L'} || head[3] != std::byte{'F'})
    return false;
  auto lo = std::to_integer<unsigned>(head[16]), hi = std::to_integer<unsigned>(head[17]);
  unsigned type = head[5] == std::byte{2} ? (lo << 8 | hi) : (hi << 8 | lo);
  return type == 4;  // ET_CORE
}

bool is_core_name(std::string_view name) {
  return name == "core" || name.starts_with("core.") || name.ends_with(".core") || name.starts_with("vgcore.");
}

}  // namespace

bool core_limit_allows_dumps(std::string_view value) {
  value = text::trim(value);
  std::string_view soft = value.substr(0, value.find(':'));
  return !soft.empty() && soft != "0";
}

std::optional<std::string> ulimit_core_value(std::string_view line) {
  auto words = text::split_command(line);
  auto it = std::find(words.begin(), words.end(), "ulimit");
  if (it == words.end()) return std::nullopt;
  bool core = false, hard_only = false, soft = false;
  std::optional<std::string> value;
  for (++it; it != words.end(); ++it) {
    const std::string& w = *it;
    if (w.size() > 1 && w.front() == '-') {
      // Options may be grouped ("-Sc"); a value follows the group that holds c.
      if (w.find('H') != std::string::npos) hard_only = true;
      if (w.find('S') != std::string::npos) soft = true;
      if (w.find('c') != std::string::npos) core = true;
      continue;
    }
    if (core && !value) value = w;
  }
  if (!core || !value || (hard_only && !soft)) return std::nullopt;
  return value;
}

DebugfsMount parse_debugfs_options(std::string_view options) {
  DebugfsMount m;
  m.options = std::string(options);
  std::string_view rest = options;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view opt = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    auto eq = opt.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = opt.substr(0, eq), val = opt.substr(eq + 1);
    unsigned n = 0;
    int base = key == "mode" ? 8 : 10;
    auto r = std::from_chars(val.data(), val.data() + val.size(), n, base);
    if (r.ec != std::errc() || r.ptr != val.data() + val.size()) continue;
    if (key == "mode") m.mode = n & 07777;
    if (key == "uid") m.uid = n;
    if (key == "gid") m.gid = n;
  }
  return m;
}

// --- debug-coredumps --------------------------------------------------------------------------

namespace {

/// What raises the core limit of processes on one filesystem: each file and line that does.
std::vector<Evidence> core_limit_raisers(const inventory::Inventory& inv, std::uint32_t fs,
                                         std::vector<Evidence>& kept) {
  const vfs::Vfs& v = inv.vfs(fs);
  std::vector<Evidence> raisers;
  // pam_limits: <domain> <type> core <value>; a soft or "-" entry sets the soft limit.
  for (const auto& path : files_under(inv, fs, {"/etc/security/limits.conf", "/etc/security/limits.d/"})) {
    auto text = read_text(v, path);
    if (!text) continue;
    for (auto [no, raw] : text::lines(*text)) {
      std::string_view line = text::trim(raw.substr(0, raw.find('#')));
      auto w = text::words(line);
      if (w.size() < 4 || w[2] != "core" || w[1] == "hard") continue;
      Evidence e = at(inv.display_path(fs, path), no, std::string(line), "core 0");
      (core_limit_allows_dumps(w[3]) ? raisers : kept).push_back(std::move(e));
    }
  }
  // systemd: DefaultLimitCORE= for every unit, LimitCORE= for one.
  for (const auto& path : files_under(inv, fs,
                                      {"/etc/systemd/system.conf", "/etc/systemd/system.conf.d/",
                                       "/usr/lib/systemd/system.conf.d/", "/lib/systemd/system.conf.d/"})) {
    auto text = read_text(v, path);
    if (!text) continue;
    if (auto u = unit_value(*text, "DefaultLimitCORE")) {
      Evidence e = at(inv.display_path(fs, path), u->line, "DefaultLimitCORE=" + u->value, "DefaultLimitCORE=0");
      (core_limit_allows_dumps(u->value) ? raisers : kept).push_back(std::move(e));
    }
  }
  for (const auto& path :
       files_under(inv, fs, {"/etc/systemd/system/", "/lib/systemd/system/", "/usr/lib/systemd/system/"})) {
    if (!path.ends_with(".service") && !path.ends_with(".conf")) continue;
    auto text = read_text(v, path);
    if (!text) continue;
    if (auto u = unit_value(*text, "LimitCORE"); u && core_limit_allows_dumps(u->value)) {
      raisers.push_back(at(inv.display_path(fs, path), u->line, "LimitCORE=" + u->value, "LimitCORE=0"));
    }
  }
  // ulimit -c in init scripts and login profiles.
  for (const auto& path : files_under(inv, fs,
                                      {"/etc/profile", "/etc/profile.d/", "/etc/bash.bashrc", "/etc/init.d/",
                                       "/etc/rc.d/", "/etc/rc.local", "/etc/default/", "/etc/init/"})) {
    auto text = read_text(v, path);
    if (!text || text->find("ulimit") == std::string::npos) continue;
    for (auto [no, raw] : text::lines(*text)) {
      std::string_view line = text::trim(raw);
      if (line.empty() || line.front() == '#') continue;
      auto value = ulimit_core_value(line);
      if (!value) continue;
      Evidence e = at(inv.display_path(fs, path), no, std::string(line), "ulimit -c 0");
      (core_limit_allows_dumps(*value) ? raisers : kept).push_back(std::move(e));
    }
  }
  return raisers;
}

/// systemd-coredump's Storage= after coredump.conf and its drop-ins (later wins), default
/// "external", and where it was set.
std::pair<std::string, Evidence> coredump_storage(const inventory::Inventory& inv, std::uint32_t fs) {
  const vfs::Vfs& v = inv.vfs(fs);
  std::vector<std::string> order;
  for (const char* main : {"/etc/systemd/coredump.conf", "/usr/lib/systemd/coredump.conf"}) {
    if (v.exists(main)) {
      order.push_back(main);
      break;
    }
  }
  std::map<std::string, std::string> dropins;  // name -> path, the first directory wins
  for (const auto& path : files_under(inv, fs,
                                      {"/etc/systemd/coredump.conf.d/", "/run/systemd/coredump.conf.d/",
                                       "/usr/lib/systemd/coredump.conf.d/", "/lib/systemd/coredump.conf.d/"},
                                      ".conf")) {
    dropins.emplace(std::string(vfs::base_name(path)), path);
  }
  for (const auto& [name, path] : dropins) order.push_back(path);
  std::string storage = "external";
  Evidence where = at(inv.display_path(fs, "/etc/systemd/coredump.conf"), 0, "Storage=external (systemd's default)");
  for (const auto& path : order) {
    auto text = read_text(v, path);
    if (!text) continue;
    if (auto u = unit_value(*text, "Storage")) {
      storage = text::lower(u->value);
      where = at(inv.display_path(fs, path), u->line, "Storage=" + u->value);
    }
  }
  return {storage, where};
}

void coredumps_of(const Context& ctx, std::uint32_t fs, Output& out) {
  const auto& inv = ctx.inventory;
  const vfs::Vfs& v = inv.vfs(fs);
  std::vector<std::string> files;
  auto merged = merge_sysctl(inv, fs, files, out);
  WorstStatus verdict;
  auto setting = [&](const std::string& key, const std::string& fallback) -> std::pair<std::string, Evidence> {
    if (auto it = merged.find(key); it != merged.end())
      return {it->second.value, at(it->second.path, it->second.line, key + " = " + it->second.value)};
    return {fallback, at(inv.display_path(fs, "/etc/sysctl.d"), 0,
                         key + " = " + fallback + " (kernel default, no sysctl file sets it)")};
  };
  auto [pattern, pattern_ev] = setting("kernel.core_pattern", "core");
  auto [suid, suid_ev] = setting("fs.suid_dumpable", "0");

  if (suid == "1") {
    suid_ev.expected = "fs.suid_dumpable = 0 (or 2 with a root-only core_pattern)";
    verdict.add(Status::kFail, suid_ev,
                "fs.suid_dumpable = 1 dumps setuid and privileged processes into cores their caller can read");
  } else {
    verdict.note(suid_ev);
  }

  std::vector<Evidence> kept;
  std::vector<Evidence> raisers = core_limit_raisers(inv, fs, kept);
  for (auto& e : kept) verdict.note(std::move(e));

  if (pattern.starts_with('|')) {
    std::vector<std::string> words = text::words(std::string_view(pattern).substr(1));
    std::string handler = words.empty() ? std::string() : words.front();
    if (handler.empty() || !v.exists(handler)) {
      pattern_ev.observed += fmt::format(" (the handler {} is not in the image, so no core is written)",
                                         handler.empty() ? "(none)" : handler);
      verdict.note(pattern_ev);
    } else if (vfs::base_name(handler) == "systemd-coredump") {
      auto [storage, storage_ev] = coredump_storage(inv, fs);
      pattern_ev.observed += " (systemd-coredump: cores of privileged processes readable by root only)";
      verdict.note(pattern_ev);
      storage_ev.expected = "Storage=none in production";
      verdict.note(storage_ev);
    } else {
      pattern_ev.expected = "|systemd-coredump, or a handler that keeps cores root-only";
      verdict.add(Status::kWarn, pattern_ev,
                  fmt::format("cores are piped to {} (limits do not apply to a pipe), whose storage fwcert does not "
                              "judge",
                              handler));
    }
  } else if (!raisers.empty()) {
    // The kernel writes the core itself, mode 0600 for the dumping user, where the pattern says.
    std::string where = "the working directory of each process";
    if (pattern.starts_with('/')) {
      std::string dir = pattern.substr(0, pattern.rfind('/'));
      if (dir.empty()) dir = "/";
      where = dir;
      if (dir.find('%') == std::string::npos) {
        auto st = v.stat(dir);
        if (st.ok() && st->is_dir() && ((st->mode & 0002) || st->uid != 0)) {
          Evidence d =
              at(inv.display_path(fs, dir), 0, fmt::format("directory mode {:04o} owner {}", st->mode & 07777, st->uid),
                 "a root-owned directory others cannot write");
          verdict.add(Status::kWarn, d,
                      fmt::format("cores are written into {}, which others can write (names predictable, files "
                                  "replaceable)",
                                  dir));
        }
      }
    }
    pattern_ev.expected = "no core limit raised in production, or a root-only location";
    verdict.add(
        Status::kWarn, pattern_ev,
        fmt::format("{} raise the core limit, so daemons started with it write cores into {}", raisers.size(), where));
    for (auto& e : raisers) verdict.note(std::move(e));
  } else {
    pattern_ev.observed += " (no file raises the core limit, whose soft value is 0 by default)";
    verdict.note(pattern_ev);
  }

  // Cores already in the image: a process's memory shipped to every unit.
  for (const auto& e : inv.entries()) {
    if (e.filesystem != fs || !e.st.is_regular() || e.st.size == 0) continue;
    std::string_view name = vfs::base_name(e.path);
    bool in_store = e.path.starts_with("/var/lib/systemd/coredump/") || e.path.starts_with("/var/crash/");
    if (!in_store && !(is_core_name(name) && e.kind == inventory::Kind::kElf)) continue;
    if (!in_store && !is_elf_core(v, e.path)) continue;
    verdict.add(Status::kFail,
                at(inv.display_path(e), 0, fmt::format("core dump of {} bytes", e.st.size), "no core file"),
                "a core dump is shipped in the image");
  }

  std::string subject = inv.display_path(fs, "/proc/sys/kernel/core_pattern");
  std::string message;
  if (verdict.reasons.empty()) {
    message = fmt::format("core dumps are not written where others can read them (core_pattern {}, suid_dumpable {})",
                          pattern, suid);
  } else {
    message = text::join(verdict.reasons, "; ");
  }
  out.findings.push_back(finding(kCoreCheck, verdict.status, subject, message, std::move(verdict.evidence)));
}

}  // namespace

void check_coredumps(const Context& ctx, const KernelConfig* config, const std::string& config_path, Output& out) {
  const auto& inv = ctx.inventory;
  if (config) {
    if (const ConfigValue* c = config->find("COREDUMP"); c && !c->is_set) {
      out.findings.push_back(finding(kCoreCheck, Status::kPass, config_path,
                                     "the kernel is built without core dump support",
                                     {at(config_path, c->line, "# CONFIG_COREDUMP is not set")}));
      return;
    }
  }
  bool any = false;
  for (std::uint32_t fs = 0; fs < inv.filesystems().size(); ++fs) {
    if (!inv.filesystems()[fs].vfs) continue;
    auto etc = inv.vfs(fs).stat("/etc");
    if (!etc.ok() || !etc->is_dir()) continue;
    any = true;
    coredumps_of(ctx, fs, out);
  }
  if (!any) {
    out.findings.push_back(finding(kCoreCheck, Status::kInconclusive, "/etc",
                                   "no filesystem of the target has an /etc directory, so the core dump settings "
                                   "(sysctl, limits, coredump.conf) cannot be judged"));
  }
}

// --- debug-kernel-interfaces ------------------------------------------------------------------

namespace {

/// debugfs mounts in fstab and in `mount -t debugfs` lines of init scripts.
void debugfs_mounts(const inventory::Inventory& inv, std::uint32_t fs, WorstStatus& verdict) {
  const vfs::Vfs& v = inv.vfs(fs);
  auto judge = [&](const std::string& path, std::size_t line, std::string_view text, std::string_view options) {
    DebugfsMount m = parse_debugfs_options(options);
    Evidence e = at(inv.display_path(fs, path), line, std::string(text), "no debugfs mount in production");
    if (m.reachable_by_non_root()) {
      e.observed += fmt::format(" (mode {:04o}, uid {}, gid {})", m.mode, m.uid, m.gid);
      verdict.add(Status::kFail, std::move(e), "debugfs is mounted where users other than root can enter it");
    } else {
      verdict.add(Status::kWarn, std::move(e), "debugfs is mounted at boot (root only)");
    }
  };
  if (auto text = read_text(v, "/etc/fstab")) {
    for (auto [no, raw] : text::lines(*text)) {
      std::string_view line = text::trim(raw);
      if (line.empty() || line.front() == '#') continue;
      auto w = text::words(line);
      if (w.size() < 3 || w[2] != "debugfs") continue;
      judge("/etc/fstab", no, line, w.size() > 3 ? w[3] : std::string());
    }
  }
  for (const auto& path : files_under(inv, fs, {"/etc/init.d/", "/etc/rc.d/", "/etc/rc.local"})) {
    auto text = read_text(v, path);
    if (!text || text->find("debugfs") == std::string::npos) continue;
    for (auto [no, raw] : text::lines(*text)) {
      std::string_view line = text::trim(raw);
      if (line.empty() || line.front() == '#') continue;
      auto w = text::split_command(line);
      auto m = std::find(w.begin(), w.end(), "mount");
      if (m == w.end()) continue;
      bool is_debugfs = false;
      std::string options;
      for (auto it = m + 1; it != w.end(); ++it) {
        if (*it == "-t" && it + 1 != w.end()) is_debugfs = is_debugfs || *(it + 1) == "debugfs";
        if (*it == "-o" && it + 1 != w.end()) options = *(it + 1);
      }
      if (is_debugfs) judge(path, no, line, options);
    }
  }
}

/// /dev/mem, /dev/kmem and /dev/port shipped as device nodes in the image.
void memory_nodes(const inventory::Inventory& inv, std::uint32_t fs, WorstStatus& verdict) {
  for (const char* path : {"/dev/mem", "/dev/kmem", "/dev/port"}) {
    auto st = inv.vfs(fs).lstat(path);
    if (!st.ok() || st->type != vfs::FileType::kCharDevice) continue;
    Evidence e = at(inv.display_path(fs, path), 0,
                    fmt::format("character device {},{} mode {:04o} owner {} group {}", st->rdev_major, st->rdev_minor,
                                st->mode & 07777, st->uid, st->gid),
                    "mode 0600 (or 0640 with group root)");
    if (st->mode & 0006) {
      verdict.add(Status::kFail, std::move(e), fmt::format("{} is readable or writable by every user", path));
    } else if ((st->mode & 0060) && st->gid != 0) {
      verdict.add(Status::kWarn, std::move(e), fmt::format("{} is open to the members of group {}", path, st->gid));
    } else {
      verdict.note(std::move(e));
    }
  }
}

}  // namespace

void check_debug_interfaces(const Context& ctx, const KernelConfig* config, const std::string& config_path,
                            const std::vector<FoundCmdline>& cmdlines, Output& out) {
  const auto& inv = ctx.inventory;
  WorstStatus verdict;

  if (config) {
    auto warn_if = [&](std::string_view option, bool condition, std::string reason, std::string expected) {
      Evidence e = at(config_path, option_line(*config, option), option_text(*config, option), std::move(expected));
      if (condition) {
        verdict.add(Status::kWarn, std::move(e), std::move(reason));
      } else {
        verdict.note(std::move(e));
      }
    };
    bool debugfs_mountable = enabled(config, "DEBUG_FS") && !enabled(config, "DEBUG_FS_ALLOW_NONE") &&
                             !enabled(config, "DEBUG_FS_DISALLOW_MOUNT");
    warn_if("DEBUG_FS", debugfs_mountable, "debugfs is built in and can be mounted (root only unless mounted open)",
            "# CONFIG_DEBUG_FS is not set, or CONFIG_DEBUG_FS_ALLOW_NONE=y");
    warn_if("DEVKMEM", enabled(config, "DEVKMEM"), "/dev/kmem exposes kernel virtual memory",
            "# CONFIG_DEVKMEM is not set");
    warn_if("DEVMEM", enabled(config, "DEVMEM") && !enabled(config, "STRICT_DEVMEM"),
            "/dev/mem reaches all physical memory (no CONFIG_STRICT_DEVMEM)",
            "# CONFIG_DEVMEM is not set, or CONFIG_STRICT_DEVMEM=y");
    warn_if("PROC_KCORE", enabled(config, "PROC_KCORE"), "/proc/kcore exposes kernel memory as a core file",
            "# CONFIG_PROC_KCORE is not set");
    warn_if("KPROBES", enabled(config, "KPROBES"), "kprobes let code be inserted into the running kernel",
            "# CONFIG_KPROBES is not set");
    bool tracer = enabled(config, "FUNCTION_TRACER") || enabled(config, "DYNAMIC_FTRACE");
    warn_if("FUNCTION_TRACER", tracer, "the function tracer (ftrace) is built in",
            "# CONFIG_FUNCTION_TRACER is not set");
    warn_if("KGDB", enabled(config, "KGDB"), "the kernel debugger (KGDB) is built in", "# CONFIG_KGDB is not set");
  }

  // kgdb on a console: whoever is at the serial port can read and write kernel memory.
  for (const auto& c : cmdlines) {
    for (const auto& p : split_cmdline(c.text)) {
      if (p.name != "kgdboc" && p.name != "kgdbwait" && p.name != "kgdbcon" && p.name != "ekgdboc" &&
          p.name != "kgdbdbgp")
        continue;
      std::string param = p.has_value ? p.name + "=" + p.value : p.name;
      Evidence e = at(c.path, c.line, param, "no kgdb parameter on a production command line");
      if (config && !enabled(config, "KGDB")) {
        e.observed += " (the kernel has no KGDB)";
        verdict.note(std::move(e));
      } else {
        verdict.add(Status::kFail, std::move(e),
                    fmt::format("{} attaches the kernel debugger to a console anyone at the port can use", param));
      }
    }
  }

  bool os_files = false;
  for (std::uint32_t fs = 0; fs < inv.filesystems().size(); ++fs) {
    if (!inv.filesystems()[fs].vfs) continue;
    auto etc = inv.vfs(fs).stat("/etc");
    if (!etc.ok() || !etc->is_dir()) continue;
    os_files = true;
    debugfs_mounts(inv, fs, verdict);
    memory_nodes(inv, fs, verdict);
  }

  std::string subject = config ? config_path : std::string("kernel");
  if (!config && verdict.reasons.empty()) {
    out.findings.push_back(finding(
        kInterfacesCheck, Status::kInconclusive, subject,
        os_files ? "no kernel configuration was found, so debugfs, /dev/mem, /dev/kmem, /proc/kcore, kprobes, ftrace "
                   "and KGDB cannot be judged; no debugfs mount, open memory device or kgdb parameter was found"
                 : "no kernel configuration and no /etc were found, so the kernel debug interfaces cannot be judged",
        std::move(verdict.evidence)));
    return;
  }
  std::string message;
  if (verdict.reasons.empty()) {
    message =
        "no kernel debug interface is built in or reachable (debugfs, /dev/mem, /dev/kmem, /proc/kcore, "
        "kprobes, ftrace, KGDB)";
  } else {
    message = text::join(verdict.reasons, "; ");
    if (!config) message += " (no kernel configuration was found, so what the kernel builds in is not judged)";
  }
  out.findings.push_back(finding(kInterfacesCheck, verdict.status, subject, message, std::move(verdict.evidence)));
}

}  // namespace fwcert::analyzers::kernel
