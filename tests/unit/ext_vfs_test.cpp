// ext2/3/4 backend: images made by mke2fs -d from a tree described here, with owners, modes,
// devices and xattrs set by debugfs (so no root is needed), read back exactly.

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

std::string big_content() {
  std::string s(5 * 1024 + 333, '\0');
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>('A' + (i * 11) % 26);
  return s;
}

const std::string kLongTarget = "/usr/lib/very/long/path/that/does/not/fit/in/the/inode/i_block/area/libfoo.so.1";

struct Variant {
  const char* name;
  const char* mke2fs_args;
  const char* expected_format;
};

/// Builds an image of the given variant and adjusts it with debugfs; "" when a tool failed.
std::string build_image(const TempDir& dir, const Variant& v) {
  std::string src = dir / "src";
  write_file(src + "/bin/tool", "#!/bin/sh\necho tool\n");
  write_file(src + "/bin/sgid", "sgid\n");
  write_file(src + "/etc/shadow", "root:*:19000:0:99999:7:::\n");
  write_file(src + "/data/big", big_content());
  write_file(src + "/empty", "");
  run("mkdir -p " + shell_quote(src + "/tmp") + " " + shell_quote(src + "/dev"));
  run("ln " + shell_quote(src + "/bin/tool") + " " + shell_quote(src + "/bin/tool-link"));
  run("ln -s /bin/tool " + shell_quote(src + "/abs"));
  run("ln -s ../bin/tool " + shell_quote(src + "/etc/rel"));
  run("ln -s " + shell_quote(kLongTarget) + " " + shell_quote(src + "/slow"));
  std::string image = dir / "img";
  auto mk = run(std::string("mke2fs -q -F -b 1024 ") + v.mke2fs_args + " -d " + shell_quote(src) + " " +
                shell_quote(image) + " 2M");
  if (mk.exit_code != 0) {
    ADD_FAILURE() << mk.output;
    return "";
  }
  std::string cap = dir / "cap";
  // VFS_CAP_REVISION_2 | effective, permitted = cap_net_raw (bit 13), inheritable 0.
  write_file(cap, std::string("\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20));
  std::string cmds = dir / "cmds";
  write_file(cmds,
             "sif /bin/tool uid 1000\nsif /bin/tool gid 1000\nsif /bin/tool mode 0104755\n"
             "sif /bin/sgid uid 33\nsif /bin/sgid gid 33\nsif /bin/sgid mode 0102755\n"
             "sif /etc/shadow uid 0\nsif /etc/shadow gid 42\nsif /etc/shadow mode 0100600\n"
             // uid 70000 = 0x11170: low 16 bits in i_uid, high bits in l_i_uid_high.
             "sif /empty uid 70000\nsif /empty gid 0\n"
             "sif /tmp mode 041777\n"
             // debugfs's mknod takes a name in the current directory.
             "cd /dev\n"
             "mknod console c 5 1\nsif console mode 020600\nsif console gid 5\n"
             "mknod sda b 8 0\nsif sda mode 060660\nsif sda gid 6\n"
             "mknod wide c 250 300\n"
             "ea_set -f " +
                 cap +
                 " /bin/tool security.capability\n"
                 "ea_set /etc/shadow security.selinux system_u:object_r:shadow_t:s0\n");
  auto dbg = run("debugfs -w -f " + shell_quote(cmds) + " " + shell_quote(image));
  if (dbg.exit_code != 0 || dbg.output.find("rror") != std::string::npos) {
    ADD_FAILURE() << dbg.output;
    return "";
  }
  return image;
}

struct Opened {
  std::shared_ptr<Vfs> vfs;
  std::vector<Diagnostic> diagnostics;
  bool partial = false;
};

Result<Opened> open_bytes(ByteSourcePtr src) {
  Opened o;
  auto fs = open_ext(std::move(src), o.diagnostics, o.partial);
  if (!fs) return fs.error();
  o.vfs = *fs;
  return o;
}

Result<Opened> open_path(const std::string& path) {
  auto src = open_host_file(path);
  if (!src) return src.error();
  return open_bytes(*src);
}

class ExtVariant : public ::testing::TestWithParam<Variant> {};

TEST_P(ExtVariant, ReadsBackOwnersModesLinksDevicesXattrsAndContent) {
  TempDir dir;
  std::string image = build_image(dir, GetParam());
  ASSERT_FALSE(image.empty());
  auto img = open_path(image);
  ASSERT_TRUE(img.ok()) << img.error().describe();
  const Vfs& v = *img->vfs;
  EXPECT_EQ(v.format(), GetParam().expected_format);
  EXPECT_FALSE(img->partial);

  struct Want {
    const char* path;
    FileType type;
    std::uint32_t mode, uid, gid;
  };
  for (const Want& w :
       {Want{"/bin/tool", FileType::kRegular, 04755, 1000, 1000}, Want{"/bin/sgid", FileType::kRegular, 02755, 33, 33},
        Want{"/etc/shadow", FileType::kRegular, 0600, 0, 42}, Want{"/empty", FileType::kRegular, 0644, 70000, 0},
        Want{"/tmp", FileType::kDirectory, 01777, 0, 0}, Want{"/abs", FileType::kSymlink, 0777, 0, 0},
        Want{"/dev/console", FileType::kCharDevice, 0600, 0, 5},
        Want{"/dev/sda", FileType::kBlockDevice, 0660, 0, 6}}) {
    auto st = v.lstat(w.path);
    ASSERT_TRUE(st.ok()) << w.path << ": " << st.error().describe();
    EXPECT_EQ(st->type, w.type) << w.path;
    EXPECT_EQ(st->mode, w.mode) << w.path;
    EXPECT_EQ(st->uid, w.uid) << w.path;
    EXPECT_EQ(st->gid, w.gid) << w.path;
  }

  EXPECT_EQ(*v.readlink("/abs"), "/bin/tool");
  EXPECT_EQ(*v.readlink("/etc/rel"), "../bin/tool");
  EXPECT_EQ(*v.readlink("/slow"), kLongTarget);  // longer than i_block: stored in a block

  auto a = v.lstat("/bin/tool");
  auto b = v.lstat("/bin/tool-link");
  EXPECT_EQ(a->inode, b->inode);
  EXPECT_EQ(a->nlink, 2u);

  EXPECT_EQ(v.lstat("/dev/console")->rdev_major, 5u);
  EXPECT_EQ(v.lstat("/dev/console")->rdev_minor, 1u);
  EXPECT_EQ(v.lstat("/dev/sda")->rdev_major, 8u);
  EXPECT_EQ(v.lstat("/dev/sda")->rdev_minor, 0u);
  EXPECT_EQ(v.lstat("/dev/wide")->rdev_major, 250u);
  EXPECT_EQ(v.lstat("/dev/wide")->rdev_minor, 300u);

  auto xs = v.xattrs("/bin/tool");
  ASSERT_TRUE(xs.ok()) << xs.error().describe();
  auto cap = std::find_if(xs->begin(), xs->end(), [](const Xattr& x) { return x.name == "security.capability"; });
  ASSERT_NE(cap, xs->end());
  EXPECT_EQ(inventory::decode_capability(cap->value).value_or("?"), "cap_net_raw=ep");
  auto label = v.xattrs("/etc/shadow");
  ASSERT_TRUE(label.ok());
  ASSERT_EQ(label->size(), 1u);
  EXPECT_EQ((*label)[0].name, "security.selinux");
  EXPECT_EQ((*label)[0].value, "system_u:object_r:shadow_t:s0");

  const std::string want = big_content();
  EXPECT_EQ(*v.read_file("/data/big", 1 << 20), want);
  EXPECT_EQ(*v.read_file("/empty", 1 << 20), "");
  EXPECT_EQ(*v.read_file("/abs", 1 << 20), "#!/bin/sh\necho tool\n");
  for (std::uint64_t offset : {0ull, 1ull, 1023ull, 1024ull, 3000ull, 5000ull}) {
    std::string buf(1500, '\0');
    auto n = v.read("/data/big", offset, std::as_writable_bytes(std::span<char>(buf)));
    ASSERT_TRUE(n.ok()) << n.error().describe();
    std::size_t expect = std::min<std::size_t>(1500, want.size() - offset);
    ASSERT_EQ(*n, expect) << "offset " << offset;
    EXPECT_EQ(buf.substr(0, *n), want.substr(offset, expect)) << "offset " << offset;
  }

  auto root = v.readdir("/");
  ASSERT_TRUE(root.ok());
  std::vector<std::string> names;
  for (const auto& e : *root) names.push_back(e.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names,
            (std::vector<std::string>{"abs", "bin", "data", "dev", "empty", "etc", "lost+found", "slow", "tmp"}));
  EXPECT_EQ(v.lstat("/nope").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(v.lstat("/bin/tool/x").error().code, ErrorCode::kNotADirectory);
}

INSTANTIATE_TEST_SUITE_P(Ext, ExtVariant,
                         ::testing::Values(Variant{"ext2", "-t ext2", "ext2"}, Variant{"ext3", "-t ext3", "ext3"},
                                           Variant{"ext4", "-t ext4", "ext4"},
                                           Variant{"ext4_inline", "-t ext4 -O inline_data,metadata_csum,64bit",
                                                   "ext4"}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ExtVfs, ConcurrentReadsSeeTheSameBytes) {
  TempDir dir;
  std::string image = build_image(dir, {"ext4", "-t ext4", "ext4"});
  ASSERT_FALSE(image.empty());
  auto img = open_path(image);
  ASSERT_TRUE(img.ok()) << img.error().describe();
  const std::string want = big_content();
  std::vector<int> mismatches(8, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto got = img->vfs->read_file("/data/big", 1 << 20);
        if (!got || *got != want) ++mismatches[t];
        if (!img->vfs->lstat("/bin/tool").ok()) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(std::count(mismatches.begin(), mismatches.end(), 0), 8);
}

TEST(ExtVfs, NotAnExtImageIsAnError) {
  auto fs = open_bytes(memory_source(std::vector<std::byte>(8192, std::byte{0}), "zeros"));
  ASSERT_FALSE(fs.ok());
  EXPECT_EQ(fs.error().code, ErrorCode::kCorrupt);
}

TEST(ExtVfs, GroupDescriptorsPastTheEndAreRejectedBeforeAllocation) {
  TempDir dir;
  std::string image = build_image(dir, {"ext4", "-t ext4", "ext4"});
  std::string bytes = test::read_file(image);
  // Claim 2^40 blocks: the descriptor table alone would be larger than the image.
  std::uint32_t hi = 0x100;
  std::memcpy(bytes.data() + 1024 + 0x150, &hi, 4);
  std::vector<std::byte> buf(bytes.size());
  std::memcpy(buf.data(), bytes.data(), bytes.size());
  auto fs = open_bytes(memory_source(std::move(buf), "huge"));
  ASSERT_FALSE(fs.ok());
  EXPECT_NE(fs.error().message.find("past the image"), std::string::npos) << fs.error().message;
}

TEST(ExtVfs, TruncatedAndBitFlippedImagesFailCleanly) {
  TempDir dir;
  std::string image = build_image(dir, {"ext4", "-t ext4", "ext4"});
  std::string bytes = test::read_file(image);
  std::size_t problems = 0;
  auto try_bytes = [&](const std::string& b) {
    std::vector<std::byte> buf(b.size());
    std::memcpy(buf.data(), b.data(), b.size());
    auto img = open_bytes(memory_source(std::move(buf), "damaged"));
    if (!img) {
      ++problems;
      return;
    }
    inventory::Inventory inv;
    auto idx = inv.add_filesystem({"", img->vfs->format(), 0, "", 0, img->vfs});
    inv.walk(idx, img->diagnostics);
    for (const auto& e : inv.entries()) {
      if (e.st.is_regular()) (void)img->vfs->read_file(e.path, 1 << 20);
    }
    if (img->partial || !img->diagnostics.empty()) ++problems;
  };
  for (std::size_t cut : {std::size_t{1500}, std::size_t{4096}, bytes.size() / 2}) try_bytes(bytes.substr(0, cut));
  for (std::size_t at = 1024; at < 300 * 1024; at += 4099) {
    std::string flipped = bytes;
    flipped[at] = static_cast<char>(flipped[at] ^ 0xFF);
    try_bytes(flipped);
  }
  EXPECT_GE(problems, 3u);  // every cut is noticed
}

}  // namespace
}  // namespace fwcert::vfs
