// One fixture tree, packed into every format fwcert reads (tar.gz, cpio.gz, zip, squashfs,
// ext4, and a raw blob with a squashfs at an offset), must give the same inventory: path,
// type, owner, mode, symlink target, device numbers, file capability and hard links, equal to
// what the tree holds. Also: images nested one level inside a target, and carving from blobs.
//
// Building the tree needs root (owners, a device node, security.capability). CI runs as root;
// elsewhere the tests skip.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "scan/target.hpp"
#include "support/fixture_tree.hpp"
#include "support/test_util.hpp"

namespace fwcert {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUnderAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kUnderAddressSanitizer = true;
#else
constexpr bool kUnderAddressSanitizer = false;
#endif
#else
constexpr bool kUnderAddressSanitizer = false;
#endif

using test::build_tree;
using test::expected_for;
using test::expected_tree;
using test::kHardLinks;
using test::Limits;
using test::Node;
using test::run;
using test::shell_quote;
using test::TempDir;
using test::Tree;
using test::write_file;

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

/// Builds a small ext4 image holding /etc/passwd, for the compressed and nested cases.
std::string make_inner_for_compression(const TempDir& dir) {
  std::string src = dir / "inner-src-c";
  write_file(src + "/etc/passwd", "inner:x:0:0::/:/bin/sh\n");
  std::string out = dir / "inner-c.ext4";
  auto r = run("mke2fs -q -F -t ext4 -d " + shell_quote(src) + " " + shell_quote(out) + " 1M");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return out;
}

const inventory::Entry* find_display(const inventory::Inventory& inv, const std::string& display);

test::CommandResult cli_scan(const std::string& target);

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

// ---- compressed images: every codec around every image kind scans like the plain image ----

struct Codec {
  const char* name;     ///< the chain's first element, as the report names it
  const char* command;  ///< compresses stdin to stdout
  const char* suffix;
};

const Codec kCodecs[] = {
    {"gzip", "gzip -c", ".gz"},    {"xz", "xz -c", ".xz"},       {"zstd", "zstd -q -c", ".zst"},
    {"bzip2", "bzip2 -c", ".bz2"}, {"lz4", "lz4 -q -c", ".lz4"}, {"lz4-legacy", "lz4 -q -l -c", ".lz4l"},
    {"lzma", "lzma -c", ".lzma"},
};

TEST_F(FormatsTest, CompressedSquashfsAndExt4ScanLikeThePlainImage) {
  const std::string sqfs = pack("plain.sqfs", "mksquashfs . OUT -noappend -quiet -no-progress -xattrs -comp xz");
  const std::string ext4 = pack("plain.ext4", "mke2fs -q -F -t ext4 -d . OUT 4M");
  for (const auto& [plain, kind] : {std::pair{sqfs, std::string("squashfs")}, std::pair{ext4, std::string("ext4")}}) {
    const Scanned reference = scan_tree(plain);
    for (const Codec& c : kCodecs) {
      const std::string out = plain + c.suffix;
      ASSERT_EQ(run(std::string(c.command) + " < " + shell_quote(plain) + " > " + shell_quote(out)).exit_code, 0);
      Scanned s = scan_tree(out);
      EXPECT_EQ(s.info.format, std::string(c.name) + " > " + kind) << out;
      EXPECT_EQ(s.tree, reference.tree) << out;
      expect_same(out, s, Limits{});
    }
  }
}

TEST_F(FormatsTest, CompressedCpioScansLikeThePlainArchive) {
  // libarchive reads a cpio through its own decompression filters, streaming.
  const std::string cpio = pack("plain.cpio", "find . | sort | cpio --quiet -o -H newc > OUT");
  const Scanned reference = scan_tree(cpio);
  expect_same("cpio", reference, Limits{.xattrs = false});
  for (const Codec& c : kCodecs) {
    const std::string out = cpio + c.suffix;
    ASSERT_EQ(run(std::string(c.command) + " < " + shell_quote(cpio) + " > " + shell_quote(out)).exit_code, 0);
    Scanned s = scan_tree(out);
    EXPECT_EQ(s.info.format.rfind("cpio", 0), 0u) << out << ": " << s.info.format;
    EXPECT_EQ(s.tree, reference.tree) << out;
    expect_same(out, s, Limits{.xattrs = false});
  }
}

TEST_F(FormatsTest, TwoCompressionLayersAreUnwrapped) {
  const std::string ext4 = pack("layers.ext4", "mke2fs -q -F -t ext4 -d . OUT 4M");
  const std::string out = ext4 + ".gz.xz";
  ASSERT_EQ(run("gzip -c < " + shell_quote(ext4) + " | xz -c > " + shell_quote(out)).exit_code, 0);
  Scanned s = scan_tree(out);
  EXPECT_EQ(s.info.format, "xz > gzip > ext4");
  expect_same(out, s, Limits{});
}

TEST_F(FormatsTest, LargeCompressedImageSpillsAndStaysInBoundedMemory) {
  // 512 MiB of ext4 (mostly free space) in a few MiB of gzip: the decompressed bytes beyond
  // 64 MiB go to an unnamed sparse temporary file, not into memory.
  const std::string ext4 = pack("large.ext4", "mke2fs -q -F -t ext4 -E lazy_itable_init=0 -d . OUT 512M");
  const std::string gz = ext4 + ".gz";
  ASSERT_EQ(run("gzip -1 -c < " + shell_quote(ext4) + " > " + shell_quote(gz)).exit_code, 0);
  const std::string wrapper =
      "import os, resource, subprocess, sys\n"
      "env = dict(os.environ, ASAN_OPTIONS=os.environ.get('ASAN_OPTIONS', '') + ':quarantine_size_mb=16')\n"
      "r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)\n"
      "sys.stdout.buffer.write(r.stdout)\n"
      "print('\\nMAXRSS_KIB=%d' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n";
  auto r = run("python3 -c " + shell_quote(wrapper) + " " + shell_quote(test::fwcert_binary()) +
               " scan --format json " + shell_quote(gz));
  auto at = r.output.rfind("MAXRSS_KIB=");
  ASSERT_NE(at, std::string::npos) << r.output.substr(0, 2000);
  const long rss_kib = std::stol(r.output.substr(at + 11));
  EXPECT_NE(r.output.find("\"format\": \"gzip > ext4\""), std::string::npos) << r.output.substr(0, 2000);
  EXPECT_NE(r.output.find("\"partial\": false"), std::string::npos) << r.output.substr(0, 2000);
  // Under AddressSanitizer the allocator keeps freed blocks in a quarantine (capped at 16 MiB
  // above) and shadow memory adds an eighth: still far below the 512 MiB a whole-image read needs.
  EXPECT_LT(rss_kib, (kUnderAddressSanitizer ? 320L : 200L) * 1024) << "the 512 MiB image must not be held in memory";
}

// ---- Android sparse images and containers of images ----

TEST_F(FormatsTest, AndroidSparseExt4ScansLikeThePlainImage) {
  const std::string ext4 = pack("sparse-src.ext4", "mke2fs -q -F -t ext4 -d . OUT 8M");
  const std::string simg = ext4 + ".simg";
  ASSERT_EQ(run("img2simg " + shell_quote(ext4) + " " + shell_quote(simg)).exit_code, 0);
  ASSERT_LT(test::read_file(simg).size(), test::read_file(ext4).size()) << "img2simg wrote a sparse image";
  Scanned s = scan_tree(simg);
  EXPECT_EQ(s.info.format, "android-sparse > ext4");
  expect_same("android-sparse", s, Limits{});
  // system.img.lz4, as factory images ship it: lz4 around a sparse image around ext4.
  ASSERT_EQ(run("lz4 -q -c " + shell_quote(simg) + " > " + shell_quote(simg + ".lz4")).exit_code, 0);
  Scanned z = scan_tree(simg + ".lz4");
  EXPECT_EQ(z.info.format, "lz4 > android-sparse > ext4");
  expect_same("lz4 > android-sparse", z, Limits{});
}

/// Scans `target` with nested images and reduces the filesystem shown with `prefix` to a Tree.
Scanned scan_nested(const std::string& target, const std::string& prefix,
                    std::unique_ptr<inventory::Inventory>* keep = nullptr) {
  Scanned out;
  auto inv = scanning::open_target(target, ScanOptions{}, out.info);
  EXPECT_TRUE(inv.ok()) << target << ": " << (inv ? "" : inv.error().describe());
  if (!inv) return out;
  std::optional<std::uint32_t> fs;
  for (std::uint32_t i = 0; i < (*inv)->filesystems().size(); ++i) {
    if ((*inv)->filesystems()[i].prefix == prefix) fs = i;
  }
  EXPECT_TRUE(fs.has_value()) << target << ": no filesystem " << prefix;
  for (const auto& e : (*inv)->entries()) {
    if (!fs || e.filesystem != *fs || e.path == "/") continue;
    out.tree[e.path] = Node{vfs::to_string(e.st.type), e.st.uid,        e.st.gid,    e.st.mode, e.link_target,
                            e.st.rdev_major,           e.st.rdev_minor, e.capability};
  }
  if (keep) *keep = std::move(*inv);
  return out;
}

std::string part_text(const inventory::Inventory& inv, const std::string& path) {
  return inv.vfs(0).read_file(path, 1 << 20).value_or("<missing>");
}

TEST_F(FormatsTest, AndroidBootImagesExposeKernelRamdiskDtbAndCommandLine) {
  const std::string ramdisk = pack("boot-ramdisk.cpio.gz", "find . | sort | cpio --quiet -o -H newc | gzip > OUT");
  const std::string kernel = (*dir_) / "boot-kernel";
  write_file(kernel, std::string(5000, 'K') + "Linux version 6.1.0-test (builder) #1 SMP\n");
  const std::string dtb = (*dir_) / "boot.dtb";
  ASSERT_EQ(run("printf '/dts-v1/; / { model = \"t\"; };' | dtc -I dts -O dtb -o " + shell_quote(dtb)).exit_code, 0);
  for (int version : {0, 1, 2, 3}) {
    const std::string img = (*dir_) / ("boot-v" + std::to_string(version) + ".img");
    std::string cmd = "mkbootimg --header_version " + std::to_string(version) + " --kernel " + shell_quote(kernel) +
                      " --ramdisk " + shell_quote(ramdisk) + " --cmdline 'console=ttyS0 init=/bin/sh' -o " +
                      shell_quote(img);
    if (version == 2) cmd += " --dtb " + shell_quote(dtb);
    ASSERT_EQ(run(cmd).exit_code, 0) << cmd;
    std::unique_ptr<inventory::Inventory> inv;
    Scanned s = scan_nested(img, "/ramdisk!", &inv);
    ASSERT_TRUE(inv) << img;
    EXPECT_EQ(s.info.format, "android-boot");
    EXPECT_EQ(s.tree, expected_for(Limits{.xattrs = false})) << "v" << version;
    EXPECT_EQ(part_text(*inv, "/kernel"), test::read_file(kernel)) << "v" << version;
    EXPECT_EQ(part_text(*inv, "/cmdline"), "console=ttyS0 init=/bin/sh\n") << "v" << version;
    EXPECT_EQ(part_text(*inv, "/header_version"), std::to_string(version) + "\n");
    if (version == 2) EXPECT_EQ(part_text(*inv, "/dtb"), test::read_file(dtb));
    EXPECT_FALSE(s.info.partial) << "v" << version;
  }
  // The command line reaches the kernel command-line check, with the part as its evidence.
  auto r = run(shell_quote(test::fwcert_binary()) + " scan --format json " + shell_quote((*dir_) / "boot-v3.img"));
  EXPECT_NE(r.output.find("init=/bin/sh"), std::string::npos) << r.output.substr(0, 3000);
  EXPECT_NE(r.output.find("\"path\": \"/cmdline\""), std::string::npos) << r.output.substr(0, 3000);
}

TEST_F(FormatsTest, UbootLegacyAndFitImagesExposeTheirImages) {
  const std::string ramdisk = pack("u-ramdisk.cpio.gz", "find . | sort | cpio --quiet -o -H newc | gzip > OUT");
  const std::string kernel = (*dir_) / "u-kernel";
  write_file(kernel, std::string(3001, 'k'));
  const std::string d = shell_quote(dir_->path());
  ASSERT_EQ(run("cd " + d + " && mkimage -A arm -O linux -T ramdisk -C gzip -d u-ramdisk.cpio.gz uramdisk.img" +
                " && mkimage -A arm -O linux -T multi -C none -d u-kernel:u-ramdisk.cpio.gz umulti.img")
                .exit_code,
            0);
  write_file(
      (*dir_) / "fit.its",
      "/dts-v1/;\n/ { description = \"t\"; #address-cells = <1>;\n"
      "images { kernel-1 { data = /incbin/(\"u-kernel\"); type = \"kernel\"; arch = \"arm\"; os = \"linux\";"
      " compression = \"none\"; load = <0x80000>; entry = <0x80000>; hash-1 { algo = \"sha256\"; }; };\n"
      " ramdisk-1 { data = /incbin/(\"u-ramdisk.cpio.gz\"); type = \"ramdisk\"; arch = \"arm\"; os = \"linux\";"
      " compression = \"gzip\"; }; };\n"
      "configurations { default = \"conf-1\"; conf-1 { kernel = \"kernel-1\"; ramdisk = \"ramdisk-1\"; }; };\n};\n");
  ASSERT_EQ(run("cd " + d + " && mkimage -f fit.its fit.itb >/dev/null && mkimage -E -f fit.its fit-ext.itb >/dev/null")
                .exit_code,
            0);
  struct Case {
    const char* file;
    const char* format;
    const char* ramdisk_prefix;
    const char* kernel_part;
  };
  for (const Case& c :
       {Case{"uramdisk.img", "uimage", "/ramdisk!", nullptr}, Case{"umulti.img", "uimage", "/ramdisk!", "/kernel"},
        Case{"fit.itb", "fit", "/images/ramdisk-1!", "/images/kernel-1"},
        Case{"fit-ext.itb", "fit", "/images/ramdisk-1!", "/images/kernel-1"}}) {
    std::unique_ptr<inventory::Inventory> inv;
    Scanned s = scan_nested((*dir_) / c.file, c.ramdisk_prefix, &inv);
    ASSERT_TRUE(inv) << c.file;
    EXPECT_EQ(s.info.format, c.format) << c.file;
    EXPECT_EQ(s.tree, expected_for(Limits{.xattrs = false})) << c.file;
    if (c.kernel_part) EXPECT_EQ(part_text(*inv, c.kernel_part), test::read_file(kernel)) << c.file;
    EXPECT_FALSE(s.info.partial) << c.file;
  }
}

TEST(HonestReads, DamagedContainersArePartialOrUnread) {
  TempDir d;
  write_file(d / "k", std::string(20000, 'k'));
  write_file(d / "r", std::string(20000, 'r'));
  ASSERT_EQ(run("cd " + shell_quote(d.path()) +
                " && mkbootimg --kernel k --ramdisk r -o boot.img && head -c 12000 boot.img > cut-boot.img"
                " && truncate -s 4M z.ext4 && mke2fs -q -F -t ext4 z.ext4 && img2simg z.ext4 z.simg"
                " && head -c 30000 z.simg > cut.simg")
                .exit_code,
            0);
  auto boot = cli_scan(d / "cut-boot.img");
  EXPECT_LT(boot.exit_code, 2) << "a boot image cut inside its kernel still lists the kernel\n" << boot.output;
  EXPECT_NE(boot.output.find("\"partial\": true"), std::string::npos) << boot.output.substr(0, 2000);
  EXPECT_NE(boot.output.find("the image ends after"), std::string::npos) << boot.output.substr(0, 2000);
  auto sparse = cli_scan(d / "cut.simg");
  if (sparse.exit_code != 2) {
    EXPECT_NE(sparse.output.find("android sparse image damaged"), std::string::npos) << sparse.output.substr(0, 2000);
    EXPECT_NE(sparse.output.find("\"partial\": true"), std::string::npos) << sparse.output.substr(0, 2000);
  }
}

// ---- honest reads: nothing read is never a pass ----

/// Runs `fwcert scan` on `target`; returns its exit code and output.
test::CommandResult cli_scan(const std::string& target) {
  return run(shell_quote(test::fwcert_binary()) + " scan --format json " + shell_quote(target));
}

TEST(HonestReads, CompressedStreamsWithoutAnImageExitTwoAndSaySo) {
  TempDir d;
  ASSERT_EQ(run("cd " + shell_quote(d.path()) +
                " && head -c 100000 /dev/urandom | gzip > random.gz && gzip -c /etc/services > text.gz"
                " && tar -cf empty.tar --files-from /dev/null && gzip -c empty.tar > empty.tar.gz"
                " && mkdir e && tar -cf dirs-only.tar -C e . && xz -c /etc/services > text.xz")
                .exit_code,
            0);
  for (const char* name : {"random.gz", "text.gz", "empty.tar.gz", "text.xz"}) {
    auto r = cli_scan(d / name);
    EXPECT_EQ(r.exit_code, 2) << name << "\n" << r.output;
    EXPECT_NE(r.output.find("no filesystem or archive fwcert reads"), std::string::npos) << name << "\n" << r.output;
    EXPECT_NE(r.output.find(name), std::string::npos) << "the message names the target\n" << r.output;
  }
  for (const char* name : {"empty.tar", "dirs-only.tar"}) {
    auto r = cli_scan(d / name);
    EXPECT_EQ(r.exit_code, 2) << name << "\n" << r.output;
  }
  auto r = cli_scan(d / "dirs-only.tar");
  EXPECT_NE(r.output.find("tar holds no file"), std::string::npos) << r.output;
}

TEST(HonestReads, TruncatedCompressedImageIsPartialOrUnread) {
  TempDir d;
  const std::string src = d / "src";
  for (int i = 0; i < 40; ++i) write_file(src + "/usr/share/f" + std::to_string(i), std::string(20000, 'a' + i % 26));
  write_file(src + "/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
  ASSERT_EQ(run("mke2fs -q -F -t ext4 -d " + shell_quote(src) + " " + shell_quote(d / "fs.ext4") + " 8M && gzip -c " +
                shell_quote(d / "fs.ext4") + " > " + shell_quote(d / "fs.ext4.gz"))
                .exit_code,
            0);
  const std::string full = test::read_file(d / "fs.ext4.gz");
  // Cut at a tenth, a half and nine tenths: never exit 0 with the scan called complete.
  for (double cut : {0.1, 0.5, 0.9}) {
    const std::string part = d / ("cut" + std::to_string(static_cast<int>(cut * 10)) + ".ext4.gz");
    write_file(part, full.substr(0, static_cast<std::size_t>(full.size() * cut)));
    auto r = cli_scan(part);
    if (r.exit_code == 2) continue;  // nothing readable: said so
    auto report = nlohmann::json::parse(r.output, nullptr, false);
    ASSERT_FALSE(report.is_discarded()) << r.output.substr(0, 2000);
    EXPECT_TRUE(report["target"]["partial"].get<bool>()) << part;
    EXPECT_NE(report["target"]["diagnostics"].dump().find("gzip stream damaged"), std::string::npos)
        << report["target"]["diagnostics"].dump();
  }
}

TEST(HonestReads, ImageWithOnlyDirectoriesExitsTwo) {
  TempDir d;
  ASSERT_EQ(run("mkdir -p " + shell_quote(d / "src/etc/empty") + " && mksquashfs " + shell_quote(d / "src") + " " +
                shell_quote(d / "dirs.sqfs") + " -noappend -quiet -no-progress")
                .exit_code,
            0);
  auto r = cli_scan(d / "dirs.sqfs");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("squashfs holds no file"), std::string::npos) << r.output;
}

// ---- nesting: images inside a target are opened, two levels deep ----

TEST(NestedImages, CompressedExt4InsideADirectoryIsOpenedWhateverItsName) {
  TempDir dir;
  std::string inner = make_inner_for_compression(dir);
  std::string target = dir / "rootfs";
  ASSERT_EQ(run("mkdir -p " + shell_quote(target + "/opt") + " && xz -c " + shell_quote(inner) + " > " +
                shell_quote(target + "/opt/update.bin"))
                .exit_code,
            0);
  write_file(target + "/usr/share/man/man1/ls.1.gz", "");
  ASSERT_EQ(run("gzip -c /etc/services > " + shell_quote(target + "/usr/share/man/man1/ls.1.gz")).exit_code, 0);
  TargetInfo info;
  auto inv = scanning::open_target(target, ScanOptions{}, info);
  ASSERT_TRUE(inv.ok()) << inv.error().describe();
  ASSERT_EQ(info.filesystems.size(), 2u) << "the man page is not an image";
  EXPECT_EQ(info.filesystems[1].type, "xz > ext4");
  EXPECT_EQ(info.filesystems[1].container, "/opt/update.bin");
  const auto* e = find_display(**inv, "/opt/update.bin!/etc/passwd");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ((*inv)->vfs(e->filesystem).read_file(e->path, 4096).value_or(""), "inner:x:0:0::/:/bin/sh\n");
  EXPECT_FALSE(info.partial);
  for (const auto& d : info.diagnostics) EXPECT_EQ(d.path.find("ls.1.gz"), std::string::npos) << d.message;
}

TEST(NestedImages, TwoLevelsDeep) {
  // A squashfs inside a cpio.gz (an initramfs) inside a directory target.
  TempDir dir;
  std::string inner = make_inner_for_compression(dir);
  std::string mid = dir / "mid";
  ASSERT_EQ(run("mkdir -p " + shell_quote(mid + "/lib/firmware") + " && cp " + shell_quote(inner) + " " +
                shell_quote(mid + "/lib/firmware/payload.img") + " && cd " + shell_quote(mid) +
                " && find . | cpio --quiet -o -H newc | gzip > ../initrd.img")
                .exit_code,
            0);
  std::string target = dir / "rootfs";
  write_file(target + "/boot/initrd.img", test::read_file(dir / "initrd.img"));
  TargetInfo info;
  auto inv = scanning::open_target(target, ScanOptions{}, info);
  ASSERT_TRUE(inv.ok()) << inv.error().describe();
  EXPECT_NE(find_display(**inv, "/boot/initrd.img!/lib/firmware/payload.img!/etc/passwd"), nullptr);
  ASSERT_EQ(info.filesystems.size(), 3u);
  EXPECT_EQ(info.filesystems[2].container, "/boot/initrd.img!/lib/firmware/payload.img");
}

// ---- nesting: images inside a target are opened one level deep (more above) ----

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

TEST(Carving, FlashDumpLayoutNamesEveryRegionAndTheRootIsTheFirstFilesystem) {
  // A NOR dump as a device holds it: a legacy uImage kernel at 0, the squashfs rootfs at
  // 0x40000, a data ext4 at the next 64 KiB boundary, and a stray ext superblock that does not
  // open. The kernel container must not become the root (where /etc lives), and the layout
  // must name every region, opened or not.
  TempDir dir;
  write_file(dir / "Image", std::string(3000, 'K'));
  ASSERT_EQ(run("cd " + shell_quote(dir.path()) + " && mkimage -A arm -O linux -T kernel -C none -a 0x8000 -e 0x8000 " +
                "-n dump-kernel -d Image uImage >/dev/null")
                .exit_code,
            0);
  std::string blob = test::read_file(dir / "uImage");
  ASSERT_LT(blob.size(), 0x40000u);
  blob.resize(0x40000, '\xff');
  blob += test::read_file(make_inner(dir, "squashfs"));
  blob.resize((blob.size() + 0xFFFF) & ~std::size_t{0xFFFF}, '\xff');
  const std::size_t ext_at = blob.size();
  blob += test::read_file(make_inner(dir, "ext4"));
  blob.resize((blob.size() + 0xFFFF) & ~std::size_t{0xFFFF}, '\xff');
  const std::size_t stray_at = blob.size();
  std::string stray(4096, '\0');
  stray[1024 + 4] = 8;   // blocks_count 8
  stray[1080] = '\x53';  // magic 0xEF53
  stray[1081] = '\xef';
  blob += stray;
  write_file(dir / "dump.bin", blob);

  TargetInfo info;
  auto inv = scanning::open_target(dir / "dump.bin", ScanOptions{}, info);
  ASSERT_TRUE(inv.ok()) << inv.error().describe();
  EXPECT_EQ(info.format, "raw");
  ASSERT_EQ(info.layout.size(), 4u);
  EXPECT_EQ(info.layout[0].offset, 0u);
  EXPECT_EQ(info.layout[0].format, "uimage");
  EXPECT_EQ(info.layout[0].length, 64u + 3000u);
  EXPECT_TRUE(info.layout[0].read);
  EXPECT_EQ(info.layout[1].offset, 0x40000u);
  EXPECT_EQ(info.layout[1].format, "squashfs");
  EXPECT_TRUE(info.layout[1].read);
  EXPECT_EQ(info.layout[2].offset, ext_at);
  EXPECT_EQ(info.layout[2].format, "ext4");
  EXPECT_EQ(info.layout[3].offset, stray_at);
  EXPECT_FALSE(info.layout[3].read);
  EXPECT_FALSE(info.layout[3].note.empty());
  // The root is the squashfs; the kernel container keeps its offset as its prefix.
  ASSERT_EQ(info.filesystems.size(), 3u);
  EXPECT_EQ(info.filesystems[0].type, "squashfs");
  EXPECT_EQ(info.filesystems[0].prefix, "");
  EXPECT_NE(find_display(**inv, "/etc/passwd"), nullptr);
  bool kernel_part = false;
  for (const auto& fs : info.filesystems) kernel_part |= fs.type == "uimage" && fs.prefix == "@0x0!";
  EXPECT_TRUE(kernel_part);

  // fwcert facts --layout prints the same map, text and JSON, without running the analyzers.
  auto text =
      run(shell_quote(test::fwcert_binary()) + " facts --layout --format text " + shell_quote(dir / "dump.bin"));
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("0x00000000"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("uimage"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find(fmt::format("{:#010x}", 0x40000)), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("not read"), std::string::npos) << text.output;
  auto json = run(shell_quote(test::fwcert_binary()) + " facts --layout " + shell_quote(dir / "dump.bin"));
  auto j = nlohmann::json::parse(json.output, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << json.output;
  ASSERT_EQ(j["layout"].size(), 4u);
  EXPECT_EQ(j["layout"][1]["format"], "squashfs");
  EXPECT_EQ(j["layout"][1]["offset"], 0x40000);
  EXPECT_EQ(j["layout"][3]["read"], false);
  EXPECT_FALSE(j.contains("facts"));
}

}  // namespace
}  // namespace fwcert
