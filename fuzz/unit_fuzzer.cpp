// Fuzz target for the systemd unit-file parser, the Exec line splitter and the services
// analyzer over a unit tree. The input is parsed as a unit file; then it becomes a service, a
// drop-in of that service and a socket of it in an in-memory image where the service is
// enabled, and the whole analyzer runs over that image.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "analyzers/services/parse.hpp"
#include "analyzers/services/services.hpp"
#include "inventory/inventory.hpp"
#include "vfs/memory_vfs.hpp"

namespace {

using namespace fwcert::analyzers::services;

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
  return 0;
}
