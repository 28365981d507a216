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

/// The entries of a built-in list (data/*.txt, data/*.tsv), one a line: every line but the
/// empty ones and the '#' comments, as written (a trailing blank can belong to an entry).
std::vector<std::string_view> resource_lines(std::string_view name);

}  // namespace fwcert::data
