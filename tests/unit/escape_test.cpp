// The escape suite: hostile images must never make fwcert read or write outside the image.
//
// Every test plants a canary outside the image whose unique content must never appear in any
// output (JSON report, facts, stdout, stderr) and whose files must never change. The canary is
// written as passwd lines, so an analyzer that followed a link out of the image to read
// /etc/passwd would print it. Archives are built with Python's tarfile, which stores names and
// link targets exactly as given (the real tools refuse to).

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "fwcert/scan.hpp"
#include "report/json/json_writer.hpp"
#include "support/hostile_archives.hpp"
#include "support/test_util.hpp"
#include "vfs/byte_source.hpp"
#include "vfs/dir_vfs.hpp"
#include "vfs/open.hpp"

namespace fwcert::test {
namespace {

/// Files outside the image that nothing may read into a report or change.
class Canary {
 public:
  Canary() {
    std::random_device rd;
    token_ = fmt::format("fwcanary{:08x}{:08x}", rd(), rd());
    content_ = fmt::format("{0}:x:0:0:{0}:/root:/bin/sh\n", token_);
    write_file(file(), content_);
    write_file(passwd(), content_);
    listing_ = listing();
  }

  const std::string& token() const { return token_; }
  /// The directory holding the canaries (absolute).
  std::string dir() const { return dir_ / "canary"; }
  std::string file() const { return dir() + "/canary.txt"; }
  std::string passwd() const { return dir() + "/passwd"; }

  void expect_absent_from(const std::string& text, const std::string& what) const {
    EXPECT_EQ(text.find(token_), std::string::npos) << what << " contains the canary:\n" << text.substr(0, 4000);
  }

  void expect_untouched() const {
    EXPECT_EQ(read_file(file()), content_);
    EXPECT_EQ(read_file(passwd()), content_);
    EXPECT_EQ(listing(), listing_) << "something was created or changed next to the canary";
  }

 private:
  std::string listing() const {
    return run("cd " + shell_quote(dir_.path()) + " && find . -printf '%p %y %s %m %T@\\n' | sort").output;
  }

  TempDir dir_;
  std::string token_;
  std::string content_;
  std::string listing_;
};

void sh(const std::string& command) {
  auto r = run(command);
  ASSERT_EQ(r.exit_code, 0) << command << "\n" << r.output;
}

/// Enough "../" to climb out of any temp directory, as a Python string literal prefix.
const std::string kUp = "../../../../../../../../../../../..";

/// A tar.gz whose members try every way out of the root towards the canary.
void make_hostile_archive(const std::string& out, const Canary& c) {
  const std::string p = c.dir();  // absolute, starts with '/'
  std::string body = fmt::format(
      "dr('etc')\n"
      "f('etc/hostname', b'inside-the-image\\n')\n"
      // Names that would write over the canary if extracted.
      "f('{up}{p}/canary.txt', b'image-copy\\n')\n"
      "f('/etc/../../abs-dotdot.txt', b'abs\\n')\n"
      // Links out of the root, absolute and relative.
      "l('etc/passwd', '{p}/passwd')\n"
      "l('etc/shadow', '{up}{p}/canary.txt')\n"
      "l('x', '{p}/canary.txt')\n"
      "l('y', '{up}{p}')\n"
      "l('canarydir', '{p}')\n"
      // Members written through those links.
      "f('y/evil', b'written-through-relative-link')\n"
      "f('canarydir/passwd', b'written-through-absolute-link')\n"
      // Links that go round in circles, and a member below one.
      "l('loop1', 'loop2')\n"
      "l('loop2', 'loop1')\n"
      "l('self', 'self')\n"
      "f('loop1/z', b'z')\n"
      // A hard link to the host file.
      "l('hl', '{up}{p}/passwd', tarfile.LNKTYPE)\n",
      fmt::arg("up", kUp), fmt::arg("p", p));
  ASSERT_EQ(python_tar(out, body, "w:gz"), "");
}

bool has_diagnostic(const Report& r, std::string_view needle) {
  return std::any_of(r.target.diagnostics.begin(), r.target.diagnostics.end(), [&](const Diagnostic& d) {
    return d.message.find(needle) != std::string::npos || d.path.find(needle) != std::string::npos;
  });
}

std::string diagnostics_text(const Report& r) {
  std::string out;
  for (const auto& d : r.target.diagnostics) out += d.path + ": " + d.message + "\n";
  return out;
}

Report scan_ok(const std::string& target) {
  ScanOptions o = ScanOptions::ci();
  o.collect_facts = true;
  auto r = scan(target, o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe());
  return r.ok() ? std::move(*r) : Report{};
}

/// Runs every CLI command that prints something about a target and checks none shows the canary.
void expect_cli_outputs_clean(const std::string& target, const Canary& c) {
  const std::string bin = shell_quote(fwcert_binary());
  const std::string t = shell_quote(target);
  for (const std::string& args : {"scan --format json " + t, "scan --show-passing " + t, "facts --format json " + t,
                                  "facts --format text " + t}) {
    auto r = run(bin + " " + args);  // stdout and stderr together
    EXPECT_LT(r.exit_code, 2) << args << "\n" << r.output;
    c.expect_absent_from(r.output, "fwcert " + args);
  }
}

struct Measured {
  CommandResult result;
  long max_rss_kib = -1;
};

/// Runs the fwcert CLI as the only child of a small Python parent that reports the child's
/// peak resident set size (getrusage of children), so nothing else the test ran is counted.
Measured run_measured(const std::string& args) {
  const std::string wrapper =
      "import resource, subprocess, sys\n"
      "r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)\n"
      "sys.stdout.buffer.write(r.stdout)\n"
      "print('\\nMAXRSS_KIB=%d' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
      "sys.exit(r.returncode)\n";
  Measured m;
  m.result = run("python3 -c " + shell_quote(wrapper) + " " + shell_quote(fwcert_binary()) + " " + args);
  auto at = m.result.output.rfind("MAXRSS_KIB=");
  if (at != std::string::npos) m.max_rss_kib = std::stol(m.result.output.substr(at + 11));
  return m;
}

constexpr long kMaxRssKib = 1L << 20;  // 1 GiB

TEST(EscapeSuite, ArchiveLinksOutOfTheRootNeverReachTheHost) {
  Canary c;
  TempDir d;
  make_hostile_archive(d / "hostile.tar.gz", c);
  auto src = vfs::open_host_file(d / "hostile.tar.gz");
  ASSERT_TRUE(src.ok());
  std::vector<Diagnostic> diags;
  bool partial = false;
  auto v = vfs::open_archive(*src, diags, partial);
  ASSERT_TRUE(v.ok()) << v.error().describe();
  const vfs::Vfs& fs = **v;

  // Every path that points outside either fails or reads the image's own bytes.
  for (const char* path : {"/etc/passwd", "/etc/shadow", "/x", "/y/canary.txt", "/y/passwd", "/canarydir/passwd", "/hl",
                           "/y/evil", "/loop1/z"}) {
    auto content = fs.read_file(path, 1 << 20);
    if (content.ok()) c.expect_absent_from(*content, path);
  }
  // The clamped member is where the relative and absolute links land, inside the image.
  EXPECT_EQ(*fs.read_file("/x", 100), "image-copy\n");
  EXPECT_EQ(*fs.read_file("/etc/shadow", 100), "image-copy\n");
  EXPECT_EQ(*fs.readlink("/x"), c.file()) << "link targets are reported exactly as stored";
  EXPECT_FALSE(fs.exists("/y/evil"));
  EXPECT_FALSE(fs.exists("/canarydir/passwd"));
  EXPECT_FALSE(fs.exists("/hl")) << "a hard link to a file not in the image cannot exist";
  auto loop = fs.stat("/loop1");
  ASSERT_FALSE(loop.ok());
  EXPECT_EQ(loop.error().code, ErrorCode::kLoop);
  EXPECT_EQ(fs.stat("/self").error().code, ErrorCode::kLoop);
  EXPECT_TRUE(partial);
  c.expect_untouched();
}

TEST(EscapeSuite, HostileArchiveScanReportsEscapesAndNeverShowsTheCanary) {
  Canary c;
  TempDir d;
  make_hostile_archive(d / "hostile.tar.gz", c);

  Report r = scan_ok(d / "hostile.tar.gz");
  EXPECT_EQ(r.target.format, "tar.gz");
  EXPECT_TRUE(r.target.partial);
  EXPECT_TRUE(has_diagnostic(r, "escapes the root")) << diagnostics_text(r);
  EXPECT_TRUE(has_diagnostic(r, "/abs-dotdot.txt")) << diagnostics_text(r);
  for (const char* skipped : {"/y/evil", "/canarydir/passwd", "/loop1/z", "/hl"}) {
    EXPECT_TRUE(has_diagnostic(r, skipped)) << skipped << " should be reported as skipped\n" << diagnostics_text(r);
  }
  c.expect_absent_from(report::to_json(r), "JSON report");
  c.expect_absent_from(report::facts_to_json(r), "facts");

  expect_cli_outputs_clean(d / "hostile.tar.gz", c);
  c.expect_untouched();
}

TEST(EscapeSuite, HostileArchiveNestedInADirectoryIsConfinedToo) {
  Canary c;
  TempDir d;
  sh("mkdir -p " + shell_quote(d / "root/boot"));
  make_hostile_archive(d / "root/boot/rootfs.tar.gz", c);
  sh("rm " + shell_quote(d / "root/boot/rootfs.tar.gz.py"));

  Report r = scan_ok(d / "root");
  ASSERT_EQ(r.target.filesystems.size(), 2u) << "the nested archive is opened";
  EXPECT_EQ(r.target.filesystems[1].type, "tar.gz");
  EXPECT_TRUE(r.target.partial);
  EXPECT_TRUE(has_diagnostic(r, "/boot/rootfs.tar.gz!/y/evil")) << diagnostics_text(r);
  c.expect_absent_from(report::to_json(r), "JSON report");
  expect_cli_outputs_clean(d / "root", c);
  c.expect_untouched();
}

TEST(EscapeSuite, DirectoryTargetWithLinksOutsideNeverReadsTheCanary) {
  Canary c;
  TempDir d;
  const std::string root = d / "root";
  write_file(root + "/etc/hostname", "inside\n");
  sh("cd " + shell_quote(root) + " && ln -s " + shell_quote(c.passwd()) + " etc/passwd" +  //
     " && ln -s " + shell_quote(kUp + c.file()) + " etc/shadow" +                          //
     " && ln -s " + shell_quote(c.dir()) + " outside" +                                    //
     " && ln -s " + shell_quote(kUp + c.dir()) + " outside_rel" +                          //
     " && ln -s loop loop");

  auto v = vfs::open_directory(root);
  ASSERT_TRUE(v.ok()) << v.error().describe();
  for (const char* path : {"/etc/passwd", "/etc/shadow", "/outside/passwd", "/outside_rel/canary.txt"}) {
    auto content = (*v)->read_file(path, 1 << 20);
    EXPECT_FALSE(content.ok()) << path << " resolved to something on the host";
    if (content.ok()) c.expect_absent_from(*content, path);
  }
  EXPECT_FALSE((*v)->readdir("/outside").ok()) << "a link to a host directory is not listed";

  Report r = scan_ok(root);
  EXPECT_EQ(r.target.format, "directory");
  c.expect_absent_from(report::to_json(r), "JSON report");
  c.expect_absent_from(report::facts_to_json(r), "facts");
  expect_cli_outputs_clean(root, c);
  c.expect_untouched();
}

TEST(EscapeSuite, ZstdZerosBombStopsWithBoundedMemory) {
  Canary c;
  TempDir d;
  // 2 GiB of zeros in eight members, about 64 KiB of zstd; generated through a pipe.
  sh(zero_tar_command(8, 256ull << 20) + " | zstd -q -c > " + shell_quote(d / "bomb.tar.zst"));
  ASSERT_LT(std::stoull(run("stat -c %s " + shell_quote(d / "bomb.tar.zst")).output), 1u << 20);

  Report r = scan_ok(d / "bomb.tar.zst");
  EXPECT_TRUE(r.target.partial);
  EXPECT_TRUE(has_diagnostic(r, "decompression bomb guard")) << diagnostics_text(r);

  auto m = run_measured("scan --format json " + shell_quote(d / "bomb.tar.zst"));
  EXPECT_EQ(m.result.exit_code, 0) << m.result.output.substr(0, 2000);
  EXPECT_NE(m.result.output.find("\"partial\": true"), std::string::npos) << m.result.output.substr(0, 2000);
  ASSERT_GT(m.max_rss_kib, 0);
  EXPECT_LT(m.max_rss_kib, kMaxRssKib);
  c.expect_untouched();
}

TEST(EscapeSuite, XzZerosBombStopsWithBoundedMemory) {
  TempDir d;
  // 512 MiB of zeros in two members, about 80 KiB of xz.
  sh(zero_tar_command(2, 256ull << 20) + " | xz -T0 -c > " + shell_quote(d / "bomb.tar.xz"));
  auto m = run_measured("scan --format json " + shell_quote(d / "bomb.tar.xz"));
  EXPECT_EQ(m.result.exit_code, 0) << m.result.output.substr(0, 2000);
  EXPECT_NE(m.result.output.find("decompression bomb guard"), std::string::npos) << m.result.output.substr(0, 4000);
  EXPECT_NE(m.result.output.find("\"partial\": true"), std::string::npos);
  ASSERT_GT(m.max_rss_kib, 0);
  EXPECT_LT(m.max_rss_kib, kMaxRssKib);
}

TEST(EscapeSuite, TebibyteSparseMemberIsMetadataOnlyWithBoundedMemory) {
  Canary c;
  TempDir d;
  sh("mkdir " + shell_quote(d / "t") + " && cd " + shell_quote(d / "t") +
     " && truncate -s 1T huge && echo ok > after && tar -S -czf ../sparse.tar.gz huge after");

  Report r = scan_ok(d / "sparse.tar.gz");
  EXPECT_TRUE(r.target.partial);
  EXPECT_TRUE(has_diagnostic(r, "not kept")) << diagnostics_text(r);
  EXPECT_GE(r.inventory.bytes, 1ull << 40) << "the member keeps its declared size";
  EXPECT_EQ(r.inventory.files, 2u);

  auto m = run_measured("scan --format json " + shell_quote(d / "sparse.tar.gz"));
  EXPECT_EQ(m.result.exit_code, 0) << m.result.output.substr(0, 2000);
  ASSERT_GT(m.max_rss_kib, 0);
  EXPECT_LT(m.max_rss_kib, kMaxRssKib);
  c.expect_untouched();
}

TEST(EscapeSuite, DamagedArchiveKeepsEarlierMembersAndSaysSo) {
  TempDir d;
  sh("mkdir " + shell_quote(d / "t") + " && cd " + shell_quote(d / "t") +
     " && mkdir etc && echo inside > etc/hostname && head -c 300000 /dev/urandom > blob"
     " && tar -czf ../full.tar.gz etc blob && head -c 120000 ../full.tar.gz > ../cut.tar.gz");
  Report r = scan_ok(d / "cut.tar.gz");
  EXPECT_TRUE(r.target.partial);
  EXPECT_TRUE(has_diagnostic(r, "damaged")) << diagnostics_text(r);
  EXPECT_GE(r.inventory.files, 1u) << "etc/hostname before the damage is kept";

  auto cli = run(shell_quote(fwcert_binary()) + " scan --strict " + shell_quote(d / "cut.tar.gz"));
  EXPECT_EQ(cli.exit_code, 3) << "--strict maps a partly read target to exit 3\n" << cli.output;
}

}  // namespace
}  // namespace fwcert::test
