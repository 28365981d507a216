// Path confinement of the Vfs base: every path and symlink resolves inside the image root.

#include <gtest/gtest.h>

#include "vfs/memory_vfs.hpp"

namespace fwcert::vfs {
namespace {

MemoryVfs make_tree() {
  MemoryVfs v;
  EXPECT_TRUE(v.add_dir("/etc").ok());
  EXPECT_TRUE(v.add_file("/etc/passwd", "root:x:0:0::/root:/bin/sh\n").ok());
  EXPECT_TRUE(v.add_symlink("/etc/abs", "/etc/passwd").ok());
  EXPECT_TRUE(v.add_symlink("/etc/rel", "../etc/passwd").ok());
  EXPECT_TRUE(v.add_symlink("/escape", "../../../../etc/passwd").ok());
  EXPECT_TRUE(v.add_symlink("/loop1", "/loop2").ok());
  EXPECT_TRUE(v.add_symlink("/loop2", "/loop1").ok());
  EXPECT_TRUE(v.add_symlink("/bin", "usr/bin").ok());
  EXPECT_TRUE(v.add_file("/usr/bin/busybox",
                         "\x7f"
                         "ELF")
                  .ok());
  return v;
}

TEST(NormalizePath, ClampsDotDotAtRoot) {
  EXPECT_EQ(normalize_path("../../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(normalize_path("/a/./b//../c"), "/a/c");
  EXPECT_EQ(normalize_path(""), "/");
  EXPECT_EQ(normalize_path("/.."), "/");
}

TEST(VfsResolve, AbsoluteSymlinkIsRerootedAtImageRoot) {
  auto v = make_tree();
  auto r = v.resolve("/etc/abs");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(*r, "/etc/passwd");
}

TEST(VfsResolve, RelativeSymlinkEscapingTheRootIsClamped) {
  auto v = make_tree();
  auto r = v.resolve("/escape");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(*r, "/etc/passwd");
  auto content = v.read_file("/escape", 1024);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(content->substr(0, 4), "root");
}

TEST(VfsResolve, SymlinkLoopIsReportedNotFollowedForever) {
  auto v = make_tree();
  auto r = v.resolve("/loop1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kLoop);
}

TEST(VfsResolve, IntermediateSymlinkDirectoryIsFollowed) {
  auto v = make_tree();
  auto r = v.resolve("/bin/busybox");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "/usr/bin/busybox");
}

TEST(VfsResolve, LstatDoesNotFollowTheLastComponent) {
  auto v = make_tree();
  auto st = v.lstat("/etc/abs");
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(st->is_symlink());
  auto st2 = v.stat("/etc/abs");
  ASSERT_TRUE(st2.ok());
  EXPECT_TRUE(st2->is_regular());
}

TEST(VfsResolve, FileUsedAsDirectoryFails) {
  auto v = make_tree();
  auto r = v.resolve("/etc/passwd/x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotADirectory);
}

TEST(VfsReadFile, RefusesFilesOverTheLimit) {
  auto v = make_tree();
  auto r = v.read_file("/etc/passwd", 4);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kLimitExceeded);
}

}  // namespace
}  // namespace fwcert::vfs
