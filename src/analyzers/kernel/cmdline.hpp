#pragma once
// boot-kernel-cmdline: kernel command lines found in boot configuration (extlinux.conf,
// grub.cfg and /etc/default/grub, Raspberry Pi cmdline.txt, U-Boot environment text files and
// boot scripts) and CONFIG_CMDLINE, judged against REQUIREMENTS.md c.1.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/analyzer.hpp"
#include "analyzers/kernel/parse.hpp"

namespace fwcert::analyzers::kernel {

/// One parameter of a command line: "name=value", or a bare "name" (has_value false).
struct CmdlineParam {
  std::string name;
  std::string value;
  bool has_value = false;
};

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

/// Splits a command line as the kernel does: spaces separate, double quotes group.
std::vector<CmdlineParam> split_cmdline(std::string_view line);

/// A command line found in the target.
struct FoundCmdline {
  std::string path;  ///< display path, or the config path for CONFIG_CMDLINE
  std::size_t line = 0;
  std::string text;
};

/// Command lines in one boot-configuration file, by its format (chosen from the file name).
std::vector<FoundCmdline> cmdlines_in_file(std::string_view name, std::string_view text, const std::string& shown);

/// Every command line in the target's boot files, then CONFIG_CMDLINE of `config`.
std::vector<FoundCmdline> find_cmdlines(const Context& ctx, const KernelConfig* config, const std::string& config_path);

/// Emits boot-kernel-cmdline. `config`/`config_path` are the kernel configuration found, if any.
void check_cmdline(const Context& ctx, const KernelConfig* config, const std::string& config_path, Output& out);

}  // namespace fwcert::analyzers::kernel
