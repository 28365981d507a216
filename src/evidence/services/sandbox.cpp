#include "evidence/services/sandbox.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <string_view>

namespace fwcert::evidence::services {

namespace {

std::vector<std::string> words_of(const MergedUnit& m, std::string_view key) {
  std::vector<std::string> out;
  for (const auto* a : m.all("Service", key)) {
    for (auto& w : split_command(a->value)) out.push_back(std::move(w));
  }
  return out;
}

bool is_true(const MergedUnit& m, std::string_view key) {
  const auto* a = m.last("Service", key);
  return a && parse_systemd_bool(a->value).value_or(false);
}

std::string last_value(const MergedUnit& m, std::string_view key) {
  const auto* a = m.last("Service", key);
  return a ? a->value : std::string();
}

/// A list setting in systemd's two forms: an allow-list ("A B") and a deny-list ("~A B").
/// Allow-lists accumulate, deny-lists accumulate and take items out of an allow-list; an
/// empty assignment resets (all() already drops what came before it).
struct ListSetting {
  bool allow_set = false;
  std::set<std::string> allowed;
  std::set<std::string> denied;

  bool set() const { return allow_set || !denied.empty(); }
  /// True when `item` is excluded by the setting.
  bool excludes(const std::string& item) const {
    if (denied.count(item)) return true;
    return allow_set && allowed.count(item) == 0;
  }
};

ListSetting list_setting(const MergedUnit& m, std::string_view key) {
  ListSetting s;
  for (const auto* a : m.all("Service", key)) {
    std::string v = a->value;
    bool deny = !v.empty() && v[0] == '~';
    if (deny) v.erase(0, 1);
    for (auto& w : split_command(v)) {
      if (deny) {
        s.allowed.erase(w);
        s.denied.insert(std::move(w));
      } else {
        s.allow_set = true;
        s.denied.erase(w);
        s.allowed.insert(std::move(w));
      }
    }
  }
  return s;
}

/// The capabilities a CapabilityBoundingSet= keeps out, as a predicate on one capability.
struct Bounding {
  ListSetting list;
  bool emptied = false;           ///< `CapabilityBoundingSet=` with nothing after: no capability at all
  std::set<std::string> implied;  ///< dropped by other settings (ProtectClock=, PrivateDevices=, ...)
  bool excludes(const std::string& cap) const {
    if (implied.count(cap)) return true;
    if (emptied && !list.allow_set) return true;
    return list.excludes(cap);
  }
};

Bounding bounding(const MergedUnit& m) {
  Bounding b{list_setting(m, "CapabilityBoundingSet")};
  // Unlike the other lists, an empty CapabilityBoundingSet= empties the set.
  for (const auto& a : m.assignments) {
    if (a.section == "Service" && a.key == "CapabilityBoundingSet" && a.value.empty()) b.emptied = true;
  }
  // systemd.exec(5): these settings drop capabilities from the bounding set themselves.
  if (is_true(m, "ProtectClock")) b.implied.insert({"CAP_SYS_TIME", "CAP_WAKE_ALARM"});
  if (is_true(m, "PrivateDevices")) b.implied.insert({"CAP_MKNOD", "CAP_SYS_RAWIO"});
  if (is_true(m, "ProtectKernelModules")) b.implied.insert("CAP_SYS_MODULE");
  if (is_true(m, "ProtectKernelLogs")) b.implied.insert("CAP_SYSLOG");
  return b;
}

struct Test {
  std::string_view name;
  double weight;  ///< systemd-analyze 252's printed exposure of this test for an unsandboxed unit
  std::function<double(const MergedUnit&)> met;  ///< 1 met, 0.5 partly, 0 not met
  /// When the test counts at all; systemd-analyze leaves some out for early-boot units
  /// (DefaultDependencies=no) and some for services that run as root.
  std::function<bool(const MergedUnit&)> applies = nullptr;
};

bool runs_as_root(const MergedUnit& m) {
  if (is_true(m, "DynamicUser")) return false;
  std::string u = last_value(m, "User");
  return u.empty() || u == "root" || u == "0";
}

bool early_boot(const MergedUnit& m) {
  const auto* a = m.last("Unit", "DefaultDependencies");
  return a && parse_systemd_bool(a->value) == false;
}

double yes(bool b) { return b ? 1.0 : 0.0; }

std::vector<Test> make_tests() {
  std::vector<Test> t;
  auto flag = [&](std::string_view name, std::string_view key, double w) {
    t.push_back({name, w, [key](const MergedUnit& m) { return yes(is_true(m, key)); }});
  };
  auto cap = [&](std::string_view name, std::vector<std::string> caps, double w) {
    t.push_back({name, w, [caps](const MergedUnit& m) {
                   Bounding b = bounding(m);
                   for (const auto& c : caps) {
                     if (!b.excludes(c)) return 0.0;
                   }
                   return 1.0;
                 }});
  };
  auto ns = [&](std::string_view name, std::string kind, double w) {
    t.push_back({name, w, [kind](const MergedUnit& m) {
                   std::string v = last_value(m, "RestrictNamespaces");
                   if (auto b = parse_systemd_bool(v)) return yes(*b);
                   return yes(list_setting(m, "RestrictNamespaces").excludes(kind));
                 }});
  };
  auto af = [&](std::string_view name, std::vector<std::string> families, double w) {
    t.push_back({name, w, [families](const MergedUnit& m) {
                   if (last_value(m, "RestrictAddressFamilies") == "none") return 1.0;
                   ListSetting l = list_setting(m, "RestrictAddressFamilies");
                   for (const auto& f : families) {
                     if (!l.excludes(f)) return 0.0;
                   }
                   return 1.0;
                 }});
  };
  auto sc = [&](std::string_view name, std::string group, double w) {
    t.push_back({name, w, [group](const MergedUnit& m) {
                   ListSetting l = list_setting(m, "SystemCallFilter");
                   if (l.denied.count(group)) return 1.0;
                   if (!l.allow_set) return 0.0;
                   // @system-service, the usual allow-list, brings parts of @privileged and
                   // @resources along (measured: both stay unmet with it).
                   if ((group == "@resources" || group == "@privileged") && l.allowed.count("@system-service"))
                     return 0.0;
                   return yes(l.allowed.count(group) == 0);
                 }});
  };

  auto not_early = [](const MergedUnit& m) { return !early_boot(m); };
  auto not_root = [](const MergedUnit& m) { return !runs_as_root(m); };
  t.push_back({"RootDirectory=/RootImage=", 0.1,
               [](const MergedUnit& m) {
                 return yes(!last_value(m, "RootDirectory").empty() || !last_value(m, "RootImage").empty());
               },
               not_early});
  t.push_back({"RemoveIPC=", 0.1,
               [](const MergedUnit& m) { return yes(is_true(m, "RemoveIPC") || is_true(m, "DynamicUser")); },
               not_root});
  t.push_back({"User=/DynamicUser=", 0.4, [](const MergedUnit& m) {
                 if (is_true(m, "DynamicUser")) return 1.0;
                 std::string u = last_value(m, "User");
                 return yes(!u.empty() && u != "root" && u != "0");
               }});
  flag("NoNewPrivileges=", "NoNewPrivileges", 0.2);
  flag("PrivateDevices=", "PrivateDevices", 0.2);
  flag("ProtectClock=", "ProtectClock", 0.2);
  flag("ProtectKernelLogs=", "ProtectKernelLogs", 0.2);
  flag("ProtectControlGroups=", "ProtectControlGroups", 0.2);
  flag("ProtectKernelModules=", "ProtectKernelModules", 0.2);
  flag("PrivateMounts=", "PrivateMounts", 0.2);
  flag("MemoryDenyWriteExecute=", "MemoryDenyWriteExecute", 0.1);
  flag("RestrictSUIDSGID=", "RestrictSUIDSGID", 0.2);
  flag("ProtectHostname=", "ProtectHostname", 0.1);
  flag("LockPersonality=", "LockPersonality", 0.1);
  flag("ProtectKernelTunables=", "ProtectKernelTunables", 0.2);
  flag("RestrictRealtime=", "RestrictRealtime", 0.1);
  flag("PrivateNetwork=", "PrivateNetwork", 0.5);
  flag("PrivateUsers=", "PrivateUsers", 0.2);
  t.push_back({"PrivateTmp=", 0.2,
               [](const MergedUnit& m) { return yes(is_true(m, "PrivateTmp") || is_true(m, "DynamicUser")); },
               not_early});
  t.push_back({"SystemCallArchitectures=", 0.2,
               [](const MergedUnit& m) { return yes(last_value(m, "SystemCallArchitectures") == "native"); }});
  t.push_back({"ProtectSystem=", 0.2,
               [](const MergedUnit& m) {
                 std::string v = last_value(m, "ProtectSystem");
                 if (v == "strict") return 1.0;
                 if (v == "full" || parse_systemd_bool(v).value_or(false)) return 0.5;
                 return yes(is_true(m, "DynamicUser"));  // DynamicUser= implies ProtectSystem=strict
               },
               not_early});
  t.push_back({"ProtectHome=", 0.2,
               [](const MergedUnit& m) {
                 std::string v = last_value(m, "ProtectHome");
                 if (parse_systemd_bool(v).value_or(false)) return 1.0;
                 if (v == "read-only" || v == "tmpfs" || is_true(m, "DynamicUser")) return 0.5;
                 return 0.0;
               },
               not_early});
  t.push_back({"ProtectProc=", 0.2, [](const MergedUnit& m) {
                 std::string v = last_value(m, "ProtectProc");
                 return yes(v == "invisible" || v == "noaccess");
               }});
  t.push_back({"ProcSubset=", 0.1, [](const MergedUnit& m) { return yes(last_value(m, "ProcSubset") == "pid"); }});
  t.push_back({"DeviceAllow=", 0.2, [](const MergedUnit& m) {
                 std::string p = last_value(m, "DevicePolicy");
                 return yes(is_true(m, "PrivateDevices") || !m.all("Service", "DeviceAllow").empty() || p == "closed" ||
                            p == "strict");
               }});
  t.push_back({"IPAddressDeny=", 0.2, [](const MergedUnit& m) {
                 auto w = words_of(m, "IPAddressDeny");
                 return yes(std::find(w.begin(), w.end(), "any") != w.end());
               }});
  t.push_back({"UMask=", 0.1, [](const MergedUnit& m) {
                 std::string v = last_value(m, "UMask");
                 unsigned long mask = 0022;
                 if (!v.empty()) mask = std::strtoul(v.c_str(), nullptr, 8);
                 return yes((mask & 0004) != 0);
               }});

  cap("CapabilityBoundingSet=~CAP_SYS_TIME", {"CAP_SYS_TIME"}, 0.2);
  cap("CapabilityBoundingSet=~CAP_SYS_PACCT", {"CAP_SYS_PACCT"}, 0.1);
  cap("CapabilityBoundingSet=~CAP_KILL", {"CAP_KILL"}, 0.1);
  cap("CapabilityBoundingSet=~CAP_WAKE_ALARM", {"CAP_WAKE_ALARM"}, 0.1);
  cap("CapabilityBoundingSet=~CAP_(DAC_*|FOWNER|IPC_OWNER)",
      {"CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_IPC_OWNER"}, 0.2);
  cap("CapabilityBoundingSet=~CAP_LINUX_IMMUTABLE", {"CAP_LINUX_IMMUTABLE"}, 0.1);
  cap("CapabilityBoundingSet=~CAP_IPC_LOCK", {"CAP_IPC_LOCK"}, 0.1);
  cap("CapabilityBoundingSet=~CAP_SYS_MODULE", {"CAP_SYS_MODULE"}, 0.2);
  cap("CapabilityBoundingSet=~CAP_BPF", {"CAP_BPF"}, 0.1);
  cap("CapabilityBoundingSet=~CAP_SYS_TTY_CONFIG", {"CAP_SYS_TTY_CONFIG"}, 0.1);
  cap("CapabilityBoundingSet=~CAP_SYS_BOOT", {"CAP_SYS_BOOT"}, 0.1);
  cap("CapabilityBoundingSet=~CAP_SYS_CHROOT", {"CAP_SYS_CHROOT"}, 0.1);
  cap("CapabilityBoundingSet=~CAP_BLOCK_SUSPEND", {"CAP_BLOCK_SUSPEND"}, 0.1);
  cap("CapabilityBoundingSet=~CAP_LEASE", {"CAP_LEASE"}, 0.1);
  cap("CapabilityBoundingSet=~CAP_MKNOD", {"CAP_MKNOD"}, 0.1);
  cap("CapabilityBoundingSet=~CAP_(CHOWN|FSETID|SETFCAP)", {"CAP_CHOWN", "CAP_FSETID", "CAP_SETFCAP"}, 0.2);
  cap("CapabilityBoundingSet=~CAP_SET(UID|GID|PCAP)", {"CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP"}, 0.3);
  cap("CapabilityBoundingSet=~CAP_MAC_*", {"CAP_MAC_ADMIN", "CAP_MAC_OVERRIDE"}, 0.1);
  cap("CapabilityBoundingSet=~CAP_SYS_RAWIO", {"CAP_SYS_RAWIO"}, 0.2);
  cap("CapabilityBoundingSet=~CAP_SYS_PTRACE", {"CAP_SYS_PTRACE"}, 0.3);
  cap("CapabilityBoundingSet=~CAP_SYS_(NICE|RESOURCE)", {"CAP_SYS_NICE", "CAP_SYS_RESOURCE"}, 0.1);
  cap("CapabilityBoundingSet=~CAP_NET_ADMIN", {"CAP_NET_ADMIN"}, 0.2);
  cap("CapabilityBoundingSet=~CAP_NET_(BIND_SERVICE|BROADCAST|RAW)",
      {"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_RAW"}, 0.1);
  cap("CapabilityBoundingSet=~CAP_AUDIT_*", {"CAP_AUDIT_CONTROL", "CAP_AUDIT_READ", "CAP_AUDIT_WRITE"}, 0.1);
  cap("CapabilityBoundingSet=~CAP_SYS_ADMIN", {"CAP_SYS_ADMIN"}, 0.3);
  cap("CapabilityBoundingSet=~CAP_SYSLOG", {"CAP_SYSLOG"}, 0.1);

  ns("RestrictNamespaces=~user", "user", 0.3);
  ns("RestrictNamespaces=~pid", "pid", 0.1);
  ns("RestrictNamespaces=~net", "net", 0.1);
  ns("RestrictNamespaces=~uts", "uts", 0.1);
  ns("RestrictNamespaces=~mnt", "mnt", 0.1);
  ns("RestrictNamespaces=~cgroup", "cgroup", 0.1);
  ns("RestrictNamespaces=~ipc", "ipc", 0.1);

  af("RestrictAddressFamilies=~AF_PACKET", {"AF_PACKET"}, 0.2);
  af("RestrictAddressFamilies=~AF_NETLINK", {"AF_NETLINK"}, 0.1);
  af("RestrictAddressFamilies=~AF_UNIX", {"AF_UNIX"}, 0.1);
  af("RestrictAddressFamilies=~AF_(INET|INET6)", {"AF_INET", "AF_INET6"}, 0.3);
  t.push_back({"RestrictAddressFamilies=~…", 0.3, [](const MergedUnit& m) {
                 if (last_value(m, "RestrictAddressFamilies") == "none") return 1.0;
                 ListSetting l = list_setting(m, "RestrictAddressFamilies");
                 // Any allow-list keeps out the exotic families; a deny-list cannot name them all.
                 return yes(l.allow_set);
               }});

  for (auto [name, group, w] : std::initializer_list<std::tuple<std::string_view, std::string_view, double>>{
           {"SystemCallFilter=~@clock", "@clock", 0.2},
           {"SystemCallFilter=~@cpu-emulation", "@cpu-emulation", 0.1},
           {"SystemCallFilter=~@debug", "@debug", 0.2},
           {"SystemCallFilter=~@module", "@module", 0.2},
           {"SystemCallFilter=~@mount", "@mount", 0.2},
           {"SystemCallFilter=~@obsolete", "@obsolete", 0.1},
           {"SystemCallFilter=~@privileged", "@privileged", 0.2},
           {"SystemCallFilter=~@raw-io", "@raw-io", 0.2},
           {"SystemCallFilter=~@reboot", "@reboot", 0.2},
           {"SystemCallFilter=~@resources", "@resources", 0.2},
           {"SystemCallFilter=~@swap", "@swap", 0.2}}) {
    sc(name, std::string(group), w);
  }
  return t;
}

/// The printed exposures are rounded up to 0.1, so each true weight lies in (w - 0.1, w];
/// the middle of that interval is the best estimate.
double weight(const Test& t) { return t.weight - 0.05; }

const std::vector<Test>& tests() {
  static const std::vector<Test> kTests = make_tests();
  return kTests;
}

/// The weight of the tests an unsandboxed unit already passes (AmbientCapabilities=,
/// KeyringMode=, Delegate=, NotifyAccess=): chosen so that such a unit scores 9.6.
double passing_weight() {
  double sum = 0;
  for (const auto& t : tests()) sum += weight(t);
  return sum * (10.0 / 9.6 - 1.0);
}

}  // namespace

SandboxAssessment assess_sandbox(const MergedUnit& unit) {
  SandboxAssessment a;
  double total = passing_weight(), bad = 0;
  std::vector<std::pair<double, std::string_view>> unmet;
  for (const auto& t : tests()) {
    if (t.applies && !t.applies(unit)) continue;
    total += weight(t);
    double met = t.met(unit);
    if (met < 1.0) {
      bad += weight(t) * (1.0 - met);
      unmet.emplace_back(weight(t) * (1.0 - met), t.name);
    }
  }
  std::stable_sort(unmet.begin(), unmet.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
  for (const auto& [w, name] : unmet) a.unmet.emplace_back(name);
  a.exposure = std::round(100.0 * bad / total) / 10.0;
  return a;
}

const char* exposure_level(double e) {
  if (e < 2.0) return "SAFE";
  if (e < 5.0) return "OK";
  if (e < 7.0) return "MEDIUM";
  if (e < 9.0) return "EXPOSED";
  return "UNSAFE";
}

}  // namespace fwcert::evidence::services
