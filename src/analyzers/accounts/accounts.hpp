#pragma once
// Accounts: /etc/passwd, /etc/shadow and /etc/group of every filesystem that has them.
// Checks auth-empty-password, auth-default-password, auth-hash-strength, priv-uid0-and-shells.

#include <span>
#include <string_view>

#include "analyzers/analyzer.hpp"

namespace fwcert::analyzers::accounts {

/// Check ids this analyzer emits.
std::span<const std::string_view> checks();

Output run(const Context& ctx);

}  // namespace fwcert::analyzers::accounts
