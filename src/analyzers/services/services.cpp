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
#include "core/limits.hpp"
#include "core/text.hpp"
#include "data/resources.hpp"
#include "evidence/services/sandbox.hpp"

namespace fwcert::analyzers::services {

using namespace detail;

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

std::span<const std::string_view> checks() { return kChecks; }

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
    const auto& list = ctx.evidence().services(fs);
    out.diagnostics.insert(out.diagnostics.end(), list.diagnostics.begin(), list.diagnostics.end());
    const std::vector<Service>& services = list.services;
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
