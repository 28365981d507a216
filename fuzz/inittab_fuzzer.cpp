// Fuzz target for the inittab parser, the shell-word splitter and the services analyzer over a
// BusyBox image: the input is /etc/inittab and also the boot script /etc/init.d/rcS it names.

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
  Inittab t = parse_inittab(in);
  for (const auto& e : t.entries) {
    if (e.line == 0 || e.action.empty()) std::abort();
    (void)split_command(e.process);
  }
  auto v = std::make_shared<fwcert::vfs::MemoryVfs>();
  if (!v->add_file("/etc/inittab", in).ok()) return 0;
  if (!v->add_file("/etc/init.d/rcS", in, {0755, 0, 0, 0}).ok()) return 0;
  if (!v->add_symlink("/bin/sh", "busybox").ok()) return 0;
  if (!v->add_symlink("/usr/sbin/telnetd", "/bin/busybox").ok()) return 0;
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
