// One fixture tree, packed into every format fwcert reads (tar.gz, cpio.gz, zip, squashfs,
// ext4, and a raw blob with a squashfs at an offset), must give the same inventory: path,
// type, owner, mode, symlink target, device numbers, file capability and hard links, equal to
// what the tree holds. Also: images nested one level inside a target, and carving from blobs.
//
// Building the tree needs root (owners, a device node, security.capability). CI runs as root;
// elsewhere the tests skip.

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "scan/target.hpp"
#include "support/test_util.hpp"

namespace fwcert {
namespace {

using test::run;
using test::shell_quote;
using test::TempDir;
using test::write_file;

/// What one path holds, reduced to what every format is compared on.
struct Node {
  std::string type;
  std::uint32_t uid = 0, gid = 0, mode = 0;
  std::string link;  ///< symlink target
  std::uint32_t major = 0, minor = 0;
  std::string capability;

  bool operator==(const Node&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Node& n) {
  return os << n.type << " " << n.uid << ":" << n.gid << " " << std::oct << n.mode << std::dec << " link=" << n.link
            << " dev=" << n.major << "," << n.minor << " cap=" << n.capability;
}

using Tree = std::map<std::string, Node>;

/// The fixture, as it is built on disk below. Hard links: /bin/busybox and /bin/busybox-hard.
Tree expected_tree() {
  return {
      {"/bin", {"directory", 0, 0, 0755}},
      {"/bin/busybox", {"file", 0, 0, 0755}},
      {"/bin/busybox-hard", {"file", 0, 0, 0755}},
      {"/bin/ping", {"file", 0, 0, 0755, "", 0, 0, "cap_net_raw=ep"}},
      {"/bin/sh", {"symlink", 0, 0, 0777, "/bin/busybox"}},
      {"/bin/su", {"file", 0, 0, 04755}},
      {"/dev", {"directory", 0, 0, 0755}},
      {"/dev/console", {"char-device", 0, 5, 0600, "", 5, 1}},
      {"/etc", {"directory", 0, 0, 0755}},
      {"/etc/passwd", {"file", 0, 0, 0644}},
      {"/etc/shadow", {"file", 0, 42, 0600}},
      {"/home", {"directory", 0, 0, 0755}},
      {"/home/user", {"directory", 1000, 1000, 0750}},
      {"/home/user/notes", {"file", 1000, 1000, 0644}},
      {"/sbin", {"directory", 0, 0, 0755}},
      {"/sbin/init", {"symlink", 0, 0, 0777, "../bin/busybox"}},
      {"/tmp", {"directory", 0, 0, 01777}},
      {"/usr", {"directory", 0, 0, 0755}},
      {"/usr/bin", {"directory", 0, 0, 0755}},
      {"/usr/bin/wall", {"file", 0, 5, 02755}},
      {"/var", {"directory", 0, 0, 0755}},
      {"/var/www", {"directory", 33, 33, 0755}},
      {"/var/www/index.html", {"file", 33, 33, 0644}},
  };
}

const std::set<std::set<std::string>> kHardLinks = {{"/bin/busybox", "/bin/busybox-hard"}};

/// Creates the fixture under `root`; returns "" or why it could not.
std::string build_tree(const std::string& root) {
  write_file(root + "/bin/busybox",
             "\x7f"
             "ELF fake busybox\n");
  write_file(root + "/bin/ping", "ping\n");
  write_file(root + "/bin/su", "su\n");
  write_file(root + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  write_file(root + "/etc/shadow", "root:*:19000:0:99999:7:::\n");
  write_file(root + "/home/user/notes", "notes\n");
  write_file(root + "/usr/bin/wall", "wall\n");
  write_file(root + "/var/www/index.html", "<html></html>\n");
  std::string q = shell_quote(root);
  std::string script = "set -e; cd " + q +
                       "; mkdir -p dev tmp sbin"
                       "; ln bin/busybox bin/busybox-hard; ln -s /bin/busybox bin/sh; ln -s ../bin/busybox sbin/init"
                       "; mknod dev/console c 5 1"
                       "; chmod 0755 bin bin/busybox bin/ping dev etc home sbin usr usr/bin var var/www"
                       "; chmod 4755 bin/su; chmod 2755 usr/bin/wall; chmod 1777 tmp; chmod 0600 etc/shadow dev/console"
                       "; chmod 0644 etc/passwd home/user/notes var/www/index.html; chmod 0750 home/user"
                       "; chown 0:0 -R .; chown 0:42 etc/shadow; chown 0:5 dev/console usr/bin/wall"
                       "; chown -R 1000:1000 home/user; chown -R 33:33 var/www"
                       // chmod after chown: chown clears setuid/setgid bits.
                       "; chmod 4755 bin/su; chmod 2755 usr/bin/wall"
                       "; setcap cap_net_raw+ep bin/ping";
  auto r = run(script);
  return r.exit_code == 0 ? "" : r.output;
}

struct Scanned {
  Tree tree;
  std::set<std::set<std::string>> hard_links;
  TargetInfo info;
};

/// Scans `target` and reduces the root filesystem's inventory to a Tree.
Scanned scan_tree(const std::string& target) {
  Scanned out;
  ScanOptions options;
  options.nested = false;
  auto inv = scanning::open_target(target, options, out.info);
  EXPECT_TRUE(inv.ok()) << target << ": " << (inv ? "" : inv.error().describe());
  if (!inv) return out;
  std::map<std::uint64_t, std::set<std::string>> by_inode;
  for (const auto& e : (*inv)->entries()) {
    if (e.filesystem != 0 || e.path == "/" || e.path == "/lost+found") continue;
    Node n{vfs::to_string(e.st.type), e.st.uid,        e.st.gid,    e.st.mode, e.link_target,
           e.st.rdev_major,           e.st.rdev_minor, e.capability};
    out.tree[e.path] = n;
    if (e.st.is_regular() && e.st.nlink > 1) by_inode[e.st.inode].insert(e.path);
  }
  for (auto& [ino, paths] : by_inode) out.hard_links.insert(paths);
  return out;
}

/// What a format cannot carry, removed from the expectation so the rest is compared exactly.
struct Limits {
  bool owners = true;
  bool devices = true;
  bool xattrs = true;
  bool hard_links = true;
};

Tree expected_for(const Limits& l) {
  Tree t = expected_tree();
  for (auto it = t.begin(); it != t.end();) {
    Node& n = it->second;
    if (!l.devices && (n.type == "char-device" || n.type == "block-device")) {
      it = t.erase(it);
      continue;
    }
    if (!l.owners) n.uid = n.gid = 0;
    if (!l.xattrs) n.capability.clear();
    ++it;
  }
  return t;
}

class FormatsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) return;
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
    ASSERT_EQ(setup_error_, "");
  }

  /// Runs `command` inside the fixture root with "OUT" replaced by the output path.
  std::string pack(const std::string& name, std::string command) {
    std::string out = (*dir_) / name;
    command.replace(command.find("OUT"), 3, shell_quote(out));
    auto r = run("cd " + shell_quote(root_) + " && " + command);
    EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.output;
    return out;
  }

  static void expect_same(const std::string& format, const Scanned& got, const Limits& limits) {
    Tree want = expected_for(limits);
    for (const auto& [path, node] : want) {
      auto it = got.tree.find(path);
      if (it == got.tree.end()) {
        ADD_FAILURE() << format << ": missing " << path;
        continue;
      }
      Node have = it->second;
      if (!limits.owners) have.uid = have.gid = 0;
      EXPECT_EQ(have, node) << format << ": " << path;
    }
    for (const auto& [path, node] : got.tree) {
      EXPECT_TRUE(want.count(path)) << format << ": unexpected " << path << " " << node;
    }
    if (limits.hard_links) EXPECT_EQ(got.hard_links, kHardLinks) << format;
    EXPECT_FALSE(got.info.partial) << format;
  }

  static TempDir* dir_;
  static std::string root_;
  static std::string setup_error_;
};

TempDir* FormatsTest::dir_ = nullptr;
std::string FormatsTest::root_;
std::string FormatsTest::setup_error_;

TEST_F(FormatsTest, DirectoryItselfMatchesTheDescription) {
  // The directory backend reads the host tree: the reference every format is held to.
  expect_same("directory", scan_tree(root_), Limits{});
}

TEST_F(FormatsTest, TarGz) {
  auto s = scan_tree(pack("fixture.tar.gz", "tar --xattrs --xattrs-include='*' --numeric-owner -czf OUT ."));
  EXPECT_EQ(s.info.format, "tar.gz");
  expect_same("tar.gz", s, Limits{});
}

TEST_F(FormatsTest, CpioGzNewc) {
  // newc has no extended attributes, so the capability cannot travel in a cpio.
  auto s = scan_tree(pack("fixture.cpio.gz", "find . | sort | cpio --quiet -o -H newc | gzip > OUT"));
  EXPECT_EQ(s.info.format, "cpio.gz");
  expect_same("cpio.gz", s, Limits{.xattrs = false});
}

TEST_F(FormatsTest, Zip) {
  // Info-ZIP stores modes, symlinks (-y) and owners (its "ux" extra field), but no device
  // nodes, no xattrs and no hard links (the second name becomes an independent copy).
  auto s = scan_tree(pack("fixture.zip", "zip -q -r -y OUT ."));
  EXPECT_EQ(s.info.format, "zip");
  Limits limits{.devices = false, .xattrs = false, .hard_links = false};
  expect_same("zip", s, limits);
}

TEST_F(FormatsTest, Squashfs) {
  auto s = scan_tree(pack("fixture.sqfs", "mksquashfs . OUT -noappend -quiet -no-progress -xattrs -comp xz"));
  EXPECT_EQ(s.info.format, "squashfs");
  expect_same("squashfs", s, Limits{});
}

TEST_F(FormatsTest, Ext4) {
  auto s = scan_tree(pack("fixture.ext4", "mke2fs -q -F -t ext4 -d . OUT 4M"));
  EXPECT_EQ(s.info.format, "ext4");
  expect_same("ext4", s, Limits{});
}

TEST_F(FormatsTest, RawBlobWithSquashfsAtAnOffset) {
  std::string image = pack("blob-inner.sqfs", "mksquashfs . OUT -noappend -quiet -no-progress -xattrs -comp gzip");
  std::string blob = (*dir_) / "blob.bin";
  write_file(blob, std::string(0x10000, '\x77') + test::read_file(image) + std::string(70000, '\xff'));
  auto s = scan_tree(blob);
  EXPECT_EQ(s.info.format, "raw");
  ASSERT_EQ(s.info.filesystems.size(), 1u);
  EXPECT_EQ(s.info.filesystems[0].type, "squashfs");
  EXPECT_EQ(s.info.filesystems[0].offset, 0x10000u);
  expect_same("blob", s, Limits{});
}

// ---- nesting: images inside a target are opened one level deep ----

/// Builds a small squashfs (or ext4) holding /etc/passwd.
std::string make_inner(const TempDir& dir, const std::string& kind) {
  std::string src = dir / ("inner-src-" + kind);
  write_file(src + "/etc/passwd", "inner:x:0:0::/:/bin/sh\n");
  std::string out = dir / ("inner." + kind);
  auto r = kind == "squashfs"
               ? run("mksquashfs " + shell_quote(src) + " " + shell_quote(out) + " -noappend -quiet -no-progress")
               : run("mke2fs -q -F -t ext4 -d " + shell_quote(src) + " " + shell_quote(out) + " 1M");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return out;
}

const inventory::Entry* find_display(const inventory::Inventory& inv, const std::string& display) {
  for (const auto& e : inv.entries()) {
    if (inv.display_path(e) == display) return &e;
  }
  return nullptr;
}

TEST(NestedImages, SquashfsInsideADirectoryTargetIsWalked) {
  TempDir dir;
  std::string target = dir / "rootfs";
  write_file(target + "/images/inner.squashfs", test::read_file(make_inner(dir, "squashfs")));
  TargetInfo info;
  auto inv = scanning::open_target(target, ScanOptions{}, info);
  ASSERT_TRUE(inv.ok()) << inv.error().describe();
  const auto* e = find_display(**inv, "/images/inner.squashfs!/etc/passwd");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ((*inv)->vfs(e->filesystem).read_file(e->path, 4096).value_or(""), "inner:x:0:0::/:/bin/sh\n");
  ASSERT_EQ(info.filesystems.size(), 2u);
  EXPECT_EQ(info.filesystems[1].type, "squashfs");
  EXPECT_EQ(info.filesystems[1].container, "/images/inner.squashfs");
}

TEST(NestedImages, Ext4InsideASquashfsTargetIsWalked) {
  TempDir dir;
  std::string inner = make_inner(dir, "ext4");
  write_file(dir / "outer-src/images/inner.ext4", test::read_file(inner));
  std::string outer = dir / "outer.sqfs";
  ASSERT_EQ(
      run("mksquashfs " + shell_quote(dir / "outer-src") + " " + shell_quote(outer) + " -noappend -quiet -no-progress")
          .exit_code,
      0);
  TargetInfo info;
  auto inv = scanning::open_target(outer, ScanOptions{}, info);
  ASSERT_TRUE(inv.ok()) << inv.error().describe();
  EXPECT_NE(find_display(**inv, "/images/inner.ext4!/etc/passwd"), nullptr);
  ASSERT_EQ(info.filesystems.size(), 2u);
  EXPECT_EQ(info.filesystems[1].type, "ext4");
  EXPECT_FALSE(info.partial);
}

// ---- carving filesystems out of raw blobs ----

TEST(Carving, CliReportsTypeAndOffsetOfACarvedSquashfs) {
  TempDir dir;
  std::string inner = make_inner(dir, "squashfs");
  std::string blob = dir / "blob.bin";
  auto r = run("head -c 65536 /dev/urandom > " + shell_quote(blob) + " && cat " + shell_quote(inner) + " >> " +
               shell_quote(blob) + " && head -c 100000 /dev/zero >> " + shell_quote(blob));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto scan = run(shell_quote(test::fwcert_binary()) + " scan --format json " + shell_quote(blob));
  auto report = nlohmann::json::parse(scan.output, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << scan.output;
  const auto& fss = report["target"]["filesystems"];
  ASSERT_EQ(fss.size(), 1u) << report["target"].dump();
  EXPECT_EQ(fss[0]["type"], "squashfs");
  EXPECT_EQ(fss[0]["offset"], 65536);
  EXPECT_EQ(report["target"]["format"], "raw");
}

TEST(Carving, SeveralFilesystemsInOneBlobAreEachFound) {
  TempDir dir;
  std::string sq = test::read_file(make_inner(dir, "squashfs"));
  std::string ext = test::read_file(make_inner(dir, "ext4"));
  // A bootloader-like head, a squashfs at 0x20000, then an ext4 at the next 64 KiB boundary.
  std::string blob(0x20000, '\x11');
  blob += sq;
  blob.resize((blob.size() + 0xFFFF) & ~std::size_t{0xFFFF}, '\0');
  const std::size_t ext_at = blob.size();
  blob += ext;
  write_file(dir / "blob.bin", blob);

  TargetInfo info;
  auto inv = scanning::open_target(dir / "blob.bin", ScanOptions{}, info);
  ASSERT_TRUE(inv.ok()) << inv.error().describe();
  ASSERT_EQ(info.filesystems.size(), 2u);
  EXPECT_EQ(info.filesystems[0].type, "squashfs");
  EXPECT_EQ(info.filesystems[0].offset, 0x20000u);
  EXPECT_EQ(info.filesystems[1].type, "ext4");
  EXPECT_EQ(info.filesystems[1].offset, ext_at);
  EXPECT_NE(find_display(**inv, "/etc/passwd"), nullptr);
  EXPECT_NE(find_display(**inv, info.filesystems[1].prefix + "/etc/passwd"), nullptr);
}

}  // namespace
}  // namespace fwcert
