// The archive backend over real archives built by the real tools (tar, cpio, zip, gzip, xz,
// zstd, bzip2, lz4) from a fixture tree on disk: owners, modes, links, devices, xattrs and
// content must come out exactly as the tools stored them, and damage must be reported, not fatal.

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/hostile_archives.hpp"
#include "support/test_util.hpp"
#include "vfs/byte_source.hpp"
#include "vfs/open.hpp"

namespace fwcert::vfs {
namespace {

using test::run;
using test::shell_quote;
using test::TempDir;
using test::write_file;

struct Opened {
  Result<std::shared_ptr<Vfs>> vfs = make_error(ErrorCode::kIo, "not opened");
  std::vector<Diagnostic> diagnostics;
  bool partial = false;

  const Vfs& operator*() const { return **vfs; }
  const Vfs* operator->() const { return vfs->get(); }
  bool has_diagnostic(std::string_view needle) const {
    return std::any_of(diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& d) {
      return d.message.find(needle) != std::string::npos || d.path.find(needle) != std::string::npos;
    });
  }
  std::string all_diagnostics() const {
    std::string out;
    for (const auto& d : diagnostics) out += d.path + ": " + d.message + "\n";
    return out;
  }
};

Opened open_file(const std::string& host_path) {
  Opened o;
  auto src = open_host_file(host_path);
  if (!src) {
    o.vfs = src.error();
    return o;
  }
  o.vfs = open_archive(*src, o.diagnostics, o.partial);
  return o;
}

void sh(const std::string& command) {
  auto r = run(command);
  ASSERT_EQ(r.exit_code, 0) << command << "\n" << r.output;
}

bool is_root() { return ::geteuid() == 0; }

constexpr const char* kCapNetRaw = "cap_net_raw+ep";
constexpr const char* kSelinuxLabel = "system_u:object_r:bin_t:s0";

/// The fixture rootfs every format test archives. Needs root for owners and the device node.
void make_fixture(const TempDir& d) {
  const std::string r = d / "root";
  write_file(r + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  write_file(r + "/bin/busybox",
             "\x7f"
             "ELF-busybox-bytes");
  write_file(r + "/bin/su", "#!/bin/sh\nexec busybox su\n");
  write_file(r + "/usr/bin/wall", "wall-bytes");
  write_file(r + "/usr/bin/ping", "ping-bytes");
  write_file(r + "/home/user/notes.txt", "private notes\n");
  sh("cd " + shell_quote(r) +
     " && mkdir -p tmp dev run"
     " && ln -s busybox bin/sh && ln -s /etc/passwd etc/abs && ln bin/busybox bin/ash"
     " && chown 0:0 bin/su && chmod 04755 bin/su"
     " && chown 0:5 usr/bin/wall && chmod 02755 usr/bin/wall"
     " && chmod 01777 tmp"
     " && chown -R 1000:1001 home/user && chmod 0600 home/user/notes.txt"
     " && mknod dev/console c 5 1 && mkfifo run/initctl"
     " && setcap " +
     kCapNetRaw +
     " usr/bin/ping"
     " && touch -d @1700000000 etc/passwd"
     " && chmod 0750 . && chown 0:10 .");
  sh("python3 -c \"import os; os.setxattr('" + r + "/usr/bin/ping', 'security.selinux', b'" + kSelinuxLabel +
     "\\\\0')\"");
}

struct FormatCase {
  const char* name;
  const char* command;  ///< run in the fixture root; writes ../out
  const char* format;   ///< expected Vfs::format()
  bool owners;          ///< stores uid/gid
  bool specials;        ///< stores device nodes and fifos
  bool hardlinks;
  bool xattrs;
  bool root_entry = true;  ///< stores "./", whose metadata is the root's
};

class ArchiveFormats : public ::testing::TestWithParam<FormatCase> {};

TEST_P(ArchiveFormats, KeepsMetadataLinksAndContentExactly) {
  if (!is_root()) GTEST_SKIP() << "owners, setuid bits and mknod need root";
  const FormatCase& c = GetParam();
  TempDir d;
  make_fixture(d);
  sh("cd " + shell_quote(d / "root") + " && " + c.command);
  auto o = open_file(d / "out");
  ASSERT_TRUE(o.vfs.ok()) << o.vfs.error().describe();
  EXPECT_EQ(o->format(), c.format);
  EXPECT_FALSE(o.partial) << o.all_diagnostics();

  auto content = o->read_file("/etc/passwd", 1024);
  ASSERT_TRUE(content.ok()) << content.error().describe();
  EXPECT_EQ(*content, "root:x:0:0:root:/root:/bin/sh\n");
  EXPECT_EQ(o->lstat("/etc/passwd")->mtime, 1700000000);

  auto su = o->lstat("/bin/su");
  ASSERT_TRUE(su.ok());
  EXPECT_EQ(su->mode, 04755u);
  EXPECT_EQ(o->lstat("/usr/bin/wall")->mode, 02755u);
  auto tmp = o->lstat("/tmp");
  ASSERT_TRUE(tmp.ok());
  EXPECT_TRUE(tmp->is_dir());
  EXPECT_EQ(tmp->mode, 01777u);
  EXPECT_EQ(o->lstat("/home/user/notes.txt")->mode, 0600u);

  EXPECT_EQ(*o->readlink("/bin/sh"), "busybox");
  EXPECT_EQ(*o->readlink("/etc/abs"), "/etc/passwd");
  EXPECT_EQ(*o->read_file("/etc/abs", 1024), *content) << "absolute link resolves inside the image";

  if (c.owners) {
    EXPECT_EQ(o->lstat("/usr/bin/wall")->gid, 5u);
    auto notes = o->lstat("/home/user/notes.txt");
    EXPECT_EQ(notes->uid, 1000u);
    EXPECT_EQ(notes->gid, 1001u);
  }
  if (c.root_entry) {
    auto root = o->lstat("/");
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(root->mode, 0750u) << "the ./ member describes the root";
    EXPECT_EQ(root->gid, 10u);
  }
  if (c.hardlinks) {
    auto a = o->lstat("/bin/busybox");
    auto b = o->lstat("/bin/ash");
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->inode, b->inode);
    EXPECT_EQ(a->nlink, 2u);
    EXPECT_EQ(*o->read_file("/bin/ash", 1024),
              "\x7f"
              "ELF-busybox-bytes");
  }
  if (c.specials) {
    auto console = o->lstat("/dev/console");
    ASSERT_TRUE(console.ok()) << o.all_diagnostics();
    EXPECT_EQ(console->type, FileType::kCharDevice);
    EXPECT_EQ(console->rdev_major, 5u);
    EXPECT_EQ(console->rdev_minor, 1u);
    EXPECT_EQ(o->lstat("/run/initctl")->type, FileType::kFifo);
  }
  if (c.xattrs) {
    auto xs = o->xattrs("/usr/bin/ping");
    ASSERT_TRUE(xs.ok());
    std::string cap;
    std::string label;
    for (const auto& x : *xs) {
      if (x.name == "security.capability") cap = x.value;
      if (x.name == "security.selinux") label = x.value;
    }
    // VFS_CAP_REVISION_2 with the effective bit, permitted = 1 << CAP_NET_RAW (13).
    ASSERT_EQ(cap.size(), 20u);
    EXPECT_EQ(static_cast<unsigned char>(cap[0]), 0x01);
    EXPECT_EQ(static_cast<unsigned char>(cap[3]), 0x02);
    EXPECT_EQ(static_cast<unsigned char>(cap[5]), 0x20);
    EXPECT_EQ(label, std::string(kSelinuxLabel) + '\0');
  }
}

// GNU tar stores xattrs only in pax headers, hence --format=posix where they are wanted.
INSTANTIATE_TEST_SUITE_P(
    ArchiveVfs, ArchiveFormats,
    ::testing::Values(
        FormatCase{"tar", "tar --xattrs --xattrs-include='*' --format=posix -cf ../out .", "tar", true, true, true,
                   true},
        FormatCase{"gnutar", "tar --format=gnu -cf ../out .", "tar", true, true, true, false},
        FormatCase{"tar_gz", "tar --xattrs --xattrs-include='*' --format=posix -czf ../out .", "tar.gz", true, true,
                   true, true},
        FormatCase{"tar_xz", "tar --xattrs --xattrs-include='*' --format=posix -cJf ../out .", "tar.xz", true, true,
                   true, true},
        FormatCase{"tar_zst", "tar --xattrs --xattrs-include='*' --format=posix --zstd -cf ../out .", "tar.zst", true,
                   true, true, true},
        FormatCase{"tar_bz2", "tar --format=gnu -cjf ../out .", "tar.bz2", true, true, true, false},
        FormatCase{"tar_lz4", "tar --format=ustar -cf - . | lz4 -q > ../out", "tar.lz4", true, true, true, false},
        FormatCase{"tar_lzma", "tar --format=gnu -cf - . | xz --format=lzma > ../out", "tar.lzma", true, true, true,
                   false},
        FormatCase{"cpio_newc", "find . | cpio -o -H newc --quiet > ../out", "cpio", true, true, true, false},
        FormatCase{"cpio_odc_gz", "find . | cpio -o -H odc --quiet | gzip > ../out", "cpio.gz", true, true, true,
                   false},
        FormatCase{"cpio_bin", "find . | cpio -o -H bin --quiet > ../out", "cpio", true, true, true, false},
        FormatCase{"zip", "zip -q -r -y ../out.zip . && mv ../out.zip ../out", "zip", true, false, false, false,
                   false}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ArchiveVfs, CompressedFileThatIsNoArchiveFailsCleanly) {
  TempDir d;
  write_file(d / "notes.txt", std::string(5000, 'n') + "\nplain text, not an archive\n");
  sh("gzip -k " + shell_quote(d / "notes.txt"));
  auto o = open_file(d / "notes.txt.gz");
  ASSERT_FALSE(o.vfs.ok()) << "gzip of a text file must not open as a one-file archive";
  EXPECT_EQ(o.vfs.error().code, ErrorCode::kUnsupported);
}

TEST(ArchiveVfs, GarbageAndEmptyInputAreErrors) {
  TempDir d;
  write_file(d / "garbage", std::string(4096, '\x5a'));
  write_file(d / "empty", "");
  EXPECT_FALSE(open_file(d / "garbage").vfs.ok());
  EXPECT_FALSE(open_file(d / "empty").vfs.ok());
}

TEST(ArchiveVfs, TruncatedArchiveKeepsWhatWasReadAndIsPartial) {
  TempDir d;
  write_file(d / "t/a.txt", "first member\n");
  sh("head -c 200000 /dev/urandom > " + shell_quote(d / "t/b.bin"));
  sh("cd " + shell_quote(d / "t") + " && tar --format=ustar -cf ../full.tar a.txt b.bin");
  sh("head -c 100000 " + shell_quote(d / "full.tar") + " > " + shell_quote(d / "cut.tar"));
  auto o = open_file(d / "cut.tar");
  ASSERT_TRUE(o.vfs.ok()) << o.vfs.error().describe();
  EXPECT_TRUE(o.partial);
  EXPECT_TRUE(o.has_diagnostic("damaged")) << o.all_diagnostics();
  EXPECT_EQ(*o->read_file("/a.txt", 100), "first member\n");
  auto b = o->lstat("/b.bin");
  ASSERT_TRUE(b.ok()) << "the damaged member keeps its metadata";
  EXPECT_EQ(b->size, 200000u);
  EXPECT_FALSE(o->read_file("/b.bin", 1 << 20).ok()) << "truncated content is not handed out";
}

TEST(ArchiveVfs, TruncatedGzipStreamKeepsEarlierMembers) {
  TempDir d;
  write_file(d / "t/a.txt", "first member\n");
  sh("head -c 300000 /dev/urandom > " + shell_quote(d / "t/b.bin"));
  sh("cd " + shell_quote(d / "t") + " && tar -czf ../full.tgz a.txt b.bin");
  sh("head -c 150000 " + shell_quote(d / "full.tgz") + " > " + shell_quote(d / "cut.tgz"));
  auto o = open_file(d / "cut.tgz");
  ASSERT_TRUE(o.vfs.ok()) << o.vfs.error().describe();
  EXPECT_TRUE(o.partial);
  EXPECT_EQ(*o->read_file("/a.txt", 100), "first member\n");
}

TEST(ArchiveVfs, DamagedFirstHeaderIsAnError) {
  TempDir d;
  write_file(d / "t/a.txt", "x");
  sh("cd " + shell_quote(d / "t") + " && tar --format=ustar -cf ../a.tar a.txt");
  // Overwrite the header checksum field: no member can be read at all.
  sh("printf 'zzzzzzz' | dd of=" + shell_quote(d / "a.tar") + " bs=1 seek=148 conv=notrunc status=none");
  EXPECT_FALSE(open_file(d / "a.tar").vfs.ok());
}

void python_tar(const std::string& out, const std::string& body) {
  auto error = test::python_tar(out, body);
  ASSERT_EQ(error, "");
}

TEST(ArchiveVfs, EscapingNamesAreClampedInsideTheRootWithAWarning) {
  TempDir d;
  python_tar(d / "e.tar",
             "f('../../../etc/shadow', b'clamped-shadow')\n"
             "f('/etc/../../abs.txt', b'clamped-abs')\n"
             "f('ok/../fine.txt', b'fine')\n"
             "l('hl', '../../../../etc/shadow', tarfile.LNKTYPE)\n");
  auto o = open_file(d / "e.tar");
  ASSERT_TRUE(o.vfs.ok()) << o.vfs.error().describe();
  EXPECT_EQ(*o->read_file("/etc/shadow", 100), "clamped-shadow");
  EXPECT_EQ(*o->read_file("/abs.txt", 100), "clamped-abs");
  EXPECT_EQ(*o->read_file("/fine.txt", 100), "fine");
  EXPECT_TRUE(o.has_diagnostic("'../../../etc/shadow' escapes the root")) << o.all_diagnostics();
  EXPECT_TRUE(o.has_diagnostic("'/etc/../../abs.txt' escapes the root")) << o.all_diagnostics();
  EXPECT_FALSE(o.has_diagnostic("ok/../fine.txt")) << "a '..' that stays inside is not an escape";
  EXPECT_EQ(o->lstat("/hl")->inode, o->lstat("/etc/shadow")->inode) << "hard link target clamped too";
}

TEST(ArchiveVfs, MembersBelowASymlinkOrFileAreSkippedNotFollowed) {
  TempDir d;
  python_tar(d / "s.tar",
             "dr('etc')\n"
             "f('etc/passwd', b'inside')\n"
             "l('y', '../../../../../etc')\n"
             "f('y/passwd', b'written-through-symlink')\n"
             "f('file', b'plain')\n"
             "f('file/child', b'below-a-file')\n"
             "dr('file')\n");
  auto o = open_file(d / "s.tar");
  ASSERT_TRUE(o.vfs.ok()) << o.vfs.error().describe();
  EXPECT_TRUE(o.partial);
  EXPECT_EQ(*o->read_file("/etc/passwd", 100), "inside") << "nothing was written through /y";
  EXPECT_EQ(*o->readlink("/y"), "../../../../../etc");
  EXPECT_TRUE(o.has_diagnostic("/y/passwd")) << o.all_diagnostics();
  EXPECT_TRUE(o.has_diagnostic("/file/child")) << o.all_diagnostics();
  EXPECT_EQ(*o->read_file("/file", 100), "plain") << "a directory member cannot replace a file";
}

TEST(ArchiveVfs, LaterMemberReplacesEarlierFileLikeExtraction) {
  TempDir d;
  python_tar(d / "r.tar", "f('a', b'old')\nf('a', b'new')\n");
  auto o = open_file(d / "r.tar");
  ASSERT_TRUE(o.vfs.ok());
  EXPECT_EQ(*o->read_file("/a", 100), "new");
}

TEST(ArchiveVfs, HugeSparseMemberKeepsMetadataOnlyWithoutAllocating) {
  TempDir d;
  sh("mkdir " + shell_quote(d / "t") + " && truncate -s 1T " + shell_quote(d / "t/huge") + " && echo hi > " +
     shell_quote(d / "t/small"));
  sh("cd " + shell_quote(d / "t") + " && tar -S -czf ../sparse.tgz huge small");
  auto o = open_file(d / "sparse.tgz");
  ASSERT_TRUE(o.vfs.ok()) << o.vfs.error().describe();
  auto st = o->lstat("/huge");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->size, 1ull << 40);
  std::vector<std::byte> buf(4096);
  auto r = o->read("/huge", 0, buf);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kLimitExceeded);
  EXPECT_TRUE(o.partial);
  EXPECT_TRUE(o.has_diagnostic("per-member")) << o.all_diagnostics();
  EXPECT_EQ(*o->read_file("/small", 100), "hi\n") << "members after the huge one are still read";
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  EXPECT_LT(ru.ru_maxrss, 1L << 20) << "max RSS in KiB";
}

TEST(ArchiveVfs, SmallSparseMemberReadsBackWithZeroHoles) {
  TempDir d;
  sh("mkdir " + shell_quote(d / "t") + " && cd " + shell_quote(d / "t") +
     " && printf head > s && printf tail | dd of=s bs=1 seek=3000000 conv=notrunc status=none"
     " && truncate -s 5000000 s && tar -S --format=posix -cf ../s.tar s");
  auto o = open_file(d / "s.tar");
  ASSERT_TRUE(o.vfs.ok()) << o.vfs.error().describe();
  auto content = o->read_file("/s", 10'000'000);
  ASSERT_TRUE(content.ok()) << content.error().describe();
  EXPECT_EQ(*content, test::read_file(d / "t/s"));
  EXPECT_FALSE(o.partial) << o.all_diagnostics();
}

/// Members over limits::kArchiveInlineMemberBytes are kept in the spill file, not in memory:
/// they, the small ones between them, and a hard-linked cpio group must read back exactly.
TEST(ArchiveVfs, MembersKeptInTheSpillFileReadBackExactly) {
  TempDir d;
  sh("mkdir -p " + shell_quote(d / "t/dir") + " && cd " + shell_quote(d / "t") +
     " && head -c 300000 /dev/urandom > big && head -c 65537 /dev/urandom > just-over"
     " && head -c 65536 /dev/urandom > just-under && echo small > dir/small && ln big dir/big-link"
     " && tar -czf ../a.tgz big just-over dir just-under"
     " && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip > ../a.cpio.gz");
  for (const char* archive : {"a.tgz", "a.cpio.gz"}) {
    auto o = open_file(d / archive);
    ASSERT_TRUE(o.vfs.ok()) << o.vfs.error().describe();
    EXPECT_FALSE(o.partial) << archive << ": " << o.all_diagnostics();
    for (const char* name : {"big", "just-over", "just-under", "dir/small", "dir/big-link"}) {
      auto content = o->read_file(std::string("/") + name, 1 << 20);
      ASSERT_TRUE(content.ok()) << archive << " " << name << ": " << content.error().describe();
      EXPECT_EQ(*content, test::read_file(d / ("t/" + std::string(name)))) << archive << " " << name;
    }
    const std::string want = test::read_file(d / "t/big");
    for (std::uint64_t offset : {0ull, 1ull, 65535ull, 65536ull, 299999ull, 300000ull}) {
      std::string buf(5000, '\0');
      auto n = o->read("/big", offset, std::as_writable_bytes(std::span<char>(buf)));
      ASSERT_TRUE(n.ok()) << n.error().describe();
      const std::size_t expect = std::min<std::size_t>(5000, want.size() - offset);
      ASSERT_EQ(*n, expect) << archive << " offset " << offset;
      EXPECT_EQ(buf.substr(0, *n), want.substr(offset, expect)) << archive << " offset " << offset;
    }
  }
}

TEST(ArchiveVfs, ZerosBombStopsAtTheRatioGuard) {
  TempDir d;
  // Four 256 MiB members of zeros: each under the member limit, 1 GiB in all, a few KiB of
  // zstd. Generated through a pipe; nothing large touches the disk.
  sh(test::zero_tar_command(4, 256ull << 20) + " | zstd -q -c > " + shell_quote(d / "bomb.tar.zst"));
  ASSERT_LT(std::stoull(run("stat -c %s " + shell_quote(d / "bomb.tar.zst")).output), 1u << 20);
  auto o = open_file(d / "bomb.tar.zst");
  ASSERT_TRUE(o.vfs.ok()) << o.vfs.error().describe();
  EXPECT_TRUE(o.partial);
  EXPECT_TRUE(o.has_diagnostic("decompression bomb guard")) << o.all_diagnostics();
  EXPECT_FALSE(o->exists("/zero3")) << "reading stopped long before the last member";
}

TEST(ArchiveVfs, ZerosAfterABinaryCpioMemberAreNotReadAsMembers) {
  // Binary cpio checks no magic after the first header: libarchive reads each 26 zero bytes as
  // a member of no file type, which must count as damage, not as a million members.
  TempDir d;
  write_file(d / "zeros.cpio",
             test::binary_cpio_member("etc/passwd", "root:x:0:0::/:/bin/sh\n") + std::string(1 << 20, '\0'));
  auto o = open_file(d / "zeros.cpio");
  ASSERT_TRUE(o.vfs.ok()) << o.vfs.error().describe();
  EXPECT_EQ(*o->read_file("/etc/passwd", 100), "root:x:0:0::/:/bin/sh\n");
  EXPECT_TRUE(o.partial);
  EXPECT_TRUE(o.has_diagnostic("more than 16 damaged member headers")) << o.all_diagnostics();
  EXPECT_FALSE(o.has_diagnostic("further diagnostics about this archive not shown")) << o.all_diagnostics();
}

TEST(ArchiveVfs, SeedCorpusOfTheFuzzerOpensExceptTheDamagedInputs) {
  // The corpus is only worth replaying if its intact seeds reach the member-reading code.
  const std::string dir = test::source_dir() + "/fuzz/corpus/archive";
  auto listing = run("ls " + shell_quote(dir));
  ASSERT_EQ(listing.exit_code, 0);
  int intact = 0;
  std::size_t start = 0;
  while (start < listing.output.size()) {
    std::size_t end = listing.output.find('\n', start);
    if (end == std::string::npos) end = listing.output.size();
    std::string name = listing.output.substr(start, end - start);
    start = end + 1;
    if (name.empty()) continue;
    const bool damaged = name.rfind("trunc", 0) == 0 || name.rfind("bad", 0) == 0 || name == "plain.gz";
    auto o = open_file(dir + "/" + name);
    if (damaged) continue;
    ++intact;
    ASSERT_TRUE(o.vfs.ok()) << name << ": " << o.vfs.error().describe();
    EXPECT_GT(o->readdir("/")->size(), 0u) << name;
  }
  EXPECT_GE(intact, 15);
}

}  // namespace
}  // namespace fwcert::vfs
