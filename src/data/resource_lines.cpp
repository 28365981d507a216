#include "core/text.hpp"
#include "data/resources.hpp"

namespace fwcert::data {

std::vector<std::string_view> resource_lines(std::string_view name) {
  std::vector<std::string_view> out;
  for (auto [no, line] : text::lines(resource(name), text::kNoLineLimit)) {
    if (!line.empty() && line.front() != '#') out.push_back(line);
  }
  return out;
}

}  // namespace fwcert::data
