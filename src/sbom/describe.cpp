#include "sbom/describe.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "core/text.hpp"
#include "data/resources.hpp"

namespace fwcert::sbom {

namespace {

const std::vector<std::string_view>& spdx_ids() {
  static const std::vector<std::string_view> ids = [] {
    auto v = data::resource_lines("data/spdx-license-ids.txt");
    std::sort(v.begin(), v.end());
    return v;
  }();
  return ids;
}

bool is_id(std::string_view s) { return std::binary_search(spdx_ids().begin(), spdx_ids().end(), s); }

}  // namespace

LicenseForm license_form(std::string_view text) {
  text = text::trim(text);
  if (text.empty()) return LicenseForm::kNone;
  if (is_id(text)) return LicenseForm::kSpdxId;
  // Tokens of an expression: identifiers, operators, parentheses. Nothing else may appear.
  std::size_t ids = 0, ops = 0;
  int depth = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    char c = rest.front();
    if (c == ' ') {
      rest.remove_prefix(1);
    } else if (c == '(' || c == ')') {
      depth += c == '(' ? 1 : -1;
      if (depth < 0) return LicenseForm::kName;
      rest.remove_prefix(1);
    } else {
      auto end = rest.find_first_of(" ()");
      std::string_view word = rest.substr(0, end);
      rest.remove_prefix(word.size());
      if (word == "AND" || word == "OR" || word == "WITH") {
        ++ops;
      } else {
        if (word.size() > 1 && word.back() == '+') word.remove_suffix(1);
        if (!is_id(word)) return LicenseForm::kName;
        ++ids;
      }
    }
  }
  return depth == 0 && ids == ops + 1 && ops > 0 ? LicenseForm::kSpdxExpression : LicenseForm::kName;
}

std::string_view component_type(const Component& c) {
  if (c.found_by == "os-release") return "operating-system";
  for (const auto& f : c.files) {
    std::string_view p = f;
    if (p.starts_with(c.filesystem)) p.remove_prefix(c.filesystem.size());
    for (std::string_view dir : {"/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/libexec/"}) {
      if (p.starts_with(dir)) return "application";
    }
  }
  return "library";
}

}  // namespace fwcert::sbom
