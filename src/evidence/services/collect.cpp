// The service list of one filesystem: the collectors of each init system in order, unique
// subjects, systemd units only under a systemd PID 1, wrapper scripts followed, which services
// face the network, and the account each daemon really runs as.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "data/resources.hpp"
#include "evidence/services/detail.hpp"
#include "evidence/services/services.hpp"

namespace fwcert::evidence::services {

using namespace detail;

namespace detail {

const std::set<std::string>& network_daemons() {
  static const std::set<std::string> kSet = [] {
    std::set<std::string> out;
    for (auto name : data::resource_lines("data/network-daemons.txt")) out.emplace(name);
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

bool Service::runs_as_root() const {
  if (dynamic_user) return false;
  return user.empty() || user == "root" || user == "0";
}

std::vector<Service> collect(const inventory::Inventory& inv, std::uint32_t filesystem,
                             std::vector<Diagnostic>& diagnostics, Evidence* evidence) {
  FsReader r{{inv, filesystem, diagnostics}, evidence};
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
  std::optional<AccountFiles> own;
  if (!evidence) own = read_account_files(inv.vfs(filesystem));
  const AccountFiles& accounts = evidence ? evidence->accounts(filesystem) : *own;
  for (auto& s : services) apply_privileges(r, accounts, s);
  return services;
}

std::vector<const Service*> ServiceList::network_facing_running(std::string_view program,
                                                                const std::vector<std::string>& names) const {
  std::vector<const Service*> out;
  for (const auto& s : services) {
    if (!s.at_boot || !s.network_facing) continue;
    bool runs = !program.empty() && s.program == program;
    for (const auto& n : program_names(s)) runs = runs || std::find(names.begin(), names.end(), n) != names.end();
    if (runs) out.push_back(&s);
  }
  return out;
}

bool ServiceList::boot_known() const {
  return std::any_of(services.begin(), services.end(), [](const Service& s) { return s.at_boot; });
}

std::string ServiceList::not_running_reason(std::string_view name) const {
  for (const auto& s : services) {
    auto names = program_names(s);
    if (std::find(names.begin(), names.end(), name) == names.end()) continue;
    if (!s.at_boot)
      return fmt::format("{} ({} line {}) is not started at boot: {}", s.subject, s.path, s.line, s.boot_reason);
    if (!s.network_facing) {
      return fmt::format("{} ({} line {}) does not face the network{}", s.subject, s.path, s.line,
                         s.network_reasons.empty() ? "" : ": " + s.network_reasons.back());
    }
  }
  return fmt::format("no service started at boot runs {}", name);
}

}  // namespace fwcert::evidence::services
