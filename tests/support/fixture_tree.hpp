#pragma once
// The fixture tree every image format test packs with the real tool and reads back: owners,
// modes, setuid/setgid/sticky bits, symlinks, a device node, a hard link and a file
// capability, and the inventory a reader must produce from it.

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

inline const std::set<std::set<std::string>> kHardLinks = {{"/bin/busybox", "/bin/busybox-hard"}};

/// What a format cannot carry, removed from the expectation so the rest is compared exactly.
struct Limits {
  bool owners = true;
  bool devices = true;
  bool xattrs = true;
  bool hard_links = true;
};

Tree expected_for(const Limits& l);

}  // namespace fwcert::test
