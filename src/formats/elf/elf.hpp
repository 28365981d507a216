#pragma once
// An ELF reader of our own for the hardening analyzer: ELF32/ELF64, either byte order, any
// machine. It reads the file header, program headers, section headers, the dynamic section,
// dynamic symbols (and .symtab on request), GNU property notes, and the last bytes of kernel
// modules, each through core::ByteReader over a bounded window, never the whole file. Damage
// becomes a diagnostic on the Elf and the parse goes on with what it has.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.hpp"
#include "fwcert/result.hpp"

namespace fwcert::formats::elf {

/// Random access to the bytes of one file. The parser asks only for the windows it needs.
class Input {
 public:
  virtual ~Input() = default;
  virtual std::uint64_t size() const = 0;
  /// Fills `out` from `offset`; false when fewer bytes could be read.
  virtual bool read(std::uint64_t offset, std::span<std::byte> out) const = 0;
};

/// An Input over bytes already in memory (tests, fuzzers).
class MemoryInput final : public Input {
 public:
  explicit MemoryInput(std::span<const std::byte> bytes) : bytes_(bytes) {}
  std::uint64_t size() const override { return bytes_.size(); }
  bool read(std::uint64_t offset, std::span<std::byte> out) const override;

 private:
  std::span<const std::byte> bytes_;
};

// Values from the ELF specification and the GNU extensions that the analyzer interprets.
inline constexpr std::uint16_t kEtRel = 1, kEtExec = 2, kEtDyn = 3, kEtCore = 4;
inline constexpr std::uint16_t kEm386 = 3, kEmMips = 8, kEmPpc = 20, kEmPpc64 = 21, kEmArm = 40, kEmX86_64 = 62,
                               kEmAarch64 = 183, kEmRiscv = 243;
inline constexpr std::uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3, kPtNote = 4, kPtGnuStack = 0x6474e551,
                               kPtGnuRelro = 0x6474e552, kPtGnuProperty = 0x6474e553;
inline constexpr std::uint32_t kPfX = 1, kPfW = 2, kPfR = 4;
inline constexpr std::uint32_t kShtSymtab = 2, kShtStrtab = 3, kShtDynamic = 6, kShtNote = 7, kShtNobits = 8,
                               kShtDynsym = 11;
inline constexpr std::uint64_t kDfTextrel = 0x4, kDfBindNow = 0x8;
inline constexpr std::uint64_t kDf1Now = 0x1, kDf1Pie = 0x08000000;
inline constexpr std::uint32_t kX86FeatureIbt = 0x1, kX86FeatureShstk = 0x2;
inline constexpr std::uint32_t kAarch64FeatureBti = 0x1, kAarch64FeaturePac = 0x2;
/// What scripts/sign-file appends after a signed kernel module's signature.
inline constexpr std::string_view kModuleSignatureMarker = "~Module signature appended~\n";

struct Segment {
  std::uint32_t type = 0;
  std::uint32_t flags = 0;
  std::uint64_t offset = 0, vaddr = 0, filesz = 0, memsz = 0, align = 0;
};

struct Section {
  std::string name;
  std::uint32_t type = 0;
  std::uint64_t flags = 0, addr = 0, offset = 0, size = 0, entsize = 0, addralign = 0;
  std::uint32_t link = 0, info = 0;
};

struct Symbol {
  std::string name;          ///< as stored, without any version suffix
  bool defined = false;      ///< st_shndx != SHN_UNDEF
  std::uint8_t type = 0;     ///< STT_*
  std::uint8_t binding = 0;  ///< STB_*
};

struct Elf {
  bool is_64 = false;
  core::Endian endian = core::Endian::kLittle;
  std::uint16_t type = 0;     ///< e_type
  std::uint16_t machine = 0;  ///< e_machine
  std::uint32_t flags = 0;    ///< e_flags
  std::uint64_t file_size = 0;

  std::vector<Segment> segments;
  std::vector<Section> sections;
  std::optional<std::string> interpreter;  ///< PT_INTERP

  bool has_dynamic = false;
  std::vector<std::string> needed;
  std::optional<std::string> soname, rpath, runpath;
  bool has_dt_debug = false;
  bool has_dt_textrel = false;
  bool has_dt_bind_now = false;
  std::uint64_t dt_flags = 0, dt_flags_1 = 0;

  std::vector<Symbol> dynamic_symbols;
  /// .symtab entries; read only when ParseOptions::read_static_symbols is set.
  std::vector<Symbol> static_symbols;
  bool has_symtab = false;
  bool has_debug_info = false;  ///< a .debug_* or .zdebug_* section

  std::optional<std::uint32_t> x86_features;      ///< GNU_PROPERTY_X86_FEATURE_1_AND
  std::optional<std::uint32_t> aarch64_features;  ///< GNU_PROPERTY_AARCH64_FEATURE_1_AND

  bool has_modinfo = false;
  bool module_signature_appended = false;

  /// What was damaged or cut short, one line each; the fields above hold what could be read.
  std::vector<std::string> diagnostics;

  const Segment* segment(std::uint32_t type) const;
  const Section* section(std::string_view name) const;

  /// True when the ELF is a kernel module: relocatable with a .modinfo section.
  bool is_kernel_module() const { return type == kEtRel && has_modinfo; }
  /// True when the ELF is a position-independent executable: ET_DYN with DF_1_PIE, or with
  /// DT_DEBUG, which linkers add only when linking an executable. A shared library that can
  /// also be run (libc.so.6 has PT_INTERP) is not a PIE.
  bool is_pie() const { return type == kEtDyn && ((dt_flags_1 & kDf1Pie) || has_dt_debug); }
  /// True when the dynamic linker resolves every symbol at load time: DT_BIND_NOW, DF_BIND_NOW
  /// or DF_1_NOW (glibc and musl honour all three).
  bool binds_now() const { return has_dt_bind_now || (dt_flags & kDfBindNow) || (dt_flags_1 & kDf1Now); }
  /// True when a PT_GNU_RELRO segment asks the loader to make relocated data read-only.
  bool has_relro() const { return segment(kPtGnuRelro) != nullptr; }
  /// True when PT_GNU_STACK exists without PF_X. Without PT_GNU_STACK most loaders (and
  /// every kernel for 32-bit ABIs) map the stack executable.
  bool has_nx_stack() const;
  /// True when the dynamic section asks for text relocations (DT_TEXTREL or DF_TEXTREL).
  bool has_textrel() const { return has_dt_textrel || (dt_flags & kDfTextrel); }
};

struct ParseOptions {
  /// Read .symtab symbols too (names can be many megabytes on unstripped binaries).
  bool read_static_symbols = true;
};

/// Parses one ELF. Fails only when the bytes are not an ELF or the header cannot be read;
/// any later damage is a diagnostic on the returned Elf.
Result<Elf> parse(const Input& input, const ParseOptions& options = {});
Result<Elf> parse(std::span<const std::byte> bytes, const ParseOptions& options = {});

/// Short machine name ("x86-64", "aarch64", "mips", ...), or "em-<number>".
std::string machine_name(std::uint16_t machine);

}  // namespace fwcert::formats::elf
