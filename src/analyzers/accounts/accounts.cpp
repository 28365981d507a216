#include "analyzers/accounts/accounts.hpp"

namespace fwcert::analyzers::accounts {

namespace {
constexpr std::string_view kChecks[] = {"auth-empty-password", "auth-default-password", "auth-hash-strength",
                                        "priv-uid0-and-shells"};
}  // namespace

std::span<const std::string_view> checks() { return kChecks; }

Output run(const Context&) { return {}; }

}  // namespace fwcert::analyzers::accounts
