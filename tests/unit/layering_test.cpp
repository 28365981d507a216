// The module rules of docs/ARCHITECTURE.md, checked on the source tree: an analyzer includes no
// other analyzer's header (what several judge lives in src/evidence/ or src/formats/), and
// nothing under src/analyzers/ opens a host path (analyzers see only the Vfs).

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "support/test_util.hpp"

namespace fwcert {
namespace {

namespace fs = std::filesystem;

struct Source {
  std::string path;  ///< relative to src/
  std::string text;
};

std::vector<Source> sources_under(const std::string& dir) {
  std::vector<Source> out;
  const fs::path root = fs::path(test::source_dir()) / "src";
  for (const auto& e : fs::recursive_directory_iterator(root / dir)) {
    if (!e.is_regular_file()) continue;
    auto ext = e.path().extension();
    if (ext != ".cpp" && ext != ".hpp") continue;
    out.push_back({fs::relative(e.path(), root).string(), test::read_file(e.path().string())});
  }
  return out;
}

TEST(Layering, NoAnalyzerIncludesAnotherAnalyzersHeader) {
  const std::regex include(R"re(#include "analyzers/([a-z_]+)/)re");
  auto files = sources_under("analyzers");
  ASSERT_GT(files.size(), 20u);
  for (const auto& f : files) {
    // src/analyzers/registry.cpp and context.cpp are the table of analyzers, not one of them.
    const auto slash = f.path.find('/', 10);
    if (slash == std::string::npos) continue;
    const std::string own = f.path.substr(10, slash - 10);
    for (std::sregex_iterator it(f.text.begin(), f.text.end(), include), end; it != end; ++it) {
      EXPECT_EQ((*it)[1].str(), own) << f.path << " includes " << it->str();
    }
  }
}

TEST(Layering, NothingUnderAnalyzersOpensAHostPath) {
  const std::regex host(
      R"re(std::[io]?fstream|\bfopen\s*\(|::open\s*\(|\bopendir\s*\(|std::filesystem|open_host_file|open_directory|read_user_file|load_declared_services|load_manifest|\bgetenv\s*\()re");
  for (const auto& f : sources_under("analyzers")) {
    std::smatch m;
    EXPECT_FALSE(std::regex_search(f.text, m, host)) << f.path << ": " << m.str();
  }
}

}  // namespace
}  // namespace fwcert
