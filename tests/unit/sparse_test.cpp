// The Android sparse reader presents only the bytes the image holds (issue 10): an image cut
// inside a raw chunk ends where the file ends, and what a valid image leaves out (don't-care
// chunks) is never read by the archive backend as members or scanned to its end. Images are
// written byte by byte here, so the damage is exactly the one under test.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "support/hostile_archives.hpp"
#include "support/test_util.hpp"
#include "vfs/byte_source.hpp"
#include "vfs/containers.hpp"
#include "vfs/open.hpp"

namespace fwcert::vfs {
namespace {

constexpr std::uint32_t kBlock = 4096;
/// The block count of the fuzzer's reproducer: about 75 MB the 3.5 KB file claims to expand to.
constexpr std::uint32_t kClaimedBlocks = 18310;
const std::string kPasswd = "root:x:0:0::/root:/bin/sh\n";

void put_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

/// A chunk header; `payload` follows it (for a raw chunk, possibly shorter than it claims).
std::string chunk(std::uint16_t type, std::uint32_t blocks, std::uint32_t payload_bytes, const std::string& payload) {
  std::string out;
  put_le(out, type, 2);
  put_le(out, 0, 2);
  put_le(out, blocks, 4);
  put_le(out, 12 + payload_bytes, 4);
  return out + payload;
}

/// A raw chunk of `blocks` blocks whose data in the file is `data` (cut short when smaller).
std::string raw_chunk(std::uint32_t blocks, const std::string& data) {
  return chunk(0xCAC1, blocks, blocks * kBlock, data);
}

std::string dont_care_chunk(std::uint32_t blocks) { return chunk(0xCAC3, blocks, 0, ""); }

/// A sparse file header (version 1.0, 4 KiB blocks) declaring `total_blocks`, then `chunks`.
std::string sparse_image(std::uint32_t total_blocks, const std::vector<std::string>& chunks) {
  std::string out;
  put_le(out, 0xED26FF3A, 4);
  put_le(out, 1, 2);
  put_le(out, 0, 2);
  put_le(out, 28, 2);
  put_le(out, 12, 2);
  put_le(out, kBlock, 4);
  put_le(out, total_blocks, 4);
  put_le(out, chunks.size(), 4);
  put_le(out, 0, 4);
  for (const auto& c : chunks) out += c;
  return out;
}

ByteSourcePtr source_of(const std::string& bytes) {
  std::vector<std::byte> b(bytes.size());
  std::memcpy(b.data(), bytes.data(), bytes.size());
  return memory_source(std::move(b), "test.simg");
}

/// `data` padded with zeros to `size` bytes.
std::string padded(std::string data, std::size_t size) {
  data.resize(std::max(size, data.size()), '\0');
  return data;
}

/// The fuzzer's reproducer: a 3.5 KB image whose only raw chunk claims ~75 MB, cut short after
/// a binary cpio member and some zeros.
std::string cut_image_holding_a_binary_cpio() {
  return sparse_image(kClaimedBlocks,
                      {raw_chunk(kClaimedBlocks, padded(test::binary_cpio_member("etc/passwd", kPasswd), 3400))});
}

std::size_t count_with(const std::vector<Diagnostic>& diagnostics, std::string_view needle) {
  return static_cast<std::size_t>(std::count_if(diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& d) {
    return d.message.find(needle) != std::string::npos;
  }));
}

std::string all_text(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += d.path + ": " + d.message + "\n";
  return out.substr(0, 4000);
}

TEST(AndroidSparse, CutRawChunkEndsTheExpandedImageWhereTheFileEnds) {
  const std::string held = padded(test::binary_cpio_member("etc/passwd", kPasswd), 3400);
  std::vector<Diagnostic> diagnostics;
  bool partial = false;
  auto expanded = android_sparse_source(source_of(sparse_image(kClaimedBlocks, {raw_chunk(kClaimedBlocks, held)})),
                                        diagnostics, partial);
  ASSERT_TRUE(expanded.ok()) << expanded.error().describe();
  EXPECT_EQ((*expanded)->size(), held.size()) << "the ~75 MB the header claims beyond the file are not the image's";
  std::array<std::byte, 16> buf{};
  auto past = (*expanded)->read_at(held.size(), buf);
  ASSERT_TRUE(past.ok());
  EXPECT_EQ(*past, 0u);
  auto first = (*expanded)->read_at(0, buf);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(std::memcmp(buf.data(), held.data(), buf.size()), 0);
  EXPECT_TRUE(partial);
  EXPECT_EQ(count_with(diagnostics, "raw chunk 0 at 0x1c is cut short"), 1u) << all_text(diagnostics);
  EXPECT_EQ(count_with(diagnostics, "ends after 3400 of the 74997760 bytes declared"), 1u) << all_text(diagnostics);
}

TEST(AndroidSparse, CutImageHoldingABinaryCpioKeepsItsMemberAndReportsTheDamage) {
  // Issue 10: the zeros the old reader put after the cut were read as a million empty binary
  // cpio members (1.5 s at -O2, 16 s under ASan, a fuzzer timeout).
  std::vector<Diagnostic> diagnostics;
  bool partial = false;
  auto opened = open_detected(source_of(cut_image_holding_a_binary_cpio()), "/t", diagnostics, partial);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(opened->chain, "android-sparse > cpio");
  EXPECT_EQ(opened->vfs->read_file("/etc/passwd", 1000).value_or(""), kPasswd);
  EXPECT_TRUE(partial);
  EXPECT_EQ(count_with(diagnostics, "android sparse image damaged"), 1u) << all_text(diagnostics);
  EXPECT_LE(count_with(diagnostics, "member of unknown file type"), 16u) << all_text(diagnostics);
  EXPECT_EQ(count_with(diagnostics, "further diagnostics about this archive not shown"), 0u) << all_text(diagnostics);
}

TEST(AndroidSparse, CutImageHoldingABinaryCpioScansAsPartialEndToEnd) {
  test::TempDir d;
  test::write_file(d / "cut-cpio.simg", cut_image_holding_a_binary_cpio());
  auto r = test::run(test::shell_quote(test::fwcert_binary()) + " scan --format json " +
                     test::shell_quote(d / "cut-cpio.simg"));
  EXPECT_LT(r.exit_code, 2) << "the member read is scanned\n" << r.output.substr(0, 2000);
  EXPECT_NE(r.output.find("\"format\": \"android-sparse > cpio\""), std::string::npos) << r.output.substr(0, 2000);
  EXPECT_NE(r.output.find("\"partial\": true"), std::string::npos) << r.output.substr(0, 2000);
  EXPECT_NE(r.output.find("android sparse image damaged: raw chunk 0"), std::string::npos) << r.output.substr(0, 2000);
  std::size_t junk = 0;
  for (auto at = r.output.find("member of unknown file type"); at != std::string::npos;
       at = r.output.find("member of unknown file type", at + 1)) {
    ++junk;
  }
  EXPECT_LE(junk, 16u) << "zeros past the end of the file were read as members";
}

TEST(AndroidSparse, DontCareAfterACpioMemberIsNotScannedToItsEnd) {
  // A valid image: one block holding a newc member (no trailer), then 64 GiB left out. cpio
  // looks for the next header magic through all of it (12 s at -O2) unless the search is bounded.
  const std::uint32_t left_out = (1u << 24) - 1;
  std::vector<Diagnostic> diagnostics;
  bool partial = false;
  auto opened = open_detected(
      source_of(sparse_image(1 + left_out, {raw_chunk(1, padded(test::newc_cpio_member("etc/passwd", kPasswd), kBlock)),
                                            dont_care_chunk(left_out)})),
      "/t", diagnostics, partial);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(opened->vfs->read_file("/etc/passwd", 1000).value_or(""), kPasswd);
  EXPECT_TRUE(partial);
  EXPECT_EQ(count_with(diagnostics, "android sparse image damaged"), 0u) << all_text(diagnostics);
  EXPECT_EQ(count_with(diagnostics, "no member header in the 64 MiB read looking for one"), 1u)
      << all_text(diagnostics);
}

}  // namespace
}  // namespace fwcert::vfs
