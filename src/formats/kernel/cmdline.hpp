#pragma once
// Kernel command lines: how the kernel splits one into parameters, and where each kind of boot
// configuration file (extlinux.conf, grub.cfg and /etc/default/grub, Raspberry Pi cmdline.txt,
// U-Boot environment text and boot scripts) keeps it. Bounded by the line limit.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fwcert::formats::kernel {

/// One parameter of a command line: "name=value", or a bare "name" (has_value false).
struct CmdlineParam {
  std::string name;
  std::string value;
  bool has_value = false;
};

/// Splits a command line as the kernel does: spaces separate, double quotes group.
std::vector<CmdlineParam> split_cmdline(std::string_view line);

/// A command line found in the target.
struct FoundCmdline {
  std::string path;  ///< display path, or the config path for CONFIG_CMDLINE
  std::size_t line = 0;
  std::string text;
};

/// Command lines in one boot-configuration file, by its format (chosen from the file name).
std::vector<FoundCmdline> cmdlines_in_file(std::string_view name, std::string_view file, const std::string& shown);

/// True for the boot configuration files cmdlines_in_file reads, by base name and path.
bool is_boot_config_file(std::string_view name, std::string_view path);

}  // namespace fwcert::formats::kernel
