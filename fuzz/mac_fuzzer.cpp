// Fuzz target for the MAC configuration parsers: /etc/selinux/config, AppArmor profile
// headers (with variable substitution), permissive-domain statements, and the attachment glob
// matcher (patterns from the input matched against paths from the input, with a step budget).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "analyzers/kernel/mac_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fwcert::analyzers::kernel;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::size_t lines = 1;
  for (char c : in) lines += c == '\n';
  auto c = parse_selinux_config(in);
  if (c.mode_line > lines || c.type_line > lines || c.mode.size() > size) std::abort();
  auto f = parse_apparmor_profiles(in);
  for (const auto& p : f.profiles) {
    if (p.line == 0 || p.line > lines) std::abort();
    if (!p.attachment.empty() && p.attachment.front() != '/') std::abort();
    (void)apparmor_glob_match(p.attachment, "/usr/sbin/sshd");
  }
  for (const auto& d : find_permissive_domains(in)) {
    if (d.line == 0 || d.line > lines || d.domain.empty()) std::abort();
  }
  auto nl = in.find('\n');
  if (nl != std::string_view::npos) (void)apparmor_glob_match(in.substr(0, nl), in.substr(nl + 1));
  return 0;
}
