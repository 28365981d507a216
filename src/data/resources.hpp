#pragma once
// Data files built into the binary (catalog/*.yaml, data/*), so that fwcert runs from any
// directory with no installation step. Generated at build time from the repository files.

#include <string_view>
#include <vector>

namespace fwcert::data {

struct Resource {
  std::string_view name;  ///< repository-relative path, e.g. "catalog/checks.yaml"
  std::string_view content;
};

/// Every built-in resource, ordered by name.
const std::vector<Resource>& resources();

/// The content of a built-in resource, or an empty view when there is none of that name.
std::string_view resource(std::string_view name);

}  // namespace fwcert::data
