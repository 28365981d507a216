#pragma once
// The cross-format fixture tree of formats_test.cpp (same paths, owners, modes, setuid bits,
// symlinks, device node, hard link and capability), plus two larger files so that flash
// images span several erase blocks and data nodes, for the JFFS2 and cramfs tests. Each test
// packs it with the real tool and compares the scanned inventory and the file contents with
// what is built here.

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <set>
#include <string>

#include "scan/target.hpp"
#include "support/fixture_tree.hpp"
#include "support/test_util.hpp"

namespace fwcert::flash_test {

using test::run;
using test::shell_quote;
using test::TempDir;
using test::write_file;

using test::kHardLinks;
using test::Node;
using test::Tree;

/// 300 KiB that compresses partly: text lines and a pseudo-random stretch, so that zlib, lzo
/// and rtime all write real compressed nodes and the file spans many 4 KiB data nodes.
inline std::string big_content() {
  std::string s;
  std::uint32_t x = 12345;
  for (int i = 0; s.size() < 300 * 1024; ++i) {
    if (i % 3 == 0) {
      for (int j = 0; j < 512; ++j) {
        x = x * 1103515245u + 12345u;
        s += static_cast<char>(x >> 24);
      }
    } else {
      s += "line " + std::to_string(i) + " of a config-like text file with some repetition\n";
    }
  }
  s.resize(300 * 1024);
  return s;
}

/// Regular files and their contents (hard-linked names share one).
inline std::map<std::string, std::string> expected_contents() {
  return {
      {"/bin/busybox",
       "\x7f"
       "ELF fake busybox\n"},
      {"/bin/busybox-hard",
       "\x7f"
       "ELF fake busybox\n"},
      {"/bin/ping", "ping\n"},
      {"/bin/su", "su\n"},
      {"/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"},
      {"/etc/shadow", "root:*:19000:0:99999:7:::\n"},
      {"/home/user/notes", "notes\n"},
      {"/usr/bin/wall", "wall\n"},
      {"/var/www/index.html", "<html></html>\n"},
      {"/usr/share/big.bin", big_content()},
      {"/usr/share/zeros", std::string(40000, '\0')},
  };
}

/// The shared fixture (tests/support/fixture_tree.hpp) plus /usr/share with the two larger files.
inline Tree expected_tree() {
  Tree t = test::expected_tree();
  t["/usr/share"] = {"directory", 0, 0, 0755};
  t["/usr/share/big.bin"] = {"file", 0, 0, 0644};
  t["/usr/share/zeros"] = {"file", 0, 0, 0644};
  return t;
}

/// Creates the fixture under `root`; returns "" or why it could not.
inline std::string build_tree(const std::string& root) {
  if (std::string why = test::build_tree(root); !why.empty()) return why;
  write_file(root + "/usr/share/big.bin", big_content());
  write_file(root + "/usr/share/zeros", std::string(40000, '\0'));
  auto r = run("set -e; cd " + shell_quote(root) +
               "; chown 0:0 usr/share usr/share/big.bin usr/share/zeros; chmod 0755 usr/share"
               "; chmod 0644 usr/share/big.bin usr/share/zeros");
  return r.exit_code == 0 ? "" : r.output;
}

struct Scanned {
  bool opened = false;
  Tree tree;
  std::set<std::set<std::string>> hard_links;
  std::map<std::string, std::string> contents;  ///< regular files, read back through the Vfs
  TargetInfo info;
};

/// Scans `target` and reduces the root filesystem's inventory to a Tree and its contents.
inline Scanned scan_tree(const std::string& target) {
  Scanned out;
  ScanOptions options;
  options.nested = false;
  auto inv = scanning::open_target(target, options, out.info);
  if (!inv) return out;
  out.opened = true;
  std::map<std::uint64_t, std::set<std::string>> by_inode;
  for (const auto& e : (*inv)->entries()) {
    if (e.filesystem != 0 || e.path == "/") continue;
    Node n{vfs::to_string(e.st.type), e.st.uid,        e.st.gid,    e.st.mode, e.link_target,
           e.st.rdev_major,           e.st.rdev_minor, e.capability};
    out.tree[e.path] = n;
    if (e.st.is_regular()) {
      auto content = (*inv)->vfs(0).read_file(e.path, 1u << 20);
      out.contents[e.path] = content ? *content : "<unreadable: " + content.error().describe() + ">";
      if (e.st.nlink > 1) by_inode[e.st.inode].insert(e.path);
    }
  }
  for (auto& [ino, paths] : by_inode) out.hard_links.insert(paths);
  return out;
}

/// The diagnostics of a scan as one string, for searching and for failure messages.
inline std::string diagnostics_text(const TargetInfo& info) {
  std::string s;
  for (const auto& d : info.diagnostics) s += d.path + ": " + d.message + "\n";
  return s;
}

/// The fixture packed by each test, built once per suite (needs root).
class FlashFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) return;
    dir_ = new TempDir();
    root_ = (*dir_) / "root";
    setup_error_ = build_tree(root_);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "building the fixture (owners, mknod, setcap) needs root";
    ASSERT_EQ(setup_error_, "");
  }

  /// Runs `command` with ROOT replaced by the fixture root and OUT by the output path.
  static std::string pack(const std::string& name, std::string command) {
    std::string out = (*dir_) / name;
    for (const auto& [key, value] : {std::pair<std::string, std::string>{"ROOT", shell_quote(root_)},
                                     std::pair<std::string, std::string>{"OUT", shell_quote(out)}}) {
      for (auto at = command.find(key); at != std::string::npos; at = command.find(key, at + value.size())) {
        command.replace(at, key.size(), value);
      }
    }
    auto r = run(command);
    EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.output;
    return out;
  }

  /// Asserts the scan equals `want` for every path, with every regular file's content.
  static void expect_tree(const std::string& what, const Scanned& got, const Tree& want, bool hard_links) {
    ASSERT_TRUE(got.opened) << what << ": not opened\n" << diagnostics_text(got.info);
    for (const auto& [path, node] : want) {
      auto it = got.tree.find(path);
      if (it == got.tree.end()) {
        ADD_FAILURE() << what << ": missing " << path;
        continue;
      }
      EXPECT_EQ(it->second, node) << what << ": " << path;
    }
    for (const auto& [path, node] : got.tree) {
      EXPECT_TRUE(want.count(path)) << what << ": unexpected " << path << " " << node;
    }
    const auto contents = expected_contents();
    for (const auto& [path, content] : got.contents) {
      auto it = contents.find(path);
      if (it == contents.end()) continue;
      EXPECT_TRUE(content == it->second) << what << ": content of " << path << " differs (" << content.size()
                                         << " bytes read, " << it->second.size() << " expected)";
    }
    if (hard_links) EXPECT_EQ(got.hard_links, kHardLinks) << what;
    EXPECT_FALSE(got.info.partial) << what << "\n" << diagnostics_text(got.info);
  }

  static TempDir* dir_;
  static std::string root_;
  static std::string setup_error_;
};

inline TempDir* FlashFixture::dir_ = nullptr;
inline std::string FlashFixture::root_;
inline std::string FlashFixture::setup_error_;

}  // namespace fwcert::flash_test
