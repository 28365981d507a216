// The ELF parser and hardening assessment over small C programs built with the real
// toolchains (native gcc and Debian's aarch64, armhf and big-endian MIPS cross compilers), in
// the flag combinations that decide each property. Every expectation is what the flags must
// produce; where the toolchain decides (GNU property notes of linked programs), readelf -n is
// the reference.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "formats/elf/elf.hpp"
#include "formats/elf/hardening.hpp"
#include "support/test_util.hpp"

namespace fwcert::formats::elf {
namespace {

namespace fe = formats::elf;

/// Has a local array and calls through libc, so -fstack-protector-strong instruments main
/// and _FORTIFY_SOURCE rewrites the copies; strcpy and system stay imports at -O0.
constexpr const char* kProgram = R"(
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  char buf[16];
  char out[64];
  strcpy(buf, argv[0]);
  memcpy(out, argv[0], (size_t)argc);
  sprintf(out, "%s-%d", buf, argc);
  puts(out);
  return system(argc > 5 ? argv[1] : "true");
}
)";

struct Toolchain {
  std::string cc;
  std::uint16_t machine;
  bool is_64;
  bool big_endian;
};

const Toolchain kToolchains[] = {
    {"gcc", fe::kEmX86_64, true, false},
    {"aarch64-linux-gnu-gcc", fe::kEmAarch64, true, false},
    {"arm-linux-gnueabihf-gcc", fe::kEmArm, false, false},
    {"mips-linux-gnu-gcc", fe::kEmMips, false, true},
};

struct Built {
  fe::Elf elf;
  Hardening h;
};

class Builder {
 public:
  /// Compiles kProgram (or `source`) with `flags`; fails the test if the compiler does.
  std::optional<Built> build(const Toolchain& tc, const std::string& flags, const std::string& source = kProgram,
                             const std::string& ext = "c") {
    std::string src = dir_ / ("p" + std::to_string(n_) + "." + ext);
    std::string bin = dir_ / ("p" + std::to_string(n_++));
    test::write_file(src, source);
    auto r = test::run(tc.cc + " " + flags + " -o " + bin + " " + src);
    EXPECT_EQ(r.exit_code, 0) << tc.cc << " " << flags << ": " << r.output;
    if (r.exit_code != 0) return std::nullopt;
    last_path_ = bin;
    return load(bin);
  }
  std::optional<Built> load(const std::string& path) {
    bytes_ = test::read_file(path);
    auto parsed = fe::parse(std::as_bytes(std::span(bytes_.data(), bytes_.size())));
    EXPECT_TRUE(parsed.ok()) << path << ": " << (parsed.ok() ? "" : parsed.error().describe());
    if (!parsed.ok()) return std::nullopt;
    EXPECT_TRUE(parsed->diagnostics.empty()) << path << ": " << parsed->diagnostics.front();
    Built b{std::move(*parsed), {}};
    b.h = assess(b.elf);
    return b;
  }
  const std::string& last_path() const { return last_path_; }
  std::string path(const std::string& name) const { return dir_ / name; }

 private:
  test::TempDir dir_;
  int n_ = 0;
  std::string bytes_;
  std::string last_path_;
};

class ElfToolchain : public ::testing::TestWithParam<Toolchain> {
 protected:
  void SetUp() override {
    if (!test::have_tool(GetParam().cc)) GTEST_SKIP() << GetParam().cc << " not installed (scripts/install-deps.sh)";
  }
  Builder b_;
};

TEST_P(ElfToolchain, ClassEndianMachineAndInterpreter) {
  auto b = b_.build(GetParam(), "-O0");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->elf.is_64, GetParam().is_64);
  EXPECT_EQ(b->elf.endian == core::Endian::kBig, GetParam().big_endian);
  EXPECT_EQ(b->elf.machine, GetParam().machine);
  ASSERT_TRUE(b->elf.interpreter.has_value());
  EXPECT_TRUE(b->elf.interpreter->starts_with("/lib")) << *b->elf.interpreter;
  EXPECT_NE(std::find(b->elf.needed.begin(), b->elf.needed.end(), "libc.so.6"), b->elf.needed.end());
}

TEST_P(ElfToolchain, LegacyBuildHasNoMitigation) {
  auto b = b_.build(GetParam(), "-O0 -fno-stack-protector -no-pie -Wl,-z,norelro -Wl,-z,execstack");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->h.type, BinaryType::kExecutable);
  EXPECT_FALSE(b->h.pie);
  EXPECT_EQ(b->h.relro, Relro::kNone);
  EXPECT_FALSE(b->h.canary);
  EXPECT_FALSE(b->h.nx);
  EXPECT_FALSE(b->h.rpath.has_value());
  EXPECT_FALSE(b->h.runpath.has_value());
  EXPECT_FALSE(b->h.textrel);
}

TEST_P(ElfToolchain, PieWithLazyBindingHasPartialRelro) {
  auto b = b_.build(GetParam(), "-O0 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,lazy -Wl,-z,noexecstack");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->h.type, BinaryType::kPie);
  EXPECT_TRUE(b->h.pie);
  EXPECT_EQ(b->h.relro, Relro::kPartial);
  EXPECT_TRUE(b->h.canary);
  EXPECT_TRUE(b->h.nx);
}

TEST_P(ElfToolchain, BindNowMakesRelroFull) {
  auto b = b_.build(GetParam(), "-O0 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->h.relro, Relro::kFull);
  EXPECT_TRUE(b->elf.binds_now());
  EXPECT_TRUE(b->h.canary);
  EXPECT_TRUE(b->h.pie);
  // Without PIE the same linker flags still give full RELRO.
  auto np = b_.build(GetParam(), "-O0 -no-pie -Wl,-z,relro,-z,now");
  ASSERT_TRUE(np);
  EXPECT_EQ(np->h.type, BinaryType::kExecutable);
  EXPECT_EQ(np->h.relro, Relro::kFull);
}

TEST_P(ElfToolchain, FortifyReplacesCallsWithCheckedOnes) {
  auto plain = b_.build(GetParam(), "-O2 -U_FORTIFY_SOURCE -fno-builtin");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->h.fortify.fortified, 0);
  EXPECT_GE(plain->h.fortify.fortifiable, 3);  // strcpy, memcpy, sprintf
  EXPECT_FALSE(plain->h.fortify.any_chk);
  EXPECT_NE(std::find(plain->h.risky_imports.begin(), plain->h.risky_imports.end(), "strcpy"),
            plain->h.risky_imports.end());
  EXPECT_NE(std::find(plain->h.risky_imports.begin(), plain->h.risky_imports.end(), "system"),
            plain->h.risky_imports.end());

  auto fortified = b_.build(GetParam(), "-O2 -D_FORTIFY_SOURCE=2");
  ASSERT_TRUE(fortified);
  EXPECT_GE(fortified->h.fortify.fortified, 2);  // __strcpy_chk, __sprintf_chk (memcpy may be inlined)
  EXPECT_GE(fortified->h.fortify.fortifiable, fortified->h.fortify.fortified);
  EXPECT_TRUE(fortified->h.fortify.any_chk);
  // The checked variant replaces the import of strcpy; system has no checked variant.
  EXPECT_EQ(std::find(fortified->h.risky_imports.begin(), fortified->h.risky_imports.end(), "strcpy"),
            fortified->h.risky_imports.end());
  EXPECT_NE(std::find(fortified->h.risky_imports.begin(), fortified->h.risky_imports.end(), "system"),
            fortified->h.risky_imports.end());
}

TEST_P(ElfToolchain, RpathAndRunpathAreTheLinkersDtags) {
  auto rp = b_.build(GetParam(), "-O0 -Wl,--disable-new-dtags -Wl,-rpath,/opt/vendor/lib::lib");
  ASSERT_TRUE(rp);
  ASSERT_TRUE(rp->h.rpath.has_value());
  EXPECT_EQ(*rp->h.rpath, (std::vector<std::string>{"/opt/vendor/lib", "", "lib"}));
  EXPECT_FALSE(rp->h.runpath.has_value());

  auto run = b_.build(GetParam(), "-O0 -Wl,--enable-new-dtags '-Wl,-rpath,$ORIGIN/../lib'");
  ASSERT_TRUE(run);
  ASSERT_TRUE(run->h.runpath.has_value());
  EXPECT_EQ(*run->h.runpath, (std::vector<std::string>{"$ORIGIN/../lib"}));
  EXPECT_FALSE(run->h.rpath.has_value());
}

TEST_P(ElfToolchain, StrippedAndDebugInfo) {
  auto stripped = b_.build(GetParam(), "-O0 -s");
  ASSERT_TRUE(stripped);
  EXPECT_TRUE(stripped->h.stripped);
  EXPECT_FALSE(stripped->h.debug_info);
  EXPECT_TRUE(stripped->elf.static_symbols.empty());

  auto debug = b_.build(GetParam(), "-O0 -g");
  ASSERT_TRUE(debug);
  EXPECT_FALSE(debug->h.stripped);
  EXPECT_TRUE(debug->h.debug_info);
  auto main_sym = std::find_if(debug->elf.static_symbols.begin(), debug->elf.static_symbols.end(),
                               [](const fe::Symbol& s) { return s.name == "main" && s.defined; });
  EXPECT_NE(main_sym, debug->elf.static_symbols.end());
}

TEST_P(ElfToolchain, SharedLibraryIsNotPie) {
  auto so =
      b_.build(GetParam(), "-O0 -shared -fPIC -fstack-protector-strong -Wl,-z,relro,-z,now -Wl,-soname,libdemo.so.1");
  ASSERT_TRUE(so);
  EXPECT_EQ(so->h.type, BinaryType::kSharedObject);
  EXPECT_FALSE(so->h.pie);
  EXPECT_EQ(so->elf.soname.value_or(""), "libdemo.so.1");
  EXPECT_FALSE(so->elf.interpreter.has_value());
  EXPECT_EQ(so->h.relro, Relro::kFull);
  EXPECT_TRUE(so->h.canary);
}

TEST_P(ElfToolchain, KernelModuleAndItsSignatureMarker) {
  const std::string source =
      "__attribute__((section(\".modinfo\"), used)) static const char lic[] = \"license=GPL\";\n"
      "int init_module(void) { return 0; }\n";
  auto ko = b_.build(GetParam(), "-c", source);
  ASSERT_TRUE(ko);
  EXPECT_EQ(ko->h.type, BinaryType::kKernelModule);
  EXPECT_EQ(ko->h.module_signed, std::optional<bool>(false));

  std::string signed_path = b_.path("signed.ko");
  std::string bytes = test::read_file(b_.last_path());
  bytes += std::string(40, '\x5a');  // stands for the PKCS#7 signature and its trailer
  bytes += fe::kModuleSignatureMarker;
  test::write_file(signed_path, bytes);
  auto sig = b_.load(signed_path);
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->h.module_signed, std::optional<bool>(true));

  auto obj = b_.build(GetParam(), "-c", "int f(void) { return 1; }\n");
  ASSERT_TRUE(obj);
  EXPECT_EQ(obj->h.type, BinaryType::kRelocatable);
  EXPECT_FALSE(obj->h.module_signed.has_value());
}

INSTANTIATE_TEST_SUITE_P(Elf, ElfToolchain, ::testing::ValuesIn(kToolchains),
                         [](const ::testing::TestParamInfo<Toolchain>& info) {
                           std::string n = info.param.cc;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// ---- properties only some architectures have ----

bool have(const std::string& tool) { return test::have_tool(tool); }

TEST(ElfGnuProperty, X86CetNotesOfObjectsAndForcedLinks) {
  Builder b;
  const Toolchain& x86 = kToolchains[0];
  auto on = b.build(x86, "-c -fcf-protection=full");
  ASSERT_TRUE(on);
  EXPECT_EQ(on->h.ibt, std::optional<bool>(true));
  EXPECT_EQ(on->h.shstk, std::optional<bool>(true));
  EXPECT_FALSE(on->h.bti.has_value());

  auto off = b.build(x86, "-c -fcf-protection=none");
  ASSERT_TRUE(off);
  EXPECT_EQ(off->h.ibt, std::optional<bool>(false));
  EXPECT_EQ(off->h.shstk, std::optional<bool>(false));

  auto linked = b.build(x86, "-fcf-protection=full -Wl,-z,ibt,-z,shstk");
  ASSERT_TRUE(linked);
  EXPECT_EQ(linked->h.ibt, std::optional<bool>(true));
  EXPECT_EQ(linked->h.shstk, std::optional<bool>(true));

  // A plain link: the linker ANDs the inputs' notes, so the answer is whatever readelf -n says.
  auto plain = b.build(x86, "-fcf-protection=full");
  ASSERT_TRUE(plain);
  auto notes = test::run("readelf -n " + b.last_path());
  EXPECT_EQ(*plain->h.ibt, notes.output.find("IBT") != std::string::npos) << notes.output;
}

TEST(ElfGnuProperty, Aarch64BtiAndPacNotes) {
  if (!have("aarch64-linux-gnu-gcc")) GTEST_SKIP() << "aarch64-linux-gnu-gcc not installed";
  Builder b;
  const Toolchain& arm64 = kToolchains[1];
  auto on = b.build(arm64, "-c -mbranch-protection=standard");
  ASSERT_TRUE(on);
  EXPECT_EQ(on->h.bti, std::optional<bool>(true));
  EXPECT_EQ(on->h.pac, std::optional<bool>(true));
  EXPECT_FALSE(on->h.ibt.has_value());

  auto off = b.build(arm64, "-c -mbranch-protection=none");
  ASSERT_TRUE(off);
  EXPECT_EQ(off->h.bti, std::optional<bool>(false));
  EXPECT_EQ(off->h.pac, std::optional<bool>(false));

  auto forced = b.build(arm64, "-mbranch-protection=standard -Wl,-z,force-bti");
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->h.bti, std::optional<bool>(true));
  auto notes = test::run("readelf -n " + b.last_path());
  EXPECT_EQ(*forced->h.pac, notes.output.find("PAC") != std::string::npos) << notes.output;
}

TEST(ElfTextrel, SharedObjectWithAbsoluteRelocationInText) {
  Builder b;
  const std::string source = ".text\n.globl f\nf: .quad ext_var\n.section .note.GNU-stack,\"\",@progbits\n";
  auto so = b.build(kToolchains[0], "-shared -Wl,-z,notext", source, "s");
  ASSERT_TRUE(so);
  EXPECT_TRUE(so->h.textrel);
  EXPECT_TRUE(so->elf.has_dt_textrel);
  auto clean = b.build(kToolchains[0], "-shared -fPIC");
  ASSERT_TRUE(clean);
  EXPECT_FALSE(clean->h.textrel);
}

TEST(ElfNoSectionHeaders, DynamicSymbolsComeFromTheHashTable) {
  // The loader never needs section headers; sstrip-style tools remove them. Dynamic symbols
  // must then be found through DT_SYMTAB, counted with DT_GNU_HASH (x86-64, aarch64) or DT_HASH.
  if (!have("llvm-objcopy-14")) GTEST_SKIP() << "llvm-objcopy-14 not installed";
  for (const auto& tc : kToolchains) {
    if (!have(tc.cc)) continue;
    Builder b;
    for (const char* hash : {"-Wl,--hash-style=gnu", "-Wl,--hash-style=sysv"}) {
      if (tc.machine == fe::kEmMips && std::string(hash).find("gnu") != std::string::npos)
        continue;  // MIPS has no GNU hash
      auto full = b.build(tc, std::string("-O2 -D_FORTIFY_SOURCE=2 -fstack-protector-all -s ") + hash);
      ASSERT_TRUE(full);
      std::string stripped = b.path("nosections");
      auto r = test::run("llvm-objcopy-14 --strip-sections " + b.last_path() + " " + stripped);
      ASSERT_EQ(r.exit_code, 0) << r.output;
      auto bare = b.load(stripped);
      ASSERT_TRUE(bare);
      EXPECT_TRUE(bare->elf.sections.empty()) << tc.cc;
      EXPECT_EQ(bare->elf.dynamic_symbols.size(), full->elf.dynamic_symbols.size()) << tc.cc << " " << hash;
      EXPECT_TRUE(bare->h.canary) << tc.cc << " " << hash;
      EXPECT_EQ(bare->h.fortify.fortified, full->h.fortify.fortified) << tc.cc << " " << hash;
      EXPECT_GT(bare->h.fortify.fortified, 0) << tc.cc << " " << hash;
      EXPECT_EQ(bare->elf.needed, full->elf.needed) << tc.cc;
    }
  }
}

}  // namespace
}  // namespace fwcert::formats::elf
