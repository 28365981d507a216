#include "analyzers/kernel/mac.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "analyzers/kernel/mac_parse.hpp"
#include "core/limits.hpp"
#include "core/text.hpp"
#include "data/resources.hpp"

namespace fwcert::analyzers::kernel {

using namespace formats::kernel;

namespace {

constexpr std::string_view kSelinuxCheck = "mac-selinux";
constexpr std::string_view kAppArmorCheck = "mac-apparmor";
constexpr std::string_view kEnforcedCheck = "mac-enforced";

/// Most policy text files (.cil, .te) read for permissive domains, and most profile files.
constexpr std::size_t kMaxPolicyFiles = 512;

/// The text of a regular file (read_file refuses anything else), or nullopt.
std::optional<std::string> read_small(const vfs::Vfs& v, const std::string& path) {
  auto text = v.read_file(path, limits::kMaxSmallConfigBytes);
  if (!text.ok()) return std::nullopt;
  return std::move(text.value());
}

bool list_has(std::string_view list, std::string_view word) {
  while (!list.empty()) {
    auto comma = list.find(',');
    if (list.substr(0, comma) == word) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

/// What the kernel side says about one LSM.
struct KernelSide {
  std::vector<Evidence> fails;  ///< the LSM is not built, or not started
  std::vector<Evidence> warns;  ///< switches that let it be turned off
  bool known = false;           ///< a kernel configuration was found
};

/// `lsm` is "selinux" or "apparmor"; `option` its SECURITY_ option.
KernelSide kernel_side(const KernelConfig* config, const std::string& config_path,
                       const std::vector<FoundCmdline>& cmdlines, std::string_view lsm, std::string_view option,
                       std::initializer_list<std::string_view> warn_options) {
  KernelSide k;
  bool chosen_on_cmdline = false;
  for (const auto& c : cmdlines) {
    for (const auto& p : split_cmdline(c.text)) {
      std::string shown = p.has_value ? p.name + "=" + p.value : p.name;
      Evidence e = at(c.path, c.line, shown);
      if (p.name == lsm && p.value == "0") {
        e.expected = "no " + std::string(lsm) + "=0 on the command line";
        k.fails.push_back(std::move(e));
      } else if (lsm == "selinux" && p.name == "enforcing" && p.value == "0") {
        e.expected = "no enforcing=0 (permissive) on the command line";
        k.fails.push_back(std::move(e));
      } else if (lsm == "selinux" && p.name == "androidboot.selinux" && p.value == "permissive") {
        e.expected = "no androidboot.selinux=permissive on the command line";
        k.fails.push_back(std::move(e));
      } else if (p.name == "security" && p.has_value) {
        if (p.value == lsm) {
          chosen_on_cmdline = true;
        } else {
          e.expected = fmt::format("security={} or none (it selects the major LSM)", lsm);
          k.fails.push_back(std::move(e));
        }
      } else if (p.name == "lsm" && p.has_value) {
        if (list_has(p.value, lsm)) {
          chosen_on_cmdline = true;
        } else {
          e.expected = fmt::format("an lsm= list that includes {}", lsm);
          k.fails.push_back(std::move(e));
        }
      }
    }
  }
  if (!config) return k;
  k.known = true;
  const ConfigValue* v = config->find(option);
  if (!v || !v->is_set || v->value != "y") {
    k.fails.push_back(at(config_path, v ? v->line : 0,
                         fmt::format("CONFIG_{} {}", option,
                                     !v          ? "absent"
                                     : v->is_set ? v->value
                                                 : "is not set"),
                         fmt::format("CONFIG_{}=y", option)));
    return k;
  }
  // Since 5.1 CONFIG_LSM is the order of LSMs started at boot; an LSM missing from it is off
  // unless the command line names it.
  if (const ConfigValue* order = config->find("LSM");
      order && order->is_set && !chosen_on_cmdline && !list_has(order->value, lsm)) {
    k.fails.push_back(
        at(config_path, order->line, "CONFIG_LSM=\"" + order->value + "\"", fmt::format("CONFIG_LSM listing {}", lsm)));
  }
  if (lsm == "apparmor") {
    if (const ConfigValue* b = config->find("SECURITY_APPARMOR_BOOTPARAM_VALUE");
        b && b->is_set && b->value == "0" && !chosen_on_cmdline) {
      k.fails.push_back(at(config_path, b->line, "CONFIG_SECURITY_APPARMOR_BOOTPARAM_VALUE=0",
                           "AppArmor enabled at boot (value 1, or apparmor=1 on the command line)"));
    }
  }
  for (auto w : warn_options) {
    if (const ConfigValue* x = config->find(w); x && x->is_set && x->value == "y") {
      k.warns.push_back(at(config_path, x->line, fmt::format("CONFIG_{}=y", w),
                           fmt::format("CONFIG_{} is not set (it lets the LSM be switched off)", w)));
    }
  }
  return k;
}

std::vector<std::string> network_daemon_names() {
  auto lines = data::resource_lines("data/network-daemons.txt");
  std::vector<std::string> out(lines.begin(), lines.end());
  std::sort(out.begin(), out.end());
  return out;
}

Finding make(std::string_view check, Status status, std::string subject, std::string message,
             std::vector<Evidence> ev) {
  return finding(check, status, std::move(subject), std::move(message), std::move(ev));
}

/// Records the one finding of `check` and returns its status, the check's verdict.
Status conclude(Output& out, std::string_view check, Status status, std::string subject, std::string message,
                std::vector<Evidence> ev) {
  out.findings.push_back(make(check, status, std::move(subject), std::move(message), std::move(ev)));
  return status;
}

Status check_selinux(const Context& ctx, const KernelConfig* config, const std::string& config_path,
                     const std::vector<FoundCmdline>& cmdlines, Output& out) {
  const auto& inv = ctx.inventory;
  std::vector<Evidence> fails, warns, seen;
  bool in_use = false, android = false, policy_found = false;
  std::size_t labels = 0;
  std::vector<std::string> types_wanted;
  for (std::uint32_t i = 0; i < inv.filesystems().size(); ++i) {
    if (!inv.filesystems()[i].vfs) continue;
    const vfs::Vfs& v = inv.vfs(i);
    if (auto text = read_small(v, "/etc/selinux/config")) {
      in_use = true;
      std::string shown = inv.display_path(i, "/etc/selinux/config");
      auto c = parse_selinux_config(*text);
      for (const auto& [line, msg] : c.diagnostics) {
        out.diagnostics.push_back({Diagnostic::Level::kNote, shown, fmt::format("line {}: {}", line, msg)});
      }
      Evidence e =
          at(shown, c.mode_line, c.mode.empty() ? "no SELINUX= line" : "SELINUX=" + c.mode, "SELINUX=enforcing");
      (c.mode == "enforcing" ? seen : fails).push_back(std::move(e));
      std::string type = c.type.empty() ? "targeted" : c.type;
      bool found = false;
      if (auto dir = v.readdir("/etc/selinux/" + type + "/policy"); dir.ok()) {
        for (const auto& d : dir.value()) {
          if (d.name.starts_with("policy.")) {
            found = true;
            seen.push_back(at(inv.display_path(i, "/etc/selinux/" + type + "/policy/" + d.name), 0, "policy present"));
            break;
          }
        }
      }
      policy_found |= found;
      if (!found) {
        fails.push_back(at(shown, c.type_line, "SELINUXTYPE=" + type,
                           "a compiled policy /etc/selinux/" + type + "/policy/policy.NN"));
      }
    }
    // Android keeps its policy as CIL (split policy) or a monolithic /sepolicy.
    for (const char* p : {"/system/etc/selinux/plat_sepolicy.cil", "/sepolicy",
                          "/vendor/etc/selinux/precompiled_sepolicy", "/system/system/etc/selinux/plat_sepolicy.cil"}) {
      auto st = v.stat(p);
      if (st.ok() && st->is_regular()) {
        in_use = android = policy_found = true;
        seen.push_back(at(inv.display_path(i, p), 0, "Android SELinux policy present"));
        break;
      }
    }
    for (const char* p : {"/default.prop", "/system/build.prop", "/vendor/build.prop", "/system/etc/prop.default"}) {
      auto text = read_small(v, p);
      if (!text) continue;
      for (auto [line, l] : text::lines(*text, text::kNoLineLimit)) {
        if (l.starts_with("ro.boot.selinux=") && l.substr(16).starts_with("permissive")) {
          fails.push_back(at(inv.display_path(i, p), line, std::string(l), "no ro.boot.selinux=permissive"));
        }
      }
    }
  }
  for (const auto& e : inv.entries()) {
    if (!e.selinux_label.empty()) ++labels;
  }
  // Labels alone (an image built on an SELinux host keeps a few) do not show that SELinux is used.
  // Permissive domains in policy text.
  std::size_t read = 0;
  for (const auto& e : inv.entries()) {
    if (!e.st.is_regular() || e.kind != inventory::Kind::kText || read >= kMaxPolicyFiles) continue;
    std::string_view p = e.path;
    bool policy_dir = p.find("/selinux/") != std::string_view::npos;
    if (!policy_dir || !(p.ends_with(".cil") || p.ends_with(".te"))) continue;
    ++read;
    auto text = read_small(*inv.filesystems().at(e.filesystem).vfs, e.path);
    if (!text) continue;
    for (const auto& d : find_permissive_domains(*text)) {
      fails.push_back(at(inv.display_path(e), d.line, "permissive domain " + d.domain, "no permissive domains"));
    }
  }
  if (!in_use) {
    return conclude(
        out, kSelinuxCheck, Status::kNotApplicable, "selinux",
        fmt::format("SELinux is not used: no /etc/selinux/config and no Android policy{} "
                    "(mac-enforced judges whether another MAC system is)",
                    labels ? fmt::format("; {} files carry security.selinux labels", labels) : std::string()),
        {});
  }
  auto k = kernel_side(config, config_path, cmdlines, "selinux", "SECURITY_SELINUX",
                       {"SECURITY_SELINUX_DEVELOP", "SECURITY_SELINUX_BOOTPARAM", "SECURITY_SELINUX_DISABLE"});
  fails.insert(fails.end(), k.fails.begin(), k.fails.end());
  std::string where = fmt::format("{}{}",
                                  android        ? "Android policy"
                                  : policy_found ? "policy present"
                                                 : "no policy",
                                  labels ? fmt::format(", {} files labelled", labels) : std::string());
  if (!fails.empty()) {
    std::string message =
        fmt::format("SELinux is not enforcing everywhere ({}; {} problems listed)", where, fails.size());
    return conclude(out, kSelinuxCheck, Status::kFail, "selinux", std::move(message), std::move(fails));
  }
  if (!k.known) {
    return conclude(out, kSelinuxCheck, Status::kInconclusive, "selinux",
                    fmt::format("SELinux is configured enforcing ({}), but no kernel configuration was "
                                "found to show the kernel runs it",
                                where),
                    std::move(seen));
  }
  if (!k.warns.empty()) {
    return conclude(out, kSelinuxCheck, Status::kWarn, "selinux",
                    fmt::format("SELinux is enforcing ({}), but the kernel lets it be switched off", where),
                    std::move(k.warns));
  }
  return conclude(out, kSelinuxCheck, Status::kPass, "selinux",
                  fmt::format("SELinux is enforcing with no permissive domain ({})", where), std::move(seen));
}

Status check_apparmor(const Context& ctx, const KernelConfig* config, const std::string& config_path,
                      const std::vector<FoundCmdline>& cmdlines, Output& out) {
  const auto& inv = ctx.inventory;
  struct Loaded {
    AppArmorProfile profile;
    std::string file;
    std::string mode;  ///< enforce, complain, disabled, unconfined
  };
  std::vector<Loaded> profiles;
  std::size_t files = 0;
  for (std::uint32_t i = 0; i < inv.filesystems().size(); ++i) {
    if (!inv.filesystems()[i].vfs) continue;
    const vfs::Vfs& v = inv.vfs(i);
    auto dir = v.readdir("/etc/apparmor.d");
    if (!dir.ok()) continue;
    for (const auto& d : dir.value()) {
      if (d.type != vfs::FileType::kRegular || files >= kMaxPolicyFiles) continue;
      if (d.name.starts_with(".") || d.name.find(".dpkg-") != std::string::npos || d.name == "README") continue;
      std::string path = "/etc/apparmor.d/" + d.name;
      auto text = read_small(v, path);
      if (!text) continue;
      ++files;
      std::string shown = inv.display_path(i, path);
      auto parsed = parse_apparmor_profiles(*text);
      for (const auto& [line, msg] : parsed.diagnostics) {
        if (parsed.diagnostics.size() > 20) break;
        out.diagnostics.push_back({Diagnostic::Level::kNote, shown, fmt::format("line {}: {}", line, msg)});
      }
      bool disabled = v.exists("/etc/apparmor.d/disable/" + d.name);
      bool forced = v.exists("/etc/apparmor.d/force-complain/" + d.name);
      for (auto& p : parsed.profiles) {
        std::string mode = disabled                      ? "disabled"
                           : p.is_unconfined()           ? "unconfined"
                           : (forced || p.is_complain()) ? "complain"
                                                         : "enforce";
        profiles.push_back({std::move(p), shown, mode});
      }
    }
  }
  if (profiles.empty()) {
    return conclude(out, kAppArmorCheck, Status::kNotApplicable, "apparmor",
                    "AppArmor is not used: no profile in /etc/apparmor.d (mac-enforced judges whether "
                    "another MAC system is)",
                    {});
  }
  std::vector<Evidence> fails, seen;
  // Network-facing programs (data/network-daemons.txt) that a service started at boot runs must
  // each be confined by an enforcing profile.
  static const std::vector<std::string> kDaemons = network_daemon_names();
  std::size_t daemons = 0, not_started = 0;
  std::set<std::string> programs;
  for (const auto& e : inv.entries()) {
    if (!(e.st.is_regular() || e.st.is_symlink()) || e.hardlink_secondary) continue;
    std::string name(vfs::base_name(e.path));
    if (!std::binary_search(kDaemons.begin(), kDaemons.end(), name)) continue;
    if (e.st.is_regular() && !(e.st.mode & 0111)) continue;
    // AppArmor attaches on the path the kernel executes, after symlinks (a BusyBox applet runs
    // as /bin/busybox).
    std::string exec = e.path;
    if (e.st.is_symlink()) {
      auto r = inv.vfs(e.filesystem).resolve(e.path);
      if (!r.ok()) continue;
      exec = r.value();
    }
    // A program is an ELF file in a program directory, counted once however many links name
    // it: an init script, a cron job or a documentation directory of the same name is not one.
    if (e.st.is_regular() && e.kind != inventory::Kind::kElf) continue;
    if (exec.find("/bin/") == std::string::npos && exec.find("/sbin/") == std::string::npos &&
        exec.find("/libexec/") == std::string::npos)
      continue;
    if (e.st.is_symlink()) {
      const auto* target = inv.find(e.filesystem, exec);
      if (!target || target->kind != inventory::Kind::kElf) continue;
      if (vfs::base_name(exec) != "busybox" && vfs::base_name(exec) != name) continue;
    }
    if (!programs.insert(std::to_string(e.filesystem) + ":" + exec + ":" + name).second) continue;
    // What the image starts decides, when its init configuration could be read: a daemon no
    // service started at boot runs (or that its configuration keeps on loopback) faces no one.
    const auto& started = ctx.evidence().services(e.filesystem);
    if (started.boot_known() && started.network_facing_running(exec, {name}).empty()) {
      ++not_started;
      continue;
    }
    ++daemons;
    const Loaded* best = nullptr;
    for (const auto& l : profiles) {
      if (l.profile.attachment.empty()) continue;
      if (apparmor_glob_match(l.profile.attachment, exec) || apparmor_glob_match(l.profile.attachment, e.path)) {
        if (!best || (best->mode != "enforce" && l.mode == "enforce")) best = &l;
      }
    }
    std::string shown = inv.display_path(e);
    if (!best) {
      fails.push_back(at(shown, 0, "network-facing " + name + " has no AppArmor profile",
                         "an enforcing profile attached to " + exec));
    } else if (best->mode != "enforce") {
      fails.push_back(at(best->file, best->profile.line,
                         fmt::format("profile {} for {} is in {} mode", best->profile.name, exec, best->mode),
                         "enforce mode"));
    } else {
      seen.push_back(
          at(best->file, best->profile.line, fmt::format("profile {} confines {}", best->profile.name, exec)));
    }
  }
  std::size_t enforcing = static_cast<std::size_t>(
      std::count_if(profiles.begin(), profiles.end(), [](const Loaded& l) { return l.mode == "enforce"; }));
  auto k = kernel_side(config, config_path, cmdlines, "apparmor", "SECURITY_APPARMOR", {});
  fails.insert(fails.end(), k.fails.begin(), k.fails.end());
  std::string summary = fmt::format("{} profiles in /etc/apparmor.d, {} enforcing; {} network-facing programs started",
                                    profiles.size(), enforcing, daemons);
  if (not_started) summary += fmt::format(", {} more present that no service started at boot runs", not_started);
  if (!fails.empty()) {
    return conclude(out, kAppArmorCheck, Status::kFail, "apparmor",
                    fmt::format("AppArmor does not confine every network-facing program ({})", summary),
                    std::move(fails));
  }
  if (enforcing == 0) {
    return conclude(out, kAppArmorCheck, Status::kFail, "apparmor",
                    fmt::format("no AppArmor profile is in enforce mode ({})", summary), {});
  }
  if (!k.known) {
    return conclude(out, kAppArmorCheck, Status::kInconclusive, "apparmor",
                    fmt::format("the profiles enforce ({}), but no kernel configuration was found to "
                                "show the kernel runs AppArmor",
                                summary),
                    std::move(seen));
  }
  return conclude(out, kAppArmorCheck, Status::kPass, "apparmor",
                  fmt::format("AppArmor enforces profiles for the network-facing programs ({}; programs "
                              "named in data/network-daemons.txt that a service started at boot runs)",
                              summary),
                  std::move(seen));
}

}  // namespace

void check_mac(const Context& ctx, const KernelConfig* config, const std::string& config_path,
               const std::vector<FoundCmdline>& cmdlines, Output& out) {
  // Without an operating system's files (no /etc, no Android /system) the absence of a MAC
  // configuration is no evidence: a kernel image or a data partition alone says nothing.
  bool has_system = false;
  for (std::uint32_t i = 0; i < ctx.inventory.filesystems().size() && !has_system; ++i) {
    if (!ctx.inventory.filesystems()[i].vfs) continue;
    for (const char* dir : {"/etc", "/system/etc"}) {
      auto st = ctx.inventory.vfs(i).stat(dir);
      has_system |= st.ok() && st->is_dir();
    }
  }
  if (!has_system) {
    const std::string why =
        "no filesystem of the target has /etc or /system/etc, so the MAC configuration cannot be judged";
    out.findings.push_back(make(kSelinuxCheck, Status::kInconclusive, "selinux", why, {}));
    out.findings.push_back(make(kAppArmorCheck, Status::kInconclusive, "apparmor", why, {}));
    out.findings.push_back(make(kEnforcedCheck, Status::kInconclusive, "mac", why, {}));
    return;
  }
  Status se = check_selinux(ctx, config, config_path, cmdlines, out);
  Status aa = check_apparmor(ctx, config, config_path, cmdlines, out);
  // SMACK and TOMOYO are recognised but not judged.
  std::vector<std::string> others;
  for (auto [option, dir, name] :
       {std::tuple{"SECURITY_SMACK", "/etc/smack", "SMACK"}, std::tuple{"SECURITY_TOMOYO", "/etc/tomoyo", "TOMOYO"}}) {
    bool built = config && config->is_enabled(option);
    bool configured = false;
    for (std::uint32_t i = 0; i < ctx.inventory.filesystems().size(); ++i) {
      if (ctx.inventory.filesystems()[i].vfs && ctx.inventory.vfs(i).exists(dir)) configured = true;
    }
    if (built && configured) others.push_back(name);
  }
  std::string verdicts = fmt::format("mac-selinux {}, mac-apparmor {}", to_string(se), to_string(aa));
  Status status;
  std::string message;
  if (se == Status::kPass || aa == Status::kPass) {
    status = Status::kPass;
    message = fmt::format("{} enforces ({})", se == Status::kPass ? "SELinux" : "AppArmor", verdicts);
  } else if (!others.empty()) {
    status = Status::kInconclusive;
    message = fmt::format("{} is built and configured but not judged by this version ({})", others.front(), verdicts);
  } else if (se == Status::kWarn || aa == Status::kWarn) {
    status = Status::kWarn;
    message = fmt::format("a MAC system enforces but can be switched off ({})", verdicts);
  } else if (se == Status::kInconclusive || aa == Status::kInconclusive) {
    status = Status::kInconclusive;
    message = fmt::format("a MAC system is configured but its enforcement is unproven ({})", verdicts);
  } else {
    status = Status::kFail;
    message = fmt::format("no mandatory access control system enforces ({})", verdicts);
  }
  out.findings.push_back(make(kEnforcedCheck, status, "mac", message, {}));
}

}  // namespace fwcert::analyzers::kernel
