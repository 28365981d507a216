// Docs are part of done: the check reference in docs/ is the catalog's own rendering.

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "support/test_util.hpp"

namespace fwcert::test {
namespace {

TEST(CliDocs, CheckReferenceMatchesTheCatalog) {
  auto r = run(shell_quote(fwcert_binary()) + " checks --format markdown");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string doc = read_file(source_dir() + "/docs/checks.md");
  EXPECT_EQ(doc, r.output) << "docs/checks.md is stale: regenerate with `make docs`";
}

TEST(CliDocs, ReadmeStartsWithTheTwoSetUpCommands) {
  std::string readme = read_file(source_dir() + "/README.md");
  auto demo = readme.find("make demo");
  auto test = readme.find("make test");
  ASSERT_NE(demo, std::string::npos);
  ASSERT_NE(test, std::string::npos);
  EXPECT_LT(demo, test);
  // and .ci/run runs the same test command the README gives
  std::string ci = read_file(source_dir() + "/.ci/run");
  EXPECT_NE(ci.find("make test"), std::string::npos);
}

/// The subcommand names of one --help ("Subcommands:" up to the blank line after it).
std::vector<std::string> subcommands_in_help(const std::string& help) {
  std::vector<std::string> names;
  auto at = help.find("\nSubcommands:\n");
  if (at == std::string::npos) return names;
  std::istringstream in(help.substr(at + 14));
  std::string line;
  while (std::getline(in, line) && !line.empty()) {
    if (line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ')
      names.push_back(line.substr(2, line.find(' ', 2) - 2));
  }
  return names;
}

TEST(CliDocs, UsageGuideListsEveryCommand) {
  // The man page and the completions follow the CLI definition by construction; the guide's
  // command table is written by hand, so this keeps it complete (completion and man included).
  const std::string guide = read_file(source_dir() + "/docs/usage.md");
  auto top = run(shell_quote(fwcert_binary()) + " --help");
  ASSERT_EQ(top.exit_code, 0) << top.output;
  const auto names = subcommands_in_help(top.output);
  ASSERT_GE(names.size(), 9u) << top.output;
  for (const auto& name : names) {
    auto help = run(shell_quote(fwcert_binary()) + " " + name + " --help");
    auto nested = subcommands_in_help(help.output);
    if (nested.empty()) {
      EXPECT_NE(guide.find("| `fwcert " + name), std::string::npos) << name << " is not in docs/usage.md";
    }
    for (const auto& sub : nested) {
      EXPECT_NE(guide.find("| `fwcert " + name + " " + sub), std::string::npos)
          << name << " " << sub << " is not in docs/usage.md";
    }
  }
}

}  // namespace
}  // namespace fwcert::test
