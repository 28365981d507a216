// Fuzz target for the ELF parser and the ELF analyzer. The input is parsed twice, from
// memory and through an Input that delivers at most 64 bytes per read (as a Vfs may), then
// assessed; and it becomes /usr/sbin/telnetd, setuid, with an applet link and a RUNPATH
// target directory, of an in-memory filesystem that the whole analyzer runs over.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>

#include "analyzers/elf/elf.hpp"
#include "formats/elf/elf.hpp"
#include "formats/elf/hardening.hpp"
#include "inventory/inventory.hpp"
#include "vfs/memory_vfs.hpp"

namespace {

namespace fe = fwcert::formats::elf;

/// Serves reads only from offsets that are multiples of nothing in particular: every read
/// goes through a bounded copy, so a parser that trusts a size it did not check shows up.
class ChoppyInput final : public fe::Input {
 public:
  explicit ChoppyInput(std::span<const std::byte> b) : bytes_(b) {}
  std::uint64_t size() const override { return bytes_.size(); }
  bool read(std::uint64_t offset, std::span<std::byte> out) const override {
    if (offset > bytes_.size() || out.size() > bytes_.size() - offset) return false;
    for (std::size_t done = 0; done < out.size(); done += 64) {
      std::size_t n = std::min<std::size_t>(64, out.size() - done);
      std::memcpy(out.data() + done, bytes_.data() + offset + done, n);
    }
    return true;
  }

 private:
  std::span<const std::byte> bytes_;
};

void check_same(const fe::Elf& a, const fe::Elf& b) {
  if (a.segments.size() != b.segments.size() || a.sections.size() != b.sections.size() ||
      a.dynamic_symbols.size() != b.dynamic_symbols.size() || a.needed != b.needed) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  auto mem = fe::parse(bytes);
  ChoppyInput choppy(bytes);
  auto chopped = fe::parse(choppy);
  if (mem.ok() != chopped.ok()) std::abort();
  if (mem.ok()) {
    check_same(*mem, *chopped);
    auto h = fwcert::formats::elf::assess(*mem);
    if (h.fortify.fortified > h.fortify.fortifiable) std::abort();
    (void)fe::machine_name(mem->machine);
  }

  auto v = std::make_shared<fwcert::vfs::MemoryVfs>();
  std::string_view content(reinterpret_cast<const char*>(data), size);
  if (!v->add_file("/usr/sbin/telnetd", content, {04755, 0, 0, 0}).ok()) return 0;
  if (!v->add_symlink("/usr/sbin/httpd", "telnetd").ok()) return 0;
  if (!v->add_dir("/data", {0777, 0, 0, 0}).ok()) return 0;
  fwcert::inventory::Inventory inv;
  std::vector<fwcert::Diagnostic> diags;
  auto fs = inv.add_filesystem({"", "memory", 0, "", 0, v});
  inv.walk(fs, diags);
  inv.finish();
  fwcert::analyzers::AnalyzerOptions options;
  options.threads = 1;
  options.collect_facts = true;
  auto out = fwcert::analyzers::elf::run(fwcert::analyzers::Context{inv, options});
  for (const auto& f : out.findings) {
    bool known = false;
    for (auto id : fwcert::analyzers::elf::checks()) known |= f.check == id;
    if (!known) std::abort();
  }
  return 0;
}
