// Fuzz target for the OpenWrt UCI parser and the services analyzer over an OpenWrt image: the
// input is both /etc/config/dropbear (with a procd dropbear enabled) and /etc/config/firewall.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "analyzers/services/services.hpp"
#include "evidence/services/parse.hpp"
#include "inventory/inventory.hpp"
#include "vfs/memory_vfs.hpp"

using namespace fwcert::evidence::services;
using fwcert::analyzers::services::run;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  UciConfig c = parse_uci(in);
  for (const auto& s : c.sections) {
    if (s.line == 0 || s.type.empty()) std::abort();
    for (const auto& o : s.options) {
      if (o.line < s.line) std::abort();
    }
  }
  auto v = std::make_shared<fwcert::vfs::MemoryVfs>();
  if (!v->add_file("/etc/config/dropbear", in).ok()) return 0;
  if (!v->add_file("/etc/config/firewall", in).ok()) return 0;
  if (!v->add_file("/etc/passwd", "root:x:0:0:root:/root:/bin/ash\n").ok()) return 0;
  if (!v->add_file("/etc/init.d/dropbear",
                   "USE_PROCD=1\nstart_service() {\n procd_open_instance\n"
                   " procd_set_param command /usr/sbin/dropbear -F\n procd_close_instance\n}\n",
                   {0755, 0, 0, 0})
           .ok())
    return 0;
  if (!v->add_symlink("/etc/rc.d/S19dropbear", "../init.d/dropbear").ok()) return 0;
  fwcert::inventory::Inventory inv;
  std::vector<fwcert::Diagnostic> diags;
  auto fs = inv.add_filesystem({"", "memory", 0, "", 0, v});
  inv.walk(fs, diags);
  inv.finish();
  fwcert::analyzers::AnalyzerOptions options;
  options.threads = 1;
  (void)run(fwcert::analyzers::Context{inv, options});
  return 0;
}
