// Feeds arbitrary version strings to every ordering and asserts what matching relies on: no
// crash, compare(a, a) == 0, antisymmetry, and transitivity on the triple. The input is three
// strings separated by NUL bytes (missing ones are empty); every scheme is checked.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "vulns/version.hpp"

namespace {

int sgn(int v) { return (v > 0) - (v < 0); }

[[noreturn]] void fail(const char* what, fwcert::vulns::Scheme s, std::string_view a, std::string_view b,
                       std::string_view c) {
  std::fprintf(stderr, "%s (%s): '%.*s' '%.*s' '%.*s'\n", what, fwcert::vulns::to_string(s), static_cast<int>(a.size()),
               a.data(), static_cast<int>(b.size()), b.data(), static_cast<int>(c.size()), c.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view part[3];
  for (auto& p : part) {
    auto nul = in.find('\0');
    p = in.substr(0, nul);
    in = nul == std::string_view::npos ? std::string_view() : in.substr(nul + 1);
  }
  using fwcert::vulns::Scheme;
  for (Scheme s : {Scheme::kDebian, Scheme::kApk, Scheme::kRpm, Scheme::kGeneric}) {
    const auto& [a, b, c] = part;
    auto cmp = [s](std::string_view x, std::string_view y) { return sgn(fwcert::vulns::compare(s, x, y)); };
    for (auto x : part) {
      if (cmp(x, x) != 0) fail("not reflexive", s, x, x, x);
    }
    const int ab = cmp(a, b), bc = cmp(b, c), ac = cmp(a, c);
    if (ab != -cmp(b, a) || bc != -cmp(c, b) || ac != -cmp(c, a)) fail("not antisymmetric", s, a, b, c);
    // transitivity of <= and of ==, over every order of the three
    const std::string_view v[3] = {a, b, c};
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) {
        for (int k = 0; k < 3; ++k) {
          if (i == j || j == k || i == k) continue;
          const int xy = cmp(v[i], v[j]), yz = cmp(v[j], v[k]), xz = cmp(v[i], v[k]);
          if (xy <= 0 && yz <= 0 && xz > 0) fail("not transitive", s, v[i], v[j], v[k]);
          if (xy == 0 && yz == 0 && xz != 0) fail("equality not transitive", s, v[i], v[j], v[k]);
        }
      }
    }
    (void)fwcert::vulns::upstream_version(s, a);
  }
  return 0;
}
