#include "analyzers/kernel/kernel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "analyzers/kernel/cmdline.hpp"
#include "analyzers/kernel/crypto.hpp"
#include "analyzers/kernel/currency.hpp"
#include "analyzers/kernel/debug.hpp"
#include "analyzers/kernel/mac.hpp"
#include "analyzers/kernel/rules.hpp"
#include "analyzers/kernel/sysctl.hpp"
#include "core/limits.hpp"
#include "evidence/evidence.hpp"
#include "formats/kernel/kernel.hpp"

namespace fwcert::analyzers::kernel {

using namespace formats::kernel;

namespace {

constexpr std::string_view kVersionCheck = "inv-kernel-version";
constexpr std::string_view kConfigCheck = "inv-kernel-config";
constexpr std::string_view kHardeningCheck = "kern-hardening-config";
constexpr std::string_view kSysctlCheck = "sysctl-hardening";
constexpr std::string_view kCmdlineCheck = "boot-kernel-cmdline";
constexpr std::string_view kChecks[] = {
    kVersionCheck,   kConfigCheck,      kHardeningCheck,          kSysctlCheck,   kCmdlineCheck,
    "os-kernel-lts", "mac-selinux",     "mac-apparmor",           "mac-enforced", "crypto-hw-engine",
    "crypto-hw-rng", "debug-coredumps", "debug-kernel-interfaces"};

void report_version(const evidence::KernelEvidence& f, Output& out) {
  if (f.versions.empty()) {
    out.findings.push_back(
        finding(kVersionCheck, Status::kInconclusive, "kernel",
                "no kernel version banner, configuration header or /lib/modules directory was found"));
    return;
  }
  const evidence::FoundVersion& v = f.versions.front();
  std::string text = fmt::format("{}.{}.{}", v.version.major, v.version.minor, v.version.patch);
  std::vector<Evidence> ev;
  for (const auto& o : f.versions) {
    ev.push_back(at(o.path, 0, o.banner.empty() ? o.version.release : o.banner, {}));
    ev.back().expected = {};
    out.facts.push_back({"kernel", o.path, "kernel.version", o.version.release, at(o.path, 0, o.how)});
  }
  out.findings.push_back(finding(
      kVersionCheck, Status::kInfo, "kernel",
      fmt::format("Linux {} (release {}), from the {} of {}", text, v.version.release, v.how, v.path), std::move(ev)));
}

void report_config(const evidence::KernelEvidence& f, Output& out) {
  if (f.configs.empty()) {
    out.findings.push_back(finding(kConfigCheck, Status::kInconclusive, "kernel",
                                   "no kernel configuration was found (/boot/config-*, config.gz, or IKCONFIG embedded "
                                   "in a kernel image)"));
    return;
  }
  std::vector<Evidence> ev;
  for (const auto& c : f.configs) {
    Evidence e = at(c.path, 0, fmt::format("{} options, {}", c.config.options.size(), c.how));
    if (c.offset) e.offset = c.offset;
    ev.push_back(std::move(e));
    out.facts.push_back({"kernel", c.path, "kernel.config_source", c.how, at(c.path, 0, c.how)});
  }
  const evidence::FoundConfig& c = f.configs.front();
  out.findings.push_back(
      finding(kConfigCheck, Status::kInfo, c.path,
              fmt::format("kernel configuration read from {} ({}, {} options)", c.path, c.how, c.config.options.size()),
              std::move(ev)));
}

void report_hardening(const evidence::KernelEvidence& f, Output& out) {
  if (f.configs.empty()) {
    out.findings.push_back(finding(kHardeningCheck, Status::kInconclusive, "kernel",
                                   "no kernel configuration was found, so its hardening cannot be judged"));
    return;
  }
  const evidence::FoundConfig& c = f.configs.front();
  std::string arch = c.config.arch();
  std::optional<KernelVersion> version;
  if (auto v = parse_kernel_release(c.config.version))
    version = *v;
  else if (!f.versions.empty())
    version = f.versions.front().version;

  auto results = evaluate(builtin_rules(), c.config, arch, version);
  std::size_t applicable = 0, met = 0;
  std::vector<Evidence> critical, other;
  for (const auto& r : results) {
    if (r.state == RuleState::kNotApplicable) continue;
    ++applicable;
    std::string state = r.state == RuleState::kMet ? "met" : "not met";
    Evidence ev = at(c.path, r.line, "CONFIG_" + r.rule->expect.option + " " + r.seen,
                     "CONFIG_" + r.rule->expect.option + " " + r.expected);
    out.facts.push_back(
        {"kernel", "kconfig:" + r.rule->id, "kconfig.rule", r.met_by.empty() ? state : state + " by " + r.met_by, ev});
    if (r.state == RuleState::kMet) {
      ++met;
      continue;
    }
    ev.observed += fmt::format(" ({}, {}{})", r.rule->reason, r.rule->source, r.rule->critical ? ", critical" : "");
    (r.rule->critical ? critical : other).push_back(std::move(ev));
  }
  out.facts.push_back(
      {"kernel", c.path, "kernel.arch", arch.empty() ? std::string("unknown") : arch, at(c.path, 0, {})});
  if (applicable == 0) {
    out.findings.push_back(finding(kHardeningCheck, Status::kInconclusive, c.path,
                                   "no hardening rule applies to this configuration (architecture not recognised)"));
    return;
  }
  std::int64_t percent = static_cast<std::int64_t>(met * 100 / applicable);
  out.facts.push_back({"kernel", c.path, "kconfig.score_percent", percent, at(c.path, 0, {})});
  std::string summary = fmt::format("{} of {} hardening rules met ({}%) for {} {}", met, applicable, percent,
                                    arch.empty() ? "unknown architecture" : arch,
                                    version ? version->release : std::string("(version unknown)"));
  std::vector<Evidence> ev = std::move(critical);
  std::size_t n_critical = ev.size();
  ev.insert(ev.end(), other.begin(), other.end());
  if (n_critical) {
    Finding fi = finding(kHardeningCheck, Status::kFail, c.path,
                         fmt::format("{}; {} of the fail set (strict kernel RWX, stack protector, KASLR, /dev/mem "
                                     "restriction) not met",
                                     summary, n_critical),
                         std::move(ev));
    fi.severity = Severity::kHigh;
    fi.severity_override = true;
    out.findings.push_back(std::move(fi));
  } else if (!ev.empty()) {
    out.findings.push_back(finding(kHardeningCheck, Status::kWarn, c.path,
                                   summary + "; the fail set is met, the deviations are listed", std::move(ev)));
  } else {
    out.findings.push_back(finding(kHardeningCheck, Status::kPass, c.path, summary));
  }
}

}  // namespace

std::span<const std::string_view> checks() { return kChecks; }

Output run(const Context& ctx) {
  Output out;
  const evidence::KernelEvidence& f = ctx.evidence().kernel();
  out.diagnostics = f.diagnostics;
  report_version(f, out);
  check_kernel_lts(ctx, f.versions.empty() ? nullptr : &f.versions.front().version,
                   f.versions.empty() ? std::string() : f.versions.front().path, out);
  report_config(f, out);
  report_hardening(f, out);
  check_sysctl(ctx, f.configs.empty() ? nullptr : &f.configs.front().config, out);
  const KernelConfig* config = f.configs.empty() ? nullptr : &f.configs.front().config;
  const std::string config_path = f.configs.empty() ? std::string() : f.configs.front().path;
  check_cmdline(ctx, config, config_path, out);
  check_mac(ctx, config, config_path, f.cmdlines, out);
  check_crypto(ctx, config, config_path, out);
  check_coredumps(ctx, config, config_path, out);
  check_debug_interfaces(ctx, config, config_path, f.cmdlines, out);
  return out;
}

}  // namespace fwcert::analyzers::kernel
