#pragma once
// Kernel configuration hardening rules (data/kernel-hardening.yaml) and their evaluation
// against a parsed configuration. The rules are data; this file only knows the condition
// language the data file describes in its header.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/kernel/kernel.hpp"
#include "fwcert/result.hpp"

namespace fwcert::analyzers::kernel {

using namespace formats::kernel;

/// One condition on a configuration.
struct Condition {
  enum class Kind { kEquals, kEqualsMax, kOff, kPresent, kHas, kVersionAtLeast };
  Kind kind = Kind::kEquals;
  std::string option;                   ///< without CONFIG_; empty for kVersionAtLeast
  std::string value;                    ///< kEquals: the value; kHas: the list word
  int major = 0, minor = 0, patch = 0;  ///< kVersionAtLeast
  std::string text;                     ///< as written in the data file
};

/// A hardening rule: met when `expect` and all `all_of` hold, or any `any_of` holds. An
/// `all_of` item is a disjunction of conditions; an `any_of` item is a conjunction.
struct Rule {
  std::string id;  ///< "OPTION=value" or "OPTION off": the subject option and expectation
  std::string reason;
  std::string source;
  std::vector<std::string> arches;  ///< empty: every architecture
  bool critical = false;
  Condition expect;
  std::vector<std::vector<Condition>> all_of;
  std::vector<std::vector<Condition>> any_of;
  std::size_t line = 0;  ///< line in the data file
};

/// Parses the rule file (the embedded data/kernel-hardening.yaml unless `text` is given).
Result<std::vector<Rule>> load_rules(std::string_view text, std::string_view name);
/// The built-in rules, loaded once; an error in the shipped file is a programming error.
const std::vector<Rule>& builtin_rules();

/// Parses one condition string of the rule language; nullopt when it is not one.
std::optional<Condition> parse_condition(std::string_view text);

enum class RuleState { kMet, kNotMet, kNotApplicable };

/// A rule evaluated against one configuration.
struct RuleResult {
  const Rule* rule = nullptr;
  RuleState state = RuleState::kNotApplicable;
  std::string seen;      ///< the subject option's value as written ("y", "is not set", "absent")
  std::string expected;  ///< what the rule wanted, in words
  std::string met_by;    ///< when met through an alternative: which one
  std::size_t line = 0;  ///< line of the subject option in the config, 0 when absent
};

/// Evaluates every rule against a configuration of architecture `arch` and version `version`
/// (nullopt when unknown: version alternatives then do not hold).
std::vector<RuleResult> evaluate(const std::vector<Rule>& rules, const KernelConfig& config, std::string_view arch,
                                 const std::optional<KernelVersion>& version);

}  // namespace fwcert::analyzers::kernel
