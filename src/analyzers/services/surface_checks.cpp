// Threat-surface checks of the services analyzer that combine the service list with other
// configuration: net-firewall, net-usb-gadget, net-unneeded-software and net-listeners.

#include <fmt/format.h>

#include <set>
#include <string>
#include <vector>

#include "analyzers/services/common.hpp"

namespace fwcert::analyzers::services::detail {

namespace {

std::vector<std::pair<std::size_t, std::string_view>> lines_of(std::string_view text) {
  std::vector<std::pair<std::size_t, std::string_view>> out;
  std::size_t pos = 0, no = 0;
  while (pos < text.size() && no < limits::kMaxConfigLines) {
    auto end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    ++no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    out.emplace_back(no, line);
  }
  return out;
}

std::string upper(std::string_view s) {
  std::string u(s);
  for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

/// What one firewall configuration says about inbound traffic.
struct InboundPolicy {
  bool found = false;
  bool default_deny = false;
  std::string path;  ///< display path
  std::size_t line = 0;
  std::string observed;
};

/// nftables: an input-hook chain whose policy is drop, or whose last rule drops or rejects.
InboundPolicy nftables_policy(const FsReader& r, const std::string& path, std::string_view text) {
  InboundPolicy p;
  bool in_input = false;
  std::string last_rule;
  std::size_t last_line = 0;
  for (auto [no, line] : lines_of(text)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.find("hook input") != std::string_view::npos) {
      in_input = true;
      p.found = true;
      p.path = r.display(path);
      p.line = no;
      p.observed = std::string(line);
      if (line.find("policy drop") != std::string_view::npos) {
        p.default_deny = true;
        return p;
      }
      continue;
    }
    if (!in_input) continue;
    if (line.starts_with("}")) {
      std::string u = upper(last_rule);
      if (u.ends_with("DROP") || u.ends_with("REJECT") || u.find("REJECT WITH") != std::string::npos) {
        p.default_deny = true;
        p.line = last_line;
        p.observed = last_rule;
      }
      in_input = false;
      continue;
    }
    last_rule = std::string(line);
    last_line = no;
  }
  return p;
}

/// iptables-save format: `:INPUT DROP`, or a final `-A INPUT -j DROP|REJECT`.
InboundPolicy iptables_policy(const FsReader& r, const std::string& path, std::string_view text) {
  InboundPolicy p;
  std::string last;
  std::size_t last_line = 0;
  for (auto [no, line] : lines_of(text)) {
    if (line.starts_with(":INPUT ")) {
      p.found = true;
      p.path = r.display(path);
      p.line = no;
      p.observed = std::string(line);
      p.default_deny = line.starts_with(":INPUT DROP") || line.starts_with(":INPUT REJECT");
    }
    if (line.starts_with("-A INPUT ")) {
      last = std::string(line);
      last_line = no;
    }
  }
  if (p.found && !p.default_deny && (last.ends_with("-j DROP") || last.find("-j REJECT") != std::string::npos)) {
    p.default_deny = true;
    p.line = last_line;
    p.observed = last;
  }
  return p;
}

/// OpenWrt fw3/fw4: the input policy of the wan zone, else of `config defaults`.
InboundPolicy openwrt_policy(const FsReader& r, const std::string& path, std::string_view text) {
  InboundPolicy p;
  UciConfig uci = parse_uci(text);
  r.diagnostics(uci.diagnostics, path);
  std::string defaults_input, wan_input;
  std::size_t defaults_line = 0, wan_line = 0;
  for (const auto& sec : uci.sections) {
    const UciOption* input = sec.option("input");
    if (!input) continue;
    const UciOption* name = sec.option("name");
    if (sec.type == "defaults") defaults_input = upper(input->value), defaults_line = input->line;
    if (sec.type == "zone" && name && name->value == "wan") wan_input = upper(input->value), wan_line = input->line;
  }
  const std::string& chosen = !wan_input.empty() ? wan_input : defaults_input;
  if (chosen.empty()) return p;
  p.found = true;
  p.path = r.display(path);
  p.line = !wan_input.empty() ? wan_line : defaults_line;
  p.observed = (!wan_input.empty() ? "wan zone input " : "defaults input ") + chosen;
  p.default_deny = chosen == "REJECT" || chosen == "DROP";
  return p;
}

}  // namespace

void check_firewall(const FsReader& r, const std::vector<Service>& services, const std::string& where, Output& out) {
  std::vector<InboundPolicy> policies;
  auto consider = [&](const std::string& path, auto fn) {
    if (auto text = r.read(path)) {
      InboundPolicy p = fn(r, path, *text);
      if (p.found) policies.push_back(std::move(p));
    }
  };
  consider("/etc/nftables.conf", nftables_policy);
  for (const auto& e : r.list("/etc/nftables.d")) consider("/etc/nftables.d/" + e.name, nftables_policy);
  consider("/etc/iptables/rules.v4", iptables_policy);
  consider("/etc/iptables/rules.v6", iptables_policy);
  consider("/etc/sysconfig/iptables", iptables_policy);
  consider("/etc/iptables.rules", iptables_policy);
  consider("/etc/config/firewall", openwrt_policy);

  std::vector<const Service*> listeners;
  for (const auto& s : services) {
    if (s.at_boot && s.network_facing) listeners.push_back(&s);
  }
  std::string names;
  for (std::size_t i = 0; i < listeners.size() && i < 6; ++i) names += (i ? ", " : "") + listeners[i]->name;
  if (listeners.size() > 6) names += fmt::format(" and {} more", listeners.size() - 6);

  bool any_deny = false;
  for (const auto& p : policies) any_deny |= p.default_deny;
  if (any_deny) {
    const InboundPolicy* d = nullptr;
    for (const auto& p : policies) {
      if (p.default_deny && !d) d = &p;
    }
    out.findings.push_back(finding(kFirewallCheck, Status::kPass, d->path, "inbound traffic is denied by default",
                                   {at(d->path, d->line, d->observed, "inbound default drop or reject")}));
    return;
  }
  if (listeners.empty()) {
    out.findings.push_back(finding(kFirewallCheck, Status::kPass, where,
                                   policies.empty()
                                       ? "no firewall configuration, but no network-facing service is started"
                                       : "the firewall accepts inbound traffic by default, but no network-facing "
                                         "service is started",
                                   {at(where, 0, "no listener started at boot")}));
    return;
  }
  if (!policies.empty()) {
    const auto& p = policies.front();
    out.findings.push_back(finding(kFirewallCheck, Status::kWarn, p.path,
                                   fmt::format("the firewall accepts inbound traffic by default while network-facing "
                                               "services run: {}",
                                               names),
                                   {at(p.path, p.line, p.observed, "inbound default drop or reject")}));
    return;
  }
  out.findings.push_back(
      finding(kFirewallCheck, Status::kWarn, where,
              fmt::format("no firewall configuration (nftables, iptables, OpenWrt) while "
                          "network-facing services run: {}",
                          names),
              {at(listeners.front()->path, listeners.front()->line, listeners.front()->name + " is network-facing",
                  "a default-deny inbound firewall")}));
}

// ---- net-usb-gadget --------------------------------------------------------------------------

void check_usb_gadget(const FsReader& r, const std::vector<Service>& services, const std::string& where, Output& out) {
  std::size_t fails = 0, warns = 0;
  // A getty or shell on the gadget serial port is a console over USB.
  for (const auto& s : services) {
    if (!s.at_boot) continue;
    std::string tty;
    std::string id = s.name.substr(0, s.name.find(':'));
    if (id.starts_with("ttyGS")) tty = id;
    for (const auto& a : s.args) {
      if (a.starts_with("ttyGS") || a.starts_with("/dev/ttyGS")) tty = a;
    }
    if (s.name.find("@ttyGS") != std::string::npos) tty = s.name.substr(s.name.find("@ttyGS") + 1);
    if (tty.empty()) continue;
    out.findings.push_back(
        finding(kUsbGadgetCheck, Status::kFail, s.subject,
                fmt::format("{} is started on the USB gadget serial port {}: a console over USB", s.program, tty),
                {at(s.path, s.line, s.program + " on " + tty, "nothing listening on ttyGS*")}));
    ++fails;
  }
  // Gadget set-up: configfs functions in scripts, legacy gadget modules loaded at boot.
  struct Hit {
    std::string what, path;
    std::size_t line;
    std::string text;
  };
  std::vector<Hit> hits;
  std::set<std::string> scanned;
  auto scan_text = [&](const std::string& path) {
    if (!scanned.insert(path).second || scanned.size() > 4096) return;
    auto text = r.read(path);
    if (!text) return;
    for (auto [no, line] : lines_of(*text)) {
      if (line.empty() || line[0] == '#') continue;
      std::string_view what;
      if (line.find("functions/ffs.adb") != std::string_view::npos || line.find("ffs.adb") != std::string_view::npos)
        what = "adb (FunctionFS)";
      else if (line.find("functions/acm.") != std::string_view::npos || line.find("g_serial") != std::string_view::npos)
        what = "serial (ACM)";
      else if (line.find("functions/rndis.") != std::string_view::npos ||
               line.find("functions/ecm.") != std::string_view::npos ||
               line.find("functions/ncm.") != std::string_view::npos ||
               line.find("functions/eem.") != std::string_view::npos ||
               line.find("g_ether") != std::string_view::npos || line.find("g_cdc") != std::string_view::npos)
        what = "network (Ethernet over USB)";
      else if (line.find("g_multi") != std::string_view::npos)
        what = "multi-function (serial, network, storage)";
      else if (line.find("functions/mass_storage.") != std::string_view::npos ||
               line.find("g_mass_storage") != std::string_view::npos)
        what = "mass storage";
      if (what.empty()) continue;
      hits.push_back({std::string(what), r.display(path), no, std::string(line.substr(0, 160))});
      if (hits.size() > 100) return;
    }
  };
  for (const auto& s : services) {
    if (!s.path.empty() && s.at_boot && s.line) {
      // The script or unit that defines a boot service, when it is a file of this filesystem.
      std::string p = s.path;
      const std::string& prefix = r.inv.filesystems().at(r.fs).prefix;
      if (!prefix.empty() && p.starts_with(prefix)) p = p.substr(prefix.size());
      scan_text(p);
    }
  }
  for (auto dir :
       {"/etc/init.d", "/etc/modules-load.d", "/usr/lib/modules-load.d", "/lib/modules-load.d", "/etc/rc.d"}) {
    for (const auto& e : r.list(dir)) scan_text(std::string(dir) + "/" + e.name);
  }
  scan_text("/etc/modules");
  scan_text("/etc/init.d/rcS");
  std::set<std::string> seen_what;
  for (const auto& h : hits) {
    if (!seen_what.insert(h.what + h.path).second) continue;
    out.findings.push_back(finding(
        kUsbGadgetCheck, Status::kWarn, h.path, fmt::format("the USB device port is set up as a {} gadget", h.what),
        {at(h.path, h.line, h.text, "no USB gadget function in production, or one that authenticates")}));
    ++warns;
  }
  if (fails || warns) return;
  out.findings.push_back(finding(kUsbGadgetCheck, Status::kPass, where,
                                 "no USB gadget function is configured and nothing runs on a gadget serial port",
                                 {at(where, 0, "no configfs gadget, gadget module or ttyGS getty")}));
}

// ---- net-unneeded-software -------------------------------------------------------------------

void check_unneeded(const FsReader& r, const std::string& where, Output& out) {
  struct Category {
    std::string_view label;
    std::vector<std::string_view> names;
  };
  static const std::vector<Category> kCategories = {
      {"compiler or toolchain",
       {"gcc", "cc", "g++", "c++", "clang", "clang++", "tcc", "as", "ld", "make", "cmake", "rustc", "go"}},
      {"package manager", {"apt", "apt-get", "dpkg", "opkg", "ipkg", "yum", "dnf", "rpm", "pip", "pip3", "npm", "gem"}},
      {"full-screen editor", {"vim", "nano", "emacs", "joe", "mcedit"}},
      {"interpreter", {"python", "python2", "python3", "perl", "ruby", "php", "node", "nodejs", "tclsh", "lua"}},
      {"network scanner or sniffer", {"nmap", "tshark", "wireshark", "hping3", "masscan"}},
  };
  std::size_t warns = 0;
  for (const auto& cat : kCategories) {
    std::vector<std::string> found;
    for (const auto& e : entries_of(r.inv, r.fs)) {
      if (e.filesystem != r.fs || !(e.st.is_regular() || e.st.is_symlink())) continue;
      if (e.path.find("/bin/") == std::string::npos && e.path.find("/sbin/") == std::string::npos) continue;
      std::string_view n = file_name(e.path);
      if (std::find(cat.names.begin(), cat.names.end(), n) == cat.names.end()) continue;
      if (e.st.is_symlink() && file_name(e.link_target) == "busybox") continue;  // BusyBox's small applets
      found.push_back(r.inv.display_path(e));
      if (found.size() >= 20) break;
    }
    if (found.empty()) continue;
    std::string list;
    for (const auto& f : found) list += (list.empty() ? "" : ", ") + f;
    out.findings.push_back(finding(kUnneededCheck, Status::kWarn, fmt::format("software:{}", cat.label),
                                   fmt::format("{} shipped in the image: {}", cat.label, list),
                                   {at(found.front(), 0, list, "only the software the product needs")}));
    ++warns;
  }
  if (warns) return;
  out.findings.push_back(finding(kUnneededCheck, Status::kPass, where,
                                 "no compiler, package manager, full-screen editor, general interpreter or network "
                                 "scanner is shipped",
                                 {at(where, 0, "none found in bin/sbin directories")}));
}

// ---- net-listeners ---------------------------------------------------------------------------

void check_listeners(const std::vector<Service>& services, DeclaredList& declared, const std::string& where,
                     Output& out) {
  std::vector<const Service*> listeners;
  for (const auto& s : services) {
    if (s.at_boot && s.network_facing) listeners.push_back(&s);
  }
  if (listeners.empty()) {
    out.findings.push_back(finding(kListenersCheck, Status::kPass, where,
                                   "no network-facing service is started at boot",
                                   {at(where, 0, "no listener started at boot", "only declared listeners")}));
    return;
  }
  for (const Service* s : listeners) {
    std::string why = s->network_reasons.empty() ? "network-facing" : s->network_reasons.front();
    if (declared.source.empty()) {
      out.findings.push_back(finding(kListenersCheck, Status::kInconclusive, s->subject,
                                     fmt::format("{} is network-facing and started at boot; no declared services "
                                                 "list was given (--services), so whether the product needs it is "
                                                 "not known",
                                                 s->name),
                                     {at(s->path, s->line, why, "declared with a reason")}));
      continue;
    }
    std::size_t match = declared.entries.size();
    for (std::size_t i = 0; i < declared.entries.size(); ++i) {
      if (declared_name_matches(declared.entries[i], s->name, s->program)) {
        match = i;
        break;
      }
    }
    if (match == declared.entries.size()) {
      out.findings.push_back(finding(
          kListenersCheck, Status::kFail, s->subject,
          fmt::format("{} is network-facing and started at boot but is not declared in {}", s->name, declared.source),
          {at(s->path, s->line, why, "declared in " + declared.source)}));
      continue;
    }
    declared.used[match] = true;
    const auto& d = declared.entries[match];
    out.findings.push_back(finding(kListenersCheck, Status::kPass, s->subject,
                                   fmt::format("{} is declared: {}", s->name, d.reason),
                                   {at(s->path, s->line, why), at(declared.source, d.line, d.name, d.reason)}));
  }
}

void report_unused_declarations(const DeclaredList& declared, Output& out) {
  for (std::size_t i = 0; i < declared.entries.size(); ++i) {
    if (declared.used[i]) continue;
    const auto& d = declared.entries[i];
    out.findings.push_back(finding(kListenersCheck, Status::kInfo, "declared:" + d.name,
                                   fmt::format("{} is declared but no network-facing service of that name is started "
                                               "at boot",
                                               d.name),
                                   {at(declared.source, d.line, d.name, "a listener started at boot")}));
  }
}

}  // namespace fwcert::analyzers::services::detail
