#include "analyzers/kernel/rules.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstdlib>

#include "data/resources.hpp"

namespace fwcert::analyzers::kernel {

using namespace formats::kernel;

namespace {

constexpr std::string_view kRuleKeys[] = {"reason", "source", "arch", "critical", "expect", "and", "or", "on", "off"};

bool valid_option(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || (c >= 'a' && c <= 'z');
  });
}

std::string where(std::string_view name, const YAML::Node& n) {
  return fmt::format("{}:{}:{}", name, n.Mark().line + 1, n.Mark().column + 1);
}

Result<Condition> condition_at(std::string_view name, const YAML::Node& n) {
  if (!n.IsScalar()) return make_error(ErrorCode::kParse, "expected a condition string", where(name, n));
  auto c = parse_condition(n.Scalar());
  if (!c) return make_error(ErrorCode::kParse, "not a condition: '" + n.Scalar() + "'", where(name, n));
  return *c;
}

/// A list whose items are conditions or lists of conditions.
Result<std::vector<std::vector<Condition>>> groups_at(std::string_view name, const YAML::Node& n) {
  if (!n.IsSequence()) return make_error(ErrorCode::kParse, "expected a list", where(name, n));
  std::vector<std::vector<Condition>> out;
  for (const auto& item : n) {
    std::vector<Condition> group;
    if (item.IsSequence()) {
      for (const auto& sub : item) {
        auto c = condition_at(name, sub);
        if (!c.ok()) return c.error();
        group.push_back(std::move(c.value()));
      }
      if (group.empty()) return make_error(ErrorCode::kParse, "empty condition list", where(name, item));
    } else {
      auto c = condition_at(name, item);
      if (!c.ok()) return c.error();
      group.push_back(std::move(c.value()));
    }
    out.push_back(std::move(group));
  }
  return out;
}

bool holds(const Condition& c, const KernelConfig& cfg, const std::optional<KernelVersion>& version) {
  if (c.kind == Condition::Kind::kVersionAtLeast) return version && version->at_least(c.major, c.minor, c.patch);
  const ConfigValue* v = cfg.find(c.option);
  switch (c.kind) {
    case Condition::Kind::kOff:
      return !v || !v->is_set;
    case Condition::Kind::kPresent:
      return v != nullptr;
    case Condition::Kind::kEquals:
      return v && v->is_set && v->value == c.value;
    case Condition::Kind::kEqualsMax: {
      const ConfigValue* max = cfg.find(c.option + "_MAX");
      return v && v->is_set && max && max->is_set && v->value == max->value;
    }
    case Condition::Kind::kHas: {
      if (!v || !v->is_set) return false;
      std::string_view list = v->value;
      while (!list.empty()) {
        auto comma = list.find(',');
        if (list.substr(0, comma) == c.value) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
      return false;
    }
    case Condition::Kind::kVersionAtLeast:
      break;
  }
  return false;
}

std::string expected_words(const Condition& c) {
  switch (c.kind) {
    case Condition::Kind::kEquals:
      return c.value;
    case Condition::Kind::kEqualsMax:
      return "the maximum (" + c.option + "_MAX)";
    case Condition::Kind::kOff:
      return "is not set";
    case Condition::Kind::kPresent:
      return "is present";
    case Condition::Kind::kHas:
      return "contains " + c.value;
    case Condition::Kind::kVersionAtLeast:
      return c.text;
  }
  return c.text;
}

}  // namespace

std::optional<Condition> parse_condition(std::string_view text) {
  Condition c;
  c.text = std::string(text);
  if (text.starts_with("version >= ")) {
    std::string_view v = text.substr(11);
    int* parts[] = {&c.major, &c.minor, &c.patch};
    for (int i = 0; i < 3; ++i) {
      auto r = std::from_chars(v.data(), v.data() + v.size(), *parts[i]);
      if (r.ec != std::errc()) return std::nullopt;
      v.remove_prefix(static_cast<std::size_t>(r.ptr - v.data()));
      if (i < 2) {
        if (v.empty() || v.front() != '.') return std::nullopt;
        v.remove_prefix(1);
      }
    }
    if (!v.empty()) return std::nullopt;
    c.kind = Condition::Kind::kVersionAtLeast;
    return c;
  }
  if (auto eq = text.find('='); eq != std::string_view::npos) {
    c.option = std::string(text.substr(0, eq));
    c.value = std::string(text.substr(eq + 1));
    c.kind = c.value == "MAX" ? Condition::Kind::kEqualsMax : Condition::Kind::kEquals;
    if (!valid_option(c.option) || c.value.empty()) return std::nullopt;
    return c;
  }
  auto sp = text.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  c.option = std::string(text.substr(0, sp));
  std::string_view rest = text.substr(sp + 1);
  if (!valid_option(c.option)) return std::nullopt;
  if (rest == "off") {
    c.kind = Condition::Kind::kOff;
  } else if (rest == "present") {
    c.kind = Condition::Kind::kPresent;
  } else if (rest.starts_with("has ") && rest.size() > 4 && rest.find(' ', 4) == std::string_view::npos) {
    c.kind = Condition::Kind::kHas;
    c.value = std::string(rest.substr(4));
  } else {
    return std::nullopt;
  }
  return c;
}

Result<std::vector<Rule>> load_rules(std::string_view text, std::string_view name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kParse, e.msg, fmt::format("{}:{}:{}", name, e.mark.line + 1, e.mark.column + 1));
  }
  YAML::Node list = root["rules"];
  if (!list || !list.IsSequence()) return make_error(ErrorCode::kParse, "expected a 'rules' list", std::string(name));
  std::vector<Rule> rules;
  for (const auto& n : list) {
    if (!n.IsMap()) return make_error(ErrorCode::kParse, "a rule must be a mapping", where(name, n));
    for (const auto& kv : n) {
      auto key = kv.first.Scalar();
      if (std::find(std::begin(kRuleKeys), std::end(kRuleKeys), key) == std::end(kRuleKeys)) {
        return make_error(ErrorCode::kParse, "unknown field '" + key + "'", where(name, kv.first));
      }
    }
    Rule base;
    base.line = n.Mark().line + 1;
    if (!n["reason"] || !n["source"])
      return make_error(ErrorCode::kParse, "a rule needs reason and source", where(name, n));
    base.reason = n["reason"].Scalar();
    base.source = n["source"].Scalar();
    if (auto a = n["arch"]) {
      if (!a.IsSequence()) return make_error(ErrorCode::kParse, "arch must be a list", where(name, a));
      for (const auto& x : a) base.arches.push_back(x.Scalar());
    }
    if (auto c = n["critical"]) base.critical = c.as<bool>(false);
    if (auto a = n["and"]) {
      auto g = groups_at(name, a);
      if (!g.ok()) return g.error();
      base.all_of = std::move(g.value());
    }
    if (auto o = n["or"]) {
      auto g = groups_at(name, o);
      if (!g.ok()) return g.error();
      base.any_of = std::move(g.value());
    }
    int forms = (n["expect"] ? 1 : 0) + (n["on"] ? 1 : 0) + (n["off"] ? 1 : 0);
    if (forms != 1) return make_error(ErrorCode::kParse, "a rule needs exactly one of expect, on, off", where(name, n));
    if (auto e = n["expect"]) {
      auto c = condition_at(name, e);
      if (!c.ok()) return c.error();
      base.expect = std::move(c.value());
      if (base.expect.kind == Condition::Kind::kVersionAtLeast) {
        return make_error(ErrorCode::kParse, "expect must name an option", where(name, e));
      }
      base.id = base.expect.text;
      rules.push_back(std::move(base));
      continue;
    }
    bool on = static_cast<bool>(n["on"]);
    YAML::Node names = on ? n["on"] : n["off"];
    if (!names.IsSequence()) return make_error(ErrorCode::kParse, "on/off must be a list", where(name, names));
    for (const auto& x : names) {
      Rule r = base;
      auto c = parse_condition(x.Scalar() + (on ? "=y" : " off"));
      if (!c || !x.IsScalar()) return make_error(ErrorCode::kParse, "not an option name", where(name, x));
      r.expect = std::move(*c);
      r.id = r.expect.text;
      r.line = x.Mark().line + 1;
      rules.push_back(std::move(r));
    }
  }
  return rules;
}

const std::vector<Rule>& builtin_rules() {
  static const std::vector<Rule> kRules = [] {
    auto r = load_rules(data::resource("data/kernel-hardening.yaml"), "data/kernel-hardening.yaml");
    assert(r.ok() && "data/kernel-hardening.yaml must load");
    if (!r.ok()) std::abort();
    return std::move(r.value());
  }();
  return kRules;
}

std::vector<RuleResult> evaluate(const std::vector<Rule>& rules, const KernelConfig& config, std::string_view arch,
                                 const std::optional<KernelVersion>& version) {
  std::vector<RuleResult> out;
  out.reserve(rules.size());
  for (const auto& rule : rules) {
    RuleResult r;
    r.rule = &rule;
    r.expected = expected_words(rule.expect);
    const ConfigValue* v = config.find(rule.expect.option);
    r.seen = !v ? "absent" : v->is_set ? v->value : "is not set";
    r.line = v ? v->line : 0;
    bool arch_ok = rule.arches.empty() || std::find(rule.arches.begin(), rule.arches.end(), arch) != rule.arches.end();
    // A rule comparing with NAME_MAX cannot be judged without it.
    bool max_ok = rule.expect.kind != Condition::Kind::kEqualsMax || config.find(rule.expect.option + "_MAX");
    if (!arch_ok || !max_ok) {
      out.push_back(std::move(r));
      continue;
    }
    bool met = holds(rule.expect, config, version);
    for (const auto& group : rule.all_of) {
      if (!met) break;
      met = std::any_of(group.begin(), group.end(), [&](const Condition& c) { return holds(c, config, version); });
    }
    if (!met) {
      for (const auto& group : rule.any_of) {
        if (std::all_of(group.begin(), group.end(), [&](const Condition& c) { return holds(c, config, version); })) {
          met = true;
          std::string by;
          for (const auto& c : group) by += (by.empty() ? "" : " and ") + c.text;
          r.met_by = by;
          break;
        }
      }
    }
    r.state = met ? RuleState::kMet : RuleState::kNotMet;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace fwcert::analyzers::kernel
