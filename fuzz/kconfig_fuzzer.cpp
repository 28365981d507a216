// Fuzz target for the kernel configuration parser, the version banner search, the IKCONFIG
// extractor and the compressed-payload finder, rule evaluation over whatever the parser
// returns, and the sysctl and kernel command-line parsers. Values stored must come from the input, and every line
// number must be one of its lines.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "analyzers/kernel/cmdline.hpp"
#include "analyzers/kernel/rules.hpp"
#include "formats/kernel/kernel.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fwcert::analyzers::kernel;
  using namespace fwcert::formats::kernel;
  std::string_view in(reinterpret_cast<const char*>(data), size);

  KernelConfig cfg = parse_kconfig(in);
  std::size_t lines = 1;
  for (char c : in) lines += c == '\n';
  for (const auto& [name, v] : cfg.options) {
    if (v.line == 0 || v.line > lines) std::abort();
    if (name.empty() || v.value.size() > size) std::abort();
  }
  (void)looks_like_kconfig(in);
  auto results = evaluate(builtin_rules(), cfg, cfg.arch(), parse_kernel_release(cfg.version));
  if (results.size() != builtin_rules().size()) std::abort();

  if (auto b = find_version_banner(in)) {
    if (b->offset >= size || b->line.size() > 512) std::abort();
  }
  if (auto ik = find_ikconfig(in)) {
    if (ik->offset >= size) std::abort();
    (void)parse_kconfig(ik->text);
  }
  if (size < (1u << 16)) {
    if (auto p = decompress_kernel_payload(in, 1)) {
      if (p->offset >= size) std::abort();
      (void)find_ikconfig(p->data);
    }
  }
  for (const auto& a : parse_sysctl(in).assignments) {
    if (a.key.empty() || a.line == 0 || a.line > lines) std::abort();
  }
  for (std::string_view name : {"cmdline.txt", "grub.cfg", "grub", "extlinux.conf", "uEnv.txt", "boot.cmd"}) {
    for (const auto& c : cmdlines_in_file(name, in, "/f")) {
      if (c.line > lines) std::abort();
      (void)split_cmdline(c.text);
    }
  }
  if (split_cmdline(in).size() > 4096) std::abort();
  return 0;
}
