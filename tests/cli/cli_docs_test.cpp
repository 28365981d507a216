// Docs are part of done: the check reference in docs/ is the catalog's own rendering.

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace fwcert::test
