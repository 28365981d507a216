#pragma once
// The reference of every kernel configuration, command-line and sysctl rule with its reason,
// rendered from the rule data (docs/kernel-rules.md is `fwcert data rules --format markdown`).

#include <string>

namespace fwcert::analyzers::kernel {

std::string rules_markdown();
std::string rules_text();

}  // namespace fwcert::analyzers::kernel
