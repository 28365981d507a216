// Fuzz target for the Android init .rc parser, and with the same bytes the other line parsers
// of the services analyzer (procd scripts, sshd_config) and of the system analyzer (fstab,
// sudoers, doas.conf, PAM), then both analyzers over an image where the input is each of those
// files.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "analyzers/services/services.hpp"
#include "analyzers/system/parse.hpp"
#include "analyzers/system/system.hpp"
#include "evidence/services/parse.hpp"
#include "inventory/inventory.hpp"
#include "vfs/memory_vfs.hpp"

using namespace fwcert::evidence::services;
using fwcert::analyzers::services::run;
namespace system_analyzer = fwcert::analyzers::system;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  InitRc rc = parse_init_rc(in);
  for (const auto& s : rc.services) {
    if (s.line == 0 || s.name.empty() || s.program.empty() || s.classes.empty()) std::abort();
  }
  (void)parse_procd_script(in);
  SshdConfig ssh = parse_sshd_config(in);
  (void)ssh.first("permitrootlogin");
  for (const auto& e : system_analyzer::parse_fstab(in).entries) {
    if (e.line == 0 || e.mount_point.empty()) std::abort();
    (void)e.has_option("ro");
  }
  for (const auto& r : system_analyzer::parse_sudoers(in).rules) {
    if (r.users.empty()) std::abort();
  }
  std::vector<LineDiagnostic> diags;
  (void)system_analyzer::parse_doas(in, diags);
  for (const auto& l : system_analyzer::parse_pam(in).lines) {
    if (l.module.empty()) std::abort();
  }
  auto v = std::make_shared<fwcert::vfs::MemoryVfs>();
  if (!v->add_file("/init.rc", in).ok()) return 0;
  if (!v->add_file("/vendor/etc/init/v.rc", in).ok()) return 0;
  if (!v->add_file("/etc/init.d/svc", in, {0755, 0, 0, 0}).ok()) return 0;
  if (!v->add_symlink("/etc/rc.d/S50svc", "../init.d/svc").ok()) return 0;
  if (!v->add_file("/etc/ssh/sshd_config", in).ok()) return 0;
  for (auto p : {"/etc/fstab", "/etc/sudoers", "/etc/doas.conf", "/etc/pam.d/login", "/etc/nftables.conf",
                 "/etc/iptables/rules.v4", "/etc/config/firewall", "/etc/modules-load.d/g.conf"}) {
    if (!v->add_file(p, in).ok()) return 0;
  }
  fwcert::inventory::Inventory inv;
  std::vector<fwcert::Diagnostic> walk_diags;
  auto fs = inv.add_filesystem({"", "memory", 0, "", 0, v});
  inv.walk(fs, walk_diags);
  inv.finish();
  fwcert::analyzers::AnalyzerOptions options;
  options.threads = 1;
  fwcert::analyzers::Context ctx{inv, options};
  (void)run(ctx);
  (void)system_analyzer::run(ctx);
  return 0;
}
