// The assessment flags on the real binary: profiles, manifest, waivers, explain, and their
// errors (exit 2 with file:line).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "support/test_util.hpp"

namespace fwcert::test {
namespace {

using ::testing::HasSubstr;

std::string demo() { return shell_quote(source_dir() + "/examples/demo-firmware/rootfs"); }

CommandResult fwcert(const std::string& args) { return run(shell_quote(fwcert_binary()) + " " + args + " 2>&1"); }

TEST(CliAssess, UnknownProfileAndBadFilesExitTwoWithFileLine) {
  auto r = fwcert("scan " + demo() + " --profile nope");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("unknown profile 'nope'"));
  EXPECT_THAT(r.output, HasSubstr("isvs-l1"));
  TempDir dir;
  write_file(dir / "m.yaml", "product: P\nmodel: M\nfirmware: {version: 1}\ncolour: red\n");
  r = fwcert("scan " + demo() + " --manifest " + shell_quote(dir / "m.yaml"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr(dir / "m.yaml:4:1"));
  write_file(dir / "w.yaml",
             "waivers:\n  - {check: net-ssh-confg, subject: x, justification: j, owner: o, expires: 2026-01-01}\n");
  r = fwcert("scan " + demo() + " --waivers " + shell_quote(dir / "w.yaml"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("w.yaml:2:13"));
  EXPECT_THAT(r.output, HasSubstr("did you mean net-ssh-config"));
  r = fwcert("scan " + demo() + " --assessment-date 2026-02-30");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(CliAssess, WaiverTurnsTheExitCodeAndStaysVisible) {
  TempDir dir;
  const std::string date = " --assessment-date 2026-03-01 --format json -o " + shell_quote(dir / "r.json");
  auto plain = fwcert("scan " + demo() + date);
  EXPECT_EQ(plain.exit_code, 1);
  auto j = nlohmann::json::parse(read_file(dir / "r.json"));
  // waive every failing finding at or above high: the exit code becomes 0, the findings stay
  std::string waivers = "waivers:\n";
  std::set<std::string> checks;
  for (const auto& f : j["findings"]) {
    if (f["status"] == "fail") checks.insert(f["check"].get<std::string>());
  }
  ASSERT_FALSE(checks.empty());
  for (const auto& c : checks) {
    waivers += "  - {check: " + c + ", subject: '*', justification: accepted, owner: qa, expires: 2026-03-01}\n";
  }
  waivers += "  - {check: bin-exploit-mitigations, subject: none, justification: j, owner: o, expires: 2026-01-01}\n";
  write_file(dir / "w.yaml", waivers);
  auto waived = fwcert("scan " + demo() + date + " --waivers " + shell_quote(dir / "w.yaml"));
  EXPECT_EQ(waived.exit_code, 0) << waived.output;
  auto k = nlohmann::json::parse(read_file(dir / "r.json"));
  EXPECT_EQ(k["findings"].size(), j["findings"].size());
  std::size_t marked = 0;
  for (const auto& f : k["findings"]) marked += f.contains("waiver");
  EXPECT_GT(marked, 0u);
  EXPECT_EQ(k["waivers"].back()["state"], "expired");
  EXPECT_EQ(k["metadata"]["assessment_date"], "2026-03-01");
  for (const auto& q : k["requirements"]) EXPECT_NE(q["verdict"], "not-met") << q["id"];
  // the day after, the waivers have expired and the gate fails again
  auto expired = fwcert("scan " + demo() + " --assessment-date 2026-03-02 --waivers " + shell_quote(dir / "w.yaml"));
  EXPECT_EQ(expired.exit_code, 1);
}

TEST(CliAssess, ProfilesListAndGate) {
  auto l1 = fwcert("requirements --profile isvs-l1 --format json");
  auto l2 = fwcert("requirements --profile isvs-l2 --format json");
  ASSERT_EQ(l1.exit_code, 0) << l1.output;
  ASSERT_EQ(l2.exit_code, 0) << l2.output;
  auto a = nlohmann::json::parse(l1.output), b = nlohmann::json::parse(l2.output);
  EXPECT_LT(a["requirements"].size(), b["requirements"].size());
  for (const auto& r : a["requirements"]) EXPECT_EQ(r["verification_level"], 1);
  auto etsi = fwcert("requirements --profile etsi-303645 --format json");
  EXPECT_EQ(nlohmann::json::parse(etsi.output)["requirements"].size(), 68u);
  TempDir dir;
  write_file(dir / "p.yaml", "profile:\n  id: mine\n  set: avs\n  include: [AVS-1.2]\n  gate: critical\n");
  auto mine = fwcert("scan " + demo() + " --profile " + shell_quote(dir / "p.yaml") + " --format json");
  auto j = nlohmann::json::parse(mine.output.substr(0, mine.output.rfind('}') + 1));
  EXPECT_EQ(j["requirements"].size(), 1u);
  EXPECT_EQ(j["metadata"]["gate"], "critical");
}

TEST(CliAssess, ExplainKnownAndUnknown) {
  auto r = fwcert("explain auth-empty-password --format json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["severity"], "critical");
  EXPECT_THAT(j["requirements"]["avs"].dump(), HasSubstr("AVS-1.2"));
  EXPECT_THAT(j["requirements"]["etsi-303645"].dump(), HasSubstr("ETSI-5.1-1"));
  auto bad = fwcert("explain auth-empty-pasword");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.output, HasSubstr("did you mean auth-empty-password"));
}

}  // namespace
}  // namespace fwcert::test
