// SquashFS backend: an image built by the real tools (mksquashfs, gensquashfs) from a tree
// described here reads back exactly: owners, modes, links, devices, xattrs and content, for
// every compressor the installed libsquashfs can decompress. Damaged images become errors.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <thread>

#include "inventory/inventory.hpp"
#include "support/test_util.hpp"
#include "vfs/open.hpp"

namespace fwcert::vfs {
namespace {

using test::run;
using test::shell_quote;
using test::TempDir;
using test::write_file;

/// 3.5 blocks of a 4 KiB-block image, so reads cross full blocks and end in a fragment.
std::string big_content() {
  std::string s(4096 * 3 + 2048, '\0');
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
  return s;
}

/// The source tree every image in this file is built from. Owners, modes and device nodes are
/// set by a pseudo file (no root needed); the capability and SELinux label are xattrs on the
/// source files (setting security.* needs root, so those tests skip without it).
struct SourceTree {
  TempDir dir;
  std::string src = dir / "src";
  std::string pseudo = dir / "pseudo";
  bool has_xattrs = false;

  SourceTree() {
    write_file(src + "/bin/tool", "#!/bin/sh\necho tool\n");
    write_file(src + "/bin/sgid", "sgid\n");
    write_file(src + "/etc/shadow", "root:*:19000:0:99999:7:::\n");
    write_file(src + "/data/big", big_content());
    write_file(src + "/empty", "");
    run("ln " + shell_quote(src + "/bin/tool") + " " + shell_quote(src + "/bin/tool-link"));
    run("ln -s /bin/tool " + shell_quote(src + "/abs"));
    run("ln -s ../bin/tool " + shell_quote(src + "/etc/rel"));
    write_file(pseudo,
               "/bin/tool m 4755 1000 1000\n"
               "/bin/sgid m 2755 33 33\n"
               "/etc/shadow m 600 0 42\n"
               "/tmp d 1777 0 0\n"
               "/dev d 755 0 0\n"
               "/dev/console c 600 0 5 5 1\n"
               "/dev/sda b 660 0 6 8 0\n"
               "/dev/wide c 600 0 0 250 300\n");
    auto setcap = run("setcap cap_net_raw+ep " + shell_quote(src + "/bin/tool"));
    auto label =
        run("python3 -c \"import os,sys; os.setxattr(sys.argv[1], 'security.selinux', "
            "b'system_u:object_r:shadow_t:s0\\0')\" " +
            shell_quote(src + "/etc/shadow"));
    has_xattrs = setcap.exit_code == 0 && label.exit_code == 0;
  }

  /// Builds an image with mksquashfs; returns its path, or "" when the tool refused.
  std::string mksquashfs(const std::string& comp, const std::string& name = "img.sqfs") const {
    std::string out = dir / name;
    auto r = run("mksquashfs " + shell_quote(src) + " " + shell_quote(out) + " -noappend -quiet -no-progress -b 4096" +
                 " -comp " + comp + " -xattrs -pf " + shell_quote(pseudo));
    return r.exit_code == 0 ? out : "";
  }
};

struct Opened {
  std::shared_ptr<Vfs> vfs;
  std::vector<Diagnostic> diagnostics;
  bool partial = false;
};

Result<Opened> open_path(const std::string& path) {
  auto src = open_host_file(path);
  if (!src) return src.error();
  Opened o;
  auto fs = open_squashfs(*src, o.diagnostics, o.partial);
  if (!fs) return fs.error();
  o.vfs = *fs;
  return o;
}

std::string read_all(const Vfs& v, const std::string& path) {
  auto content = v.read_file(path, 1 << 20);
  EXPECT_TRUE(content.ok()) << path << ": " << (content ? "" : content.error().describe());
  return content.value_or("");
}

TEST(SquashfsVfs, OwnersModesAndTypesAreExactlyAsPacked) {
  SourceTree tree;
  std::string image = tree.mksquashfs("gzip");
  ASSERT_FALSE(image.empty());
  auto img = open_path(image);
  ASSERT_TRUE(img.ok()) << img.error().describe();
  const Vfs& v = *img->vfs;
  EXPECT_EQ(v.format(), "squashfs");

  struct Want {
    const char* path;
    FileType type;
    std::uint32_t mode, uid, gid;
  };
  for (const Want& w :
       {Want{"/bin/tool", FileType::kRegular, 04755, 1000, 1000}, Want{"/bin/sgid", FileType::kRegular, 02755, 33, 33},
        Want{"/etc/shadow", FileType::kRegular, 0600, 0, 42}, Want{"/tmp", FileType::kDirectory, 01777, 0, 0},
        Want{"/abs", FileType::kSymlink, 0777, 0, 0}, Want{"/dev/console", FileType::kCharDevice, 0600, 0, 5},
        Want{"/dev/sda", FileType::kBlockDevice, 0660, 0, 6}}) {
    auto st = v.lstat(w.path);
    ASSERT_TRUE(st.ok()) << w.path << ": " << st.error().describe();
    EXPECT_EQ(st->type, w.type) << w.path;
    EXPECT_EQ(st->mode, w.mode) << w.path;
    EXPECT_EQ(st->uid, w.uid) << w.path;
    EXPECT_EQ(st->gid, w.gid) << w.path;
  }
  EXPECT_EQ(v.lstat("/data/big")->size, big_content().size());
  EXPECT_EQ(v.lstat("/nope").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(v.lstat("/bin/tool/x").error().code, ErrorCode::kNotADirectory);
}

TEST(SquashfsVfs, SymlinksHardLinksAndDevices) {
  SourceTree tree;
  auto img = open_path(tree.mksquashfs("gzip"));
  ASSERT_TRUE(img.ok()) << img.error().describe();
  const Vfs& v = *img->vfs;

  EXPECT_EQ(*v.readlink("/abs"), "/bin/tool");
  EXPECT_EQ(*v.readlink("/etc/rel"), "../bin/tool");
  EXPECT_EQ(read_all(v, "/abs"), "#!/bin/sh\necho tool\n");  // followed inside the image root

  auto a = v.lstat("/bin/tool");
  auto b = v.lstat("/bin/tool-link");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->inode, b->inode);
  EXPECT_EQ(a->nlink, 2u);
  EXPECT_NE(a->inode, v.lstat("/bin/sgid")->inode);

  EXPECT_EQ(v.lstat("/dev/console")->rdev_major, 5u);
  EXPECT_EQ(v.lstat("/dev/console")->rdev_minor, 1u);
  EXPECT_EQ(v.lstat("/dev/sda")->rdev_major, 8u);
  EXPECT_EQ(v.lstat("/dev/sda")->rdev_minor, 0u);
  // A minor above 255 lives in the high bits of the 32-bit device number.
  EXPECT_EQ(v.lstat("/dev/wide")->rdev_major, 250u);
  EXPECT_EQ(v.lstat("/dev/wide")->rdev_minor, 300u);

  auto listing = v.readdir("/dev");
  ASSERT_TRUE(listing.ok());
  std::vector<std::string> names;
  for (const auto& e : *listing) names.push_back(e.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"console", "sda", "wide"}));
}

TEST(SquashfsVfs, CapabilityAndSelinuxXattrs) {
  SourceTree tree;
  if (!tree.has_xattrs) GTEST_SKIP() << "setting security.* xattrs on the source tree needs root";
  auto img = open_path(tree.mksquashfs("xz"));
  ASSERT_TRUE(img.ok()) << img.error().describe();
  const Vfs& v = *img->vfs;

  auto xs = v.xattrs("/bin/tool");
  ASSERT_TRUE(xs.ok()) << xs.error().describe();
  auto cap = std::find_if(xs->begin(), xs->end(), [](const Xattr& x) { return x.name == "security.capability"; });
  ASSERT_NE(cap, xs->end());
  EXPECT_EQ(inventory::decode_capability(cap->value).value_or("?"), "cap_net_raw=ep");

  auto label = v.xattrs("/etc/shadow");
  ASSERT_TRUE(label.ok());
  ASSERT_EQ(label->size(), 1u);
  EXPECT_EQ((*label)[0].name, "security.selinux");
  EXPECT_EQ((*label)[0].value, std::string("system_u:object_r:shadow_t:s0\0", 30));
  EXPECT_TRUE(v.xattrs("/bin/sgid")->empty());
}

class SquashfsCompressor : public ::testing::TestWithParam<std::string> {};

TEST_P(SquashfsCompressor, ContentReadsBackAtEveryOffset) {
  SourceTree tree;
  std::string image = tree.mksquashfs(GetParam());
  if (image.empty()) GTEST_SKIP() << "mksquashfs cannot write " << GetParam();
  auto img = open_path(image);
  if (!img.ok() && img.error().code == ErrorCode::kUnsupported) {
    GTEST_SKIP() << "libsquashfs built without " << GetParam() << ": " << img.error().describe();
  }
  ASSERT_TRUE(img.ok()) << img.error().describe();
  const Vfs& v = *img->vfs;
  const std::string want = big_content();
  EXPECT_EQ(read_all(v, "/data/big"), want);
  EXPECT_EQ(read_all(v, "/empty"), "");
  // Reads that start inside a block, cross block boundaries, and run into the fragment tail.
  for (std::uint64_t offset : {0ull, 1ull, 4095ull, 4096ull, 8000ull, 12287ull, 12288ull, 14000ull}) {
    std::string buf(3000, '\0');
    auto n = v.read("/data/big", offset, std::as_writable_bytes(std::span<char>(buf)));
    ASSERT_TRUE(n.ok()) << n.error().describe();
    std::size_t expect = std::min<std::size_t>(3000, want.size() - offset);
    ASSERT_EQ(*n, expect) << "offset " << offset;
    EXPECT_EQ(buf.substr(0, *n), want.substr(offset, expect)) << "offset " << offset;
  }
  std::array<std::byte, 16> tail{};
  EXPECT_EQ(*v.read("/data/big", want.size(), tail), 0u);
}

// lzo: Debian's libsquashfs is built without it, so that case skips with the reason.
INSTANTIATE_TEST_SUITE_P(Squashfs, SquashfsCompressor, ::testing::Values("gzip", "xz", "lzo", "lz4", "zstd"));

TEST(SquashfsVfs, LegacyLzmaImageFromGensquashfs) {
  if (!test::have_tool("gensquashfs")) GTEST_SKIP() << "gensquashfs not installed";
  TempDir dir;
  write_file(dir / "src/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
  write_file(dir / "pack", "dir /etc 0750 0 10\nfile /etc/passwd 0640 0 10\nslink /sh 0777 0 0 /bin/busybox\n");
  auto r = run("gensquashfs -q -c lzma -D " + shell_quote(dir / "src") + " -F " + shell_quote(dir / "pack") + " " +
               shell_quote(dir / "img"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto img = open_path(dir / "img");
  ASSERT_TRUE(img.ok()) << img.error().describe();
  EXPECT_EQ(read_all(*img->vfs, "/etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
  EXPECT_EQ(img->vfs->lstat("/etc/passwd")->mode, 0640u);
  EXPECT_EQ(img->vfs->lstat("/etc")->gid, 10u);
  EXPECT_EQ(*img->vfs->readlink("/sh"), "/bin/busybox");
}

TEST(SquashfsVfs, ConcurrentReadsSeeTheSameBytes) {
  SourceTree tree;
  auto img = open_path(tree.mksquashfs("zstd"));
  ASSERT_TRUE(img.ok()) << img.error().describe();
  const std::string want = big_content();
  std::vector<std::thread> threads;
  std::vector<int> mismatches(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const char* path = (i + t) % 2 ? "/data/big" : "/bin/tool";
        auto got = img->vfs->read_file(path, 1 << 20);
        if (!got || *got != (path[1] == 'd' ? want : std::string("#!/bin/sh\necho tool\n"))) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(std::count(mismatches.begin(), mismatches.end(), 0), 8);
}

TEST(SquashfsVfs, OpensInsideAWindowOfALargerSource) {
  SourceTree tree;
  std::string image = tree.mksquashfs("gzip");
  std::string bytes = std::string(0x10000, '\x5a') + test::read_file(image) + std::string(5000, '\0');
  std::vector<std::byte> buf(bytes.size());
  std::memcpy(buf.data(), bytes.data(), bytes.size());
  auto blob = memory_source(std::move(buf), "blob");
  auto found = carve(*blob);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].format, ImageFormat::kSquashfs);
  EXPECT_EQ(found[0].offset, 0x10000u);
  auto window = window_source(blob, found[0].offset, found[0].length);
  ASSERT_TRUE(window.ok());
  std::vector<Diagnostic> diags;
  bool partial = false;
  auto fs = open_squashfs(*window, diags, partial);
  ASSERT_TRUE(fs.ok()) << fs.error().describe();
  EXPECT_FALSE(partial);
  EXPECT_EQ((*fs)->lstat("/bin/tool")->uid, 1000u);
}

TEST(SquashfsVfs, NotASquashfsIsAnError) {
  auto src = memory_source(std::vector<std::byte>(4096, std::byte{0x41}), "junk");
  std::vector<Diagnostic> diags;
  bool partial = false;
  auto fs = open_squashfs(src, diags, partial);
  ASSERT_FALSE(fs.ok());
  EXPECT_EQ(fs.error().code, ErrorCode::kCorrupt);
}

/// Damaged images must never crash: they fail to open, or open and report damage per path.
TEST(SquashfsVfs, TruncatedAndBitFlippedImagesFailCleanly) {
  SourceTree tree;
  std::string image = test::read_file(tree.mksquashfs("gzip"));
  ASSERT_GT(image.size(), 512u);
  std::size_t problems = 0;
  std::size_t variants = 0;
  auto try_bytes = [&](const std::string& bytes) {
    ++variants;
    std::vector<std::byte> buf(bytes.size());
    std::memcpy(buf.data(), bytes.data(), bytes.size());
    std::vector<Diagnostic> diags;
    bool partial = false;
    auto fs = open_squashfs(memory_source(std::move(buf), "damaged"), diags, partial);
    if (!fs) {
      ++problems;
      return;
    }
    inventory::Inventory inv;
    auto idx = inv.add_filesystem({"", "squashfs", 0, "", 0, *fs});
    inv.walk(idx, diags);
    for (const auto& e : inv.entries()) {
      if (e.st.is_regular()) (void)(*fs)->read_file(e.path, 1 << 20);
    }
    if (partial || !diags.empty()) ++problems;
  };
  // Cut inside the tables at the end (bytes_used at superblock offset 40; the file is padded).
  std::uint64_t used = 0;
  std::memcpy(&used, image.data() + 40, sizeof used);
  ASSERT_LE(used, image.size());
  for (std::size_t cut : {used / 2, used - 200, used - 8}) try_bytes(image.substr(0, cut));
  // Flip bytes in the superblock's table offsets and across the metadata tables.
  for (std::size_t at = 40; at < image.size(); at += image.size() / 64 + 1) {
    std::string flipped = image;
    flipped[at] = static_cast<char>(flipped[at] ^ 0xA5);
    try_bytes(flipped);
  }
  // Every cut loses tables, so each must be noticed; flips in file data may go unnoticed.
  EXPECT_GE(problems, 3u);
  EXPECT_GT(variants, 3u);
}

}  // namespace
}  // namespace fwcert::vfs
