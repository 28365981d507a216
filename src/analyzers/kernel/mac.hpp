#pragma once
// mac-selinux, mac-apparmor, mac-enforced: mandatory access control from the image's
// configuration (/etc/selinux, policy files and permissive domains, Android properties,
// /etc/apparmor.d profiles and their modes), the kernel configuration (LSMs built in, their
// develop/bootparam switches, the LSM order) and the kernel command lines.

#include <string>
#include <vector>

#include "analyzers/analyzer.hpp"
#include "analyzers/kernel/cmdline.hpp"
#include "formats/kernel/kernel.hpp"

namespace fwcert::analyzers::kernel {

using namespace formats::kernel;

/// Emits the three MAC checks. `config` is the kernel configuration found (nullptr when
/// none), `cmdlines` every kernel command line found.
void check_mac(const Context& ctx, const KernelConfig* config, const std::string& config_path,
               const std::vector<FoundCmdline>& cmdlines, Output& out);

}  // namespace fwcert::analyzers::kernel
