// The sandbox exposure score against its oracle, `systemd-analyze security --offline=true`
// (systemd 252 on this machine), over the real unit files Debian's packages installed here and
// over units that set one directive at a time.
//
// Why the scores are compared with a tolerance rather than to the first decimal: the score
// weights are the per-test exposures systemd-analyze prints, which it rounds to 0.1, and the
// partial credit it gives for settings such as ProtectSystem=full is not printed at all.
// Recovering the exact weights would mean copying them from systemd's source, which this
// project does not do. The test measures the gap on every unit and bounds it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "evidence/services/parse.hpp"
#include "evidence/services/sandbox.hpp"
#include "support/test_util.hpp"

namespace fwcert::evidence::services {
namespace {

bool have_oracle() {
  return test::have_tool("systemd-analyze") &&
         test::run("systemd-analyze security --help 2>&1 | grep -q -- --offline").exit_code == 0;
}

MergedUnit merged(const std::string& text) {
  MergedUnit m;
  for (auto& a : parse_unit(text).assignments) m.assignments.push_back(std::move(a));
  return m;
}

/// systemd-analyze's overall exposure for a unit file placed alone in an empty root.
std::optional<double> oracle(const std::string& name, const std::string& text) {
  test::TempDir root;
  test::write_file(root / ("etc/systemd/system/" + name), text);
  auto r = test::run("systemd-analyze security --offline=true --root=" + test::shell_quote(root.path()) + " " +
                     test::shell_quote(name) + " 2>&1");
  std::smatch m;
  static const std::regex kOverall("Overall exposure level for [^:]+: ([0-9]+\\.[0-9])");
  if (!std::regex_search(r.output, m, kOverall)) {
    ADD_FAILURE() << name << ": " << r.output.substr(0, 400);
    return std::nullopt;
  }
  return std::stod(m[1]);
}

TEST(ServicesSandbox, UnsandboxedAndHardenedUnitsMatchSystemdAnalyze) {
  if (!have_oracle()) GTEST_SKIP() << "no systemd-analyze security --offline";
  const std::string bare = "[Service]\nExecStart=/usr/bin/true\n";
  EXPECT_DOUBLE_EQ(assess_sandbox(merged(bare)).exposure, 9.6);
  ASSERT_EQ(oracle("bare.service", bare), 9.6);

  const std::string hardened =
      "[Service]\nExecStart=/usr/bin/true\nDynamicUser=yes\nNoNewPrivileges=yes\nPrivateDevices=yes\n"
      "PrivateNetwork=yes\nPrivateUsers=yes\nPrivateTmp=yes\nPrivateMounts=yes\nProtectSystem=strict\n"
      "ProtectHome=yes\nProtectClock=yes\nProtectKernelLogs=yes\nProtectKernelModules=yes\n"
      "ProtectKernelTunables=yes\nProtectControlGroups=yes\nProtectHostname=yes\nProtectProc=invisible\n"
      "ProcSubset=pid\nRestrictNamespaces=yes\nRestrictRealtime=yes\nRestrictSUIDSGID=yes\n"
      "LockPersonality=yes\nMemoryDenyWriteExecute=yes\nSystemCallArchitectures=native\n"
      "SystemCallFilter=@system-service\nSystemCallFilter=~@privileged @resources\nRestrictAddressFamilies=none\n"
      "CapabilityBoundingSet=\nIPAddressDeny=any\nUMask=0077\nRootDirectory=/srv/empty\n";
  auto ours = assess_sandbox(merged(hardened));
  auto theirs = oracle("hard.service", hardened);
  ASSERT_TRUE(theirs.has_value());
  EXPECT_NEAR(ours.exposure, *theirs, 0.35) << "ours " << ours.exposure << " systemd-analyze " << *theirs;
  EXPECT_LT(ours.exposure, 1.0);
}

/// Every service unit of this machine: the score is within a bound of systemd-analyze's and
/// ranks units the same way on average. The table of both scores is printed for the record.
TEST(ServicesSandbox, HostUnitsAgreeWithinTheMeasuredBound) {
  if (!have_oracle()) GTEST_SKIP() << "no systemd-analyze security --offline";
  namespace fs = std::filesystem;
  std::size_t n = 0, exact = 0;
  double worst = 0, sum = 0;
  std::string table;
  for (const auto& e : fs::directory_iterator("/lib/systemd/system")) {
    std::string name = e.path().filename().string();
    if (!e.is_regular_file() || !name.ends_with(".service") || name.find('@') != std::string::npos) continue;
    std::string text = test::read_file(e.path().string());
    if (text.find("ExecStart=") == std::string::npos) continue;
    auto theirs = oracle(name, text);
    if (!theirs) continue;
    double ours = assess_sandbox(merged(text)).exposure;
    double d = std::fabs(ours - *theirs);
    worst = std::max(worst, d);
    sum += d;
    exact += d < 0.05;
    ++n;
    table += name + " ours=" + std::to_string(ours).substr(0, 3) +
             " systemd-analyze=" + std::to_string(*theirs).substr(0, 3) + "\n";
  }
  ASSERT_GT(n, 10u);
  std::cout << table << "units " << n << ", equal to the first decimal " << exact << ", mean |diff| " << sum / n
            << ", worst " << worst << "\n";
  // Measured on Debian 12 (systemd 252, 78 units): 19 equal to the first decimal, mean 0.085,
  // worst 0.2.
  EXPECT_LE(worst, 0.3) << table;
  EXPECT_LE(sum / n, 0.15) << table;
}

}  // namespace
}  // namespace fwcert::evidence::services
