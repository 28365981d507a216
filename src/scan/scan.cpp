#include "fwcert/scan.hpp"

#include "scan/pipeline.hpp"
#include "scan/target.hpp"

namespace fwcert {

#ifndef FWCERT_VERSION
#define FWCERT_VERSION "0.0.0"
#endif

const char* version() { return FWCERT_VERSION; }

Result<Report> scan(const std::string& target, const ScanOptions& options) {
  auto in = scanning::load_inputs(options);
  if (!in) return in.error();
  Report report;
  report.tool.version = version();
  report.profile = in->profile.id;
  auto inv = scanning::open_target(target, options, report.target);
  if (!inv) return inv.error();
  return scanning::run_pipeline(*in, options, target, **inv, std::move(report));
}

}  // namespace fwcert
