// The gate count ("N failing findings at or above ...") is the exit code's: every report format
// states the same number and the same severity, --fail-on when given, else the profile's gate.

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <regex>
#include <string>

#include "support/test_util.hpp"

namespace fwcert::test {
namespace {

CommandResult fwcert(const std::string& args) { return run(shell_quote(fwcert_binary()) + " " + args); }

/// A rootfs failing at two severities: an empty password (critical) and a second uid-0 account
/// (high), and a waiver for one more empty password, so waived findings must stay out of the count.
void make_rootfs(const TempDir& dir) {
  write_file(dir / "root/etc/passwd",
             "root:x:0:0:root:/root:/bin/sh\n"
             "admin:x:0:0::/root:/bin/sh\n"
             "guest:x:1001:1001::/home/guest:/bin/sh\n"
             "kiosk:x:1002:1002::/home/kiosk:/bin/sh\n");
  write_file(dir / "root/etc/shadow",
             "root:*:19700:0:99999:7:::\n"
             "admin:*:19700:0:99999:7:::\n"
             "guest::19700:0:99999:7:::\n"
             "kiosk::19700:0:99999:7:::\n");
  write_file(dir / "root/etc/group", "root:x:0:\n");
  write_file(dir / "waivers.yaml",
             "waivers:\n"
             "  - check: auth-empty-password\n"
             "    subject: \"account:kiosk\"\n"
             "    justification: locked by the factory image step\n"
             "    owner: product-security\n"
             "    expires: 2027-06-30\n");
}

struct GateLine {
  std::size_t count = 0;
  std::string severity;
  bool operator==(const GateLine&) const = default;
};

std::ostream& operator<<(std::ostream& os, const GateLine& g) { return os << g.count << " at " << g.severity; }

GateLine match(const std::string& text, const std::regex& re) {
  std::smatch m;
  if (!std::regex_search(text, m, re)) return {};
  return {std::stoul(m[1]), m[2]};
}

int rank(const std::string& severity) {
  for (int i = 0; const char* s : {"info", "low", "medium", "high", "critical"}) {
    if (severity == s) return i;
    ++i;
  }
  return -1;
}

/// The gate line each format states, from one scan configuration; `json` gets the JSON report.
std::map<std::string, GateLine> gate_lines(const TempDir& d, const std::string& fail_on, nlohmann::json& json,
                                           int& exit_code) {
  static const std::regex kText(R"(Result: (\d+) failing findings? at or above (\w+))");
  static const std::regex kHtml(
      R"re(<p id="gate">(\d+) failing findings at or above the gate severity <strong>(\w+)</strong>)re");
  static const std::regex kMarkdown(R"((\d+) failing findings? at or above the gate severity \*\*(\w+)\*\*)");
  std::string base = "scan --assessment-date 2026-01-15 --waivers " + shell_quote(d / "waivers.yaml") +
                     (fail_on.empty() ? "" : " --fail-on " + fail_on) + " " + shell_quote(d / "root");
  std::map<std::string, GateLine> out;
  for (const char* f : {"text", "json", "markdown", "html"}) {
    auto r = fwcert(base + " --format " + f + " -o " + shell_quote(d / (std::string("r.") + f)));
    exit_code = r.exit_code;
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << f << ": " << r.output;
  }
  out["text"] = match(read_file(d / "r.text"), kText);
  out["html"] = match(read_file(d / "r.html"), kHtml);
  out["markdown"] = match(read_file(d / "r.markdown"), kMarkdown);
  json = nlohmann::json::parse(read_file(d / "r.json"));
  out["json"] = {json["summary"]["gated"].get<std::size_t>(), json["summary"]["gate"].get<std::string>()};
  return out;
}

TEST(CliGate, EveryFormatStatesTheGateCountTheExitCodeWasDecidedWith) {
  TempDir d;
  make_rootfs(d);
  std::map<std::string, std::size_t> counted;
  // "" is the profile's gate (high for avs); the others differ from it in both directions.
  for (const std::string fail_on : {"", "critical", "low"}) {
    SCOPED_TRACE("--fail-on " + (fail_on.empty() ? std::string("(profile)") : fail_on));
    nlohmann::json j;
    int exit_code = -1;
    auto lines = gate_lines(d, fail_on, j, exit_code);
    const std::string gate = fail_on.empty() ? "high" : fail_on;
    // The count the exit code is decided on, from the JSON report's findings.
    std::size_t expected = 0;
    for (const auto& f : j["findings"]) {
      expected += f["status"] == "fail" && !f.contains("waiver") && rank(f["severity"]) >= rank(gate);
    }
    for (const auto& [format, line] : lines) EXPECT_EQ(line, (GateLine{expected, gate})) << format;
    EXPECT_EQ(exit_code, expected ? 1 : 0);
    EXPECT_EQ(j["metadata"]["gate"], "high") << "the profile's gate stays in the metadata";
    counted[gate] = expected;
  }
  // The planted findings make the three gates give three different counts, so a format that
  // read the profile's gate instead of --fail-on would disagree above.
  EXPECT_LT(counted["critical"], counted["high"]);
  EXPECT_LT(counted["high"], counted["low"]);
  EXPECT_GT(counted["critical"], 0u);
}

}  // namespace
}  // namespace fwcert::test
