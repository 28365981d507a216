// `fwcert data`: the rule reference in docs/ is the rule data's own rendering; the built-in
// end-of-life tables and their retrieval day; import-endoflife as a user runs it.

#include <gtest/gtest.h>

#include "support/test_util.hpp"

namespace fwcert::test {
namespace {

TEST(CliData, KernelRuleReferenceMatchesTheData) {
  auto r = run(shell_quote(fwcert_binary()) + " data rules --format markdown");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_file(source_dir() + "/docs/kernel-rules.md"), r.output)
      << "docs/kernel-rules.md is stale: regenerate with `make docs`";
  EXPECT_NE(r.output.find("| `STRICT_KERNEL_RWX` | `STRICT_KERNEL_RWX=y` |"), std::string::npos);
  EXPECT_NE(r.output.find("| `selinux=` one of 0 | disables SELinux |"), std::string::npos);
  EXPECT_NE(r.output.find("| `kernel.kptr_restrict` | `2` |"), std::string::npos);
}

TEST(CliData, EndoflifeTablesShowTheirRetrievalDay) {
  auto r = run(shell_quote(fwcert_binary()) + " data endoflife linux-kernel");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("retrieved 2026-08-22"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("4.19     LTS  eol 2024-12-05"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("Debian"), std::string::npos);
}

TEST(CliData, ImportEndoflifeFromAFolder) {
  TempDir in, out;
  for (const char* id : {"linux-kernel", "debian", "ubuntu", "alpine-linux", "openwrt", "yocto", "android", "openssl",
                         "python", "nodejs", "sqlite"}) {
    write_file(in / (std::string(id) + ".md"),
               "---\ntitle: T\nreleases:\n  - releaseCycle: \"1.0\"\n    releaseDate: 2020-01-01\n    eol: "
               "2021-01-01\n---\n");
  }
  write_file(in / "LICENSE", "MIT\n");
  std::string cmd = shell_quote(fwcert_binary()) + " data import-endoflife " + shell_quote(in.path()) + " -o " +
                    shell_quote(out / "t");
  auto missing = run(cmd);
  EXPECT_EQ(missing.exit_code, 2) << missing.output;  // no commit or day known
  auto r = run(cmd + " --commit 0123abc --retrieved 2026-09-30");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("11 products, 11 release cycles"), std::string::npos) << r.output;
  EXPECT_NE(
      read_file(out / "t/linux-kernel.yaml").find("{cycle: \"1.0\", release: \"2020-01-01\", eol: \"2021-01-01\"}"),
      std::string::npos);
  EXPECT_NE(read_file(out / "t/SOURCES.md").find("Retrieved: 2026-09-30"), std::string::npos);
  // Outside a source tree and without -o there is nowhere sensible to write.
  auto no_out = run("cd " + shell_quote(out.path()) + " && " + shell_quote(fwcert_binary()) +
                    " data import-endoflife " + shell_quote(in.path()) + " --commit x --retrieved 2026-09-30");
  EXPECT_EQ(no_out.exit_code, 2) << no_out.output;
}

}  // namespace
}  // namespace fwcert::test
