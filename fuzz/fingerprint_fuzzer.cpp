// Fuzz target for the version fingerprints (sbom/fingerprint.cpp): the content pass's matches of
// the input, the windows read around them, the version expressions and the BusyBox applet table.
// Every version must be valid, and every offset inside the input.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "evidence/content.hpp"
#include "sbom/fingerprint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace sbom = fwcert::sbom;
  if (size > (1u << 20)) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto& rules = sbom::fingerprint_rules();
  for (bool elf : {true, false}) {
    for (const auto& h : sbom::fingerprint_bytes(in, elf)) {
      if (h.rule >= rules.size() || h.offset >= size || h.version.empty() || h.version.size() > 32) std::abort();
      if (h.version[0] < '0' || h.version[0] > '9') std::abort();
      if (h.observed.empty() || h.observed.size() > 4 * size) std::abort();
    }
  }
  static const auto matcher = fwcert::evidence::content::Matcher::compile();
  if (!matcher.ok()) std::abort();
  auto matches = matcher.value()->scan(in);
  sbom::WindowReader read = [&](std::uint64_t offset, std::size_t length) {
    return offset >= size ? std::string() : std::string(in.substr(static_cast<std::size_t>(offset), length));
  };
  std::size_t total = 0;
  for (const auto& a : sbom::read_applets(matches, read)) {
    if (a.empty() || a.size() > 32) std::abort();
    total += a.size() + 1;
  }
  if (total > size + 1) std::abort();
  return 0;
}
