#pragma once
// The worst status met while judging one check, with the evidence and reason of every step:
// fail over warn over pass. Shared by analyzers that add up several signals into one finding.

#include <string>
#include <utility>
#include <vector>

#include "analyzers/analyzer.hpp"

namespace fwcert::analyzers {

struct WorstStatus {
  Status status = Status::kPass;
  std::vector<Evidence> evidence;
  std::vector<std::string> reasons;

  /// A signal of status `s`; an empty `reason` adds evidence only.
  void add(Status s, Evidence e, std::string reason) {
    if (s == Status::kFail || (s == Status::kWarn && status == Status::kPass)) status = s;
    evidence.push_back(std::move(e));
    if (!reason.empty()) reasons.push_back(std::move(reason));
  }
  /// Evidence that changes no status (what was looked at and found in order).
  void note(Evidence e) { evidence.push_back(std::move(e)); }
};

}  // namespace fwcert::analyzers
