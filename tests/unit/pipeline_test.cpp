// The scan pipeline as stages (scan/pipeline.hpp) run on an in-memory Vfs, the shared evidence
// (each piece read once per scan), and the one worker pool.

#include "scan/pipeline.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "core/parallel.hpp"
#include "core/text.hpp"
#include "data/resources.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::scanning {
namespace {

using ::testing::HasSubstr;

/// A Vfs that forwards to a MemoryVfs and counts the bytes read from each path.
class CountingVfs final : public vfs::Vfs {
 public:
  explicit CountingVfs(std::shared_ptr<vfs::MemoryVfs> inner) : inner_(std::move(inner)) {}
  std::string format() const override { return "memory"; }
  Result<vfs::Stat> lstat_raw(const std::string& p) const override { return inner_->lstat_raw(p); }
  Result<std::vector<vfs::DirEntry>> readdir_raw(const std::string& p) const override { return inner_->readdir_raw(p); }
  Result<std::string> readlink_raw(const std::string& p) const override { return inner_->readlink_raw(p); }
  Result<std::size_t> read_raw(const std::string& p, std::uint64_t offset, std::span<std::byte> out) const override {
    auto r = inner_->read_raw(p, offset, out);
    if (r.ok()) {
      std::lock_guard lock(mutex_);
      bytes_[p] += *r;
    }
    return r;
  }
  Result<std::vector<vfs::Xattr>> xattrs_raw(const std::string& p) const override { return inner_->xattrs_raw(p); }

  std::uint64_t bytes_read(const std::string& p) const {
    std::lock_guard lock(mutex_);
    auto it = bytes_.find(p);
    return it == bytes_.end() ? 0 : it->second;
  }

 private:
  std::shared_ptr<vfs::MemoryVfs> inner_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::uint64_t> bytes_;
};

std::string gzip(const std::string& bytes) {
  test::TempDir d;
  test::write_file(d / "in", bytes);
  auto r = test::run("gzip -9 -n < " + test::shell_quote(d / "in") + " > " + test::shell_quote(d / "out"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return test::read_file(d / "out");
}

/// A root filesystem with a kernel image (banner and IKCONFIG embedded), a boot command line
/// and an account database.
std::shared_ptr<vfs::MemoryVfs> rootfs(std::string& kernel) {
  std::string config =
      "# Linux/x86_64 6.1.90 Kernel Configuration\nCONFIG_MODULE_SIG=y\nCONFIG_MODULE_SIG_FORCE=y\n"
      "CONFIG_SECURITY_LOCKDOWN_LSM=y\nCONFIG_DM_VERITY=y\nCONFIG_STRICT_KERNEL_RWX=y\n";
  kernel = std::string(8192, '\0') + "Linux version 6.1.90 (b@h) (gcc 12) #1 SMP" + std::string(1, '\0') +
           std::string(4096, '\x90') + "IKCFG_ST" + gzip(config) + "IKCFG_ED" + std::string(4096, '\xcc');
  auto v = std::make_shared<vfs::MemoryVfs>();
  EXPECT_TRUE(v->add_file("/boot/vmlinux-6.1.90", kernel).ok());
  EXPECT_TRUE(v->add_file("/boot/extlinux/extlinux.conf", "label linux\n  append root=/dev/mmcblk0p2 ro\n").ok());
  EXPECT_TRUE(v->add_file("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n").ok());
  EXPECT_TRUE(v->add_file("/etc/shadow", "root:*:19000:0:99999:7:::\n").ok());
  return v;
}

ScanOptions day_options() {
  ScanOptions o;
  o.assessment_date = "2026-01-15";
  o.threads = 2;
  return o;
}

TEST(Pipeline, TheKernelImageIsReadOnceHoweverManyAnalyzersJudgeIt) {
  // The kernel and boot analyzers both judge the kernel configuration and command lines; the
  // shared evidence reads and searches the image once (it was read once by each before).
  std::string kernel;
  auto bytes_with = [&](std::vector<std::string> only) {
    auto counting = std::make_shared<CountingVfs>(rootfs(kernel));
    ScanOptions o = day_options();
    o.only_analyzers = std::move(only);
    auto r = scan_vfs(counting, "memory", o);
    EXPECT_TRUE(r.ok()) << r.error().describe();
    return std::pair{counting->bytes_read("/boot/vmlinux-6.1.90"), r.ok() ? std::move(*r) : Report{}};
  };
  // Every scan lists the target's components, whose version fingerprints need the content pass
  // (one read of every file) and the kernel evidence (one read of the image): with the head the
  // walk classifies the file by, that is two reads and a head however many analyzers run.
  const std::uint64_t accounts_only = bytes_with({"accounts"}).first;
  const std::uint64_t kernel_only = bytes_with({"kernel"}).first;
  auto with_both = bytes_with({"kernel", "boot"});
  const std::uint64_t both = with_both.first;
  const Report& r = with_both.second;
  EXPECT_GE(accounts_only, 2 * kernel.size());
  EXPECT_LT(accounts_only, 2 * kernel.size() + 64 * 1024);
  EXPECT_EQ(kernel_only, accounts_only);
  EXPECT_EQ(both, kernel_only);
  // Both analyzers did judge the configuration found in it.
  auto status = [&](std::string_view check) {
    for (const auto& f : r.findings) {
      if (f.check == check) return f.status;
    }
    return Status::kNotApplicable;
  };
  EXPECT_EQ(status("inv-kernel-config"), Status::kInfo);
  EXPECT_EQ(status("boot-kernel-module-signing"), Status::kPass);
}

TEST(Pipeline, AScanOfAVfsRunsEveryStage) {
  std::string kernel;
  auto r = scan_vfs(rootfs(kernel), "memory", day_options());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->target.format, "memory");
  EXPECT_EQ(r->metadata.assessment_date, "2026-01-15");
  EXPECT_TRUE(r->metadata.assessment_date_given);
  EXPECT_EQ(r->metadata.profile, "avs");
  EXPECT_FALSE(r->requirements.empty());
  // Assessed: severities come from the catalog and the findings are sorted by check, subject.
  EXPECT_TRUE(std::is_sorted(r->findings.begin(), r->findings.end(), [](const Finding& a, const Finding& b) {
    return a.check != b.check ? a.check < b.check : a.subject < b.subject;
  }));
  bool locked_root = false;
  for (const auto& f : r->findings) locked_root |= f.check == "auth-empty-password" && f.status == Status::kPass;
  EXPECT_TRUE(locked_root);
  EXPECT_EQ(r->inventory.files, 4u);
}

TEST(Pipeline, InputsAreCheckedBeforeTheTargetIsRead) {
  std::string kernel;
  auto counting = std::make_shared<CountingVfs>(rootfs(kernel));
  ScanOptions o = day_options();
  o.manifest_path = "/nonexistent/manifest.yaml";
  auto r = scan_vfs(counting, "memory", o);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().describe(), HasSubstr("/nonexistent/manifest.yaml"));
  EXPECT_EQ(counting->bytes_read("/etc/passwd"), 0u);

  o = day_options();
  o.only_analyzers = {"kernel", "no-such-analyzer"};
  r = scan_vfs(counting, "memory", o);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().describe(), HasSubstr("unknown analyzer 'no-such-analyzer'"));
}

TEST(Pipeline, AVfsWithNoFileIsNotAPass) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_dir("/etc").ok());
  auto r = scan_vfs(v, "memory", day_options());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().describe(), HasSubstr("holds no file"));
}

TEST(ParallelPool, NestedCallsFinishAndNeverRunMoreThreadsThanThePoolHas) {
  parallel::Pool pool(3);
  ASSERT_EQ(pool.size(), 3u);
  std::atomic<int> running{0}, peak{0};
  std::atomic<std::size_t> inner_done{0};
  auto enter = [&] {
    int now = ++running;
    for (int p = peak.load(); now > p && !peak.compare_exchange_weak(p, now);) {
    }
  };
  pool.for_each(8, [&](std::size_t) {
    pool.for_each(16, [&](std::size_t) {
      enter();
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      --running;
      ++inner_done;
    });
  });
  EXPECT_EQ(inner_done.load(), 8u * 16u);
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 2);  // the workers did take part
}

TEST(ParallelPool, AnItemsExceptionReachesTheCallerAfterTheOthersFinish) {
  parallel::Pool pool(2);
  std::atomic<int> done{0};
  EXPECT_THROW(pool.for_each(20,
                             [&](std::size_t i) {
                               if (i == 3) throw std::runtime_error("item 3");
                               ++done;
                             }),
               std::runtime_error);
  EXPECT_EQ(done.load(), 19);
  // The pool is still usable.
  pool.for_each(5, [&](std::size_t) { ++done; });
  EXPECT_EQ(done.load(), 24);
}

TEST(Text, LinesAreNumberedAndBoundedByTheLineLimit) {
  std::vector<std::pair<std::size_t, std::string>> got;
  for (auto [no, line] : text::lines("a\n\n c \r\nlast", 3)) got.emplace_back(no, std::string(line));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], (std::pair<std::size_t, std::string>{1, "a"}));
  EXPECT_EQ(got[1], (std::pair<std::size_t, std::string>{2, ""}));
  EXPECT_EQ(got[2], (std::pair<std::size_t, std::string>{3, " c \r"}));
  EXPECT_EQ(text::trim(got[2].second), "c");
  std::size_t n = 0;
  for (auto l : text::lines("")) n += l.number;
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(text::trim_space("\v\f x \n"), "x");
  EXPECT_EQ(text::unquote("'a b'"), "a b");
  EXPECT_EQ(text::unquote("\"a'"), "\"a'");
  EXPECT_EQ(text::lower("SHA512-Crypt"), "sha512-crypt");
  EXPECT_TRUE(text::iequals("PermitRootLogin", "permitrootlogin"));
  EXPECT_EQ(text::join({"a", "b", "c"}, ", "), "a, b, c");
}

TEST(Text, WordsAreSplitAtBlanksUpToTheLimit) {
  using W = std::vector<std::string_view>;
  EXPECT_EQ(text::words(" /dev/mtd1\t0x0  0x4000 \r", 6), (W{"/dev/mtd1", "0x0", "0x4000"}));
  EXPECT_EQ(text::words("a b c d", 2), (W{"a", "b"}));
  EXPECT_EQ(text::words(" \t ", 4), W{});
  EXPECT_EQ(text::words("", 4), W{});
}

TEST(Data, ResourceLinesAreTheEntriesAsWritten) {
  auto rules = data::resource_lines("data/content-rules.tsv");
  ASSERT_FALSE(rules.empty());
  for (auto line : rules) EXPECT_FALSE(line.empty() || line.front() == '#') << line;
  // A blank at the end of an entry is part of it: this rule's pattern ends in ": ".
  EXPECT_TRUE(std::any_of(rules.begin(), rules.end(), [](std::string_view l) {
    return l.starts_with("putty-private-key\t") && l.ends_with(": ");
  }));
  EXPECT_TRUE(data::resource_lines("data/no-such-file.txt").empty());
}

TEST(Text, TheLastAssignmentOfAKeyIsFound) {
  std::vector<text::KeyValue> entries{{"ID", "debian", 1}, {"VERSION", "12", 2}, {"ID", "ubuntu", 5}};
  ASSERT_NE(text::find_last(entries, "ID"), nullptr);
  EXPECT_EQ(text::find_last(entries, "ID")->line, 5u);
  EXPECT_EQ(text::find_last(entries, "VERSION")->value, "12");
  EXPECT_EQ(text::find_last(entries, "id"), nullptr);
}

TEST(Text, WithoutALineLimitEveryLineIsRead) {
  std::string many(5, '\n');
  std::size_t last = 0;
  for (auto [no, line] : text::lines(many, 3)) last = no;
  EXPECT_EQ(last, 3u);
  for (auto [no, line] : text::lines(many, text::kNoLineLimit)) last = no;
  EXPECT_EQ(last, 5u);
}

}  // namespace
}  // namespace fwcert::scanning
