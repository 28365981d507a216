#pragma once
// The one fixture tree every image format is built from and held to (tests/unit/formats_test.cpp,
// tests/unit/ubi_test.cpp): owners, modes, setuid/setgid/sticky, symlinks, a device node, a hard
// link and a file capability, with what it holds described as data.

#include <cstdint>
#include <map>
#include <ostream>
#include <set>
#include <string>

namespace fwcert::test {

/// What one path holds, reduced to what every format is compared on.
struct Node {
  std::string type;
  std::uint32_t uid = 0, gid = 0, mode = 0;
  std::string link;  ///< symlink target
  std::uint32_t major = 0, minor = 0;
  std::string capability;

  bool operator==(const Node&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Node& n);

using Tree = std::map<std::string, Node>;

/// The fixture, as build_tree() makes it on disk. Hard links: /bin/busybox and /bin/busybox-hard.
Tree expected_tree();

/// The hard-link groups of the fixture.
const std::set<std::set<std::string>>& fixture_hard_links();

/// Creates the fixture under `root` (needs root: chown, mknod, setcap); returns "" or why it
/// could not.
std::string build_tree(const std::string& root);

}  // namespace fwcert::test
