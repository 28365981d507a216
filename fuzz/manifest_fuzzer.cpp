// Feeds arbitrary bytes to the product manifest parser and, when it parses, judges it. The
// parser must turn every input into a manifest or an Error; no crash, no runaway recursion.

#include <cstddef>
#include <cstdint>
#include <string>

#include "assess/assess.hpp"
#include "assess/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  auto m = fwcert::assess::parse_manifest(input, "product.yaml");
  if (m.ok()) {
    (void)fwcert::assess::manifest_findings(*m, fwcert::CivilDate{2026, 3, 1}, fwcert::CivilDate{2027, 12, 31});
    (void)fwcert::assess::rollup_inputs(&*m);
  }
  return 0;
}
