// cramfs images made by mkfs.cramfs from the cross-format fixture (flash_fixture.hpp):
// little-endian, big-endian (mkfs.cramfs -N big, and cramfsswap of the little-endian image),
// after a 512-byte boot block (-p) and with 16 KiB blocks (-b). The inventory must equal the
// tree in what cramfs stores, and every file must read back byte for byte. What cramfs cannot
// carry is taken out of the expectation, and only that:
// - gid: its low 8 bits (1000 becomes 232);
// - no xattrs, so no capability;
// - no hard links: mkfs.cramfs shares the data of identical files, each name its own inode;
// - no mtimes (not compared by the fixture anyway); uid 16 bits and size 24 bits hold the
//   fixture's values.
// Damaged and truncated images are partial or an error, never a quiet pass.

#include <nlohmann/json.hpp>

#include "flash_fixture.hpp"

namespace fwcert::flash_test {
namespace {

Tree cramfs_tree() {
  Tree t = expected_tree();
  for (auto& [path, n] : t) {
    n.gid &= 0xFF;
    n.capability.clear();
  }
  return t;
}

class CramfsTest : public FlashFixture {};

TEST_F(CramfsTest, BothByteOrdersBootBlockAndLargerBlocks) {
  const std::string le = pack("le.cramfs", "mkfs.cramfs ROOT OUT");
  struct Case {
    std::string name, command;
  };
  for (const Case& c :
       {Case{"le.cramfs", ""}, Case{"be.cramfs", "mkfs.cramfs -N big ROOT OUT"},
        Case{"swapped.cramfs", "cramfsswap " + shell_quote(le) + " OUT"},
        Case{"boot.cramfs", "mkfs.cramfs -p ROOT OUT"}, Case{"b16k.cramfs", "mkfs.cramfs -b 16384 ROOT OUT"}}) {
    const std::string img = c.command.empty() ? le : pack(c.name, c.command);
    Scanned s = scan_tree(img);
    EXPECT_EQ(s.info.format, "cramfs") << c.name;
    expect_tree(c.name, s, cramfs_tree(), false);
    EXPECT_TRUE(s.hard_links.empty()) << c.name;
  }
  // The two big-endian writers agree byte for byte (so both byte orders were really read).
  EXPECT_EQ(test::read_file((*dir_) / "be.cramfs"), test::read_file((*dir_) / "swapped.cramfs"));
  EXPECT_NE(test::read_file((*dir_) / "be.cramfs"), test::read_file(le));
}

TEST_F(CramfsTest, DamageAndTruncationArePartialOrUnread) {
  const std::string img = test::read_file(pack("damage.cramfs", "mkfs.cramfs ROOT OUT"));
  // One flipped byte in the compressed data: the image CRC says so.
  std::string flipped = img;
  flipped[img.size() / 2] ^= 0x20;
  write_file((*dir_) / "flipped.cramfs", flipped);
  Scanned f = scan_tree((*dir_) / "flipped.cramfs");
  ASSERT_TRUE(f.opened);
  EXPECT_TRUE(f.info.partial);
  EXPECT_NE(diagnostics_text(f.info).find("CRC mismatch"), std::string::npos) << diagnostics_text(f.info);

  for (std::size_t cut : {std::size_t{100}, img.size() / 3, img.size() / 2, img.size() - 1}) {
    const std::string path = (*dir_) / ("cut-" + std::to_string(cut) + ".cramfs");
    write_file(path, img.substr(0, cut));
    Scanned s = scan_tree(path);
    if (!s.opened) continue;
    EXPECT_TRUE(s.info.partial) << "cut at " << cut;
    EXPECT_NE(diagnostics_text(s.info).find("truncated"), std::string::npos) << diagnostics_text(s.info);
  }
}

TEST_F(CramfsTest, CliReportsFormatAndCarvesFromABlob) {
  const std::string img = pack("cli.cramfs", "mkfs.cramfs -N big ROOT OUT");
  std::string blob(0x30000, '\x5a');
  blob += test::read_file(img);
  blob += std::string(0x10000, '\xff');
  write_file((*dir_) / "flash.bin", blob);
  auto r = run(shell_quote(test::fwcert_binary()) + " scan --format json " + shell_quote(img));
  auto report = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.output.substr(0, 2000);
  EXPECT_EQ(report["target"]["format"], "cramfs");
  EXPECT_EQ(report["target"]["partial"], false) << report["target"]["diagnostics"].dump();

  Scanned s = scan_tree((*dir_) / "flash.bin");
  EXPECT_EQ(s.info.format, "raw");
  ASSERT_EQ(s.info.filesystems.size(), 1u);
  EXPECT_EQ(s.info.filesystems[0].type, "cramfs");
  EXPECT_EQ(s.info.filesystems[0].offset, 0x30000u);
  expect_tree("carved", s, cramfs_tree(), false);
}

}  // namespace
}  // namespace fwcert::flash_test
