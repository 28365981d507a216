// Feeds arbitrary bytes to the waivers parser against a small catalog and applies what parses
// to a few findings. Every input must become waivers or an Error; no crash.

#include <cstddef>
#include <cstdint>
#include <string>

#include "assess/waivers.hpp"

namespace {

const fwcert::catalog::Catalog& small_catalog() {
  static const fwcert::catalog::Catalog cat = [] {
    auto r = fwcert::catalog::load({{"checks.yaml",
                                     "checks:\n  - {id: net-ssh-config, title: s, severity: high}\n"
                                     "  - {id: elf-pie, title: p, severity: medium}\n"}});
    return r.ok() ? std::move(r).value() : fwcert::catalog::Catalog{};
  }();
  return cat;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  auto w = fwcert::assess::parse_waivers(input, "waivers.yaml", small_catalog());
  if (w.ok()) {
    std::vector<fwcert::Finding> findings(2);
    findings[0].check = "net-ssh-config";
    findings[0].status = fwcert::Status::kFail;
    findings[0].subject = "/etc/ssh/sshd_config";
    findings[1].check = "elf-pie";
    findings[1].status = fwcert::Status::kWarn;
    (void)fwcert::assess::apply_waivers(*w, fwcert::CivilDate{2026, 3, 1}, findings);
  }
  return 0;
}
