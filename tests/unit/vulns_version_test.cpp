// Version ordering per ecosystem: dpkg's and rpm's orderings held to the real tools on many
// pairs, apk's to Alpine's documented rules, the generic one to the upstream versions firmware
// fingerprints read (OpenSSL letters, OpenSSH pN, Dropbear years, kernel rcs).

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_util.hpp"
#include "vulns/version.hpp"

namespace fwcert::vulns {
namespace {

struct Case {
  const char* a;
  const char* b;
  int expected;  ///< sign of compare(a, b)
};

int sgn(int v) { return (v > 0) - (v < 0); }

TEST(VulnsVersion, DebianOrderingByHand) {
  const std::vector<Case> cases = {
      {"1.0", "1.0", 0},
      {"1.0", "1.1", -1},
      {"1:1.0", "2.0", 1},          // epoch first
      {"1.0~rc1", "1.0", -1},       // ~ before the end
      {"1.0~rc1", "1.0~rc1~1", 1},  // ~ before the end, twice
      {"1.0a", "1.0+", -1},         // letters before non-letters
      {"1.0-1", "1.0-1ubuntu0.1", -1},
      {"3.0.11-1~deb12u2", "3.0.11-1", -1},
      {"3.0.11-1~deb12u2", "3.0.11-1~deb12u1", 1},
      {"1:1.30.1-7ubuntu3", "1:1.30.1-7ubuntu3.1", -1},
      {"2.86-1.1ubuntu0.3", "2.86-1.1ubuntu0.2", 1},
      {"1.0-0", "1.0", 0},  // revision 0 equals none
      {"0:1.0", "1.0", 0},
      {"1.01", "1.1", 0},  // digit runs compare as numbers
      {"9.2p1-2+deb12u3", "9.6p1", -1},
  };
  for (const auto& c : cases) EXPECT_EQ(sgn(compare_debian(c.a, c.b)), c.expected) << c.a << " vs " << c.b;
}

/// Versions of the forms Debian, Ubuntu and OpenWrt (opkg) packages use.
std::vector<std::string> debian_versions() {
  return {"0",
          "0.9",
          "1.0",
          "1.0-1",
          "1.0-1ubuntu1",
          "1.0-1ubuntu0.1",
          "1.0-2",
          "1.0~rc1",
          "1.0~rc1-1",
          "1.0~~",
          "1.0~",
          "1.0+dfsg-1",
          "1.0.1",
          "1.0a",
          "1.0+b1",
          "1:0.5",
          "1:1.0-1",
          "2:0.1",
          "1.2.3-4+deb12u1",
          "1.2.3-4",
          "1.2.3-4~deb11u1",
          "1.2.3-4.1",
          "1.2.3-10",
          "1.2.3-9",
          "3.0.11-1~deb12u2",
          "3.0.13-1~deb12u1",
          "3.0.2-0ubuntu1.10",
          "1.36.1-r0",
          "1.36.1-r2",
          "2.36-9+deb12u4",
          "2.36-9",
          "9.2p1-2+deb12u3",
          "1:9.2p1-2",
          "8.9p1-3ubuntu0.10",
          "2022.83-1",
          "2020.81-3",
          "5.10.0-28",
          "6.1.0-18",
          "6.1.76-1",
          "1.30.1-7ubuntu3",
          "1:1.30.1-7ubuntu3",
          "1.2.13.dfsg-1",
          "1:1.2.13.dfsg-1",
          "2.86-1.1ubuntu0.3",
          "2.89-1",
          "10",
          "9",
          "1.0.0",
          "01.0",
          "1.0+git20230101",
          "1.0+git20230101-1",
          "1.0.0~beta1",
          "1.0.0~alpha",
          "1.0-a",
          "1.0-+",
          "1.0-.",
          "1.0-~"};
}

TEST(VulnsVersion, DebianOrderingMatchesDpkg) {
  if (!test::have_tool("dpkg")) GTEST_SKIP() << "dpkg is not installed";
  const auto versions = debian_versions();
  std::mt19937 rng(12);
  std::uniform_int_distribution<std::size_t> pick(0, versions.size() - 1);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::size_t i = 0; i + 1 < versions.size(); ++i) pairs.emplace_back(versions[i], versions[i + 1]);
  for (int i = 0; i < 300; ++i) pairs.emplace_back(versions[pick(rng)], versions[pick(rng)]);
  // One shell for all pairs: dpkg answers lt/eq/gt for each.
  std::string script;
  for (const auto& [a, b] : pairs) {
    const std::string qa = test::shell_quote(a), qb = test::shell_quote(b);
    script += "if dpkg --compare-versions " + qa + " lt " + qb + "; then echo -1; elif dpkg --compare-versions " + qa +
              " eq " + qb + "; then echo 0; else echo 1; fi\n";
  }
  auto r = test::run(script);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<int> expected;
  std::size_t pos = 0;
  while (pos < r.output.size()) {
    auto nl = r.output.find('\n', pos);
    expected.push_back(std::stoi(r.output.substr(pos, nl - pos)));
    pos = nl == std::string::npos ? r.output.size() : nl + 1;
  }
  ASSERT_EQ(expected.size(), pairs.size()) << r.output;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_EQ(sgn(compare_debian(pairs[i].first, pairs[i].second)), expected[i])
        << pairs[i].first << " vs " << pairs[i].second;
  }
}

TEST(VulnsVersion, OpkgUsesTheDebianOrdering) {
  EXPECT_EQ(scheme_for("opkg"), Scheme::kDebian);
  EXPECT_EQ(scheme_for("deb"), Scheme::kDebian);
  EXPECT_EQ(scheme_for("Ubuntu:22.04:LTS"), Scheme::kDebian);
  EXPECT_EQ(scheme_for("Alpine:v3.19"), Scheme::kApk);
  EXPECT_EQ(scheme_for("Red Hat:enterprise_linux:9"), Scheme::kRpm);
  EXPECT_EQ(scheme_for("Bitnami"), Scheme::kGeneric);
  EXPECT_LT(compare(Scheme::kDebian, "1.36.1-1", "1.36.1-2"), 0);
}

TEST(VulnsVersion, ApkOrderingFollowsAlpinesRules) {
  const std::vector<Case> cases = {
      {"1.36.1-r0", "1.36.1-r2", -1}, {"1.36.1-r2", "1.36.1", 1},  {"1.2_alpha1", "1.2_beta1", -1},
      {"1.2_beta2", "1.2_pre1", -1},  {"1.2_pre1", "1.2_rc1", -1}, {"1.2_rc1", "1.2", -1},
      {"1.2", "1.2_p1", -1},          {"1.2_cvs", "1.2_svn", -1},  {"1.2_git20230101", "1.2_p1", -1},
      {"1.2_rc1", "1.2_rc2", -1},     {"1.2", "1.2a", -1},         {"1.2a", "1.2b", -1},
      {"1.2", "1.2.1", -1},           {"1.10", "1.9", 1},          {"3.0.8-r0", "3.0.10-r0", -1},
      {"2.4.58-r0", "2.4.58-r0", 0},  {"not a version", "1.0", 1},  // not an apk version: after every apk version
  };
  for (const auto& c : cases) EXPECT_EQ(sgn(compare_apk(c.a, c.b)), c.expected) << c.a << " vs " << c.b;
}

/// Pairs in rpm's own forms, with `~` and `^`.
std::vector<std::string> rpm_versions() {
  return {"1.0",
          "1.0-1",
          "1.0-2.el9",
          "1:1.0-1",
          "0:8.7p1-38.el9_4.1",
          "8.7p1-38.el9",
          "8.7p1-38.el9_4.4",
          "8.7p1",
          "2.0.1",
          "2.0.1a",
          "5.5p1",
          "5.5p10",
          "10xyz",
          "10.1xyz",
          "xyz10",
          "xyz10.1",
          "6.0.rc1",
          "6.0",
          "10b2",
          "10a1",
          "1.0aa",
          "1.0a",
          "10.0001",
          "10.1",
          "4.999.9",
          "5.0",
          "2_0",
          "2.0",
          "1.0~rc1",
          "1.0~rc2",
          "1.0~rc1~git123",
          "1.0^",
          "1.0^git1",
          "1.01",
          "1.0^20160101",
          "1.0.1",
          "1.0^20160101^git1",
          "1.0~rc1^git1",
          "1.0^git1~pre",
          "3.0.7-27.el9",
          "3.0.7-28.el9",
          "1:3.0.7-27.el9"};
}

TEST(VulnsVersion, RpmOrderingMatchesRpm) {
  const std::vector<Case> documented = {
      {"1.0~rc1", "1.0", -1}, {"1.0^git1", "1.0", 1}, {"1.0^git1", "1.01", -1}, {"5.5p10", "5.5p1", 1},
      {"6.0.rc1", "6.0", 1},  {"10.0001", "10.1", 0}, {"1:1.0-1", "2.0-1", 1},  {"2.0", "2_0", 0},
  };
  for (const auto& c : documented) EXPECT_EQ(sgn(compare_rpm(c.a, c.b)), c.expected) << c.a << " vs " << c.b;
  if (!test::have_tool("rpm")) GTEST_SKIP() << "rpm is not installed (Debian's rpm package)";
  const auto versions = rpm_versions();
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& a : versions) {
    for (const auto& b : versions) pairs.emplace_back(a, b);
  }
  // rpm's own rpmvercmp through its Lua interface, all pairs in one run (its print() adds no
  // newline, so each answer is followed by a space)
  std::string lua = "%{lua: ";
  for (const auto& [a, b] : pairs) lua += "print(rpm.vercmp('" + a + "','" + b + "') .. ' ') ";
  lua += "}";
  auto r = test::run("rpm --eval " + test::shell_quote(lua));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<int> expected;
  std::istringstream answers(r.output);
  for (int v; answers >> v;) expected.push_back(v);
  ASSERT_EQ(expected.size(), pairs.size()) << r.output.substr(0, 400);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_EQ(sgn(compare_rpm(pairs[i].first, pairs[i].second)), sgn(expected[i]))
        << pairs[i].first << " vs " << pairs[i].second;
  }
}

TEST(VulnsVersion, GenericOrderingOfUpstreamVersions) {
  const std::vector<Case> cases = {
      {"1.2.3", "1.2.10", -1},
      {"1.1.1", "1.1.1w", -1},  // OpenSSL letter releases come after the number
      {"1.1.1t", "1.1.1w", -1},
      {"1.1.1w", "1.1.2", -1},
      {"1.0.2zg", "1.0.2zh", -1},
      {"1.0.2z", "1.0.2zg", -1},
      {"9.2p1", "9.2", 1},  // OpenSSH portable
      {"9.2p1", "9.3p1", -1},
      {"8.5p1", "9.7p1", -1},
      {"2022.83", "2022.82", 1},  // Dropbear
      {"2020.81", "2022.83", -1},
      {"6.0-rc1", "6.0", -1},  // kernel release candidates
      {"6.0~rc1", "6.0", -1},
      {"6.0-rc1", "6.0-rc2", -1},
      {"1.0.0-alpha", "1.0.0-beta", -1},  // semver pre-releases
      {"1.0.0-beta", "1.0.0", -1},
      {"1.0.0+build5", "1.0.0", 0},  // build metadata does not order
      {"v1.2.3", "1.2.3", 0},
      {"1.36.1", "1.34.0", 1},
      {"2.40", "2.39", 1},
      {"1.1a", "1.1.1", -1},
  };
  for (const auto& c : cases) EXPECT_EQ(sgn(compare_generic(c.a, c.b)), c.expected) << c.a << " vs " << c.b;
}

TEST(VulnsVersion, UpstreamPartOfDistributionVersions) {
  EXPECT_EQ(upstream_version(Scheme::kDebian, "1:1.30.1-7ubuntu3"), "1.30.1");
  EXPECT_EQ(upstream_version(Scheme::kDebian, "3.0.11-1~deb12u2"), "3.0.11");
  EXPECT_EQ(upstream_version(Scheme::kApk, "1.36.1-r2"), "1.36.1");
  EXPECT_EQ(upstream_version(Scheme::kRpm, "0:8.7p1-38.el9"), "8.7p1");
  EXPECT_EQ(upstream_version(Scheme::kGeneric, "1.1.1w"), "1.1.1w");
}

TEST(VulnsVersion, EveryOrderingIsAntisymmetricOnTheseVersions) {
  std::vector<std::string> all = debian_versions();
  for (const auto& v : rpm_versions()) all.push_back(v);
  for (Scheme s : {Scheme::kDebian, Scheme::kApk, Scheme::kRpm, Scheme::kGeneric}) {
    for (const auto& a : all) {
      for (const auto& b : all) {
        ASSERT_EQ(sgn(compare(s, a, b)), -sgn(compare(s, b, a))) << to_string(s) << ": " << a << " vs " << b;
      }
    }
  }
}

}  // namespace
}  // namespace fwcert::vulns
