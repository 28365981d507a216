// The ELF analyzer through the real binary on the demo firmware, built by its own script:
// the unhardened telnetd fails bin-exploit-mitigations, the hardened programs do not, and
// `fwcert facts --analyzer elf` shows the evidence.

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "support/test_util.hpp"

namespace fwcert::test {
namespace {

CommandResult fwcert(const std::string& args) { return run(shell_quote(fwcert_binary()) + " " + args); }

std::string build_demo(const TempDir& d) {
  auto r = run("bash " + shell_quote(source_dir() + "/examples/demo-firmware/build.sh") + " " + shell_quote(d / "b") +
               " " + shell_quote(d / "out"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return d / "out/firmware.squashfs";
}

TEST(CliElf, DemoTelnetdFailsMitigationsAndHardenedProgramsDoNot) {
  if (!have_tool("mksquashfs") || !have_tool("gcc")) GTEST_SKIP() << "needs mksquashfs and gcc";
  TempDir d;
  std::string image = build_demo(d);
  auto r = fwcert("scan --only elf --format json -o " + shell_quote(d / "r.json") + " " + shell_quote(image));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  auto j = nlohmann::json::parse(read_file(d / "r.json"));
  int telnetd_fails = 0;
  for (const auto& f : j["findings"]) {
    if (f["check"] != "bin-exploit-mitigations" || f["status"] != "fail") continue;
    std::string subject = f["subject"];
    EXPECT_EQ(subject, "/usr/sbin/telnetd") << f.dump();
    if (subject == "/usr/sbin/telnetd") {
      ++telnetd_fails;
      std::string message = f["message"];
      EXPECT_NE(message.find("network-facing daemon (telnetd)"), std::string::npos) << message;
      EXPECT_NE(message.find("stack protector"), std::string::npos) << message;
    }
  }
  EXPECT_EQ(telnetd_fails, 1) << j["findings"].dump(2);

  auto facts = fwcert("facts --analyzer elf --format json " + shell_quote(image));
  ASSERT_EQ(facts.exit_code, 0) << facts.output;
  auto fj = nlohmann::json::parse(facts.output);
  std::map<std::string, std::string> relro;
  for (const auto& f : fj["facts"]) {
    if (f["name"] == "elf.relro") relro[f["subject"].get<std::string>()] = f["value"].get<std::string>();
  }
  EXPECT_EQ(relro["/usr/sbin/telnetd"], "none");
  EXPECT_EQ(relro["/usr/bin/avs-client"], "full");
  EXPECT_EQ(relro["/bin/busybox"], "full");
}

}  // namespace
}  // namespace fwcert::test
