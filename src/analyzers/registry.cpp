#include "analyzers/accounts/accounts.hpp"
#include "analyzers/analyzer.hpp"
#include "analyzers/elf/elf.hpp"

namespace fwcert::analyzers {

std::span<const AnalyzerInfo> registry() {
  static const AnalyzerInfo kAnalyzers[] = {
      {"accounts", "passwd/shadow/group: empty and default passwords, hash strength, uid 0 and login shells",
       accounts::checks(), &accounts::run},
      {"elf", "ELF hardening: PIE, NX, RELRO, stack protector, FORTIFY, RPATH, CET/BTI, risky imports, module signatures",
       elf::checks(), &elf::run},
  };
  return kAnalyzers;
}

}  // namespace fwcert::analyzers
