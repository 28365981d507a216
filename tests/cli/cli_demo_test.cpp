// What `make demo` shows, asserted: the demo firmware built by its own script, scanned by the
// real binary, yields the planted account weaknesses with their evidence, the documented JSON
// keys, and facts a lab can check by hand.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "support/test_util.hpp"

namespace fwcert::test {
namespace {

CommandResult fwcert(const std::string& args) { return run(shell_quote(fwcert_binary()) + " " + args); }

class CliDemo : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_tool("mksquashfs") || !have_tool("gcc")) GTEST_SKIP() << "needs mksquashfs and gcc";
    auto r = run("bash " + shell_quote(source_dir() + "/examples/demo-firmware/build.sh") + " " +
                 shell_quote(dir_ / "b") + " " + shell_quote(dir_ / "out"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    image_ = dir_ / "out/firmware.squashfs";
  }
  TempDir dir_;
  std::string image_;
};

/// The finding of `check` about `subject` with status `status`, or null.
const nlohmann::json* find(const nlohmann::json& report, const std::string& check, const std::string& subject,
                           const std::string& status) {
  for (const auto& f : report["findings"]) {
    if (f["check"] == check && f["subject"] == subject && f["status"] == status) return &f;
  }
  return nullptr;
}

TEST_F(CliDemo, PlantedAccountWeaknessesAreFoundWithFileAndLine) {
  auto r = fwcert("scan --format json -o " + shell_quote(dir_ / "r.json") + " " + shell_quote(image_));
  ASSERT_EQ(r.exit_code, 1) << r.output;
  auto j = nlohmann::json::parse(read_file(dir_ / "r.json"));
  EXPECT_EQ(j["target"]["format"], "squashfs");

  const auto* root = find(j, "auth-default-password", "account:root", "fail");
  ASSERT_NE(root, nullptr) << "root's default password xc3511 not found";
  EXPECT_EQ((*root)["evidence"][0]["path"], "/etc/shadow");
  EXPECT_EQ((*root)["evidence"][0]["line"], 1);
  const auto* debug = find(j, "priv-uid0-and-shells", "account:debug", "fail");
  ASSERT_NE(debug, nullptr) << "the extra uid-0 account was not reported";
  EXPECT_EQ((*debug)["evidence"][0]["path"], "/etc/passwd");
  EXPECT_EQ((*debug)["evidence"][0]["line"], 3);
  ASSERT_NE(find(j, "auth-empty-password", "account:guest", "fail"), nullptr);
  ASSERT_NE(find(j, "auth-hash-strength", "account:root", "fail"), nullptr) << "md5-crypt root hash passed";
  // The strong random password of 'alexa' must not be reported as a default.
  EXPECT_EQ(find(j, "auth-default-password", "account:alexa", "fail"), nullptr);
  // Hashes never appear in the report.
  std::string shadow = read_file(dir_ / "out/rootfs/etc/shadow");
  auto line1 = shadow.substr(0, shadow.find('\n'));
  auto hash = line1.substr(5, line1.find(':', 5) - 5);
  ASSERT_GT(hash.size(), 10u);
  EXPECT_EQ(read_file(dir_ / "r.json").find(hash), std::string::npos);
}

TEST_F(CliDemo, JsonReportHasEveryDocumentedKey) {
  auto r = fwcert("scan --format json " + shell_quote(image_));
  auto j = nlohmann::json::parse(r.output);
  for (const char* k : {"tool", "target", "profile", "inventory", "findings", "requirements"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  for (const char* k : {"name", "version"}) EXPECT_TRUE(j["tool"].contains(k)) << k;
  for (const char* k : {"path", "format", "filesystems", "partial", "diagnostics"})
    EXPECT_TRUE(j["target"].contains(k)) << k;
  ASSERT_EQ(j["target"]["filesystems"].size(), 1u);
  for (const char* k : {"prefix", "type", "offset", "container"}) {
    EXPECT_TRUE(j["target"]["filesystems"][0].contains(k)) << k;
  }
  for (const char* k : {"files", "directories", "symlinks", "devices", "elf", "setuid", "setgid", "world_writable",
                        "capabilities", "kinds"}) {
    EXPECT_TRUE(j["inventory"].contains(k)) << k;
  }
  EXPECT_EQ(j["inventory"]["setuid"], 1);   // /bin/busybox 4755
  EXPECT_EQ(j["inventory"]["devices"], 3);  // console, ttyS0, mem
  ASSERT_FALSE(j["findings"].empty());
  for (const char* k : {"check", "status", "severity", "subject", "message", "evidence"}) {
    EXPECT_TRUE(j["findings"][0].contains(k)) << k;
  }
  ASSERT_FALSE(j["requirements"].empty());
  std::set<std::string> verdicts;
  for (const auto& q : j["requirements"]) {
    for (const char* k : {"id", "title", "verdict", "checks"}) EXPECT_TRUE(q.contains(k)) << k;
    verdicts.insert(q["verdict"]);
    if (q["id"] == "AVS-1.2") EXPECT_EQ(q["verdict"], "not-met");
  }
  // Unimplemented checks keep requirements honest: nothing is met on missing evidence.
  EXPECT_TRUE(verdicts.count("inconclusive"));
}

TEST_F(CliDemo, FactsNameTheAccountsWithoutHashes) {
  auto r = fwcert("facts --analyzer accounts --format json " + shell_quote(image_));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  ASSERT_TRUE(j.contains("facts"));
  bool debug_uid0 = false;
  for (const auto& f : j["facts"]) {
    EXPECT_EQ(f["analyzer"], "accounts");
    if (f["subject"] == "account:debug" && f["name"] == "account.uid") debug_uid0 = f["value"] == 0;
  }
  EXPECT_TRUE(debug_uid0) << r.output.substr(0, 2000);
  // No hash (nor its salt-and-digest part) from the shadow file appears in the facts.
  std::string shadow = read_file(dir_ / "out/rootfs/etc/shadow");
  std::size_t pos = 0;
  int hashes = 0;
  while (pos < shadow.size()) {
    auto eol = shadow.find('\n', pos);
    std::string line = shadow.substr(pos, eol - pos);
    pos = eol == std::string::npos ? shadow.size() : eol + 1;
    auto a = line.find(':');
    auto b = line.find(':', a + 1);
    std::string field = line.substr(a + 1, b - a - 1);
    if (field.size() < 13) continue;
    ++hashes;
    EXPECT_EQ(r.output.find(field.substr(field.rfind('$') + 1)), std::string::npos) << "digest of line: " << line;
  }
  EXPECT_EQ(hashes, 3);  // root, debug, alexa
  auto bad = fwcert("facts --analyzer nope " + shell_quote(image_));
  EXPECT_EQ(bad.exit_code, 2);
}

}  // namespace
}  // namespace fwcert::test
