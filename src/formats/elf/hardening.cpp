#include "formats/elf/hardening.hpp"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "data/resources.hpp"

namespace fwcert::formats::elf {

namespace fe = formats::elf;

const char* to_string(Relro r) {
  switch (r) {
    case Relro::kNone:
      return "none";
    case Relro::kPartial:
      return "partial";
    case Relro::kFull:
      return "full";
  }
  return "none";
}

const char* to_string(BinaryType t) {
  switch (t) {
    case BinaryType::kExecutable:
      return "executable";
    case BinaryType::kPie:
      return "pie";
    case BinaryType::kSharedObject:
      return "shared-object";
    case BinaryType::kRelocatable:
      return "relocatable";
    case BinaryType::kKernelModule:
      return "kernel-module";
    case BinaryType::kCore:
      return "core";
    case BinaryType::kOther:
      return "other";
  }
  return "other";
}

namespace {

constexpr std::string_view kRisky[] = {"gets",     "strcpy", "stpcpy", "strcat", "wcscpy",  "wcscat", "sprintf",
                                       "vsprintf", "system", "popen",  "tmpnam", "tempnam", "mktemp"};

/// The checked and unchecked names of data/fortify-functions.txt, parsed once.
struct FortifyNames {
  std::unordered_set<std::string> checked;    ///< "sprintf_chk"
  std::unordered_set<std::string> unchecked;  ///< "sprintf"
};

const FortifyNames& fortify_names() {
  static const FortifyNames kNames = [] {
    FortifyNames n;
    for (std::string_view line : data::resource_lines("data/fortify-functions.txt")) {
      n.checked.emplace(line);
      // checksec removes every "_chk" from the name: ${list//_chk/}.
      std::string plain(line);
      for (auto at = plain.find("_chk"); at != std::string::npos; at = plain.find("_chk")) plain.erase(at, 4);
      n.unchecked.insert(std::move(plain));
    }
    return n;
  }();
  return kNames;
}

bool names_canary(std::string_view name) {
  // Most symbol names are shorter than the shortest pattern; skip them before any search.
  if (name.size() < std::string_view("__stack_chk_fail").size()) return false;
  return name.find("__stack_chk_fail") != std::string_view::npos ||
         name.find("__stack_chk_guard") != std::string_view::npos ||
         name.find("__intel_security_cookie") != std::string_view::npos;
}

}  // namespace

std::span<const std::string_view> risky_functions() { return kRisky; }

BinaryType binary_type(const fe::Elf& e) {
  switch (e.type) {
    case fe::kEtRel:
      return e.is_kernel_module() ? BinaryType::kKernelModule : BinaryType::kRelocatable;
    case fe::kEtExec:
      return BinaryType::kExecutable;
    case fe::kEtDyn:
      return e.is_pie() ? BinaryType::kPie : BinaryType::kSharedObject;
    case fe::kEtCore:
      return BinaryType::kCore;
    default:
      return BinaryType::kOther;
  }
}

bool has_canary(const fe::Elf& e) {
  auto any = [](const std::vector<fe::Symbol>& syms) {
    return std::any_of(syms.begin(), syms.end(), [](const fe::Symbol& s) { return names_canary(s.name); });
  };
  return any(e.dynamic_symbols) || any(e.static_symbols);
}

FortifyCount count_fortify(const fe::Elf& e) {
  const auto& names = fortify_names();
  FortifyCount c;
  std::string key;
  for (const auto& s : e.dynamic_symbols) {
    // checksec: sed -e 's/_*//' -e 's/@.*//' on readelf's name column.
    std::string_view n = s.name;
    n.remove_prefix(std::min(n.find_first_not_of('_'), n.size()));
    n = n.substr(0, n.find('@'));
    if (n.empty()) continue;
    key.assign(n);
    if (names.checked.count(key)) ++c.fortified;
    if (names.unchecked.count(key)) ++c.fortifiable;
    if (n.ends_with("_chk")) c.any_chk = true;
  }
  c.fortifiable += c.fortified;
  return c;
}

std::vector<std::string> split_search_path(std::string_view value) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (true) {
    auto end = value.find(':', pos);
    out.emplace_back(value.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return out;
}

Hardening assess(const fe::Elf& e) {
  Hardening h;
  h.type = binary_type(e);
  h.relro = !e.has_relro() ? Relro::kNone : e.binds_now() ? Relro::kFull : Relro::kPartial;
  h.canary = has_canary(e);
  h.nx = e.has_nx_stack();
  h.pie = h.type == BinaryType::kPie;
  if (e.rpath) h.rpath = split_search_path(*e.rpath);
  if (e.runpath) h.runpath = split_search_path(*e.runpath);
  h.fortify = count_fortify(e);
  h.textrel = e.has_textrel();
  h.stripped = !e.has_symtab;
  h.debug_info = e.has_debug_info;
  if (e.machine == fe::kEmX86_64 || e.machine == fe::kEm386) {
    std::uint32_t f = e.x86_features.value_or(0);
    h.ibt = (f & fe::kX86FeatureIbt) != 0;
    h.shstk = (f & fe::kX86FeatureShstk) != 0;
  }
  if (e.machine == fe::kEmAarch64) {
    std::uint32_t f = e.aarch64_features.value_or(0);
    h.bti = (f & fe::kAarch64FeatureBti) != 0;
    h.pac = (f & fe::kAarch64FeaturePac) != 0;
  }
  std::set<std::string> risky;
  for (const auto& s : e.dynamic_symbols) {
    if (s.defined || s.name.empty()) continue;
    if (std::find(std::begin(kRisky), std::end(kRisky), s.name) != std::end(kRisky)) risky.insert(s.name);
  }
  h.risky_imports.assign(risky.begin(), risky.end());
  if (h.type == BinaryType::kKernelModule) h.module_signed = e.module_signature_appended;
  return h;
}

}  // namespace fwcert::formats::elf
