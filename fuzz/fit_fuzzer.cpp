// Fuzz target for FIT and control-DTB reading with libfdt: the input as a tree, every tree
// find_fdts reports inside it, and the algorithm helpers over every algo string found. A tree
// may only be parsed when it fits the input; every name read must come from the input.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "formats/fit/fit.hpp"

namespace {

void check(const fwcert::formats::fit::DeviceTree& t, std::size_t size) {
  namespace ff = fwcert::formats::fit;
  if (t.total_size > size) std::abort();
  for (const auto& img : t.images) {
    if (img.name.size() > size) std::abort();
    for (const auto& h : img.hashes) (void)ff::is_strong_hash(h.algo);
    for (const auto& s : img.signatures) (void)ff::is_strong_cipher(ff::split_algorithm(s.algo));
  }
  for (const auto& c : t.configurations) {
    for (const auto& s : c.signatures) (void)ff::is_strong_cipher(ff::split_algorithm(s.algo));
  }
  for (const auto& k : t.keys) (void)ff::split_algorithm(k.algo);
  (void)t.image("kernel-1");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace ff = fwcert::formats::fit;
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  if (auto t = ff::parse(bytes); t.ok()) check(*t, size);
  for (std::uint64_t off : ff::find_fdts(bytes)) {
    if (off >= size) std::abort();
    if (auto t = ff::parse(bytes.subspan(static_cast<std::size_t>(off))); t.ok()) check(*t, size - off);
  }
  return 0;
}
