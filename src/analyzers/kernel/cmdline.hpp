#pragma once
// boot-kernel-cmdline: kernel command lines found in boot configuration (extlinux.conf,
// grub.cfg and /etc/default/grub, Raspberry Pi cmdline.txt, U-Boot environment text files and
// boot scripts) and CONFIG_CMDLINE, judged against REQUIREMENTS.md c.1.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/analyzer.hpp"
#include "formats/kernel/cmdline.hpp"

namespace fwcert::analyzers::kernel {

using namespace formats::kernel;

/// A command-line parameter that switches a protection off (REQUIREMENTS.md c.1); the first
/// rule that matches a parameter gives its reason. Listed in docs/kernel-rules.md.
struct CmdlineRule {
  enum class Match {
    kBare,         ///< the parameter without a value ("single")
    kAny,          ///< with or without any value
    kValueIn,      ///< a value (lower-cased) among `values`, '|'-separated
    kEmptyOrNone,  ///< no value, an empty one, or "none"
    kShell,        ///< a path whose last component is among `values` (a shell)
  };
  std::string_view name;
  Match match;
  std::string_view values;
  std::string_view reason;
};
std::span<const CmdlineRule> cmdline_rules();

/// The reason of the first rule that `p` matches, or "" when it switches nothing off.
std::string cmdline_disabling(const CmdlineParam& p);

/// Emits boot-kernel-cmdline. `config`/`config_path` are the kernel configuration found, if any.
void check_cmdline(const Context& ctx, const KernelConfig* config, const std::string& config_path, Output& out);

}  // namespace fwcert::analyzers::kernel
