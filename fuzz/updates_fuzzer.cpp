// Fuzz target for the update-agent configuration readers: INI (RAUC, OSTree), libconfig pairs
// (swupdate.cfg), opkg and apt feeds, apt.conf, and the update-script scanner. Every line number must be
// one of the input's lines.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "analyzers/updates/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace up = fwcert::analyzers::updates;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::size_t lines = 1;
  for (char c : in) lines += c == '\n';
  auto check = [&](std::size_t line) {
    if (line == 0 || line > lines) std::abort();
  };
  for (const auto& s : up::parse_ini(in)) {
    for (const auto& e : s.entries) check(e.line);
    (void)s.find("path");
  }
  for (const auto& p : up::parse_libconfig_pairs(in)) check(p.line);
  auto opkg = up::parse_opkg_conf(in);
  for (const auto& f : opkg.feeds) check(f.line);
  for (bool deb822 : {false, true}) {
    for (const auto& f : up::parse_apt_sources(in, deb822)) check(f.line);
  }
  for (const auto& o : up::parse_apt_conf(in)) {
    check(o.line);
    (void)up::apt_true(o.value);
  }
  auto s = up::scan_update_script(in);
  for (const auto* list : {&s.downloads, &s.insecure, &s.flashes, &s.verifies}) {
    for (const auto& l : *list) check(l.line);
  }
  return 0;
}
