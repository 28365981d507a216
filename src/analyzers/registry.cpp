#include "analyzers/accounts/accounts.hpp"
#include "analyzers/analyzer.hpp"

namespace fwcert::analyzers {

std::span<const AnalyzerInfo> registry() {
  static const AnalyzerInfo kAnalyzers[] = {
      {"accounts", "passwd/shadow/group: empty and default passwords, hash strength, uid 0 and login shells",
       accounts::checks(), &accounts::run},
  };
  return kAnalyzers;
}

}  // namespace fwcert::analyzers
