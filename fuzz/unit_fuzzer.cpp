// Fuzz target for the systemd unit-file parser, the Exec line splitter and the services
// analyzer over a unit tree. The input is parsed as a unit file; then it becomes a service, a
// drop-in of that service and a socket of it in an in-memory image where the service is
// enabled, and the whole analyzer runs over that image; then the same bytes become a wrapper
// script, the files it sources and the daemons' configuration files of a second image.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "analyzers/services/services.hpp"
#include "evidence/services/detail.hpp"
#include "evidence/services/parse.hpp"
#include "inventory/inventory.hpp"
#include "vfs/memory_vfs.hpp"

namespace {

using namespace fwcert::evidence::services;
using fwcert::analyzers::services::checks;
using fwcert::analyzers::services::run;

void run_analyzer(const std::shared_ptr<fwcert::vfs::MemoryVfs>& v) {
  fwcert::inventory::Inventory inv;
  std::vector<fwcert::Diagnostic> diags;
  auto fs = inv.add_filesystem({"", "memory", 0, "", 0, v});
  inv.walk(fs, diags);
  inv.finish();
  fwcert::analyzers::AnalyzerOptions options;
  options.threads = 1;
  auto out = run(fwcert::analyzers::Context{inv, options});
  for (const auto& f : out.findings) {
    bool known = false;
    for (auto id : checks()) known |= f.check == id;
    if (!known) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  UnitFile u = parse_unit(in, "/fuzz.service");
  MergedUnit m;
  for (const auto& a : u.assignments) {
    if (a.line == 0) std::abort();  // every assignment keeps its line
    (void)parse_exec(a.value);
    (void)split_command(a.value);
    (void)parse_systemd_bool(a.value);
    m.assignments.push_back(a);
  }
  (void)m.all("Service", "ExecStart");
  (void)m.last("Service", "User");

  auto v = std::make_shared<fwcert::vfs::MemoryVfs>();
  if (!v->add_file("/lib/systemd/system/f@.service", in).ok()) return 0;
  if (!v->add_file("/lib/systemd/system/f.socket", in).ok()) return 0;
  if (!v->add_file("/etc/systemd/system/f@x.service.d/o.conf", in).ok()) return 0;
  if (!v->add_file("/lib/systemd/system/multi-user.target", in).ok()) return 0;
  if (!v->add_symlink("/etc/systemd/system/multi-user.target.wants/f@x.service", "/lib/systemd/system/f@.service").ok())
    return 0;
  if (!v->add_symlink("/etc/systemd/system/sockets.target.wants/f.socket", "/lib/systemd/system/f.socket").ok())
    return 0;
  run_analyzer(v);

  // The same bytes as what the analyzer reads to see how services really run: a wrapper
  // script the unit execs, the files it sources, the daemons' own configuration files and a
  // condition's target (privileges.cpp, check_ssh.cpp local-only rules, collect_systemd.cpp).
  std::map<std::string, std::string> vars{{"A", std::string(in.substr(0, 64))}, {"B", ""}};
  (void)fwcert::evidence::services::detail::expand_shell(in, vars);
  auto w = std::make_shared<fwcert::vfs::MemoryVfs>();
  std::string script = "#!/bin/sh\n. /usr/share/w/common\n" + std::string(in);
  auto unit = [&](const std::string& name, const std::string& exec, const std::string& extra = {}) {
    return w->add_file("/lib/systemd/system/" + name, "[Unit]\n" + extra + "[Service]\nExecStart=" + exec + "\n")
               .ok() &&
           w->add_symlink("/etc/systemd/system/multi-user.target.wants/" + name, "/lib/systemd/system/" + name).ok();
  };
  bool ok = w->add_file("/lib/systemd/system/multi-user.target", "[Unit]\n").ok() &&
            w->add_file("/etc/passwd", "root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/:/bin/false\n").ok() &&
            w->add_file("/usr/sbin/wrap", script, {0755, 0, 0, 0}).ok() &&
            w->add_file("/usr/share/w/common", in).ok() && w->add_file("/etc/default/wrap", in).ok() &&
            w->add_file("/usr/sbin/dnsmasq",
                        "\x7f"
                        "ELF",
                        {0755, 0, 0, 0})
                .ok() &&
            w->add_file("/etc/lighttpd/lighttpd.conf", in).ok() &&
            w->add_file("/etc/mosquitto/mosquitto.conf", in).ok() && w->add_file("/etc/chrony/chrony.conf", in).ok() &&
            w->add_file("/usr/share/dbus-1/system.conf", in).ok() && w->add_file("/etc/nginx/nginx.conf", in).ok() &&
            w->add_file("/etc/dnsmasq.conf", in).ok() && unit("wrap.service", "/usr/sbin/wrap exec") &&
            unit("lighttpd.service", "/usr/sbin/lighttpd -D") &&
            unit("mosquitto.service", "/usr/sbin/mosquitto -c /etc/mosquitto/mosquitto.conf") &&
            unit("chrony.service", "/usr/sbin/chronyd") && unit("dbus.service", "/usr/bin/dbus-daemon --system") &&
            unit("nginx.service", "/usr/sbin/nginx") &&
            unit("c.service", "/usr/sbin/dnsmasq", "ConditionFileNotEmpty=/etc/lighttpd/lighttpd.conf\n");
  if (ok) run_analyzer(w);
  return 0;
}
