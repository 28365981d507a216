// Agreement with kernel-hardening-checker (KHC), the peer tool, on real Debian kernel
// configurations. tests/fixtures/kernel/ holds each configuration and KHC's JSON verdicts for
// it (see the README there for origin and licences). For every kconfig check both tools judge,
// the verdicts must agree on at least 98% of them, and every disagreement must be one listed
// below with the reason and which side is right.

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "analyzers/kernel/cmdline.hpp"
#include "analyzers/kernel/rules.hpp"
#include "analyzers/kernel/sysctl.hpp"
#include "formats/kernel/kernel.hpp"
#include "support/test_util.hpp"

namespace fwcert::analyzers::kernel {
using namespace formats::kernel;
namespace {

struct KnownDisagreement {
  const char* config;
  const char* option;
  const char* why;
};

/// Every disagreement on the committed configurations, with which side is right.
const KnownDisagreement kKnown[] = {
    {"", "", ""},  // placeholder so the table is never empty; matches nothing
};

std::string map_expected(const std::string& khc) {
  if (khc.size() > 2 && khc.front() == '*' && khc.back() == '*') return "contains " + khc.substr(1, khc.size() - 2);
  return khc;
}

struct Agreement {
  std::size_t compared = 0, agreed = 0, khc_only = 0;
  std::vector<std::string> disagreements;  ///< "OPTION: fwcert X, KHC Y"
};

Agreement compare(const std::string& name) {
  std::string dir = test::source_dir() + "/tests/fixtures/kernel/";
  auto cfg = parse_kconfig(test::read_file(dir + name + ".config"));
  auto version = parse_kernel_release(cfg.version);
  EXPECT_TRUE(version.has_value()) << name;
  auto results = evaluate(builtin_rules(), cfg, cfg.arch(), version);
  std::multimap<std::string, const RuleResult*> ours;
  for (const auto& r : results) {
    if (r.state != RuleState::kNotApplicable) ours.emplace(r.rule->expect.option, &r);
  }
  auto khc = nlohmann::json::parse(test::read_file(dir + name + ".khc.json"));
  Agreement a;
  for (const auto& e : khc) {
    if (e.at("type") != "kconfig") continue;
    std::string option = e.at("option_name").get<std::string>().substr(7);  // drop CONFIG_
    std::string desired = map_expected(e.at("desired_val").get<std::string>());
    auto [lo, hi] = ours.equal_range(option);
    const RuleResult* match = nullptr;
    for (auto it = lo; it != hi; ++it) {
      // A refined MAX expectation appears in KHC's output as the number itself.
      if (it->second->expected == desired || std::distance(lo, hi) == 1) match = it->second;
    }
    if (!match) {
      ++a.khc_only;
      continue;
    }
    ++a.compared;
    bool our_ok = match->state == RuleState::kMet;
    bool their_ok = e.at("check_result_bool").get<bool>();
    if (our_ok == their_ok) {
      ++a.agreed;
    } else {
      a.disagreements.push_back(option + ": fwcert " + (our_ok ? "met" : "not met") + " (seen " + match->seen +
                                "), KHC " + e.at("check_result").get<std::string>());
    }
  }
  return a;
}

class KernelKhcAgreement : public ::testing::TestWithParam<const char*> {};

TEST_P(KernelKhcAgreement, AtLeast98PercentAndEveryDisagreementExplained) {
  std::string name = GetParam();
  Agreement a = compare(name);
  // KHC judges ~260 kconfig checks on x86_64; fwcert must judge nearly all of the same ones.
  EXPECT_GE(a.compared, 240u) << name;
  EXPECT_LE(a.khc_only, 3u) << name << ": KHC checks without a fwcert rule";
  double pct = a.compared ? 100.0 * static_cast<double>(a.agreed) / static_cast<double>(a.compared) : 0;
  EXPECT_GE(pct, 98.0) << name;
  for (const auto& d : a.disagreements) {
    bool known = false;
    for (const auto& k : kKnown) known |= name == k.config && d.starts_with(std::string(k.option) + ":");
    EXPECT_TRUE(known) << name << ": undocumented disagreement " << d;
  }
  std::printf("[ agreement ] %s: %zu of %zu kconfig checks agree (%.1f%%), %zu KHC-only\n", name.c_str(), a.agreed,
              a.compared, pct, a.khc_only);
}

INSTANTIATE_TEST_SUITE_P(DebianConfigs, KernelKhcAgreement,
                         ::testing::Values("debian-6.1.0-56-cloud-amd64", "debian-6.1.0-56-rt-amd64"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n) c = (c == '-' || c == '.') ? '_' : c;
                           return n;
                         });

// ---- command line ----------------------------------------------------------------------------
// KHC judges a command-line parameter in two ways: by the parameter when it is on the line, and
// by the kernel configuration's default when it is not (that half is the kconfig comparison
// above). The checks the two tools share are therefore the parameters on the line that a
// fwcert rule names; on those the verdicts must agree.

/// Disagreements on the committed command lines, with which side is right.
const KnownDisagreement kKnownCmdline[] = {
    {"", "", ""},  // none on the committed lines; placeholder so the table is never empty
};

Agreement compare_cmdline(const std::string& name) {
  std::string dir = test::source_dir() + "/tests/fixtures/kernel/";
  auto params = split_cmdline(test::read_file(dir + name + ".cmdline"));
  std::set<std::string> ruled;
  for (const auto& r : cmdline_rules()) ruled.insert(std::string(r.name));
  auto khc = nlohmann::json::parse(test::read_file(dir + name + ".cmdline.khc.json"));
  Agreement a;
  for (const auto& e : khc) {
    if (e.at("type") != "cmdline") continue;
    std::string option = e.at("option_name").get<std::string>();
    const CmdlineParam* on_line = nullptr;
    for (const auto& p : params) {
      if (p.name == option) on_line = &p;  // the kernel uses the last occurrence
    }
    if (!on_line) continue;
    if (!ruled.count(option)) {
      ++a.khc_only;
      continue;
    }
    ++a.compared;
    bool our_ok = cmdline_disabling(*on_line).empty();
    bool their_ok = e.at("check_result_bool").get<bool>();
    if (our_ok == their_ok) {
      ++a.agreed;
    } else {
      a.disagreements.push_back(option + ": fwcert " + (our_ok ? "ok" : "switches off") + ", KHC " +
                                e.at("check_result").get<std::string>());
    }
  }
  return a;
}

class KernelKhcCmdlineAgreement : public ::testing::TestWithParam<const char*> {};

TEST_P(KernelKhcCmdlineAgreement, AtLeast98PercentAndEveryDisagreementExplained) {
  std::string name = GetParam();
  Agreement a = compare_cmdline(name);
  double pct = a.compared ? 100.0 * static_cast<double>(a.agreed) / static_cast<double>(a.compared) : 100.0;
  for (const auto& d : a.disagreements) {
    bool known = false;
    for (const auto& k : kKnownCmdline) known |= name == k.config && d.starts_with(std::string(k.option) + ":");
    EXPECT_TRUE(known) << name << ": undocumented disagreement " << d;
  }
  // Documented disagreements are allowed; anything else must agree.
  EXPECT_GE(a.agreed + a.disagreements.size(), a.compared);
  if (a.disagreements.empty()) EXPECT_EQ(pct, 100.0);
  std::printf("[ agreement ] %s: %zu of %zu cmdline parameters agree (%.1f%%), %zu on the line without a fwcert rule\n",
              name.c_str(), a.agreed, a.compared, pct, a.khc_only);
}

TEST(KernelKhcCmdline, TheWeakenedLineIsJudgedOnEveryParameter) {
  // Every parameter of weakened.cmdline beyond root/rootwait/console switches something off;
  // fwcert must name each, and KHC must fail each too (so the comparison above is not vacuous).
  Agreement a = compare_cmdline("weakened");
  EXPECT_GE(a.compared, 25u);
  EXPECT_EQ(a.khc_only, 0u);
  auto params = split_cmdline(test::read_file(test::source_dir() + "/tests/fixtures/kernel/weakened.cmdline"));
  std::vector<std::string> kept;
  for (const auto& p : params) {
    if (cmdline_disabling(p).empty()) kept.push_back(p.name);
  }
  EXPECT_EQ(kept, (std::vector<std::string>{"root", "rootwait", "console"}));
}

INSTANTIATE_TEST_SUITE_P(Lines, KernelKhcCmdlineAgreement, ::testing::Values("debian-cloud", "weakened", "hardened"),
                         [](const auto& info) {
                           return std::string(info.param) == "debian-cloud" ? std::string("debian_cloud")
                                                                            : std::string(info.param);
                         });

// ---- sysctl ----------------------------------------------------------------------------------
// KHC reads `sysctl -a` output; fwcert reads sysctl.conf files, whose syntax is the same. The
// checks the two share are the keys both have a rule for that the file sets (a key the file
// lacks is "not found" to KHC and the kernel default to fwcert, so it is not compared).

Agreement compare_sysctl(const std::string& name) {
  std::string dir = test::source_dir() + "/tests/fixtures/kernel/";
  auto file = parse_sysctl(test::read_file(dir + name + ".sysctl"));
  std::map<std::string, std::string> values;
  for (const auto& a : file.assignments) values[a.key] = a.value;
  auto khc = nlohmann::json::parse(test::read_file(dir + name + ".sysctl.khc.json"));
  Agreement a;
  for (const auto& e : khc) {
    if (e.at("type") != "sysctl") continue;
    std::string key = e.at("option_name").get<std::string>();
    auto v = values.find(key);
    if (v == values.end()) continue;
    const SysctlRule* rule = nullptr;
    for (const auto& r : sysctl_rules()) {
      if (r.key == key) rule = &r;
    }
    if (!rule) {
      ++a.khc_only;
      continue;
    }
    ++a.compared;
    bool our_ok = sysctl_satisfies(v->second, rule->expect);
    bool their_ok = e.at("check_result_bool").get<bool>();
    if (our_ok == their_ok) {
      ++a.agreed;
    } else {
      a.disagreements.push_back(key + ": fwcert " + (our_ok ? "ok" : "fails") + " (" + v->second + " vs " +
                                rule->expect + "), KHC " + e.at("check_result").get<std::string>());
    }
  }
  return a;
}

class KernelKhcSysctlAgreement : public ::testing::TestWithParam<const char*> {};

TEST_P(KernelKhcSysctlAgreement, EveryKeyBothJudgeAgrees) {
  std::string name = GetParam();
  Agreement a = compare_sysctl(name);
  EXPECT_GE(a.compared, 18u) << name;
  EXPECT_TRUE(a.disagreements.empty()) << name << ": " << ::testing::PrintToString(a.disagreements);
  std::printf("[ agreement ] %s: %zu of %zu sysctl keys agree, %zu set keys only KHC judges\n", name.c_str(), a.agreed,
              a.compared, a.khc_only);
}

INSTANTIATE_TEST_SUITE_P(Dumps, KernelKhcSysctlAgreement, ::testing::Values("firecracker-vm", "hardened"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n) c = c == '-' ? '_' : c;
                           return n;
                         });

}  // namespace
}  // namespace fwcert::analyzers::kernel
