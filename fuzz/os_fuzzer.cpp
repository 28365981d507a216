// Fuzz target for the parsers of the os analyzer: os-release/openwrt_release, build.prop,
// Yocto /etc/build and the upstream part of a version (the package databases are fuzzed by
// package_db_fuzzer, the OpenSSL version read by a fingerprint rule by fingerprint_fuzzer).
// Every line number must be one of the input's lines.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "analyzers/os/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fwcert::analyzers::os;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::size_t lines = 1;
  for (char c : in) lines += c == '\n';
  for (const auto& f : {parse_os_release(in), parse_build_prop(in), parse_buildinfo(in)}) {
    for (const auto& kv : f.entries) {
      if (kv.line == 0 || kv.line > lines || kv.value.size() > size) std::abort();
    }
    for (const auto& d : f.diagnostics) {
      if (d.first == 0 || d.first > lines) std::abort();
    }
  }
  if (upstream_version(in).size() > in.size()) std::abort();
  return 0;
}
