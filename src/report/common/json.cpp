#include "report/common/json.hpp"

namespace fwcert::report {

nlohmann::ordered_json evidence_json(const Evidence& e) {
  nlohmann::ordered_json j;
  j["path"] = e.path;
  if (e.line) j["line"] = *e.line;
  if (e.offset) j["offset"] = *e.offset;
  if (!e.observed.empty()) j["observed"] = e.observed;
  if (!e.expected.empty()) j["expected"] = e.expected;
  return j;
}

nlohmann::ordered_json waiver_json(const WaiverResult& w) {
  return nlohmann::ordered_json{
      {"id", w.id},       {"check", w.check},     {"subject", w.subject},        {"justification", w.justification},
      {"owner", w.owner}, {"expires", w.expires}, {"state", to_string(w.state)}, {"matched", w.matched}};
}

}  // namespace fwcert::report
