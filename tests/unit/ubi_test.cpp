// NAND flash images: the fixture tree packed with mkfs.ubifs (every compressor) and ubinize (a
// dynamic UBIFS volume and a static volume holding a squashfs; 128 KiB PEBs with 2 KiB pages and
// 16 KiB PEBs with 512-byte pages) must give the inventory the tree holds, with file contents
// read back byte-equal. Also: UBI carved from a raw flash dump, and damaged or truncated images
// are partial with a diagnostic, never a quiet pass.
//
// What mkfs.ubifs (mtd-utils 2.1.5) does not store, and the expectation therefore leaves out:
// file capabilities (it copies no xattr but the SELinux label it computes from --selinux, so
// security.capability is dropped; the label is checked instead). Owners, modes, setuid/setgid/
// sticky bits, symlinks, device numbers and hard links are all stored and compared.
//
// Building the tree needs root (owners, a device node); CI runs as root, elsewhere the tests skip.

#include "vfs/ubi.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/byte_reader.hpp"
#include "scan/target.hpp"
#include "support/fixture_tree.hpp"
#include "support/test_util.hpp"
#include "vfs/open.hpp"

namespace fwcert {
namespace {

using test::run;
using test::shell_quote;
using test::TempDir;
using test::Tree;
using test::write_file;

/// A NAND geometry: ubinize's and mkfs.ubifs's parameters for one flash chip.
struct Geometry {
  const char* name;
  std::uint32_t page;  ///< min I/O unit (and sub-page)
  std::uint32_t peb;
  std::uint32_t leb;  ///< PEB less the EC and VID header pages
};
constexpr Geometry kLargePage{"128k", 2048, 128 * 1024, 128 * 1024 - 2 * 2048};
constexpr Geometry kSmallPage{"16k", 512, 16 * 1024, 16 * 1024 - 2 * 512};

/// The fixture as UBIFS stores it: everything but the capability.
Tree ubifs_expected() {
  Tree t = test::expected_tree();
  for (auto& [path, node] : t) node.capability.clear();
  return t;
}

struct Scanned {
  Tree tree;
  std::set<std::set<std::string>> hard_links;
  TargetInfo info;
  std::unique_ptr<inventory::Inventory> inv;
  std::optional<std::uint32_t> fs;
};

/// Scans `target` (nested images opened) and reduces the filesystem shown with `prefix` to a Tree.
Scanned scan(const std::string& target, const std::string& prefix) {
  Scanned out;
  auto inv = scanning::open_target(target, ScanOptions{}, out.info);
  EXPECT_TRUE(inv.ok()) << target << ": " << (inv ? "" : inv.error().describe());
  if (!inv) return out;
  for (std::uint32_t i = 0; i < (*inv)->filesystems().size(); ++i) {
    if ((*inv)->filesystems()[i].prefix == prefix) out.fs = i;
  }
  EXPECT_TRUE(out.fs.has_value()) << target << ": no filesystem " << prefix;
  std::map<std::uint64_t, std::set<std::string>> by_inode;
  for (const auto& e : (*inv)->entries()) {
    if (!out.fs || e.filesystem != *out.fs || e.path == "/") continue;
    out.tree[e.path] = test::Node{vfs::to_string(e.st.type), e.st.uid,        e.st.gid,    e.st.mode, e.link_target,
                                  e.st.rdev_major,           e.st.rdev_minor, e.capability};
    if (e.st.is_regular() && e.st.nlink > 1) by_inode[e.st.inode].insert(e.path);
  }
  for (auto& [ino, paths] : by_inode) out.hard_links.insert(paths);
  out.inv = std::move(*inv);
  return out;
}

std::string diagnostics_text(const TargetInfo& info) {
  std::string s;
  for (const auto& d : info.diagnostics) s += d.path + ": " + d.message + "\n";
  return s;
}

test::CommandResult cli_scan(const std::string& target) {
  return run(shell_quote(test::fwcert_binary()) + " scan --format json " + shell_quote(target));
}

class UbiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) return;
    dir_ = new TempDir();
    root_ = (*dir_) / "root";
    setup_error_ = test::build_tree(root_);
    // Contents worth reading back: several blocks, compressible and not, a hole, an empty file.
    content_ = (*dir_) / "content";
    auto r = run("set -e; mkdir -p " + shell_quote(content_) + "; cd " + shell_quote(content_) +
                 "; head -c 70000 /dev/urandom > random.bin; seq 1 30000 > seq.txt"
                 "; printf 'UNIQUE-MARKER-%0500d' 7 > marker.txt; : > empty"
                 "; truncate -s 40000 holey; printf tail >> holey; mkdir -p d/e; cp seq.txt d/e/copy");
    if (r.exit_code != 0) setup_error_ += r.output;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "building the fixture (owners, mknod) needs root";
    ASSERT_EQ(setup_error_, "");
  }

  /// mkfs.ubifs of `source` with compressor `compr` for geometry `g`.
  static std::string ubifs(const std::string& source, const std::string& compr, const Geometry& g,
                           const std::string& extra = "") {
    std::string out = (*dir_) / (std::string("fs-") + g.name + "-" + compr + "-" +
                                 std::to_string(std::hash<std::string>{}(source + extra)) + ".ubifs");
    auto r = run("mkfs.ubifs -r " + shell_quote(source) + " -m " + std::to_string(g.page) + " -e " +
                 std::to_string(g.leb) + " -c 200 -x " + compr + " " + extra + " -o " + shell_quote(out));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return out;
  }

  /// ubinize of a dynamic UBIFS volume "rootfs" and a static volume "rescue" holding a squashfs.
  static std::string ubi(const std::string& ubifs_image, const Geometry& g, const std::string& name) {
    const std::string sqfs = (*dir_) / (name + ".sqfs");
    const std::string cfg = (*dir_) / (name + ".cfg");
    const std::string out = (*dir_) / (name + ".ubi");
    auto r = run("mksquashfs " + shell_quote(root_) + " " + shell_quote(sqfs) +
                 " -noappend -quiet -no-progress -xattrs -comp gzip");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    write_file(cfg, "[rootfs]\nmode=ubi\nimage=" + ubifs_image +
                        "\nvol_id=0\nvol_type=dynamic\nvol_name=rootfs\nvol_flags=autoresize\n"
                        "[rescue]\nmode=ubi\nimage=" +
                        sqfs + "\nvol_id=1\nvol_type=static\nvol_name=rescue\n");
    r = run("ubinize -o " + shell_quote(out) + " -m " + std::to_string(g.page) + " -p " + std::to_string(g.peb) +
            " -s " + std::to_string(g.page) + " " + shell_quote(cfg));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return out;
  }

  /// Every regular file under `host` reads back from `fs` with the same bytes.
  static void expect_contents(const Scanned& s, const std::string& host, const std::string& what) {
    ASSERT_TRUE(s.inv && s.fs) << what;
    const auto& fs = s.inv->vfs(*s.fs);
    auto r = run("cd " + shell_quote(host) + " && find . -type f | sort");
    std::size_t files = 0;
    std::size_t at = 0;
    while (at < r.output.size()) {
      auto nl = r.output.find('\n', at);
      std::string rel = r.output.substr(at + 1, nl - at - 1);  // drop the leading "."
      at = nl + 1;
      auto got = fs.read_file(rel, 1 << 20);
      ASSERT_TRUE(got.ok()) << what << " " << rel << ": " << got.error().describe();
      EXPECT_EQ(*got, test::read_file(host + rel)) << what << " " << rel;
      ++files;
    }
    EXPECT_GE(files, 6u) << what;
  }

  static TempDir* dir_;
  static std::string root_;
  static std::string content_;
  static std::string setup_error_;
};

TempDir* UbiTest::dir_ = nullptr;
std::string UbiTest::root_;
std::string UbiTest::content_;
std::string UbiTest::setup_error_;

TEST_F(UbiTest, BareUbifsWithEveryCompressorHoldsTheFixture) {
  for (const char* compr : {"lzo", "zlib", "zstd", "none"}) {
    Scanned s = scan(ubifs(root_, compr, kLargePage), "");
    EXPECT_EQ(s.info.format, "ubifs") << compr;
    EXPECT_EQ(s.tree, ubifs_expected()) << compr;
    EXPECT_EQ(s.hard_links, test::fixture_hard_links()) << compr;
    EXPECT_FALSE(s.info.partial) << compr << "\n" << diagnostics_text(s.info);
    Scanned c = scan(ubifs(content_, compr, kLargePage), "");
    expect_contents(c, content_, compr);
    EXPECT_FALSE(c.info.partial) << compr << "\n" << diagnostics_text(c.info);
  }
}

TEST_F(UbiTest, SelinuxLabelsAreReadAsXattrs) {
  const std::string fc = (*dir_) / "file_contexts";
  write_file(fc, "/.*  system_u:object_r:etc_t:s0\n/bin/su  system_u:object_r:su_exec_t:s0\n");
  Scanned s = scan(ubifs(root_, "lzo", kLargePage, "--selinux=" + shell_quote(fc)), "");
  ASSERT_TRUE(s.inv && s.fs);
  auto x = s.inv->vfs(*s.fs).xattrs("/bin/su");
  ASSERT_TRUE(x.ok()) << x.error().describe();
  ASSERT_EQ(x->size(), 1u);
  EXPECT_EQ((*x)[0].name, "security.selinux");
  EXPECT_EQ((*x)[0].value.substr(0, 30), "system_u:object_r:su_exec_t:s0");
}

TEST_F(UbiTest, UbiVolumesOpenAsUbifsAndSquashfsInBothGeometries) {
  for (const Geometry& g : {kLargePage, kSmallPage}) {
    const std::string image = ubi(ubifs(root_, "lzo", g), g, std::string("both-") + g.name);
    Scanned root = scan(image, "");
    EXPECT_EQ(root.info.format, "ubi") << g.name;
    EXPECT_FALSE(root.info.partial) << g.name << "\n" << diagnostics_text(root.info);
    EXPECT_TRUE(root.tree.count("/rootfs")) << g.name;
    EXPECT_TRUE(root.tree.count("/rescue")) << g.name;
    // The static volume is exactly the squashfs ubinize was given.
    ASSERT_TRUE(root.inv && root.fs);
    EXPECT_EQ(root.inv->vfs(*root.fs).read_file("/rescue", 16 << 20).value_or(""),
              test::read_file((*dir_) / (std::string("both-") + g.name + ".sqfs")))
        << g.name;

    Scanned fs = scan(image, "/rootfs!");
    EXPECT_EQ(fs.tree, ubifs_expected()) << g.name;
    EXPECT_EQ(fs.hard_links, test::fixture_hard_links()) << g.name;
    Scanned sq = scan(image, "/rescue!");
    EXPECT_EQ(sq.tree, test::expected_tree()) << g.name << ": squashfs keeps the capability";
    bool types_ok = false;
    for (const auto& f : root.info.filesystems) types_ok |= f.prefix == "/rootfs!" && f.type == "ubifs";
    EXPECT_TRUE(types_ok) << g.name;

    const std::string content = ubi(ubifs(content_, "zstd", g), g, std::string("content-") + g.name);
    expect_contents(scan(content, "/rootfs!"), content_, std::string("ubi ") + g.name);
  }
}

TEST_F(UbiTest, CliReportsTheFormatChainAndCompressedImagesOpen) {
  const std::string image = ubi(ubifs(root_, "zlib", kLargePage), kLargePage, "cli");
  auto r = cli_scan(image);
  auto report = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.output.substr(0, 2000);
  EXPECT_EQ(report["target"]["format"], "ubi");
  EXPECT_FALSE(report["target"]["partial"].get<bool>()) << report["target"]["diagnostics"].dump();
  std::set<std::string> types;
  for (const auto& f : report["target"]["filesystems"]) types.insert(f["type"].get<std::string>());
  EXPECT_EQ(types, (std::set<std::string>{"ubi", "ubifs", "squashfs"})) << report["target"]["filesystems"].dump();

  ASSERT_EQ(run("gzip -c " + shell_quote(image) + " > " + shell_quote(image + ".gz")).exit_code, 0);
  Scanned gz = scan(image + ".gz", "/rootfs!");
  EXPECT_EQ(gz.info.format, "gzip > ubi");
  EXPECT_EQ(gz.tree, ubifs_expected());
  EXPECT_FALSE(gz.info.partial) << diagnostics_text(gz.info);
}

TEST_F(UbiTest, UbiInARawFlashDumpIsCarved) {
  const std::string image = test::read_file(ubi(ubifs(root_, "lzo", kLargePage), kLargePage, "carve"));
  const std::string kernel = (*dir_) / "kernel.bin";
  write_file(kernel, std::string(30000, 'K'));
  ASSERT_EQ(run("mkimage -A arm -O linux -T kernel -C none -a 0x8000 -e 0x8000 -d " + shell_quote(kernel) + " " +
                shell_quote((*dir_) / "kernel.uimg") + " >/dev/null")
                .exit_code,
            0);
  // A NAND dump: erased flash, a uImage partition, then the UBI partition at 0x60000.
  for (bool random_head : {false, true}) {
    std::string dump(0x10000, '\xff');
    if (random_head) {
      ASSERT_EQ(run("head -c 65536 /dev/urandom > " + shell_quote((*dir_) / "random.bin")).exit_code, 0);
      dump += test::read_file((*dir_) / "random.bin");  // after erased flash: never a magic at 0
    } else {
      dump += test::read_file((*dir_) / "kernel.uimg");
    }
    dump.resize(0x60000, '\xff');
    dump += image;
    dump += std::string(0x40000, '\xff');
    const std::string path = (*dir_) / (random_head ? "dump-random.bin" : "dump-uimage.bin");
    write_file(path, dump);
    Scanned s = scan(path, "/rootfs!");
    EXPECT_EQ(s.info.format, "raw");
    ASSERT_FALSE(s.info.filesystems.empty());
    EXPECT_EQ(s.info.filesystems[0].type, "ubi");
    EXPECT_EQ(s.info.filesystems[0].offset, 0x60000u);
    EXPECT_EQ(s.tree, ubifs_expected()) << path;
    EXPECT_FALSE(s.info.partial) << diagnostics_text(s.info);
  }
}

/// Offsets of PEBs whose VID header names volume `vol_id`, in PEB order.
std::vector<std::size_t> pebs_of(const std::string& image, const Geometry& g, std::uint32_t vol_id) {
  std::vector<std::size_t> out;
  for (std::size_t at = 0; at + g.peb <= image.size(); at += g.peb) {
    core::ByteReader r(image.data() + at + g.page, 64, core::Endian::kBig);
    if (r.u32().value_or(0) != 0x55424921u) continue;
    r.seek(8);
    if (r.u32().value_or(~0u) == vol_id) out.push_back(at);
  }
  return out;
}

TEST_F(UbiTest, DamagedVolumeHeaderIsReportedAndPartial) {
  const std::string path = ubi(ubifs(root_, "lzo", kLargePage), kLargePage, "damaged-vid");
  std::string image = test::read_file(path);
  auto pebs = pebs_of(image, kLargePage, 0);
  ASSERT_GE(pebs.size(), 5u);
  image[pebs.back() + kLargePage.page + 20] ^= 0x5A;  // data_size: the header CRC no longer matches
  write_file(path, image);
  auto r = cli_scan(path);
  auto report = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.output.substr(0, 2000);
  EXPECT_TRUE(report["target"]["partial"].get<bool>());
  EXPECT_NE(report["target"]["diagnostics"].dump().find("volume header CRC mismatch"), std::string::npos)
      << report["target"]["diagnostics"].dump();
}

/// Appends to `image` a copy of the PEB at `from` claiming its LEB with a higher sequence number,
/// the given copy flag and data CRC, and `data` as its LEB content (empty: the original's).
void append_copy(std::string& image, const Geometry& g, std::size_t from, bool copy_flag, bool good_crc,
                 const std::string& data = "") {
  std::string peb = image.substr(from, g.peb);
  const std::size_t data_at = 2 * g.page;
  if (!data.empty()) peb.replace(data_at, data.size(), data);
  auto put32 = [&](std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) peb[at + i] = static_cast<char>(v >> (24 - 8 * i));
  };
  const std::size_t vid = g.page;
  peb[vid + 6] = copy_flag ? 1 : 0;
  put32(vid + 20, g.leb);  // data_size: the whole LEB was copied
  const auto* bytes = reinterpret_cast<const std::byte*>(peb.data());
  std::uint32_t crc = vfs::ubi_crc32(std::span(bytes + data_at, g.leb));
  put32(vid + 32, good_crc ? crc : crc ^ 1);
  peb[vid + 40] = 0x7F;  // sqnum: newer than anything ubinize wrote
  put32(vid + 60, vfs::ubi_crc32(std::span(bytes + vid, 60)));
  image += peb;
}

TEST_F(UbiTest, DuplicateLebNewestWinsUnlessItIsABrokenCopy) {
  const std::string path = ubi(ubifs(root_, "lzo", kLargePage), kLargePage, "duplicates");
  const std::string original = test::read_file(path);
  auto pebs = pebs_of(original, kLargePage, 0);
  ASSERT_GE(pebs.size(), 5u);
  // A newer copy of LEB 0 (the superblock) whose data CRC fails: an interrupted wear-levelling
  // copy, so the older PEB is read and the file system is whole.
  std::string image = original;
  append_copy(image, kLargePage, pebs[0], true, false);
  write_file(path, image);
  Scanned broken = scan(path, "/rootfs!");
  EXPECT_EQ(broken.tree, ubifs_expected());
  EXPECT_FALSE(broken.info.partial) << diagnostics_text(broken.info);
  // A newer LEB 0 holding erased flash wins (no copy flag): the superblock is gone.
  image = original;
  append_copy(image, kLargePage, pebs[0], false, true, std::string(kLargePage.leb, '\xff'));
  write_file(path, image);
  Scanned newer = scan(path, "");
  for (const auto& f : newer.info.filesystems) EXPECT_NE(f.prefix, "/rootfs!") << "the erased LEB 0 was read";
  ASSERT_TRUE(newer.inv && newer.fs);
  EXPECT_EQ(newer.inv->vfs(*newer.fs).read_file("/rootfs", 64 << 20).value_or("").substr(0, 4), "\xff\xff\xff\xff");
}

TEST_F(UbiTest, DamagedDataNodeIsReportedPartialAndFailsToRead) {
  const std::string path = ubifs(content_, "none", kLargePage);
  std::string image = test::read_file(path);
  auto at = image.find("UNIQUE-MARKER-");
  ASSERT_NE(at, std::string::npos);
  image[at + 3] ^= 0x20;
  write_file(path, image);
  Scanned s = scan(path, "");
  EXPECT_TRUE(s.info.partial);
  EXPECT_NE(diagnostics_text(s.info).find("CRC mismatch"), std::string::npos) << diagnostics_text(s.info);
  ASSERT_TRUE(s.inv && s.fs);
  EXPECT_FALSE(s.inv->vfs(*s.fs).read_file("/marker.txt", 1 << 20).ok()) << "damaged bytes are never handed out";
  EXPECT_TRUE(s.inv->vfs(*s.fs).read_file("/seq.txt", 1 << 20).ok());
}

TEST_F(UbiTest, TruncatedImagesArePartialOrUnreadNeverAQuietPass) {
  const std::string ubi_path = ubi(ubifs(content_, "lzo", kLargePage), kLargePage, "truncated");
  const std::string ubifs_path = ubifs(content_, "lzo", kLargePage);
  for (const std::string& source : {ubi_path, ubifs_path}) {
    const std::string full = test::read_file(source);
    for (double cut : {0.05, 0.3, 0.6, 0.95}) {
      const std::string part = source + ".cut" + std::to_string(static_cast<int>(cut * 100));
      write_file(part, full.substr(0, static_cast<std::size_t>(static_cast<double>(full.size()) * cut) + 123));
      auto r = cli_scan(part);
      if (r.exit_code == 2) continue;  // nothing readable: said so
      auto report = nlohmann::json::parse(r.output, nullptr, false);
      ASSERT_FALSE(report.is_discarded()) << part << "\n" << r.output.substr(0, 2000);
      EXPECT_TRUE(report["target"]["partial"].get<bool>()) << part << "\n" << report["target"].dump();
    }
  }
}

TEST(UbiDetection, MagicsAndPebSize) {
  std::vector<std::byte> ec(64, std::byte{0});
  const char* magic = "UBI#\x01";
  std::memcpy(ec.data(), magic, 5);
  EXPECT_TRUE(vfs::is_ubi(ec));
  EXPECT_FALSE(vfs::is_ubifs(ec));
  auto d = vfs::detect_plain(ec);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->format, vfs::ImageFormat::kUbi);
  // A header whose CRC is wrong is no UBI extent: carving does not trust one bare magic.
  auto src = vfs::memory_source(ec, "ec");
  EXPECT_FALSE(vfs::ubi_extent(*src, 0));
}

}  // namespace
}  // namespace fwcert
