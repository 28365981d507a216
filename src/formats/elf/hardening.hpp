#pragma once
// What a parsed ELF says about its hardening, decided the way checksec decides it where
// checksec has a rule (RELRO, canary, NX, PIE, RPATH, RUNPATH, FORTIFY counts) and from the
// ELF and GNU ABI documents elsewhere. Pure functions of a formats::elf::Elf, so tests and the
// checksec oracle test can compare them one property at a time.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "formats/elf/elf.hpp"

namespace fwcert::formats::elf {

enum class Relro : std::uint8_t { kNone, kPartial, kFull };
const char* to_string(Relro r);

enum class BinaryType : std::uint8_t { kExecutable, kPie, kSharedObject, kRelocatable, kKernelModule, kCore, kOther };
const char* to_string(BinaryType t);

struct FortifyCount {
  std::int64_t fortified = 0;    ///< dynamic symbols naming a glibc __*_chk function
  std::int64_t fortifiable = 0;  ///< fortified plus those naming the unchecked counterpart
  bool any_chk = false;          ///< some dynamic symbol ends in "_chk" (checksec's Yes/No)
};

struct Hardening {
  BinaryType type = BinaryType::kOther;
  Relro relro = Relro::kNone;
  bool canary = false;
  bool nx = false;
  bool pie = false;
  std::optional<std::vector<std::string>> rpath, runpath;  ///< entries, split at ':'
  FortifyCount fortify;
  bool textrel = false;
  bool stripped = false;                   ///< no .symtab
  bool debug_info = false;                 ///< a .debug_* or .zdebug_* section
  std::optional<bool> ibt, shstk;          ///< x86 and x86-64 only: GNU property X86_FEATURE_1_AND
  std::optional<bool> bti, pac;            ///< AArch64 only: GNU property AARCH64_FEATURE_1_AND
  std::vector<std::string> risky_imports;  ///< undefined dynamic symbols from risky_functions(), sorted
  std::optional<bool> module_signed;       ///< kernel modules only: the appended marker is there
};

/// Derives every hardening property of one ELF.
Hardening assess(const formats::elf::Elf& elf);

/// Type as the report names it: a kernel module is ET_REL with .modinfo; a PIE is ET_DYN
/// with DF_1_PIE or DT_DEBUG (see Elf::is_pie).
BinaryType binary_type(const formats::elf::Elf& elf);

/// True when a stack protector is linked in: some symbol, in .dynsym or .symtab, contains
/// __stack_chk_fail, __stack_chk_guard or __intel_security_cookie (checksec's rule).
bool has_canary(const formats::elf::Elf& elf);

/// FORTIFY counts over the dynamic symbols, the way checksec 2.6 counts them with the list in
/// data/fortify-functions.txt.
FortifyCount count_fortify(const formats::elf::Elf& elf);

/// Splits a DT_RPATH/DT_RUNPATH value at ':'; empty entries are kept (they mean the current
/// directory to the loader).
std::vector<std::string> split_search_path(std::string_view value);

/// Functions whose import marks code for manual review (input-unsafe-calls).
std::span<const std::string_view> risky_functions();

}  // namespace fwcert::formats::elf
