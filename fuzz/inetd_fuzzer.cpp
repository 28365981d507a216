// Fuzz target for the inetd.conf and xinetd parsers and the services analyzer: the input is
// /etc/inetd.conf, /etc/xinetd.conf and a file of /etc/xinetd.d in an image whose boot script
// starts both super-servers, so every entry is judged as enabled.

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
  InetdConf c = parse_inetd_conf(in);
  for (const auto& e : c.entries) {
    if (e.line == 0 || e.server.empty()) std::abort();
  }
  XinetdConf x = parse_xinetd(in);
  for (const auto& s : x.services) {
    if (s.name.empty() || s.attributes.size() != s.attribute_lines.size()) std::abort();
    (void)s.get("server");
    (void)s.line_of("user");
  }
  auto v = std::make_shared<fwcert::vfs::MemoryVfs>();
  if (!v->add_file("/etc/inetd.conf", in).ok()) return 0;
  if (!v->add_file("/etc/xinetd.conf", in).ok()) return 0;
  if (!v->add_file("/etc/xinetd.d/svc", in).ok()) return 0;
  if (!v->add_file("/etc/inittab", "::sysinit:/etc/init.d/rcS\n").ok()) return 0;
  if (!v->add_file("/etc/init.d/rcS", "/usr/sbin/inetd\n/usr/sbin/xinetd\n", {0755, 0, 0, 0}).ok()) return 0;
  if (!v->add_file("/usr/sbin/inetd", "x").ok() || !v->add_file("/usr/sbin/xinetd", "x").ok()) return 0;
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
