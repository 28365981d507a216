// JFFS2 images made by mkfs.jffs2 from the cross-format fixture (flash_fixture.hpp) in both
// byte orders, erase blocks of 4 KiB (mkfs.jffs2 raises it to its 8 KiB minimum) to 256 KiB,
// with and without cleanmarkers, padded and not, with each compressor it has (zlib, lzo,
// rtime, none) and with xattrs: the inventory must equal the tree in every field JFFS2 stores
// (all of them: owners, modes, setuid, symlinks, device numbers, hard links, capabilities),
// and every file must read back byte for byte. Nodes written by hand on top of an image
// (newer versions, a zero-filled node, a deletion, a new file) show the newest state; damaged
// and truncated images are partial or an error, never a quiet pass.

#include <zlib.h>

#include <nlohmann/json.hpp>

#include "flash_fixture.hpp"

namespace fwcert::flash_test {
namespace {

// ---- a small independent writer and reader of little-endian JFFS2 nodes, for crafting ----

std::string le16(std::uint32_t v) { return {static_cast<char>(v & 0xFF), static_cast<char>((v >> 8) & 0xFF)}; }
std::string le32(std::uint32_t v) { return le16(v & 0xFFFF) + le16(v >> 16); }
std::uint32_t get32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(s[at + i]);
  return v;
}
std::uint32_t get16(const std::string& s, std::size_t at) {
  return static_cast<std::uint8_t>(s[at]) | (static_cast<std::uint8_t>(s[at + 1]) << 8);
}
std::uint32_t jcrc(const std::string& s) {
  return ~static_cast<std::uint32_t>(crc32(0xFFFFFFFFul, reinterpret_cast<const Bytef*>(s.data()), s.size()));
}
std::string pad4(std::string s) {
  s.resize((s.size() + 3) & ~std::size_t{3}, '\xff');
  return s;
}
std::string header(std::uint32_t type, std::size_t totlen) {
  std::string h = le16(0x1985) + le16(type) + le32(static_cast<std::uint32_t>(totlen));
  return h + le32(jcrc(h));
}

struct InodeFields {
  std::uint32_t ino, version, mode, isize, offset, dsize;
  std::uint8_t compr;
  std::string data;  ///< compressed bytes as stored
};

std::string inode_node(const InodeFields& f) {
  std::string n = header(0xE002, 68 + f.data.size());
  n += le32(f.ino) + le32(f.version) + le32(f.mode) + le16(0) + le16(0) + le32(f.isize) + le32(0) + le32(0) + le32(0) +
       le32(f.offset) + le32(static_cast<std::uint32_t>(f.data.size())) + le32(f.dsize);
  n += std::string{static_cast<char>(f.compr), 0} + le16(0) + le32(jcrc(f.data));
  n += le32(jcrc(n.substr(0, 60)));
  return pad4(n + f.data);
}

std::string dirent_node(std::uint32_t pino, std::uint32_t version, std::uint32_t ino, std::uint8_t type,
                        const std::string& name) {
  std::string n = header(0xE001, 40 + name.size());
  n += le32(pino) + le32(version) + le32(ino) + le32(0);
  n += std::string{static_cast<char>(name.size()), static_cast<char>(type), 0, 0};
  n += le32(jcrc(n));
  n += le32(jcrc(name));
  return pad4(n + name);
}

struct RawNode {
  std::size_t at;
  std::uint32_t type, totlen;
};

/// Every node of a little-endian image, found by magic and header CRC.
std::vector<RawNode> nodes_of(const std::string& img) {
  std::vector<RawNode> out;
  for (std::size_t at = 0; at + 12 <= img.size();) {
    if (get16(img, at) == 0x1985 && jcrc(img.substr(at, 8)) == get32(img, at + 8)) {
      out.push_back({at, get16(img, at + 2), get32(img, at + 4)});
      at += (out.back().totlen + 3) & ~3u;
    } else {
      at += 4;
    }
  }
  return out;
}

/// The inode a path names in a little-endian image, from its dirents (highest version wins).
std::uint32_t ino_of(const std::string& img, const std::string& path) {
  std::uint32_t ino = 1;
  std::size_t i = 1;
  while (i < path.size()) {
    std::size_t j = std::min(path.find('/', i), path.size());
    const std::string name = path.substr(i, j - i);
    std::uint32_t best_version = 0, found = 0;
    for (const auto& n : nodes_of(img)) {
      if (n.type != 0xE001 || get32(img, n.at + 12) != ino) continue;
      if (img.substr(n.at + 40, static_cast<std::uint8_t>(img[n.at + 28])) != name) continue;
      if (!found || get32(img, n.at + 16) >= best_version) {
        best_version = get32(img, n.at + 16);
        found = get32(img, n.at + 20);
      }
    }
    ino = found;
    i = j + 1;
  }
  return ino;
}

std::uint32_t max_version(const std::string& img) {
  std::uint32_t v = 0;
  for (const auto& n : nodes_of(img)) {
    if (n.type == 0xE001 || n.type == 0xE002) v = std::max(v, get32(img, n.at + 16));
  }
  return v;
}

/// Compression ids of the data nodes of a little-endian image.
std::set<int> compressors_in(const std::string& img) {
  std::set<int> out;
  for (const auto& n : nodes_of(img)) {
    if (n.type == 0xE002 && get32(img, n.at + 52) > 0) out.insert(static_cast<std::uint8_t>(img[n.at + 56]));
  }
  return out;
}

/// The inode node of `ino` holding file offset `offset`.
RawNode data_node(const std::string& img, std::uint32_t ino, std::uint32_t offset) {
  for (const auto& n : nodes_of(img)) {
    if (n.type == 0xE002 && get32(img, n.at + 12) == ino && get32(img, n.at + 44) == offset) return n;
  }
  ADD_FAILURE() << "no data node of inode " << ino << " at " << offset;
  return {0, 0, 0};
}

Tree without_capabilities(Tree t) {
  for (auto& [path, n] : t) n.capability.clear();
  return t;
}

std::string hex(std::size_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%#zx", v);
  return buf;
}

class Jffs2Test : public FlashFixture {};

TEST_F(Jffs2Test, BothByteOrdersEveryEraseBlockSizeWithAndWithoutCleanmarkers) {
  for (const char* endian : {"-l", "-b"}) {
    for (const char* erase : {"4KiB", "64KiB", "256KiB"}) {
      for (const char* markers : {"", "-n", "-p"}) {
        const std::string name = std::string("fixture") + endian + "-" + erase + markers + ".jffs2";
        const std::string img = pack(name, std::string("mkfs.jffs2 ") + endian + " -e " + erase + " " + markers +
                                               " --with-xattr -r ROOT -o OUT 2>/dev/null");
        Scanned s = scan_tree(img);
        EXPECT_EQ(s.info.format, "jffs2") << name;
        expect_tree(name, s, expected_tree(), true);
      }
    }
  }
}

TEST_F(Jffs2Test, EveryCompressorMkfsJffs2HasReadsBack) {
  struct Case {
    const char* options;
    int compressor;  // the id that must appear in the image
  };
  for (const Case& c : {Case{"", 6}, Case{"-X lzo -y 90:lzo", 7}, Case{"-x zlib", 2}, Case{"-x zlib -x rtime", 0}}) {
    const std::string name = std::string("compr") + std::to_string(c.compressor) + ".jffs2";
    const std::string img = pack(name, std::string("mkfs.jffs2 -l --with-xattr ") + c.options + " -r ROOT -o OUT");
    EXPECT_TRUE(compressors_in(test::read_file(img)).count(c.compressor)) << c.options;
    expect_tree(name, scan_tree(img), expected_tree(), true);
  }
}

TEST_F(Jffs2Test, WithoutXattrsTheCapabilityIsAbsent) {
  const std::string img = pack("noxattr.jffs2", "mkfs.jffs2 -l -r ROOT -o OUT");
  expect_tree("noxattr", scan_tree(img), without_capabilities(expected_tree()), true);
}

TEST_F(Jffs2Test, NewerNodesShowTheNewestState) {
  const std::string base = pack("base.jffs2", "mkfs.jffs2 -l -n -e 8KiB --with-xattr -r ROOT -o OUT");
  std::string img = test::read_file(base);
  img.resize((img.size() + 3) & ~std::size_t{3}, '\xff');
  const std::size_t rewrite_at = img.size();
  const std::uint32_t passwd = ino_of(img, "/etc/passwd");
  const std::uint32_t big = ino_of(img, "/usr/share/big.bin");
  const std::uint32_t etc = ino_of(img, "/etc");
  const std::uint32_t user = ino_of(img, "/home/user");
  ASSERT_TRUE(passwd && big && etc && user);
  std::uint32_t v = max_version(img);
  const std::string rewritten = "root:x:0:0:rewritten:/root:/bin/sh\n";
  // A rewrite of /etc/passwd, a zero-filled page over big.bin, a deletion and a new file.
  img += inode_node({passwd, ++v, 0100644, static_cast<std::uint32_t>(rewritten.size()), 0,
                     static_cast<std::uint32_t>(rewritten.size()), 0, rewritten});
  img += inode_node({big, ++v, 0100644, 300 * 1024, 4096, 4096, 1, ""});
  img += dirent_node(user, ++v, 0, 8, "notes");
  img += inode_node({4242, ++v, 0100600, 3, 0, 3, 0, "hi\n"});
  img += dirent_node(etc, ++v, 4242, 8, "motd");
  const std::string path = (*dir_) / "rewritten.jffs2";
  write_file(path, img);

  Scanned s = scan_tree(path);
  ASSERT_TRUE(s.opened) << diagnostics_text(s.info);
  Tree want = expected_tree();
  want.erase("/home/user/notes");
  want["/etc/motd"] = {"file", 0, 0, 0600};
  EXPECT_EQ(s.tree, want);
  EXPECT_EQ(s.contents["/etc/passwd"], rewritten);
  EXPECT_EQ(s.contents["/etc/motd"], "hi\n");
  std::string big_want = big_content();
  std::fill(big_want.begin() + 4096, big_want.begin() + 8192, '\0');
  EXPECT_TRUE(s.contents["/usr/share/big.bin"] == big_want) << "the zero node overlays bytes 4096-8191 only";
  EXPECT_FALSE(s.info.partial) << diagnostics_text(s.info);

  // The kernel obsoletes a node on NOR flash by clearing its "accurate" bit (0x2000) in place,
  // leaving the header CRC as it was: the rewrite is then ignored, without any warning.
  std::string obsoleted = img;
  obsoleted[rewrite_at + 3] = static_cast<char>(obsoleted[rewrite_at + 3] & ~0x20);
  write_file((*dir_) / "obsoleted.jffs2", obsoleted);
  Scanned o = scan_tree((*dir_) / "obsoleted.jffs2");
  EXPECT_EQ(o.contents["/etc/passwd"], expected_contents()["/etc/passwd"]);
  EXPECT_EQ(o.contents["/etc/motd"], "hi\n");
  EXPECT_EQ(diagnostics_text(o.info).find("jffs2"), std::string::npos) << diagnostics_text(o.info);
  EXPECT_FALSE(o.info.partial);

  // Damage to the old version of /etc/passwd loses nothing: a warning names it, not partial.
  RawNode old = data_node(img, passwd, 0);
  ASSERT_NE(old.at, 0u);
  std::string damaged = img;
  damaged[old.at + 68] ^= 0x55;
  write_file((*dir_) / "old-damaged.jffs2", damaged);
  Scanned d = scan_tree((*dir_) / "old-damaged.jffs2");
  EXPECT_EQ(d.contents["/etc/passwd"], rewritten);
  EXPECT_NE(diagnostics_text(d.info).find("data node at " + hex(old.at)), std::string::npos)
      << diagnostics_text(d.info);
  EXPECT_FALSE(d.info.partial) << diagnostics_text(d.info);
}

TEST_F(Jffs2Test, DamagedNodesAreNamedAndTheRestIsRead) {
  const std::string base = pack("damage.jffs2", "mkfs.jffs2 -b -e 8KiB --with-xattr -r ROOT -o OUT");
  // Find nodes in the little-endian twin (same layout, same offsets), damage the big-endian one.
  const std::string twin =
      test::read_file(pack("damage-le.jffs2", "mkfs.jffs2 -l -e 8KiB --with-xattr -r ROOT -o OUT"));
  const std::string img = test::read_file(base);
  ASSERT_EQ(img.size(), twin.size());

  // A data byte of big.bin's second page: the data CRC fails; that range is lost.
  RawNode page = data_node(twin, ino_of(twin, "/usr/share/big.bin"), 4096);
  std::string bad_data = img;
  bad_data[page.at + 68 + 7] ^= 0x01;
  write_file((*dir_) / "bad-data.jffs2", bad_data);
  Scanned a = scan_tree((*dir_) / "bad-data.jffs2");
  ASSERT_TRUE(a.opened);
  const std::string da = diagnostics_text(a.info);
  EXPECT_NE(da.find("data node at " + hex(page.at)), std::string::npos) << da;
  EXPECT_NE(da.find("/usr/share/big.bin"), std::string::npos) << da;
  EXPECT_TRUE(a.info.partial);
  EXPECT_EQ(a.contents["/etc/passwd"], expected_contents()["/etc/passwd"]);
  EXPECT_EQ(a.tree.size(), expected_tree().size());

  // The node CRC of /etc/shadow's dirent: the entry is lost, everything else is there.
  std::size_t dirent_at = 0;
  for (const auto& n : nodes_of(twin)) {
    if (n.type == 0xE001 && twin.substr(n.at + 40, 6) == "shadow") dirent_at = n.at;
  }
  ASSERT_NE(dirent_at, 0u);
  std::string bad_node = img;
  bad_node[dirent_at + 33] ^= 0x01;
  write_file((*dir_) / "bad-node.jffs2", bad_node);
  Scanned b = scan_tree((*dir_) / "bad-node.jffs2");
  ASSERT_TRUE(b.opened);
  const std::string db = diagnostics_text(b.info);
  EXPECT_NE(db.find("dirent node at " + hex(dirent_at) + ": node CRC mismatch"), std::string::npos) << db;
  EXPECT_TRUE(b.info.partial);
  Tree want = expected_tree();
  want.erase("/etc/shadow");
  EXPECT_EQ(b.tree, want);
  EXPECT_TRUE(b.contents["/usr/share/big.bin"] == big_content());

  // Garbage over a header in the middle: the header CRC fails, the scan resumes after it.
  std::string garbage = img;
  for (int i = 0; i < 12; ++i) garbage[page.at + i] = 'G';
  write_file((*dir_) / "garbage.jffs2", garbage);
  Scanned c = scan_tree((*dir_) / "garbage.jffs2");
  ASSERT_TRUE(c.opened);
  EXPECT_NE(diagnostics_text(c.info).find("bytes " + hex(page.at)), std::string::npos) << diagnostics_text(c.info);
  EXPECT_TRUE(c.info.partial);
  EXPECT_EQ(c.contents["/var/www/index.html"], expected_contents()["/var/www/index.html"]);
}

TEST_F(Jffs2Test, TruncatedImagesArePartialOrUnread) {
  const std::string img = test::read_file(pack("cut.jffs2", "mkfs.jffs2 -l -e 8KiB -r ROOT -o OUT"));
  std::vector<std::size_t> cuts = {img.size() / 10, img.size() / 3, img.size() / 2, img.size() * 9 / 10,
                                   img.size() - 5};
  // Also exactly between two data nodes of a file, where no node is cut: the file's bytes
  // from there on are in no node. (A cut exactly between two files cannot be told from a
  // smaller filesystem, by fwcert or by the kernel.)
  cuts.push_back(data_node(img, ino_of(img, "/usr/share/big.bin"), 8192).at);
  for (std::size_t cut : cuts) {
    const std::string path = (*dir_) / ("cut-" + std::to_string(cut) + ".jffs2");
    write_file(path, img.substr(0, cut));
    Scanned s = scan_tree(path);
    if (!s.opened) continue;  // an error: said so
    EXPECT_TRUE(s.info.partial) << "cut at " << cut << "\n" << diagnostics_text(s.info);
    EXPECT_FALSE(s.info.diagnostics.empty()) << "cut at " << cut;
  }
}

TEST_F(Jffs2Test, CliReportsFormatAndPartialAndReadsCompressedImages) {
  const std::string img = pack("cli.jffs2", "mkfs.jffs2 -b --with-xattr -r ROOT -o OUT");
  ASSERT_EQ(run("gzip -c " + shell_quote(img) + " > " + shell_quote(img + ".gz")).exit_code, 0);
  std::string cut = test::read_file(img);
  write_file(img + ".cut", cut.substr(0, cut.size() * 2 / 3));
  struct Case {
    std::string path, format;
    bool partial;
  };
  for (const Case& c :
       {Case{img, "jffs2", false}, Case{img + ".gz", "gzip > jffs2", false}, Case{img + ".cut", "jffs2", true}}) {
    auto r = run(shell_quote(test::fwcert_binary()) + " scan --format json " + shell_quote(c.path));
    auto report = nlohmann::json::parse(r.output, nullptr, false);
    ASSERT_FALSE(report.is_discarded()) << r.output.substr(0, 2000);
    EXPECT_EQ(report["target"]["format"], c.format) << c.path;
    EXPECT_EQ(report["target"]["partial"], c.partial) << c.path << "\n" << report["target"]["diagnostics"].dump();
  }
}

TEST_F(Jffs2Test, CarvedFromAFlashDumpAtAnEraseBlock) {
  const std::string fs = test::read_file(pack("carve.jffs2", "mkfs.jffs2 -l -p -e 64KiB --with-xattr -r ROOT -o OUT"));
  // A bootloader-like head, the JFFS2 at 0x40000, erased flash, then a squashfs partition.
  const std::string sqfs =
      test::read_file(pack("carve.sqfs", "mksquashfs ROOT OUT -noappend -quiet -no-progress -comp gzip"));
  std::string blob(0x40000, '\x11');
  blob += fs;
  blob.resize(0x200000, '\xff');
  blob += sqfs;
  write_file((*dir_) / "flash.bin", blob);
  TargetInfo info;
  ScanOptions options;
  options.nested = false;
  auto inv = scanning::open_target((*dir_) / "flash.bin", options, info);
  ASSERT_TRUE(inv.ok()) << inv.error().describe();
  ASSERT_EQ(info.filesystems.size(), 2u) << diagnostics_text(info);
  EXPECT_EQ(info.filesystems[0].type, "jffs2");
  EXPECT_EQ(info.filesystems[0].offset, 0x40000u);
  EXPECT_EQ(info.filesystems[1].type, "squashfs");
  EXPECT_EQ(info.filesystems[1].offset, 0x200000u);
  EXPECT_FALSE(info.partial) << diagnostics_text(info);
  expect_tree("carved", scan_tree((*dir_) / "flash.bin"), expected_tree(), true);
}

}  // namespace
}  // namespace fwcert::flash_test
