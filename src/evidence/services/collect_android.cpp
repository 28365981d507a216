// Android init: the .rc files of / and the partitions' etc/init directories; a service is at
// boot unless disabled, or when an action starts it.

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

}  // namespace fwcert::evidence::services::detail
