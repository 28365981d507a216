// The directory backend: confined to its root, honest about metadata, and on the live host
// it does not wander into /proc, /sys or other mounts.

#include "vfs/dir_vfs.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/test_util.hpp"

namespace fwcert::vfs {
namespace {

using test::run;
using test::shell_quote;
using test::TempDir;
using test::write_file;

TEST(DirVfs, OneFileSystemStopsAtProcOnTheLiveHost) {
  auto host = open_directory("/", DirOptions{true});
  ASSERT_TRUE(host.ok());
  auto root = (*host)->readdir_raw("/");
  ASSERT_TRUE(root.ok());
  auto proc = (*host)->readdir_raw("/proc");
  ASSERT_FALSE(proc.ok()) << "listed /proc although it is another filesystem";
  EXPECT_EQ(proc.error().code, ErrorCode::kUnsupported);

  auto crossing = open_directory("/", DirOptions{false});
  ASSERT_TRUE(crossing.ok());
  auto proc2 = (*crossing)->readdir_raw("/proc");
  ASSERT_TRUE(proc2.ok());
  EXPECT_FALSE(proc2->empty());
}

TEST(DirVfs, SymlinksOutOfTheRootResolveInsideIt) {
  TempDir outside;
  write_file(outside / "canary.txt", "CANARY-dir-7f3a\n");
  TempDir d;
  write_file(d / "root/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
  run("ln -s " + shell_quote(outside / "canary.txt") + " " + shell_quote(d / "root/abs"));
  run("ln -s ../../../../../../../../" + shell_quote(outside.path().substr(1) + "/canary.txt") + " " +
      shell_quote(d / "root/rel"));
  run("ln -s " + shell_quote(outside.path()) + " " + shell_quote(d / "root/dirlink"));
  auto v = open_directory(d / "root");
  ASSERT_TRUE(v.ok());
  for (const char* p : {"/abs", "/rel", "/dirlink/canary.txt"}) {
    auto content = (*v)->read_file(p, 1 << 20);
    // Re-rooted inside the image, the canary's path does not exist there.
    ASSERT_FALSE(content.ok()) << p << " read " << *content;
    EXPECT_EQ(content.error().code, ErrorCode::kNotFound) << p;
  }
  // The raw layer refuses a canonical path that crosses a symlink, whatever the caller does.
  auto raw = (*v)->read_raw("/dirlink/canary.txt", 0, {});
  EXPECT_FALSE(raw.ok());
}

TEST(DirVfs, ReportsOwnersModesAndDevicesAsStored) {
  TempDir d;
  write_file(d / "root/bin/su", "x");
  ::chmod((d / "root/bin/su").c_str(), 04755);
  run("mkfifo " + shell_quote(d / "root/fifo"));
  auto v = open_directory(d / "root");
  ASSERT_TRUE(v.ok());
  auto su = (*v)->lstat("/bin/su");
  ASSERT_TRUE(su.ok());
  EXPECT_EQ(su->mode, 04755u);
  EXPECT_EQ(su->uid, ::geteuid());
  auto fifo = (*v)->lstat("/fifo");
  ASSERT_TRUE(fifo.ok());
  EXPECT_EQ(fifo->type, FileType::kFifo);
  // Reading a FIFO would block; the backend refuses without opening it.
  std::byte b[4];
  auto r = (*v)->read("/fifo", 0, b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace fwcert::vfs
