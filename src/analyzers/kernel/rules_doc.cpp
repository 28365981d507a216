#include "analyzers/kernel/rules_doc.hpp"

#include <fmt/format.h>

#include "analyzers/kernel/cmdline.hpp"
#include "analyzers/kernel/rules.hpp"
#include "analyzers/kernel/sysctl.hpp"

namespace fwcert::analyzers::kernel {

using namespace formats::kernel;

namespace {

std::string cell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\";
    out.push_back(c);
  }
  return out;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : std::string(sep)) + x;
  return out;
}

std::string group_text(const std::vector<std::vector<Condition>>& groups, std::string_view inner) {
  std::vector<std::string> parts;
  for (const auto& g : groups) {
    std::vector<std::string> words;
    for (const auto& c : g) words.push_back("`" + c.text + "`");
    parts.push_back(g.size() > 1 ? "(" + join(words, inner) + ")" : words.front());
  }
  return join(parts, inner == " and " ? " or " : " and ");
}

std::string cmdline_match(const CmdlineRule& r) {
  std::string values = std::string(r.values);
  for (auto& c : values) {
    if (c == '|') c = ',';
  }
  switch (r.match) {
    case CmdlineRule::Match::kBare:
      return fmt::format("`{}` (no value)", r.name);
    case CmdlineRule::Match::kAny:
      return fmt::format("`{}` (any value)", r.name);
    case CmdlineRule::Match::kValueIn:
      return fmt::format("`{}=` one of {}", r.name, values);
    case CmdlineRule::Match::kEmptyOrNone:
      return fmt::format("`{}` with no value, an empty one, or `none`", r.name);
    case CmdlineRule::Match::kShell:
      return fmt::format("`{}=` a path to one of {}", r.name, values);
  }
  return std::string(r.name);
}

}  // namespace

std::string rules_markdown() {
  std::string out =
      "# Kernel, command-line and sysctl rules\n\n"
      "Generated from `data/kernel-hardening.yaml`, the command-line rule table of\n"
      "`src/analyzers/kernel/cmdline.cpp` and `data/sysctl-hardening.yaml` by\n"
      "`fwcert data rules --format markdown`; do not edit by hand (a test compares them).\n"
      "Reasons: self_protection, security_policy, cut_attack_surface, harden_userspace,\n"
      "network_security. The data files' headers explain the condition language.\n";

  const auto& rules = builtin_rules();
  out += fmt::format(
      "\n## Kernel configuration (`kern-hardening-config`, {} rules)\n\n"
      "A rule is met when **expect** and every **and** item hold, or any **or** item holds. "
      "**fail set** marks the options whose absence fails the check (REQUIREMENTS.md c.5); the "
      "others make it warn.\n\n"
      "| option | expect | and | or | arch | reason | source | fail set |\n"
      "| --- | --- | --- | --- | --- | --- | --- | --- |\n",
      rules.size());
  for (const auto& r : rules) {
    out += fmt::format("| `{}` | `{}` | {} | {} | {} | {} | {} | {} |\n", r.expect.option, cell(r.expect.text),
                       cell(group_text(r.all_of, " or ")), cell(group_text(r.any_of, " and ")),
                       r.arches.empty() ? "all" : join(r.arches, ", "), r.reason, r.source, r.critical ? "yes" : "");
  }

  auto cmd = cmdline_rules();
  out += fmt::format(
      "\n## Kernel command line (`boot-kernel-cmdline`, {} rules)\n\n"
      "A parameter that matches fails the command line it is on; the first matching rule gives the "
      "reason. A `console=` on a physical UART together with `loglevel=7` or more, `debug` or "
      "`ignore_loglevel` warns.\n\n"
      "| parameter | reason |\n| --- | --- |\n",
      cmd.size());
  for (const auto& r : cmd) out += fmt::format("| {} | {} |\n", cell(cmdline_match(r)), r.reason);

  const auto& sys = sysctl_rules();
  out += fmt::format(
      "\n## sysctl (`sysctl-hardening`, {} rules)\n\n"
      "**expect** is a value or `>=N`; **default** is the kernel's value when no file sets the key, "
      "replaced by the build option named in **default from config** when it holds.\n\n"
      "| key | expect | default | default from config | not applicable if | reason | source |\n"
      "| --- | --- | --- | --- | --- | --- | --- |\n",
      sys.size());
  for (const auto& r : sys) {
    std::vector<std::string> from;
    if (!r.kconfig_value.empty()) from.push_back("value of `" + r.kconfig_value + "`");
    for (const auto& [c, v] : r.kconfig_default) from.push_back("`" + c.text + "` -> " + v);
    out +=
        fmt::format("| `{}` | `{}` | {} | {} | {} | {} | {} |\n", r.key, r.expect, r.fallback, cell(join(from, "; ")),
                    r.not_applicable_if ? "`" + r.not_applicable_if->text + "`" : "", r.reason, r.source);
  }
  return out;
}

std::string rules_text() {
  std::string out;
  for (const auto& r : builtin_rules()) {
    out += fmt::format("kconfig  {:<40} {:<20} {}{}\n", r.expect.text, r.reason, r.source,
                       r.critical ? " (fail set)" : "");
  }
  for (const auto& r : cmdline_rules()) out += fmt::format("cmdline  {:<40} {}\n", cmdline_match(r), r.reason);
  for (const auto& r : sysctl_rules()) {
    out += fmt::format("sysctl   {:<40} {:<20} {}\n", r.key + " " + r.expect, r.reason, r.source);
  }
  return out;
}

}  // namespace fwcert::analyzers::kernel
