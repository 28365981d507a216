#pragma once
// Accounts: /etc/passwd, /etc/shadow and /etc/group of every filesystem that has them.
// Checks auth-empty-password, auth-default-password, auth-hash-strength, priv-uid0-and-shells.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "analyzers/analyzer.hpp"
#include "core/limits.hpp"

namespace fwcert::analyzers::accounts {

/// Check ids this analyzer emits.
std::span<const std::string_view> checks();

/// How much crypt(3) work the default-password trial may do. Work is estimated from each
/// hash's cost parameters before any crypt runs, so what gets tried does not depend on timing.
/// A hash that cannot get even one trial within the budget is reported as inconclusive.
struct CryptBudget {
  /// Candidates tried per hash (the account name plus data/default-passwords.txt).
  std::size_t max_candidates = limits::kMaxPasswordCandidates;
  /// Estimated microseconds one hash may take; expensive hashes get a shorter list.
  std::uint64_t per_hash_micros = 4'000'000;
  /// Estimated microseconds for all hashes of the target together.
  std::uint64_t total_micros = 120'000'000;
};

/// Runs every accounts check with the default crypt budget.
Output run(const Context& ctx);
/// Same, with an explicit crypt budget (fuzzers and tests use a small one).
Output run(const Context& ctx, const CryptBudget& budget);

}  // namespace fwcert::analyzers::accounts
