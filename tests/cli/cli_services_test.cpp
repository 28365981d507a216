// `fwcert scan --services FILE`: a broken list is a usage error (exit 2) with file:line, and a
// declared listener passes net-listeners in the JSON report while an undeclared one fails.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/test_util.hpp"

namespace fwcert::test {
namespace {

using ::testing::HasSubstr;

CommandResult fwcert(const std::string& args) { return run(shell_quote(fwcert_binary()) + " " + args); }

/// A rootfs directory whose BusyBox boot script starts dropbear.
void make_root(const TempDir& d) {
  write_file(d / "root/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  write_file(d / "root/etc/inittab", "::sysinit:/etc/init.d/rcS\n");
  write_file(d / "root/etc/init.d/rcS", "#!/bin/sh\n/usr/sbin/dropbear -s -p 22\n");
  write_file(d / "root/usr/sbin/dropbear",
             "\x7f"
             "ELF");
}

std::string listener_status(const std::string& json_path) {
  auto report = nlohmann::json::parse(read_file(json_path));
  for (const auto& f : report["findings"]) {
    if (f["check"] == "net-listeners" && f["subject"] == "service:rc-script:dropbear") return f["status"];
  }
  return "missing";
}

TEST(CliServices, BrokenListIsAUsageErrorWithItsLine) {
  TempDir d;
  make_root(d);
  write_file(d / "s.yaml", "network_services:\n  - name: dropbear\n    reason: x\n    port: 0\n");
  auto r = fwcert("scan --only services " + shell_quote(d / "root") + " --services " + shell_quote(d / "s.yaml"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr(d / "s.yaml:4:"));
  EXPECT_THAT(r.output, HasSubstr("1 to 65535"));
  auto missing = fwcert("scan --only services " + shell_quote(d / "root") + " --services " + shell_quote(d / "nope"));
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
}

TEST(CliServices, DeclaredPassesUndeclaredFailsAndGatesTheExitCode) {
  TempDir d;
  make_root(d);
  write_file(d / "ok.yaml", "network_services:\n  - name: dropbear\n    reason: field support\n");
  write_file(d / "other.yaml", "network_services:\n  - name: lighttpd\n    reason: setup page\n");
  auto base = "scan --only services --format json " + shell_quote(d / "root");
  auto ok = fwcert(base + " --services " + shell_quote(d / "ok.yaml") + " -o " + shell_quote(d / "ok.json"));
  ASSERT_LT(ok.exit_code, 2) << ok.output;
  EXPECT_EQ(listener_status(d / "ok.json"), "pass");
  auto bad = fwcert(base + " --services " + shell_quote(d / "other.yaml") + " -o " + shell_quote(d / "bad.json"));
  EXPECT_EQ(bad.exit_code, 1) << bad.output;  // net-listeners is high, the default gate
  EXPECT_EQ(listener_status(d / "bad.json"), "fail");
  auto none = fwcert(base + " -o " + shell_quote(d / "none.json"));
  ASSERT_LT(none.exit_code, 2) << none.output;
  EXPECT_EQ(listener_status(d / "none.json"), "inconclusive");
}

}  // namespace
}  // namespace fwcert::test
