// The one walk: content kinds, file capabilities, and the summary counts the report carries.

#include "inventory/inventory.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "support/test_util.hpp"
#include "vfs/dir_vfs.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::inventory {
namespace {

std::pair<Kind, std::string> classify_text(std::string_view bytes, std::string_view name = "f") {
  return classify(std::as_bytes(std::span<const char>(bytes.data(), bytes.size())), name, bytes.size());
}

TEST(InventoryClassify, KindsFromContent) {
  struct Case {
    std::string bytes;
    std::string name;
    Kind kind;
    std::string detail;
  };
  std::string ext(2048, '\0');
  ext[1080] = '\x53';
  ext[1081] = '\xef';
  std::string tar(600, '\0');
  std::memcpy(tar.data() + 257, "ustar", 5);
  std::string arm64(0x40, '\0');
  std::memcpy(arm64.data() + 0x38, "ARM\x64", 4);
  std::string der = std::string("\x30\x82\x00\x02", 4) + "ab";
  const Case cases[] = {
      {std::string("\x7f"
                   "ELF\x02\x01\x01",
                   7),
       "busybox", Kind::kElf, "elf64"},
      {std::string("\x7f"
                   "ELF\x01\x01\x01",
                   7),
       "x", Kind::kElf, "elf32"},
      {"#!/bin/sh\necho\n", "rcS", Kind::kScript, "/bin/sh"},
      {"#! /usr/bin/env python3\nprint()\n", "t.py", Kind::kScript, "/usr/bin/env python3"},
      {"-----BEGIN RSA PRIVATE KEY-----\nMII\n", "k.pem", Kind::kPem, "RSA PRIVATE KEY"},
      {std::string("openssh-key-v1\0", 15), "id", Kind::kOpensshKey, "openssh"},
      {"PuTTY-User-Key-File-3: ssh-rsa\n", "k.ppk", Kind::kOpensshKey, "putty"},
      {std::string("SQLite format 3\0", 16), "a.db", Kind::kSqlite, ""},
      {"hsqs....", "root.img", Kind::kFilesystemImage, "squashfs"},
      {ext, "data.img", Kind::kFilesystemImage, "ext"},
      {tar, "a.tar", Kind::kArchive, "tar"},
      {"070701000000", "initrd", Kind::kArchive, "cpio"},
      {"PK\x03\x04zz", "a.zip", Kind::kArchive, "zip"},
      {"\x1f\x8b\x08\x00", "x.gz", Kind::kCompressed, "gzip"},
      {std::string("\xfd"
                   "7zXZ\0",
                   6),
       "x.xz", Kind::kCompressed, "xz"},
      {"\x28\xb5\x2f\xfd", "x.zst", Kind::kCompressed, "zstd"},
      {"\x27\x05\x19\x56", "uImage", Kind::kKernelImage, "uimage"},
      {"\xd0\x0d\xfe\xed", "board.dtb", Kind::kDeviceTree, "fdt"},
      {arm64, "Image", Kind::kKernelImage, "arm64-image"},
      {der, "c.der", Kind::kDer, ""},
      {der, "c.p12", Kind::kPkcs12, ""},
      {"root:x:0:0::/root:/bin/sh\n", "passwd", Kind::kText, ""},
      {std::string("\x01\x02\x00\x03", 4), "blob", Kind::kBinary, ""},
  };
  for (const auto& c : cases) {
    auto [kind, detail] = classify_text(c.bytes, c.name);
    EXPECT_EQ(to_string(kind), std::string(to_string(c.kind))) << c.name;
    EXPECT_EQ(detail, c.detail) << c.name;
  }
  EXPECT_EQ(classify({}, "empty", 0).first, Kind::kEmpty);
}

TEST(InventoryCapability, DecodesWhatSetcapWrites) {
  // A real security.capability value written by setcap on the host, read back raw.
  test::TempDir d;
  test::write_file(d / "ping", "x");
  auto r = test::run("setcap cap_net_raw,cap_net_admin+ep " + test::shell_quote(d / "ping"));
  if (r.exit_code != 0) GTEST_SKIP() << "setcap unavailable here: " << r.output;
  auto v = vfs::open_directory(d.path());
  ASSERT_TRUE(v.ok());
  auto xs = (*v)->xattrs("/ping");
  ASSERT_TRUE(xs.ok());
  std::string raw;
  for (const auto& x : *xs) {
    if (x.name == "security.capability") raw = x.value;
  }
  ASSERT_FALSE(raw.empty()) << "no security.capability xattr read back";
  auto text = decode_capability(raw);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, "cap_net_admin,cap_net_raw=ep");
}

TEST(InventoryCapability, RejectsUnknownRevisionsAndTruncation) {
  EXPECT_FALSE(decode_capability(std::string("\x00\x00\x00\x07", 4)).has_value());
  EXPECT_FALSE(decode_capability(std::string("\x01\x00\x00\x02\x00", 5)).has_value());
  // revision 2, inheritable only: "=i" with no effective flag
  std::string v2(
      "\x00\x00\x00\x02"
      "\x00\x00\x00\x00"
      "\x00\x20\x00\x00"
      "\x00\x00\x00\x00"
      "\x00\x00\x00\x00",
      20);
  auto t = decode_capability(v2);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, "cap_net_raw=i");
}

TEST(InventoryWalk, SummaryCountsWhatTheTreeHolds) {
  auto mem = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(mem->add_file("/bin/busybox",
                            std::string("\x7f"
                                        "ELF\x01\x01\x01",
                                        7),
                            {04755, 0, 0, 0})
                  .ok());
  ASSERT_TRUE(mem->add_hardlink("/bin/sh", "/bin/busybox").ok());
  ASSERT_TRUE(mem->add_symlink("/bin/ls", "busybox").ok());
  ASSERT_TRUE(mem->add_dir("/tmp", {01777, 0, 0, 0}).ok());
  ASSERT_TRUE(mem->add_dir("/data", {0777, 0, 0, 0}).ok());
  ASSERT_TRUE(mem->add_file("/etc/motd", "hello\n", {0666, 0, 0, 0}).ok());
  ASSERT_TRUE(mem->add_file("/usr/bin/wall", "w", {02755, 0, 5, 0}).ok());
  ASSERT_TRUE(mem->add_special("/dev/console", vfs::FileType::kCharDevice, 5, 1).ok());
  ASSERT_TRUE(mem->add_file("/usr/bin/ping", "p").ok());
  ASSERT_TRUE(mem->set_xattr("/usr/bin/ping", "security.capability",
                             std::string("\x01\x00\x00\x02"
                                         "\x00\x20\x00\x00"
                                         "\x00\x00\x00\x00"
                                         "\x00\x00\x00\x00"
                                         "\x00\x00\x00\x00",
                                         20))
                  .ok());
  ASSERT_TRUE(mem->set_xattr("/etc/motd", "security.selinux", std::string("system_u:object_r:etc_t:s0\0", 27)).ok());

  Inventory inv;
  std::vector<Diagnostic> diags;
  inv.add_filesystem({"", "memory", 0, "", 0, mem});
  inv.walk(0, diags);
  inv.finish();
  EXPECT_TRUE(diags.empty());
  const auto& s = inv.summary();
  EXPECT_EQ(s.files, 5u);      // busybox, sh (hard link), motd, wall, ping
  EXPECT_EQ(s.hardlinks, 1u);  // sh is a second name of busybox
  EXPECT_EQ(s.symlinks, 1u);
  EXPECT_EQ(s.devices, 1u);
  EXPECT_EQ(s.elf, 2u);  // both names of busybox
  EXPECT_EQ(s.setuid, 2u);
  EXPECT_EQ(s.setgid, 1u);
  EXPECT_EQ(s.world_writable, 2u);  // /data and /etc/motd; sticky /tmp is fine
  EXPECT_EQ(s.capabilities, 1u);
  EXPECT_EQ(s.selinux_labels, 1u);

  const Entry* ping = inv.find(0, "/usr/bin/ping");
  ASSERT_NE(ping, nullptr);
  EXPECT_EQ(ping->capability, "cap_net_raw=ep");
  const Entry* motd = inv.find(0, "/etc/motd");
  ASSERT_NE(motd, nullptr);
  EXPECT_EQ(motd->selinux_label, "system_u:object_r:etc_t:s0");
  const Entry* ls = inv.find(0, "/bin/ls");
  ASSERT_NE(ls, nullptr);
  EXPECT_EQ(ls->link_target, "busybox");
  // Entries are sorted by path, which is what find() relies on.
  for (std::size_t i = 1; i < inv.entries().size(); ++i) {
    EXPECT_LT(inv.entries()[i - 1].path, inv.entries()[i].path);
  }
}

TEST(InventoryWalk, DepthLimitIsADiagnosticNotACrash) {
  auto mem = std::make_shared<vfs::MemoryVfs>();
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "/d";
  ASSERT_TRUE(mem->add_file(deep + "/leaf", "x").ok());
  Inventory inv;
  std::vector<Diagnostic> diags;
  inv.add_filesystem({"", "memory", 0, "", 0, mem});
  inv.walk(0, diags);
  inv.finish();
  ASSERT_FALSE(diags.empty());
  EXPECT_NE(diags[0].message.find("nesting limit"), std::string::npos) << diags[0].message;
  EXPECT_EQ(inv.find(0, deep + "/leaf"), nullptr);
}

}  // namespace
}  // namespace fwcert::inventory
