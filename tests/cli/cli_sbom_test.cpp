// `fwcert sbom` and `fwcert scan --format cyclonedx|spdx` with the real binary on a directory
// target holding a dpkg database and an apk database in a nested tar: the CycloneDX document
// validates against the official 1.6 schema (@cyclonedx/cyclonedx-library), both documents
// name every package with its purl, and the exit codes are the documented ones.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "support/test_util.hpp"

namespace fwcert::test {
namespace {

using nlohmann::json;

CommandResult fwcert(const std::string& args) { return run(shell_quote(fwcert_binary()) + " " + args); }

class CliSbom : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string root = dir_ / "root";
    write_file(root + "/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
    write_file(root + "/usr/bin/hello", std::string("\x7f"
                                                    "ELF\x02\x01\x01",
                                                    7) +
                                            "x");
    write_file(root + "/usr/bin/stray", std::string("\x7f"
                                                    "ELF\x02\x01\x01",
                                                    7) +
                                            "y");
    write_file(root + "/var/lib/dpkg/status",
               "Package: hello\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.10-3\n"
               "Maintainer: Santiago Vila <sanvila@debian.org>\n\n"
               "Package: login\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:4.13+dfsg1-1+b1\n"
               "Source: shadow (1:4.13+dfsg1-1)\n");
    write_file(root + "/var/lib/dpkg/info/hello.list", "/usr\n/usr/bin\n/usr/bin/hello\n");
    // An Alpine container image inside the target: its own filesystem, its own database.
    const std::string alpine = dir_ / "alpine";
    write_file(alpine + "/etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n");
    write_file(alpine + "/lib/apk/db/installed", "P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\nF:lib\nR:ld-musl-x86_64.so.1\n");
    write_file(alpine + "/lib/ld-musl-x86_64.so.1", std::string("\x7f"
                                                                "ELF\x02\x01\x01",
                                                                7) +
                                                        "z");
    ASSERT_EQ(run("mkdir -p " + shell_quote(root + "/opt") + " && tar -C " + shell_quote(alpine) + " -cf " +
                  shell_quote(root + "/opt/alpine.tar") + " .")
                  .exit_code,
              0);
    root_ = root;
  }

  json read_json(const std::string& path) { return json::parse(read_file(path)); }

  TempDir dir_;
  std::string root_;
};

TEST_F(CliSbom, CycloneDxOfEveryFilesystemValidatesAgainstTheOfficialSchema) {
  auto r = fwcert("sbom " + shell_quote(root_) + " -q --assessment-date 2026-03-01 -o " + shell_quote(dir_ / "b.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json bom = read_json(dir_ / "b.json");
  std::set<std::string> purls;
  for (const auto& c : bom["components"]) purls.insert(c["purl"].get<std::string>());
  EXPECT_EQ(purls,
            (std::set<std::string>{
                "pkg:deb/debian/hello@2.10-3?arch=amd64&distro=debian-12",
                "pkg:deb/debian/login@1%3A4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12&upstream=shadow%401%3A4."
                "13%2Bdfsg1-1",
                "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19",
            }));
  EXPECT_EQ(bom["metadata"]["timestamp"], "2026-03-01T00:00:00Z");
  for (const auto& c : bom["components"]) {
    if (c["name"] == "musl") {
      EXPECT_EQ(c["bom-ref"], "/opt/alpine.tar!apk/musl@1.2.4-r2");
      EXPECT_EQ(c["evidence"]["occurrences"][0]["location"], "/opt/alpine.tar!/lib/ld-musl-x86_64.so.1");
      EXPECT_EQ(c["licenses"][0]["license"]["id"], "MIT");
    }
  }

  if (!have_tool("node")) GTEST_SKIP() << "node is not installed (scripts/install-deps.sh installs it)";
  struct stat st {};
  ASSERT_EQ(::stat((source_dir() + "/node_modules/@cyclonedx/cyclonedx-library/package.json").c_str(), &st), 0)
      << "node_modules/@cyclonedx/cyclonedx-library missing: run npm ci";
  const std::string validator = shell_quote(source_dir() + "/tests/validate/validate-cyclonedx.mjs");
  auto v = run("node " + validator + " " + shell_quote(dir_ / "b.json"));
  EXPECT_EQ(v.exit_code, 0) << v.output;
  bom["components"][0]["licenses"] = json::array({json{{"license", json{{"id", "Not-A-Licence"}}}}});
  write_file(dir_ / "bad.json", bom.dump());
  EXPECT_EQ(run("node " + validator + " " + shell_quote(dir_ / "bad.json")).exit_code, 1);
}

TEST_F(CliSbom, SpdxAndScanFormatsCarryTheSameComponents) {
  ASSERT_EQ(fwcert("sbom " + shell_quote(root_) + " -q --format spdx -o " + shell_quote(dir_ / "s.json")).exit_code, 0);
  json spdx = read_json(dir_ / "s.json");
  EXPECT_EQ(spdx["spdxVersion"], "SPDX-2.3");
  std::set<std::string> names;
  for (const auto& p : spdx["packages"]) names.insert(p["name"].get<std::string>() + " " + p.value("versionInfo", ""));
  EXPECT_EQ(names, (std::set<std::string>{"root ", "hello 2.10-3", "login 1:4.13+dfsg1-1+b1", "musl 1.2.4-r2"}));

  // scan --format cyclonedx: the same components, and scan's exit code (the stray binary is a
  // low warning, under the gate).
  auto s =
      fwcert("scan " + shell_quote(root_) + " -q --only sbom --format cyclonedx -o " + shell_quote(dir_ / "c.json"));
  EXPECT_EQ(s.exit_code, 0) << s.output;
  EXPECT_EQ(read_json(dir_ / "c.json")["components"].size(), 3u);
  auto j = fwcert("scan " + shell_quote(root_) + " -q --only sbom --format json -o " + shell_quote(dir_ / "r.json"));
  ASSERT_EQ(j.exit_code, 0) << j.output;
  json complete;
  const json report = read_json(dir_ / "r.json");
  for (const auto& f : report["findings"]) {
    if (f["check"] == "sbom-complete") complete = f;
  }
  EXPECT_EQ(complete.value("status", ""), "warn") << complete.dump();
  ASSERT_EQ(complete["evidence"].size(), 1u) << complete.dump();
  EXPECT_EQ(complete["evidence"][0]["path"], "/usr/bin/stray");
}

TEST_F(CliSbom, ExitCodes) {
  EXPECT_EQ(fwcert("sbom " + shell_quote(dir_ / "missing") + " -q").exit_code, 2);
  EXPECT_EQ(fwcert("sbom " + shell_quote(root_) + " --format json").exit_code, 2);
  auto help = fwcert("sbom --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("cyclonedx (CycloneDX 1.6 JSON) or spdx (SPDX 2.3 JSON)"), std::string::npos);
  EXPECT_NE(fwcert("scan --help").output.find("cyclonedx (the components as a CycloneDX 1.6 JSON SBOM)"),
            std::string::npos);
}

}  // namespace
}  // namespace fwcert::test
