// Fuzz target for the Android vbmeta reader: header, public key and descriptors. Every
// descriptor string must come from the input, and nothing may be read outside it.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "formats/avb/vbmeta.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  auto m = fwcert::formats::avb::parse(bytes);
  if (!m) return 0;
  if (size < 256) std::abort();
  (void)m->algorithm_name();
  if (!m->public_key_sha256.empty() && m->public_key_sha256.size() != 64) std::abort();
  for (const auto& d : m->descriptors) {
    if (d.partition.size() > size || d.cmdline.size() > size || d.hash_algorithm.size() > 32) std::abort();
  }
  return 0;
}
