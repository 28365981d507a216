// Android super images (LpMetadata, written by tests/support/make_super.py as Debian has no
// lpmake) holding an ext4 made by mke2fs -d and a squashfs made by mksquashfs from the fixture
// tree; vbmeta images as targets; ISO 9660 from xorriso; FAT12/16/32 from mkfs.vfat and mcopy;
// and the formats fwcert recognises but does not read (squashfs 3.x and vendor magics), which
// must say so.

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "scan/target.hpp"
#include "support/fixture_tree.hpp"
#include "support/test_util.hpp"

namespace fwcert {
namespace {

using test::run;
using test::shell_quote;
using test::TempDir;
using test::Tree;
using test::write_file;

Tree tree_of(const inventory::Inventory& inv, std::uint32_t fs) {
  Tree t;
  for (const auto& e : inv.entries()) {
    if (e.filesystem != fs || e.path == "/" || e.path == "/lost+found") continue;
    t[e.path] = test::Node{vfs::to_string(e.st.type), e.st.uid,        e.st.gid,    e.st.mode, e.link_target,
                           e.st.rdev_major,           e.st.rdev_minor, e.capability};
  }
  return t;
}

std::optional<std::uint32_t> fs_with_prefix(const inventory::Inventory& inv, const std::string& prefix) {
  for (std::uint32_t i = 0; i < inv.filesystems().size(); ++i) {
    if (inv.filesystems()[i].prefix == prefix) return i;
  }
  return std::nullopt;
}

const inventory::Entry* find_display(const inventory::Inventory& inv, const std::string& display) {
  for (const auto& e : inv.entries()) {
    if (inv.display_path(e) == display) return &e;
  }
  return nullptr;
}

std::string diagnostics_text(const TargetInfo& info) {
  std::string s;
  for (const auto& d : info.diagnostics) s += d.path + ": " + d.message + "\n";
  return s;
}

test::CommandResult cli_scan(const std::string& target) {
  return run(shell_quote(test::fwcert_binary()) + " scan --format json " + shell_quote(target));
}

std::string make_super(const std::string& out, const std::string& args) {
  return "python3 " + shell_quote(test::source_dir() + "/tests/support/make_super.py") + " " + shell_quote(out) + " " +
         args;
}

class Containers2Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) return;
    dir_ = new TempDir();
    root_ = (*dir_) / "root";
    setup_error_ = test::build_tree(root_);
    if (!setup_error_.empty()) return;
    const std::string q = shell_quote(root_);
    auto r = run("mke2fs -q -F -t ext4 -d " + q + " " + shell_quote((*dir_) / "system.ext4") + " 8M && mksquashfs " +
                 q + " " + shell_quote((*dir_) / "vendor.sqfs") + " -noappend -quiet -no-progress -xattrs");
    if (r.exit_code != 0) setup_error_ = r.output;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "building the fixture (owners, mknod, setcap) needs root";
    ASSERT_EQ(setup_error_, "");
  }

  /// A super with system_a (the ext4 in two extents stored in reverse order), vendor_a (the
  /// squashfs followed by a zero extent) and an empty system_b.
  static std::string super_image(const std::string& name, const std::string& extra = "") {
    const std::string out = (*dir_) / name;
    auto r = run(make_super(out, "system_a=" + shell_quote((*dir_) / "system.ext4") + ",split=2 vendor_a=" +
                                     shell_quote((*dir_) / "vendor.sqfs") + ",zero=8 --empty system_b " + extra));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return out;
  }

  /// Scans `target` with nesting and checks that both partitions' filesystems hold the fixture.
  static TargetInfo expect_both_partitions(const std::string& target, const std::string& want_format) {
    TargetInfo info;
    auto inv = scanning::open_target(target, ScanOptions{}, info);
    EXPECT_TRUE(inv.ok()) << (inv ? "" : inv.error().describe());
    if (!inv) return info;
    EXPECT_EQ(info.format, want_format);
    auto system = fs_with_prefix(**inv, "/system_a!");
    auto vendor = fs_with_prefix(**inv, "/vendor_a!");
    EXPECT_TRUE(system && vendor) << diagnostics_text(info);
    if (!system || !vendor) return info;
    EXPECT_EQ((*inv)->filesystems()[*system].type, "ext4");
    EXPECT_EQ((*inv)->filesystems()[*vendor].type, "squashfs");
    EXPECT_EQ(tree_of(**inv, *system), test::expected_tree()) << diagnostics_text(info);
    EXPECT_EQ(tree_of(**inv, *vendor), test::expected_tree()) << diagnostics_text(info);
    EXPECT_EQ((*inv)->vfs(*system).read_file("/etc/passwd", 4096).value_or(""), "root:x:0:0:root:/root:/bin/sh\n");
    EXPECT_EQ((*inv)->vfs(*vendor).read_file("/var/www/index.html", 4096).value_or(""), "<html></html>\n");
    // The partition table summary names every partition, the empty slot too.
    std::string table = (*inv)->vfs(0).read_file("/lp-partitions.txt", 1 << 16).value_or("");
    EXPECT_NE(table.find("system_b main_a 0x1 0 0"), std::string::npos) << table;
    // vendor_a: the squashfs bytes, then 8 zero sectors.
    const std::string sqfs = test::read_file((*dir_) / "vendor.sqfs");
    const std::size_t padded = (sqfs.size() + 4095) / 4096 * 4096;
    auto st = (*inv)->vfs(0).stat("/vendor_a");
    EXPECT_TRUE(st.ok());
    if (st) {
      EXPECT_EQ(st->size, padded + 8 * 512);
    }
    auto tail = (*inv)->vfs(0).read_file("/vendor_a", 1 << 26).value_or("");
    EXPECT_EQ(tail.substr(0, sqfs.size()), sqfs);
    EXPECT_EQ(tail.substr(padded), std::string(8 * 512, '\0'));
    return info;
  }

  static TempDir* dir_;
  static std::string root_;
  static std::string setup_error_;
};

TempDir* Containers2Test::dir_ = nullptr;
std::string Containers2Test::root_;
std::string Containers2Test::setup_error_;

// ---- Android super ----

TEST_F(Containers2Test, SuperExposesEveryLogicalPartitionAndTheirFilesystems) {
  TargetInfo info = expect_both_partitions(super_image("super.img"), "android-super");
  EXPECT_FALSE(info.partial) << diagnostics_text(info);
  TargetInfo v2 = expect_both_partitions(super_image("super-v2.img", "--minor 2"), "android-super");
  EXPECT_FALSE(v2.partial) << diagnostics_text(v2);
}

TEST_F(Containers2Test, SuperAndIsoInsideADirectoryTargetAreOpened) {
  // A factory-image tree: super.img and update media among other files; their first bytes are
  // zeros, so only the deeper magics say what they are.
  const std::string target = (*dir_) / "factory";
  write_file(target + "/images/super.img", test::read_file(super_image("super-nested.img")));
  write_file(target + "/images/data.bin", std::string(20000, '\0'));
  bool iso = test::have_tool("xorriso");
  if (iso) {
    ASSERT_EQ(run("xorriso -as mkisofs -quiet -R -o " + shell_quote(target + "/update.iso") + " " + shell_quote(root_))
                  .exit_code,
              0);
  }
  TargetInfo info;
  auto inv = scanning::open_target(target, ScanOptions{}, info);
  ASSERT_TRUE(inv.ok()) << inv.error().describe();
  auto system = fs_with_prefix(**inv, "/images/super.img!/system_a!");
  ASSERT_TRUE(system) << diagnostics_text(info);
  EXPECT_EQ(tree_of(**inv, *system), test::expected_tree());
  if (iso) {
    auto media = fs_with_prefix(**inv, "/update.iso!");
    ASSERT_TRUE(media) << diagnostics_text(info);
    EXPECT_EQ(tree_of(**inv, *media), test::expected_for(test::Limits{.xattrs = false}));
  }
  EXPECT_FALSE(info.partial) << diagnostics_text(info);
}

TEST_F(Containers2Test, SparseSuperIsReadThroughTheSparseWrapper) {
  const std::string img = super_image("super-for-sparse.img");
  ASSERT_EQ(run("img2simg " + shell_quote(img) + " " + shell_quote(img + ".simg")).exit_code, 0);
  TargetInfo info = expect_both_partitions(img + ".simg", "android-sparse > android-super");
  EXPECT_FALSE(info.partial) << diagnostics_text(info);
}

TEST_F(Containers2Test, SuperWithADamagedPrimaryTableUsesTheBackupAndIsPartial) {
  TargetInfo info = expect_both_partitions(super_image("super-bad.img", "--corrupt primary-tables"), "android-super");
  EXPECT_TRUE(info.partial);
  const std::string d = diagnostics_text(info);
  EXPECT_NE(d.find("primary metadata at 0x3000: tables checksum does not match"), std::string::npos) << d;
  EXPECT_NE(d.find("the backup metadata copy is used"), std::string::npos) << d;

  TargetInfo hdr =
      expect_both_partitions(super_image("super-bad-hdr.img", "--corrupt primary-header"), "android-super");
  EXPECT_TRUE(hdr.partial);
  EXPECT_NE(diagnostics_text(hdr).find("header"), std::string::npos) << diagnostics_text(hdr);
}

TEST_F(Containers2Test, SuperWithNoVerifiedCopyIsReadButSaysSo) {
  // Both copies' tables differ from their checksum: the primary is used (a name changed case).
  const std::string img = super_image("super-bad-all.img", "--corrupt all-tables");
  auto r = cli_scan(img);
  auto report = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.output.substr(0, 2000);
  EXPECT_TRUE(report["target"]["partial"].get<bool>());
  const std::string diags = report["target"]["diagnostics"].dump();
  EXPECT_NE(diags.find("no metadata copy verifies"), std::string::npos) << diags;
  EXPECT_NE(report["target"]["filesystems"].dump().find("/sYstem_a!"), std::string::npos)
      << report["target"]["filesystems"].dump();
}

TEST_F(Containers2Test, TruncatedSuperIsPartialNeverAQuietPass) {
  const std::string img = super_image("super-cut.img");
  const std::string full = test::read_file(img);
  // Cut inside system_a's second extent (stored first after the metadata, at 1 MiB).
  write_file((*dir_) / "super-cut2.img", full.substr(0, (1 << 20) + 300000));
  auto r = cli_scan((*dir_) / "super-cut2.img");
  auto report = nlohmann::json::parse(r.output, nullptr, false);
  if (r.exit_code == 2) return;  // nothing readable: said so
  ASSERT_FALSE(report.is_discarded()) << r.output.substr(0, 2000);
  EXPECT_TRUE(report["target"]["partial"].get<bool>());
  EXPECT_NE(report["target"]["diagnostics"].dump().find("runs past the end of the image"), std::string::npos)
      << report["target"]["diagnostics"].dump();
  // Cut inside the metadata: no readable copy (the backup lies past the cut) is exit 2.
  write_file((*dir_) / "super-cut3.img", full.substr(0, 12288 + 100));
  auto m = cli_scan((*dir_) / "super-cut3.img");
  EXPECT_EQ(m.exit_code, 2) << m.output;
  EXPECT_NE(m.output.find("no readable LpMetadata"), std::string::npos) << m.output;
}

// ---- vbmeta as the target ----

void be(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

/// A vbmeta image (AVB 1.2 header, algorithm NONE, no descriptors) with the given flags.
std::string vbmeta_image(std::uint32_t flags) {
  std::string h = "AVB0";
  be(h, 1, 4);
  be(h, 2, 4);
  be(h, 0, 8);                               // authentication block
  be(h, 64, 8);                              // auxiliary block: one 64-byte block of zeros
  be(h, 0, 4);                               // algorithm NONE
  for (int i = 0; i < 10; ++i) be(h, 0, 8);  // hash, signature, key, key metadata, descriptors
  be(h, 5, 8);                               // rollback index
  be(h, flags, 4);
  be(h, 0, 4);
  std::string release = "avbtool 1.2.0";
  h += release + std::string(48 - release.size(), '\0') + std::string(80, '\0');
  return h + std::string(64, '\0');
}

TEST(VbmetaTarget, AVbmetaImageIsJudgedByTheVerifiedBootChecks) {
  TempDir d;
  write_file(d / "vbmeta.img", vbmeta_image(2));
  ASSERT_EQ(vbmeta_image(2).size(), 256u + 64u);
  auto r = cli_scan(d / "vbmeta.img");
  auto report = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.output.substr(0, 2000);
  EXPECT_EQ(report["target"]["format"], "vbmeta");
  bool judged = false;
  for (const auto& f : report["findings"]) {
    if (f["check"] == "boot-android-avb") {
      judged = true;
      EXPECT_EQ(f["status"], "fail") << f.dump();
      EXPECT_NE(f.dump().find("/vbmeta.img"), std::string::npos) << f.dump();
    }
  }
  EXPECT_TRUE(judged) << report["findings"].dump().substr(0, 3000);
  auto facts = run(shell_quote(test::fwcert_binary()) + " facts --format json " + shell_quote(d / "vbmeta.img"));
  EXPECT_NE(facts.output.find("avb.vbmeta"), std::string::npos) << "the header is recorded as a fact\n" << facts.output;
  EXPECT_FALSE(report["target"]["partial"].get<bool>());
  // A header cut short is no vbmeta fwcert can judge.
  write_file(d / "cut.img", vbmeta_image(0).substr(0, 100));
  EXPECT_EQ(cli_scan(d / "cut.img").exit_code, 2);
}

// ---- ISO 9660 ----

TEST_F(Containers2Test, Iso9660WithRockRidgeKeepsOwnersAndModes) {
  if (!test::have_tool("xorriso")) GTEST_SKIP() << "xorriso not installed (scripts/install-deps.sh)";
  const std::string iso = (*dir_) / "fixture.iso";
  auto r = run("xorriso -as mkisofs -quiet -R -o " + shell_quote(iso) + " " + shell_quote(root_));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  TargetInfo info;
  ScanOptions options;
  options.nested = false;
  auto inv = scanning::open_target(iso, options, info);
  ASSERT_TRUE(inv.ok()) << inv.error().describe();
  EXPECT_EQ(info.format, "iso9660");
  // Rock Ridge carries owners, modes, symlinks and device nodes; not file capabilities.
  EXPECT_EQ(tree_of(**inv, 0), test::expected_for(test::Limits{.xattrs = false})) << diagnostics_text(info);
  EXPECT_EQ((*inv)->vfs(0).read_file("/etc/shadow", 4096).value_or(""), "root:*:19000:0:99999:7:::\n");
  EXPECT_FALSE(info.partial) << diagnostics_text(info);
  // Compressed update media too.
  ASSERT_EQ(run("xz -c " + shell_quote(iso) + " > " + shell_quote(iso + ".xz")).exit_code, 0);
  TargetInfo xz;
  auto inv2 = scanning::open_target(iso + ".xz", options, xz);
  ASSERT_TRUE(inv2.ok()) << inv2.error().describe();
  EXPECT_EQ(tree_of(**inv2, 0), test::expected_for(test::Limits{.xattrs = false}));
}

// ---- recognised but not read: honest, never a quiet pass ----

// ---- FAT ----

/// The tree every FAT test packs with mcopy: long and short names, nesting, a read-only file.
void build_fat_tree(const std::string& root) {
  write_file(root + "/EFI/BOOT/BOOTX64.EFI", "MZ fake efi loader\n");
  write_file(root + "/boot.cfg", "console=ttyS0 root=/dev/mmcblk0p2\n");
  write_file(root + "/A Long File Name With Spaces.txt", std::string(70000, 'x') + "end\n");
  write_file(root + "/dir/sub/deep.txt", "deep\n");
  write_file(root + "/readonly.txt", "ro\n");
}

Tree fat_tree() {
  // The kernel's vfat defaults: uid/gid 0, umask 022; read-only files lose their write bits.
  return {
      {"/EFI", {"directory", 0, 0, 0755}},
      {"/EFI/BOOT", {"directory", 0, 0, 0755}},
      {"/EFI/BOOT/BOOTX64.EFI", {"file", 0, 0, 0755}},
      {"/boot.cfg", {"file", 0, 0, 0755}},
      {"/A Long File Name With Spaces.txt", {"file", 0, 0, 0755}},
      {"/dir", {"directory", 0, 0, 0755}},
      {"/dir/sub", {"directory", 0, 0, 0755}},
      {"/dir/sub/deep.txt", {"file", 0, 0, 0755}},
      {"/readonly.txt", {"file", 0, 0, 0555}},
  };
}

std::string make_fat(const TempDir& d, const std::string& bits) {
  const std::string img = d / ("fat" + bits + ".img");
  const std::string size = bits == "32" ? "40000" : bits == "16" ? "32768" : "4096";
  auto r = run("mkfs.vfat -C -F " + bits + " " + shell_quote(img) + " " + size + " >/dev/null && cd " +
               shell_quote(d / "fat-src") + " && mcopy -s -i " + shell_quote(img) +
               " EFI boot.cfg 'A Long File Name With Spaces.txt' dir readonly.txt ::/ && mattrib -i " +
               shell_quote(img) + " +r ::/readonly.txt");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return img;
}

TEST(FatImages, Fat12And16And32ReadLikeTheKernelShowsThem) {
  if (!test::have_tool("mkfs.vfat") || !test::have_tool("mcopy")) GTEST_SKIP() << "dosfstools/mtools not installed";
  TempDir d;
  build_fat_tree(d / "fat-src");
  for (const std::string bits : {"12", "16", "32"}) {
    const std::string img = make_fat(d, bits);
    TargetInfo info;
    ScanOptions options;
    options.nested = false;
    auto inv = scanning::open_target(img, options, info);
    ASSERT_TRUE(inv.ok()) << inv.error().describe();
    EXPECT_EQ(info.format, "fat" + bits);
    EXPECT_EQ(tree_of(**inv, 0), fat_tree()) << "FAT" << bits << "\n" << diagnostics_text(info);
    EXPECT_EQ((*inv)->vfs(0).read_file("/A Long File Name With Spaces.txt", 1 << 20).value_or(""),
              test::read_file(d / "fat-src/A Long File Name With Spaces.txt"));
    EXPECT_EQ((*inv)->vfs(0).read_file("/dir/sub/deep.txt", 4096).value_or(""), "deep\n");
    // Names are case-insensitive, as on the device.
    EXPECT_EQ((*inv)->vfs(0).read_file("/BOOT.CFG", 4096).value_or(""), "console=ttyS0 root=/dev/mmcblk0p2\n");
    EXPECT_FALSE(info.partial) << diagnostics_text(info);
  }
}

TEST(FatImages, NestedAndDamagedFatImages) {
  if (!test::have_tool("mkfs.vfat") || !test::have_tool("mcopy")) GTEST_SKIP() << "dosfstools/mtools not installed";
  TempDir d;
  build_fat_tree(d / "fat-src");
  const std::string img = make_fat(d, "16");
  // A boot partition image inside a directory target is opened and walked.
  write_file(d / "rootfs/images/boot.vfat", test::read_file(img));
  TargetInfo info;
  auto inv = scanning::open_target(d / "rootfs", ScanOptions{}, info);
  ASSERT_TRUE(inv.ok()) << inv.error().describe();
  ASSERT_EQ(info.filesystems.size(), 2u) << diagnostics_text(info);
  EXPECT_EQ(info.filesystems[1].type, "fat16");
  // Cut inside the data area: partial with a warning, or nothing read (exit 2); never a quiet pass.
  const std::string full = test::read_file(img);
  write_file(d / "cut.vfat", full.substr(0, full.size() / 3));
  auto r = cli_scan(d / "cut.vfat");
  if (r.exit_code != 2) {
    auto report = nlohmann::json::parse(r.output, nullptr, false);
    ASSERT_FALSE(report.is_discarded()) << r.output.substr(0, 2000);
    EXPECT_TRUE(report["target"]["partial"].get<bool>()) << r.output.substr(0, 2000);
    EXPECT_NE(report["target"]["diagnostics"].dump().find("is cut at"), std::string::npos);
  }
  // A FAT whose every entry points back at itself: chains are bounded, the scan ends.
  std::string looped = full;
  for (std::size_t i = 512 + 4; i + 1 < 512 + 4096; i += 2) {
    const std::uint16_t self = static_cast<std::uint16_t>((i - 512) / 2);
    looped[i] = static_cast<char>(self & 0xff);
    looped[i + 1] = static_cast<char>(self >> 8);
  }
  write_file(d / "looped.vfat", looped);
  auto l = cli_scan(d / "looped.vfat");
  EXPECT_NE(l.exit_code, -1) << l.output;
}

// ---- recognised but not read: honest, never a quiet pass ----

/// A squashfs superblock of version major.minor with `magic`, in that magic's byte order,
/// followed by zeros: what fwcert reads of a 3.x image before it decides not to read it.
std::string old_squashfs(const std::string& magic, bool big, std::uint16_t major, std::uint16_t minor) {
  std::string sb(4096, '\0');
  auto put = [&](std::size_t at, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) sb[at + (big ? bytes - 1 - i : i)] = static_cast<char>((v >> (8 * i)) & 0xff);
  };
  sb.replace(0, 4, magic);
  put(4, 12, 4);  // inodes
  put(8, 4096, 4);
  put(28, major, 2);
  put(30, minor, 2);
  put(32, 0, 2);   // block_size_1 (128 KiB does not fit 16 bits)
  put(34, 17, 2);  // block_log
  put(51, 1 << 17, 4);
  put(63, 4096, 8);  // bytes_used
  return sb;
}

TEST(UnreadFormats, Squashfs3AndVendorMagicsAreNamedNotPassed) {
  TempDir d;
  struct Case {
    const char* file;
    std::string bytes;
    const char* says;
  };
  const Case cases[] = {
      {"sqsh31.bin", old_squashfs("sqsh", true, 3, 1), "squashfs 3.1 big-endian (sqsh)"},
      {"hsqs30.bin", old_squashfs("hsqs", false, 3, 0), "squashfs 3.0 little-endian (hsqs)"},
      {"shsq.bin", old_squashfs("shsq", false, 3, 0), "squashfs 3.0 little-endian (shsq, vendor LZMA magic)"},
      {"qshs.bin", old_squashfs("qshs", true, 3, 1), "squashfs 3.1 big-endian (qshs, vendor LZMA magic)"},
  };
  for (const Case& c : cases) {
    write_file(d / c.file, c.bytes);
    auto r = cli_scan(d / c.file);
    EXPECT_EQ(r.exit_code, 2) << c.file << "\n" << r.output;
    EXPECT_NE(r.output.find(std::string(c.says) + ": not read by this version"), std::string::npos) << c.file << "\n"
                                                                                                    << r.output;
  }
  // Compressed: the chain is named with the variant.
  ASSERT_EQ(run("gzip -c " + shell_quote(d / "sqsh31.bin") + " > " + shell_quote(d / "sqsh31.bin.gz")).exit_code, 0);
  auto gz = cli_scan(d / "sqsh31.bin.gz");
  EXPECT_EQ(gz.exit_code, 2) << gz.output;
  EXPECT_NE(gz.output.find("gzip stream holding a squashfs 3.1 big-endian (sqsh)"), std::string::npos) << gz.output;
}

TEST(UnreadFormats, NestedSquashfs3MakesTheScanPartial) {
  TempDir d;
  write_file(d / "rootfs/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
  write_file(d / "rootfs/lib/firmware/radio.img", old_squashfs("sqsh", true, 3, 0));
  TargetInfo info;
  auto inv = scanning::open_target(d / "rootfs", ScanOptions{}, info);
  ASSERT_TRUE(inv.ok()) << inv.error().describe();
  EXPECT_TRUE(info.partial);
  EXPECT_NE(diagnostics_text(info).find("/lib/firmware/radio.img: squashfs 3.0 big-endian (sqsh): not read"),
            std::string::npos)
      << diagnostics_text(info);
}

TEST(UnreadFormats, CarvedSquashfs3AndFatMakeTheScanPartial) {
  TempDir d;
  write_file(d / "src/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
  ASSERT_EQ(
      run("mksquashfs " + shell_quote(d / "src") + " " + shell_quote(d / "new.sqfs") + " -noappend -quiet -no-progress")
          .exit_code,
      0);
  // A router flash dump: a bootloader, a squashfs 3.1 big-endian root, then a readable squashfs.
  std::string blob(0x10000, '\x5a');
  blob += old_squashfs("sqsh", true, 3, 1);
  blob.resize(0x40000, '\xff');
  blob += test::read_file(d / "new.sqfs");
  write_file(d / "flash.bin", blob);
  TargetInfo info;
  auto inv = scanning::open_target(d / "flash.bin", ScanOptions{}, info);
  ASSERT_TRUE(inv.ok()) << inv.error().describe();
  EXPECT_TRUE(info.partial);
  EXPECT_NE(diagnostics_text(info).find("@0x10000: squashfs 3.1 big-endian (sqsh): not read"), std::string::npos)
      << diagnostics_text(info);
  ASSERT_EQ(info.filesystems.size(), 1u);
  EXPECT_EQ(info.filesystems[0].offset, 0x40000u);

  // Only the old squashfs: exit 2, and the message says what was found where.
  write_file(d / "only-old.bin", blob.substr(0, 0x40000));
  auto r = cli_scan(d / "only-old.bin");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("at 0x10000: squashfs 3.1 big-endian (sqsh)"), std::string::npos) << r.output;

  if (!test::have_tool("mkfs.vfat")) return;
  ASSERT_EQ(run("mkfs.vfat -C " + shell_quote(d / "boot.vfat") + " 1024 >/dev/null && mcopy -i " +
                shell_quote(d / "boot.vfat") + " " + shell_quote(d / "src/etc/passwd") + " ::/cmdline.txt")
                .exit_code,
            0);
  std::string dump(0x8000, '\0');  // an MBR-like head
  dump += test::read_file(d / "boot.vfat");
  dump.resize((dump.size() + 0xFFFF) & ~std::size_t{0xFFFF}, '\0');
  const std::size_t squashfs_at = dump.size();
  dump += test::read_file(d / "new.sqfs");
  write_file(d / "emmc.bin", dump);
  TargetInfo fat;
  auto inv2 = scanning::open_target(d / "emmc.bin", ScanOptions{}, fat);
  ASSERT_TRUE(inv2.ok()) << inv2.error().describe();
  ASSERT_EQ(fat.filesystems.size(), 2u) << diagnostics_text(fat);
  EXPECT_EQ(fat.filesystems[0].type, "fat12");
  EXPECT_EQ(fat.filesystems[0].offset, 0x8000u);
  EXPECT_EQ(fat.filesystems[1].offset, squashfs_at);
  EXPECT_NE(find_display(**inv2, "/cmdline.txt"), nullptr);
}

}  // namespace
}  // namespace fwcert
