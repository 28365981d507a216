// `fwcert scan` as a user runs it: the real argument vector, the real binary, the real exit
// codes and outputs.

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "support/test_util.hpp"

namespace fwcert::test {
namespace {

/// A small rootfs on disk with one planted weakness: an account with an empty password.
void make_rootfs(const TempDir& dir) {
  write_file(dir / "root/etc/passwd",
             "root:x:0:0:root:/root:/bin/sh\n"
             "guest:x:1001:1001::/home/guest:/bin/sh\n");
  write_file(dir / "root/etc/shadow",
             "root:*:19700:0:99999:7:::\n"
             "guest::19700:0:99999:7:::\n");
  write_file(dir / "root/etc/group", "root:x:0:\n");
  write_file(dir / "root/usr/bin/tool", "#!/bin/sh\necho hi\n");
}

CommandResult fwcert(const std::string& args) { return run(shell_quote(fwcert_binary()) + " " + args); }

TEST(CliScan, UnreadableTargetExitsTwo) {
  auto r = fwcert("scan /nonexistent/firmware.bin");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("/nonexistent/firmware.bin"), std::string::npos) << r.output;
}

TEST(CliScan, UnknownOptionIsUsageErrorExitTwo) {
  auto r = fwcert("scan --no-such-option x");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST(CliScan, BadFailOnIsUsageError) {
  TempDir d;
  make_rootfs(d);
  auto r = fwcert("scan --fail-on severe " + shell_quote(d / "root"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST(CliScan, FileWithoutAnyFilesystemIsReportedAsUnreadable) {
  TempDir d;
  write_file(d / "junk.bin", std::string(70000, 'A'));
  auto r = fwcert("scan " + shell_quote(d / "junk.bin"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("no filesystem"), std::string::npos) << r.output;
}

TEST(CliScan, EmptyPasswordFailsAtDefaultGateAndJsonNamesTheEvidence) {
  TempDir d;
  make_rootfs(d);
  auto r = fwcert("scan --format json -o " + shell_quote(d / "r.json") + " " + shell_quote(d / "root"));
  ASSERT_EQ(r.exit_code, 1) << r.output;
  auto j = nlohmann::json::parse(read_file(d / "r.json"));
  EXPECT_EQ(j["tool"]["name"], "fwcert");
  EXPECT_EQ(j["target"]["format"], "directory");
  EXPECT_FALSE(j["target"]["partial"].get<bool>());
  bool found = false;
  for (const auto& f : j["findings"]) {
    if (f["check"] == "auth-empty-password" && f["status"] == "fail") {
      found = true;
      EXPECT_EQ(f["severity"], "critical");
      ASSERT_FALSE(f["evidence"].empty());
      EXPECT_EQ(f["evidence"][0]["path"], "/etc/shadow");
      EXPECT_EQ(f["evidence"][0]["line"], 2);
    }
  }
  EXPECT_TRUE(found) << j.dump(2);
  // The summary goes to stdout when the report goes to a file.
  EXPECT_NE(r.output.find("auth-empty-password"), std::string::npos) << r.output;
}

TEST(CliScan, FailOnAboveTheFindingSeverityExitsZero) {
  TempDir d;
  write_file(d / "root/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nadmin:x:0:0::/root:/bin/sh\n");
  write_file(d / "root/etc/shadow", "root:*:1::::::\nadmin:*:1::::::\n");
  // priv-uid0-and-shells is high: gate high fails, gate critical does not.
  EXPECT_EQ(fwcert("scan --fail-on high " + shell_quote(d / "root")).exit_code, 1);
  EXPECT_EQ(fwcert("scan --fail-on critical " + shell_quote(d / "root")).exit_code, 0);
}

TEST(CliScan, NoColorWhenPipedOrWithNoColor) {
  TempDir d;
  make_rootfs(d);
  auto piped = fwcert("scan " + shell_quote(d / "root"));
  EXPECT_EQ(piped.output.find("\x1b["), std::string::npos);
  auto forced = fwcert("scan --color always " + shell_quote(d / "root"));
  EXPECT_NE(forced.output.find("\x1b["), std::string::npos);
  auto no_color = run("NO_COLOR=1 " + shell_quote(fwcert_binary()) + " scan " + shell_quote(d / "root"));
  EXPECT_EQ(no_color.output.find("\x1b["), std::string::npos);
}

TEST(CliScan, JsonIsByteForByteDeterministicWhateverTheThreadCount) {
  TempDir d;
  make_rootfs(d);
  auto a = fwcert("scan --threads 1 --format json " + shell_quote(d / "root"));
  auto b = fwcert("scan --threads 8 --format json " + shell_quote(d / "root"));
  auto c = fwcert("scan --format json " + shell_quote(d / "root"));
  ASSERT_EQ(a.exit_code, 1);
  EXPECT_EQ(a.output, b.output);
  EXPECT_EQ(a.output, c.output);
}

TEST(CliScan, StrictExitsThreeOnPartialTarget) {
  TempDir d;
  make_rootfs(d);
  // Enough incompressible content that a cut through the middle of the archive leaves the
  // first members readable and damages the rest.
  run("head -c 300000 /dev/urandom > " + shell_quote(d / "root/usr/bin/blob"));
  ASSERT_EQ(run("tar -C " + shell_quote(d / "root") + " -czf " + shell_quote(d / "fw.tar.gz") + " etc usr").exit_code,
            0);
  ASSERT_EQ(run("truncate -s 200000 " + shell_quote(d / "fw.tar.gz")).exit_code, 0);
  auto strict = fwcert("scan --strict --fail-on critical --format json -o " + shell_quote(d / "r.json") + " " +
                       shell_quote(d / "fw.tar.gz"));
  EXPECT_EQ(strict.exit_code, 3) << strict.output;
  auto j = nlohmann::json::parse(read_file(d / "r.json"));
  EXPECT_TRUE(j["target"]["partial"].get<bool>());
  EXPECT_FALSE(j["target"]["diagnostics"].empty());
  // The members before the damage were still read and judged.
  EXPECT_NE(read_file(d / "r.json").find("auth-empty-password"), std::string::npos);
  auto lenient = fwcert("scan --fail-on critical " + shell_quote(d / "fw.tar.gz"));
  EXPECT_NE(lenient.exit_code, 3) << lenient.output;
  EXPECT_NE(lenient.exit_code, 2) << lenient.output;
}

TEST(CliHelp, DocumentsExitCodesAndFormats) {
  auto r = fwcert("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* s : {"Exit codes", "--fail-on", "NO_COLOR", "outer!inner/path"}) {
    auto scan_help = fwcert("scan --help");
    EXPECT_TRUE(r.output.find(s) != std::string::npos || scan_help.output.find(s) != std::string::npos) << s;
  }
}

}  // namespace
}  // namespace fwcert::test
