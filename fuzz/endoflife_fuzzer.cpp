// Fuzz target for the endoflife.date front-matter parser and the normalised table parser: a
// table that parses must render and parse back to the same text.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "endoflife/endoflife.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fwcert::endoflife;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto p = parse_product_markdown(in, "fuzz", "fuzz.md"); p.ok()) {
    p->retrieved = "2026-08-22";
    std::string text = to_table(*p);
    auto back = parse_table(text, "fuzz.yaml");
    if (!back.ok() || back->cycles.size() != p->cycles.size() || to_table(*back) != text) std::abort();
  }
  if (auto t = parse_table(in, "fuzz.yaml"); t.ok()) {
    for (const auto& c : t->cycles) {
      (void)judge(c, fwcert::CivilDate{2026, 8, 22}, 365);
      (void)compare_versions(c.cycle, c.latest);
    }
  }
  return 0;
}
