#pragma once
// os-kernel-lts: the kernel branch (X.Y of the version found) judged against the built-in
// kernel.org end-of-life table (data/endoflife/linux-kernel.yaml) at the assessment date.

#include <string>

#include "analyzers/analyzer.hpp"
#include "formats/kernel/kernel.hpp"

namespace fwcert::analyzers::kernel {

using namespace formats::kernel;

/// Emits os-kernel-lts and the facts kernel.branch, kernel.lts, kernel.eol (YYYY-MM-DD, subject
/// "kernel", when the table gives a day) and kernel.sublevel_lag. `version` is the kernel
/// version found (nullptr when none) and `path` where it was read.
void check_kernel_lts(const Context& ctx, const KernelVersion* version, const std::string& path, Output& out);

}  // namespace fwcert::analyzers::kernel
