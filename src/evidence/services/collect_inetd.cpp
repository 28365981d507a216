// inetd.conf and xinetd: every entry is network-facing, and at boot only when a service found
// by the other collectors starts the super-server.

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "evidence/services/detail.hpp"
#include "evidence/services/parse.hpp"

namespace fwcert::evidence::services::detail {

namespace {

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

}  // namespace

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

}  // namespace fwcert::evidence::services::detail
