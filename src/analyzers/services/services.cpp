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

using namespace detail;

namespace detail {

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

bool is_alexa_client(const Service& s) {
  for (const auto& n : program_names(s)) {
    std::string l = n;
    for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (l.find("alexa") != std::string::npos || l.starts_with("avs") || l == "sampleapp") return true;
  }
  return false;
}

}  // namespace detail

namespace {

using text::lower;

constexpr std::string_view kDebugCheck = "net-debug-services";
constexpr std::string_view kSandboxCheck = "priv-systemd-sandbox";
constexpr std::string_view kChecks[] = {kNonRootCheck,   kLegacyCheck,   kSerialCheck,   kSshCheck,
                                        kHostKeysCheck,  kDebugCheck,    kSandboxCheck,  kFirewallCheck,
                                        kUsbGadgetCheck, kUnneededCheck, kListenersCheck};

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
    for (auto [no, line] : text::lines(*text)) {
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
    if (!s.wrapper.empty()) fact("service.wrapper", s.wrapper);
    if (!s.privilege_note.empty()) fact("service.privilege_drop", s.privilege_note);
    if (s.root_by_design) fact("service.root_by_design", s.privileges_source);
    if (s.privilege_separated) fact("service.privilege_separated", s.privileges_source);
    if (!s.sandbox.empty()) fact("service.sandbox", s.sandbox);
    if (s.exposure) fact("service.exposure", fmt::format("{:.1f} {}", *s.exposure, exposure_level(*s.exposure)));
  }
}

}  // namespace

bool Service::runs_as_root() const {
  if (dynamic_user) return false;
  return user.empty() || user == "root" || user == "0";
}

std::span<const std::string_view> checks() { return kChecks; }

std::vector<Service> collect(const inventory::Inventory& inv, std::uint32_t filesystem, Output& out,
                             evidence::Evidence* evidence) {
  FsReader r{{inv, filesystem, out.diagnostics}, evidence};
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
  // systemd units are services only when systemd is PID 1 (or when the image does not say).
  if (std::string init = pid1(r); !init.empty() && init != "systemd") {
    for (auto& s : services) {
      if (s.init != "systemd" || !s.at_boot) continue;
      s.at_boot = false;
      s.boot_reason = fmt::format("{}, but /sbin/init is {}, which does not read systemd units", s.boot_reason, init);
    }
  }
  for (auto& s : services) {
    if (s.init == "systemd") follow_wrapper(r, s);
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
  std::optional<evidence::AccountFiles> own;
  if (!evidence) own = evidence::read_account_files(inv.vfs(filesystem));
  const evidence::AccountFiles& accounts = evidence ? evidence->accounts(filesystem) : *own;
  for (auto& s : services) apply_privileges(r, accounts, s);
  return services;
}

Output run(const Context& ctx) {
  Output out;
  const auto& filesystems = ctx.inventory.filesystems();
  bool any = false;
  DeclaredList declared;
  if (ctx.options.declared_services) {
    declared.source = ctx.options.declared_services_source;
    declared.entries = *ctx.options.declared_services;
    declared.used.assign(declared.entries.size(), false);
  }
  for (std::uint32_t fs = 0; fs < filesystems.size(); ++fs) {
    if (!filesystems[fs].vfs) continue;
    const vfs::Vfs& v = ctx.inventory.vfs(fs);
    if (!v.exists("/etc") && !v.exists("/init.rc") && !v.exists("/lib/systemd")) continue;
    std::vector<Service> services = collect(ctx.inventory, fs, out, &ctx.evidence());
    FsReader r{{ctx.inventory, fs, out.diagnostics}, &ctx.evidence()};
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
    check_firewall(r, services, where, out);
    check_usb_gadget(r, services, where, out);
    check_unneeded(r, where, out);
    check_listeners(services, declared, where, out);
    check_host_keys(r, has_ssh_server(ctx.inventory, fs, services), out);
    record_facts(services, out);
  }
  if (any) report_unused_declarations(declared, out);
  if (!any) inconclusive_for_all(kChecks, "/etc", "no filesystem of the target has /etc or an init configuration", out);
  make_utf8(out);
  return out;
}

}  // namespace fwcert::analyzers::services
