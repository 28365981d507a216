// The ELF parser over small images built byte by byte in each class and byte order: a
// section-less file whose dynamic symbols can only be counted through DT_GNU_HASH (the
// .dynstr lies before .dynsym, and there is no DT_HASH), then the same image damaged one
// field at a time. Damage must give a diagnostic and whatever could still be read.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "formats/elf/elf.hpp"

namespace fwcert::formats::elf {
namespace {

/// Offsets of the synthetic image's parts.
constexpr std::uint64_t kStrtab = 0x100, kGnuHash = 0x140, kSymtab = 0x180, kDynamic = 0x200, kEnd = 0x280;
constexpr char kStrings[] = "\0libc.so.6\0puts\0exported_a\0exported_b\0/opt/lib";  // offsets 0,1,11,16,27,38

class Image {
 public:
  Image(bool is_64, bool big) : is_64_(is_64), big_(big), bytes_(kEnd) {}

  void put(std::uint64_t at, std::uint64_t value, int size) {
    for (int i = 0; i < size; ++i) {
      int shift = big_ ? (size - 1 - i) * 8 : i * 8;
      bytes_.at(at + i) = static_cast<std::byte>((value >> shift) & 0xff);
    }
  }
  void word(std::uint64_t at, std::uint64_t v) { put(at, v, is_64_ ? 8 : 4); }
  int w() const { return is_64_ ? 8 : 4; }

  /// The valid image: PT_LOAD of everything, PT_DYNAMIC, .dynstr, DT_GNU_HASH, .dynsym.
  void build() {
    const char ident[] = {0x7f, 'E', 'L', 'F'};
    for (int i = 0; i < 4; ++i) bytes_[i] = static_cast<std::byte>(ident[i]);
    bytes_[4] = std::byte{static_cast<unsigned char>(is_64_ ? 2 : 1)};
    bytes_[5] = std::byte{static_cast<unsigned char>(big_ ? 2 : 1)};
    bytes_[6] = std::byte{1};
    put(16, kEtDyn, 2);
    put(18, is_64_ ? kEmAarch64 : kEmMips, 2);
    put(20, 1, 4);
    const std::uint64_t phoff = is_64_ ? 64 : 52;
    const int phentsize = is_64_ ? 56 : 32;
    word(24 + w(), phoff);  // e_phoff
    word(24 + 2 * w(), 0);  // e_shoff: no section headers
    const std::uint64_t tail = 24 + 3 * w() + 4;
    put(tail, is_64_ ? 64 : 52, 2);  // e_ehsize
    put(tail + 2, phentsize, 2);
    put(tail + 4, 2, 2);  // e_phnum
    put(tail + 6, is_64_ ? 64 : 40, 2);

    segment(phoff, kPtLoad, kPfR, 0, kEnd);
    segment(phoff + phentsize, kPtDynamic, kPfR, kDynamic, kEnd - kDynamic);

    for (std::size_t i = 0; i < sizeof kStrings; ++i) bytes_[kStrtab + i] = static_cast<std::byte>(kStrings[i]);

    // GNU hash: symbols 0-1 unhashed (symoffset 2), 2-3 in bucket 0, chain ends at 3.
    put(kGnuHash, 1, 4);
    put(kGnuHash + 4, 2, 4);
    put(kGnuHash + 8, 1, 4);
    put(kGnuHash + 12, 6, 4);
    word(kGnuHash + 16, ~0ull);
    chain_ = kGnuHash + 16 + w() + 4;
    put(kGnuHash + 16 + w(), 2, 4);
    put(chain_, 0x1234, 4);
    put(chain_ + 4, 0x5679, 4);

    symbol(1, 11, 0);  // puts, undefined
    symbol(2, 16, 5);  // exported_a
    symbol(3, 27, 5);  // exported_b

    std::uint64_t d = kDynamic;
    auto dyn = [&](std::int64_t tag, std::uint64_t val) {
      word(d, static_cast<std::uint64_t>(tag));
      word(d + w(), val);
      d += 2 * w();
    };
    dyn(1, 1);  // DT_NEEDED libc.so.6
    dyn(0x6ffffef5, kGnuHash);
    dyn(5, kStrtab);
    dyn(6, kSymtab);
    dyn(10, sizeof kStrings);
    dyn(15, 38);  // DT_RPATH /opt/lib
    dyn(0, 0);
  }

  void segment(std::uint64_t at, std::uint32_t type, std::uint32_t flags, std::uint64_t off, std::uint64_t size) {
    put(at, type, 4);
    if (is_64_) {
      put(at + 4, flags, 4);
      word(at + 8, off);
      word(at + 16, off);
      word(at + 24, off);
      word(at + 32, size);
      word(at + 40, size);
      word(at + 48, 8);
    } else {
      word(at + 4, off);
      word(at + 8, off);
      word(at + 12, off);
      word(at + 16, size);
      word(at + 20, size);
      put(at + 24, flags, 4);
      word(at + 28, 4);
    }
  }
  void symbol(int index, std::uint32_t name, std::uint16_t shndx) {
    std::uint64_t at = kSymtab + index * (is_64_ ? 24 : 16);
    put(at, name, 4);
    if (is_64_) {
      bytes_[at + 4] = std::byte{0x12};  // GLOBAL FUNC
      put(at + 6, shndx, 2);
    } else {
      bytes_[at + 12] = std::byte{0x12};
      put(at + 14, shndx, 2);
    }
  }

  std::uint64_t chain() const { return chain_; }
  std::uint64_t dynamic_entry(int i) const { return kDynamic + i * 2 * (is_64_ ? 8 : 4); }
  std::uint64_t phdr(int i) const { return (is_64_ ? 64 : 52) + i * (is_64_ ? 56 : 32); }
  std::vector<std::byte>& bytes() { return bytes_; }

 private:
  bool is_64_, big_;
  std::vector<std::byte> bytes_;
  std::uint64_t chain_ = 0;
};

struct Layout {
  const char* name;
  bool is_64;
  bool big;
};

class ElfParse : public ::testing::TestWithParam<Layout> {
 protected:
  Image image() {
    Image i(GetParam().is_64, GetParam().big);
    i.build();
    return i;
  }
};

TEST_P(ElfParse, ValidImageCountsSymbolsThroughGnuHash) {
  Image img = image();
  auto e = parse(img.bytes());
  ASSERT_TRUE(e.ok()) << e.error().describe();
  EXPECT_TRUE(e->diagnostics.empty()) << e->diagnostics.front();
  EXPECT_EQ(e->is_64, GetParam().is_64);
  EXPECT_EQ(e->endian == core::Endian::kBig, GetParam().big);
  EXPECT_TRUE(e->sections.empty());
  EXPECT_EQ(e->needed, std::vector<std::string>{"libc.so.6"});
  EXPECT_EQ(e->rpath.value_or(""), "/opt/lib");
  ASSERT_EQ(e->dynamic_symbols.size(), 4u);
  EXPECT_EQ(e->dynamic_symbols[1].name, "puts");
  EXPECT_FALSE(e->dynamic_symbols[1].defined);
  EXPECT_EQ(e->dynamic_symbols[3].name, "exported_b");
  EXPECT_TRUE(e->dynamic_symbols[3].defined);
  EXPECT_FALSE(e->is_pie());  // no DF_1_PIE, no DT_DEBUG: a shared object
}

struct Damage {
  const char* name;
  std::function<void(Image&)> apply;
  const char* diagnostic;  ///< a substring the diagnostics must contain
  std::size_t symbols;     ///< dynamic symbols still read
};

TEST_P(ElfParse, DamageBecomesADiagnostic) {
  const bool is_64 = GetParam().is_64;
  const Damage cases[] = {
      {"gnu hash bucket beyond its chain", [](Image& i) { i.put(i.chain() - 4, 0x100000, 4); }, "DT_GNU_HASH chain", 0},
      {"dynamic section past the end", [&](Image& i) { i.word(i.phdr(1) + (is_64 ? 32 : 16), 0x10000); },
       "dynamic section", 4},
      {"NEEDED outside the string table", [&](Image& i) { i.word(i.dynamic_entry(0) + (is_64 ? 8 : 4), 0x9999); },
       "DT_NEEDED", 4},
      {"bucket count past the segment", [](Image& i) { i.put(kGnuHash, 0x40000000, 4); }, "buckets", 0},
      {"program header count beyond the limit", [&](Image& i) { i.put(is_64 ? 56 : 44, 0x7fff, 2); }, "program headers",
       0},
      {"program header table outside the file", [&](Image& i) { i.word(24 + (is_64 ? 8 : 4), 0xfffffff0); },
       "program header table", 0},
      {"symbol name outside the string table", [](Image& i) { i.symbol(2, 0x7777, 5); }, "symbol names", 4},
      {"section headers outside the file", [&](Image& i) { i.word(24 + 2 * (is_64 ? 8 : 4), 0x7ffffff0); },
       "section header", 4},
  };
  for (const auto& c : cases) {
    Image img = image();
    c.apply(img);
    auto e = parse(img.bytes());
    ASSERT_TRUE(e.ok()) << c.name;
    std::string all;
    for (const auto& d : e->diagnostics) all += d + "\n";
    EXPECT_NE(all.find(c.diagnostic), std::string::npos) << c.name << ": " << all;
    EXPECT_EQ(e->dynamic_symbols.size(), c.symbols) << c.name << ": " << all;
  }
}

TEST_P(ElfParse, EveryTruncationParsesOrFailsCleanly) {
  Image img = image();
  for (std::size_t n = 0; n < img.bytes().size(); n += 7) {
    std::vector<std::byte> cut(img.bytes().begin(), img.bytes().begin() + n);
    auto e = parse(cut);
    if (n < (GetParam().is_64 ? 64u : 52u)) {
      EXPECT_FALSE(e.ok()) << n;
    } else {
      ASSERT_TRUE(e.ok()) << n;
      EXPECT_LE(e->dynamic_symbols.size(), 4u);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Elf, ElfParse,
                         ::testing::Values(Layout{"elf64_le", true, false}, Layout{"elf64_be", true, true},
                                           Layout{"elf32_le", false, false}, Layout{"elf32_be", false, true}),
                         [](const ::testing::TestParamInfo<Layout>& info) { return std::string(info.param.name); });

TEST(ElfParseHeader, RejectsWhatIsNotAnElf) {
  const std::string not_elf(100, 'A');
  auto r = parse(std::as_bytes(std::span(not_elf.data(), not_elf.size())));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
  std::string bad_class =
      "\x7f"
      "ELF" +
      std::string(1, '\x03') + std::string(59, '\x01');
  auto c = parse(std::as_bytes(std::span(bad_class.data(), bad_class.size())));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace fwcert::formats::elf
