// Fuzz target for the Android init .rc parser, the procd script reader, the sshd_config
// parser and the services analyzer over an Android-style image whose /init.rc, vendor .rc,
// procd script and sshd_config are the input.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "analyzers/services/parse.hpp"
#include "analyzers/services/services.hpp"
#include "inventory/inventory.hpp"
#include "vfs/memory_vfs.hpp"

using namespace fwcert::analyzers::services;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  InitRc rc = parse_init_rc(in);
  for (const auto& s : rc.services) {
    if (s.line == 0 || s.name.empty() || s.program.empty() || s.classes.empty()) std::abort();
  }
  (void)parse_procd_script(in);
  SshdConfig ssh = parse_sshd_config(in);
  (void)ssh.first("permitrootlogin");
  auto v = std::make_shared<fwcert::vfs::MemoryVfs>();
  if (!v->add_file("/init.rc", in).ok()) return 0;
  if (!v->add_file("/vendor/etc/init/v.rc", in).ok()) return 0;
  if (!v->add_file("/etc/init.d/svc", in, {0755, 0, 0, 0}).ok()) return 0;
  if (!v->add_symlink("/etc/rc.d/S50svc", "../init.d/svc").ok()) return 0;
  if (!v->add_file("/etc/ssh/sshd_config", in).ok()) return 0;
  fwcert::inventory::Inventory inv;
  std::vector<fwcert::Diagnostic> diags;
  auto fs = inv.add_filesystem({"", "memory", 0, "", 0, v});
  inv.walk(fs, diags);
  inv.finish();
  fwcert::ScanOptions options;
  options.threads = 1;
  (void)run(fwcert::analyzers::Context{inv, options});
  return 0;
}
