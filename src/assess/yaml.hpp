#pragma once
// Errors of the readers of a user's YAML files (the product manifest, waivers): they point at
// the node as "file:line:column".

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <string>

#include "fwcert/result.hpp"

namespace fwcert::assess {

/// A kParse error at node `n` of `file` ("file:line:column", or just `file` when the node has
/// no position).
inline Error yaml_error(const std::string& file, const YAML::Node& n, std::string message) {
  const YAML::Mark m = n.Mark();
  return make_error(ErrorCode::kParse, std::move(message),
                    m.line >= 0 ? fmt::format("{}:{}:{}", file, m.line + 1, m.column + 1) : file);
}

}  // namespace fwcert::assess
