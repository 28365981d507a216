// Feeds arbitrary bytes to the catalog loader, once as a checks file and once as a
// requirement-set file beside a small valid checks file, and evaluates whatever loads. The
// loader must turn every input into a catalog or an Error; no crash, no runaway recursion.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"

namespace {

// Small on purpose (fuzzing speed); the ids match those used by the seed corpus.
constexpr const char* kBaseChecks = R"(checks:
  - id: auth-empty-password
    title: No empty passwords
    severity: critical
    modes: [IMG]
    analyzer: accounts
  - id: proc-vdp
    title: A disclosure policy exists
    severity: high
    modes: [DOC]
  - id: c1
    title: one
    severity: low
)";

void exercise(const fwcert::catalog::Catalog& cat) {
  std::vector<fwcert::Finding> findings;
  for (const auto& c : cat.checks) {
    fwcert::Finding f;
    f.check = c.id;
    f.status = static_cast<fwcert::Status>(c.id.size() % 6);
    findings.push_back(f);
  }
  fwcert::catalog::complete_findings(cat, {"accounts"}, findings);
  for (const auto& s : cat.sets) (void)fwcert::catalog::evaluate(s, cat, findings);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (auto as_checks = fwcert::catalog::load({{"checks.yaml", input}}); as_checks.ok()) exercise(*as_checks);
  if (auto as_set = fwcert::catalog::load({{"checks.yaml", kBaseChecks}, {"x.yaml", input}}); as_set.ok()) {
    exercise(*as_set);
  }
  return 0;
}
