#include "analyzers/analyzer.hpp"

namespace fwcert::analyzers {

Context::Context(const inventory::Inventory& inv, const AnalyzerOptions& o)
    : inventory(inv),
      options(o),
      own_pool_(std::make_unique<parallel::Pool>(o.threads)),
      own_evidence_(std::make_unique<evidence::Evidence>(inv, *own_pool_)),
      evidence_(own_evidence_.get()) {}

Context::~Context() = default;

}  // namespace fwcert::analyzers
