// Feeds arbitrary bytes to the declared-services parser (--services FILE, the manifest's
// network_services list) through the same guarded YAML reader the scan uses. Every input must
// become a list or an Error; no crash, no runaway recursion.

#include <cstddef>
#include <cstdint>
#include <string>

#include "assess/declared_services.hpp"
#include "catalog/catalog.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  auto doc = fwcert::catalog::parse_yaml_document({"services.yaml", input});
  if (!doc.ok() || !doc->IsMap()) return 0;
  auto list = fwcert::assess::parse_declared_services((*doc)["network_services"], "services.yaml");
  if (list.ok()) {
    for (const auto& d : *list) {
      (void)fwcert::assess::declared_name_matches(d, "sshd.service", "/usr/sbin/sshd");
    }
  }
  return 0;
}
