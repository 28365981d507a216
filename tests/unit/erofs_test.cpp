// EROFS images built at test time with mkfs.erofs (erofs-utils) from the fixture tree of
// formats_test.cpp, plus larger files (a compressible text spanning many compressed extents, a
// random file whose pclusters stay uncompressed): every layout mkfs.erofs writes must give the
// inventory the tree holds and every file's bytes back. Also: fsck.erofs --extract as an
// oracle, Android sparse and gzip wrappers, carving, the CLI report, and damaged images.
//
// Building the tree needs root (owners, a device node, security.capability); elsewhere the
// tests skip.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "scan/target.hpp"
#include "support/fixture_tree.hpp"
#include "support/test_util.hpp"

namespace fwcert {
namespace {

using test::run;
using test::shell_quote;
using test::TempDir;
using test::write_file;

using test::kHardLinks;
using test::Node;
using test::Tree;

constexpr int kManyFiles = 300;

/// The shared fixture (tests/support/fixture_tree.hpp) plus two large files under /usr/share and
/// a directory of kManyFiles entries (its dirents span several blocks) under /usr/lib/many.
Tree expected_tree(bool many = true) {
  Tree t = test::expected_tree();
  t["/usr/share"] = {"directory", 0, 0, 0755};
  t["/usr/share/big.txt"] = {"file", 0, 0, 0644};
  t["/usr/share/random.bin"] = {"file", 0, 0, 0644};
  t["/usr/lib"] = {"directory", 0, 0, 0755};
  if (many) {
    t["/usr/lib/many"] = {"directory", 0, 0, 0755};
    for (int i = 0; i < kManyFiles; ++i) t[fmt::format("/usr/lib/many/libmany-{:03}.so.1", i)] = {"file", 0, 0, 0644};
  }
  return t;
}

std::string build_tree(const std::string& root) {
  if (std::string why = test::build_tree(root); !why.empty()) return why;
  // 300 KiB of varied text (many lz4 extents, with a tail) and 200 KiB + 123 bytes of random
  // data (pclusters stored uncompressed, an odd tail).
  std::string text;
  for (int i = 0; text.size() < 300 * 1024; ++i) {
    text += "line " + std::to_string(i) + " of the config: key" + std::to_string(i * 7919 % 1000) + "=value" +
            std::to_string(i * 31 % 977) + "\n";
  }
  write_file(root + "/usr/share/big.txt", text);
  for (int i = 0; i < kManyFiles; ++i) {
    write_file(fmt::format("{}/usr/lib/many/libmany-{:03}.so.1", root, i), fmt::format("library {}\n", i));
  }
  auto r = run("set -e; cd " + shell_quote(root) +
               "; head -c 204923 /dev/urandom > usr/share/random.bin"
               "; chown -R 0:0 usr/share usr/lib; chmod 0755 usr/share usr/lib usr/lib/many"
               "; chmod 0644 usr/share/big.txt usr/share/random.bin");
  return r.exit_code == 0 ? "" : r.output;
}

struct Scanned {
  Tree tree;
  std::set<std::set<std::string>> hard_links;
  TargetInfo info;
  std::unique_ptr<inventory::Inventory> inv;
};

Scanned scan_tree(const std::string& target) {
  Scanned out;
  ScanOptions options;
  options.nested = false;
  auto inv = scanning::open_target(target, options, out.info);
  EXPECT_TRUE(inv.ok()) << target << ": " << (inv ? "" : inv.error().describe());
  if (!inv) return out;
  std::map<std::uint64_t, std::set<std::string>> by_inode;
  for (const auto& e : (*inv)->entries()) {
    if (e.filesystem != 0 || e.path == "/") continue;
    out.tree[e.path] = Node{vfs::to_string(e.st.type), e.st.uid,        e.st.gid,    e.st.mode, e.link_target,
                            e.st.rdev_major,           e.st.rdev_minor, e.capability};
    if (e.st.is_regular() && e.st.nlink > 1) by_inode[e.st.inode].insert(e.path);
  }
  for (auto& [ino, paths] : by_inode) out.hard_links.insert(paths);
  out.inv = std::move(*inv);
  return out;
}

std::string diagnostics_text(const TargetInfo& info) {
  std::string out;
  for (const auto& d : info.diagnostics) out += d.path + ": " + d.message + "\n";
  return out;
}

/// Reads a whole file through the Vfs in pieces of `step` bytes (crossing extent boundaries
/// at odd places).
std::string read_in_pieces(const vfs::Vfs& v, const std::string& path, std::size_t step) {
  auto st = v.lstat(path);
  if (!st) return "<" + st.error().describe() + ">";
  std::string out;
  std::vector<std::byte> buf(step);
  while (out.size() < st->size) {
    auto n = v.read(path, out.size(), buf);
    if (!n) return "<" + n.error().describe() + ">";
    if (*n == 0) break;
    out.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
  return out;
}

test::CommandResult cli_scan(const std::string& target) {
  return run(shell_quote(test::fwcert_binary()) + " scan --format json " + shell_quote(target));
}

class ErofsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0 || !test::have_tool("mkfs.erofs")) return;
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
    if (!test::have_tool("mkfs.erofs")) GTEST_SKIP() << "mkfs.erofs (erofs-utils) is not installed";
    ASSERT_EQ(setup_error_, "");
  }

  /// Packs the fixture with mkfs.erofs and the given options.
  static std::string pack(const std::string& name, const std::string& options) {
    std::string out = (*dir_) / name;
    auto r = run("mkfs.erofs --quiet " + options + " " + shell_quote(out) + " " + shell_quote(root_));
    EXPECT_EQ(r.exit_code, 0) << options << "\n" << r.output;
    return out;
  }

  static void expect_same(const std::string& what, const Scanned& got, const Tree& want = expected_tree()) {
    for (const auto& [path, node] : want) {
      auto it = got.tree.find(path);
      if (it == got.tree.end()) {
        ADD_FAILURE() << what << ": missing " << path;
        continue;
      }
      EXPECT_EQ(it->second, node) << what << ": " << path;
    }
    for (const auto& [path, node] : got.tree) EXPECT_TRUE(want.count(path)) << what << ": unexpected " << path;
    EXPECT_EQ(got.hard_links, kHardLinks) << what;
    EXPECT_FALSE(got.info.partial) << what << "\n" << diagnostics_text(got.info);
  }

  /// Every regular file's content read back equals the fixture's, whole and in pieces.
  static void expect_contents(const std::string& what, const Scanned& got, const Tree& want_tree = expected_tree()) {
    ASSERT_TRUE(got.inv) << what;
    const vfs::Vfs& v = got.inv->vfs(0);
    for (const auto& [path, node] : want_tree) {
      if (node.type != "file") continue;
      const std::string want = test::read_file(root_ + path);
      EXPECT_EQ(v.read_file(path, 1 << 20).value_or("<unreadable>"), want) << what << ": " << path;
      if (want.size() > 4096) EXPECT_EQ(read_in_pieces(v, path, 7001), want) << what << ": " << path << " in pieces";
    }
  }

  static TempDir* dir_;
  static std::string root_;
  static std::string setup_error_;
};

TempDir* ErofsTest::dir_ = nullptr;
std::string ErofsTest::root_;
std::string ErofsTest::setup_error_;

struct Variant {
  std::string name;
  std::string options;
};

/// Every layout this mkfs.erofs writes: flat (inline tails or not), chunk-based (block map
/// and indexes), compact and extended inodes, lz4 and lz4hc with compact or full (legacy)
/// indexes, big pclusters, tail-packed pclusters; and block sizes when mkfs.erofs has -b.
std::vector<Variant> variants() {
  std::vector<Variant> v = {
      {"plain", ""},
      {"noinline", "-Enoinline_data"},
      {"compact-inodes", "-Eforce-inode-compact"},
      {"extended-inodes", "-Eforce-inode-extended"},
      {"chunks", "--chunksize=8192"},
      {"chunk-indexes", "--chunksize=8192 -Eforce-chunk-indexes"},
      {"lz4", "-zlz4"},
      {"lz4hc", "-zlz4hc"},
      {"lz4hc-legacy", "-zlz4hc -Elegacy-compress"},
      {"lz4hc-big-pcluster", "-zlz4hc -C65536"},
      {"lz4hc-big-legacy", "-zlz4hc -C16384 -Elegacy-compress"},
      {"lz4-ztailpacking", "-zlz4 -Eztailpacking"},
      {"lz4hc-big-ztailpacking", "-zlz4hc,9 -C32768 -Eztailpacking"},
  };
  const std::string help = run("mkfs.erofs --help").output;
  if (help.find("lzma") != std::string::npos) v.push_back({"lzma", "-zlzma"});
  if (help.find(" -b#") != std::string::npos) {
    for (const char* b : {"512", "1024", "2048", "4096"}) {
      v.push_back({std::string("plain-b") + b, std::string("-b") + b});
      v.push_back({std::string("lz4hc-b") + b, std::string("-zlz4hc -b") + b});
    }
  }
  return v;
}

TEST_F(ErofsTest, EveryLayoutGivesTheTreeAndItsBytes) {
  for (const Variant& var : variants()) {
    SCOPED_TRACE(var.name);
    const std::string image = pack("fixture-" + var.name + ".erofs", var.options);
    Scanned s = scan_tree(image);
    EXPECT_EQ(s.info.format, "erofs") << var.name;
    expect_same(var.name, s);
    expect_contents(var.name, s);
  }
}

TEST_F(ErofsTest, SmallBlockSizes) {
  // mkfs.erofs 1.5 writes only page-size blocks; tests/fixtures/erofs/erofs_reblock.py moves a
  // plain image's data to 512, 1024 and 2048-byte blocks (and rewrites the superblock checksum).
  // Its directories must fit one small block: the many-entry directory stays out.
  const std::string image = pack("reblock-src.erofs", "--exclude-path=usr/lib/many");
  const std::string script = test::source_dir() + "/tests/fixtures/erofs/erofs_reblock.py";
  for (int bits : {9, 10, 11}) {
    SCOPED_TRACE(bits);
    const std::string out = (*dir_) / ("reblocked-" + std::to_string(bits) + ".erofs");
    auto r = run("python3 " + shell_quote(script) + " " + shell_quote(image) + " " + shell_quote(out) + " " +
                 std::to_string(bits));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ASSERT_EQ(static_cast<unsigned char>(test::read_file(out)[1024 + 12]), bits);
    Scanned s = scan_tree(out);
    EXPECT_EQ(s.info.format, "erofs");
    expect_same("blkszbits " + std::to_string(bits), s, expected_tree(false));
    expect_contents("blkszbits " + std::to_string(bits), s, expected_tree(false));
  }
}

TEST_F(ErofsTest, ContentsMatchFsckErofsExtract) {
  if (!test::have_tool("fsck.erofs")) GTEST_SKIP() << "fsck.erofs not installed";
  const std::string image = pack("oracle.erofs", "-zlz4hc");
  const std::string out = (*dir_) / "oracle-extract";
  auto r = run("fsck.erofs --extract=" + shell_quote(out) + " " + shell_quote(image));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Scanned s = scan_tree(image);
  ASSERT_TRUE(s.inv);
  std::size_t compared = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(out)) {
    const std::string rel = entry.path().string().substr(out.size());
    if (!entry.is_regular_file() || entry.is_symlink()) continue;
    EXPECT_TRUE(s.tree.count(rel)) << rel;
    EXPECT_EQ(s.inv->vfs(0).read_file(rel, 1 << 20).value_or("<unreadable>"), test::read_file(entry.path().string()))
        << rel;
    ++compared;
  }
  EXPECT_EQ(compared, 11u + kManyFiles);
}

TEST_F(ErofsTest, WrappedInAndroidSparseAndGzip) {
  const std::string image = pack("wrapped.erofs", "-zlz4hc");
  // Grow the image with free space so img2simg has blocks to leave out.
  ASSERT_EQ(run("truncate -s 4M " + shell_quote(image) + " && img2simg " + shell_quote(image) + " " +
                shell_quote(image + ".simg") + " && gzip -k " + shell_quote(image))
                .exit_code,
            0);
  Scanned sparse = scan_tree(image + ".simg");
  EXPECT_EQ(sparse.info.format, "android-sparse > erofs");
  expect_same("sparse", sparse);
  expect_contents("sparse", sparse);
  Scanned gz = scan_tree(image + ".gz");
  EXPECT_EQ(gz.info.format, "gzip > erofs");
  expect_same("gzip", gz);
  expect_contents("gzip", gz);
}

TEST_F(ErofsTest, CarvedFromABlobAndOpenedWhenNested) {
  const std::string image = pack("carve.erofs", "-zlz4");
  const std::string blob = (*dir_) / "erofs-blob.bin";
  ASSERT_EQ(run("head -c 65536 /dev/urandom > " + shell_quote(blob) + " && cat " + shell_quote(image) + " >> " +
                shell_quote(blob) + " && head -c 70000 /dev/zero >> " + shell_quote(blob))
                .exit_code,
            0);
  Scanned s = scan_tree(blob);
  EXPECT_EQ(s.info.format, "raw");
  ASSERT_EQ(s.info.filesystems.size(), 1u);
  EXPECT_EQ(s.info.filesystems[0].type, "erofs");
  EXPECT_EQ(s.info.filesystems[0].offset, 65536u);
  expect_same("carved", s);

  TempDir d;
  write_file(d / "target/images/vendor.img", test::read_file(image));
  TargetInfo info;
  auto inv = scanning::open_target(d / "target", ScanOptions{}, info);
  ASSERT_TRUE(inv.ok()) << inv.error().describe();
  ASSERT_EQ(info.filesystems.size(), 2u);
  EXPECT_EQ(info.filesystems[1].type, "erofs");
  bool found = false;
  for (const auto& e : (*inv)->entries()) found |= (*inv)->display_path(e) == "/images/vendor.img!/etc/shadow";
  EXPECT_TRUE(found);
}

TEST_F(ErofsTest, CliReportNamesTheFormat) {
  const std::string image = pack("cli.erofs", "-zlz4hc");
  auto r = cli_scan(image);
  auto report = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.output.substr(0, 2000);
  EXPECT_LT(r.exit_code, 2) << r.output.substr(0, 2000);
  EXPECT_EQ(report["target"]["format"], "erofs");
  EXPECT_EQ(report["target"]["partial"], false);
}

/// The byte offset of the inode at `path` (meta_blkaddr from the superblock, NID from dump.erofs).
std::uint64_t inode_offset(const std::string& image, const std::string& path) {
  auto r = run("dump.erofs --path=" + shell_quote(path) + " " + shell_quote(image));
  auto at = r.output.find("NID: ");
  EXPECT_NE(at, std::string::npos) << r.output;
  if (at == std::string::npos) return 0;
  const std::uint64_t nid = std::stoull(r.output.substr(at + 5));
  const std::string bytes = test::read_file(image);
  std::uint32_t meta = 0;
  std::memcpy(&meta, bytes.data() + 1024 + 40, 4);
  return std::uint64_t{meta} * 4096 + nid * 32;
}

void patch(const std::string& file, std::uint64_t offset, const std::string& bytes) {
  std::string data = test::read_file(file);
  data.replace(offset, bytes.size(), bytes);
  write_file(file, data);
}

/// A damaged image is never a quiet, complete pass: exit 2 with a reason, or a report that is
/// partial and says why.
void expect_not_quiet(const std::string& image, const std::string& what, const std::string& needle) {
  auto r = cli_scan(image);
  if (r.exit_code == 2) {
    EXPECT_NE(r.output.find(needle), std::string::npos) << what << "\n" << r.output.substr(0, 2000);
    return;
  }
  auto report = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << what << "\n" << r.output.substr(0, 2000);
  EXPECT_TRUE(report["target"]["partial"].get<bool>()) << what;
  EXPECT_NE(report["target"]["diagnostics"].dump().find(needle), std::string::npos)
      << what << "\n"
      << report["target"]["diagnostics"].dump();
}

TEST_F(ErofsTest, DamagedImagesSaySo) {
  const std::string good = pack("damage.erofs", "-zlz4hc");
  const std::string bytes = test::read_file(good);
  auto copy = [&](const std::string& name) {
    const std::string p = (*dir_) / name;
    write_file(p, bytes);
    return p;
  };

  // A block size the format does not allow: nothing can be read, and the error says why.
  const std::string blksz = copy("bad-blksz.erofs");
  patch(blksz, 1024 + 12, "\x1f");
  auto r = cli_scan(blksz);
  EXPECT_EQ(r.exit_code, 2) << r.output.substr(0, 2000);
  EXPECT_NE(r.output.find("block size"), std::string::npos) << r.output.substr(0, 2000);

  // A superblock field changed under its checksum: read on, with a warning.
  const std::string csum = copy("bad-csum.erofs");
  patch(csum, 1024 + 24, "\x01\x02\x03");
  expect_not_quiet(csum, "checksum", "checksum mismatch");

  // One inode with an impossible data layout: that file is reported, the rest is read.
  const std::string inode = copy("bad-inode.erofs");
  patch(inode, inode_offset(good, "/etc/shadow"), "\x0e\x00");
  expect_not_quiet(inode, "inode", "/etc/shadow");
  Scanned s = scan_tree(inode);
  EXPECT_TRUE(s.info.partial);
  EXPECT_TRUE(s.tree.count("/etc/passwd"));
  EXPECT_FALSE(s.tree.count("/etc/shadow"));
  EXPECT_NE(diagnostics_text(s.info).find("unknown data layout"), std::string::npos) << diagnostics_text(s.info);

  // A directory whose dirent block names an impossible first name offset.
  const std::string dir = copy("bad-dir.erofs");
  {
    auto dump = run("dump.erofs --path=/home " + shell_quote(good)).output;
    const auto isize_at = dump.find("Inode size: ");
    ASSERT_NE(isize_at, std::string::npos) << dump;
    const std::uint64_t isize = std::stoull(dump.substr(isize_at + 12));
    // /home is tiny: its one dirent block is inline right after the inode (no xattrs).
    patch(dir, inode_offset(good, "/home") + isize + 8, "\x05\x00");
  }
  Scanned sd = scan_tree(dir);
  EXPECT_TRUE(sd.info.partial);
  EXPECT_NE(diagnostics_text(sd.info).find("directory block 0 damaged"), std::string::npos)
      << diagnostics_text(sd.info);
  EXPECT_TRUE(sd.tree.count("/etc/passwd")) << "the rest of the tree is still read";

  // A subdirectory entry that points back at the root: a cycle, reported, and the walk ends.
  const std::string cycle = copy("cycle.erofs");
  {
    auto dump = run("dump.erofs --path=/home " + shell_quote(good)).output;
    const std::uint64_t isize = std::stoull(dump.substr(dump.find("Inode size: ") + 12));
    std::string root_nid = bytes.substr(1024 + 14, 2) + std::string(6, '\0');
    // Dirents ".", "..", "user": the third one's nid becomes the root's.
    patch(cycle, inode_offset(good, "/home") + isize + 24, root_nid);
  }
  Scanned sc = scan_tree(cycle);
  EXPECT_TRUE(sc.info.partial);
  EXPECT_NE(diagnostics_text(sc.info).find("/home/user: unreadable entry: directory already listed"), std::string::npos)
      << diagnostics_text(sc.info);
  EXPECT_TRUE(sc.tree.count("/etc/passwd"));

  // Truncated images: at 60% (file data missing) and right after the superblock.
  for (std::size_t keep : {bytes.size() * 6 / 10, std::size_t{4096}}) {
    const std::string cut = (*dir_) / ("cut-" + std::to_string(keep) + ".erofs");
    write_file(cut, bytes.substr(0, keep));
    expect_not_quiet(cut, "truncated at " + std::to_string(keep), "truncated");
  }
}

}  // namespace
}  // namespace fwcert
