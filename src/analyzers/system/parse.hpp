#pragma once
// Parsers of the system configuration files the system analyzer judges: /etc/fstab, sudoers
// and doas.conf, and /etc/pam.d files. They read untrusted bytes: every record keeps its
// 1-based line number, damaged lines become diagnostics, and the work is bounded by limits.hpp.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.hpp"

namespace fwcert::analyzers::system {

using text::LineDiagnostic;

// ---- /etc/fstab ----------------------------------------------------------------------------

/// One fstab line: device mount-point type options [dump [pass]].
struct FstabEntry {
  std::size_t line = 0;
  std::string device;
  std::string mount_point;
  std::string type;
  std::vector<std::string> options;  ///< split at commas

  bool has_option(std::string_view o) const;
};
struct Fstab {
  std::vector<FstabEntry> entries;
  std::vector<LineDiagnostic> diagnostics;
};
Fstab parse_fstab(std::string_view text);

// ---- sudoers and doas ----------------------------------------------------------------------

/// One user specification of sudoers(5): `users hosts=(runas) TAGS: commands`.
struct SudoRule {
  std::size_t line = 0;
  std::vector<std::string> users;  ///< as written: "alice", "%wheel", "ALL", "#1000"
  bool nopasswd = false;           ///< a NOPASSWD: tag applies to the commands
  bool all_commands = false;       ///< the command list includes ALL
  std::string text;                ///< the whole rule, continuation lines joined
};
struct Sudoers {
  std::vector<SudoRule> rules;
  std::vector<std::string> includedirs;  ///< #includedir / @includedir arguments
  std::vector<std::string> includes;     ///< #include / @include arguments
  std::vector<LineDiagnostic> diagnostics;
};
/// Parses sudoers text. Defaults and alias definitions are skipped; user aliases are not
/// expanded (a rule for an alias keeps the alias name).
Sudoers parse_sudoers(std::string_view text);

/// One doas.conf(5) rule: `permit|deny [options] identity [as target] [cmd command [args]]`.
struct DoasRule {
  std::size_t line = 0;
  bool permit = false;
  bool nopass = false;
  std::string identity;  ///< "alice" or ":wheel"
  std::string target;    ///< "" means root
  std::string command;   ///< "" means any command
};
std::vector<DoasRule> parse_doas(std::string_view text, std::vector<LineDiagnostic>& diagnostics);

// ---- PAM -----------------------------------------------------------------------------------

/// One line of a /etc/pam.d file: `type control module-path args`, or `@include file`.
struct PamLine {
  std::size_t line = 0;
  std::string type;     ///< auth, account, password, session (a leading '-' removed), or "@include"
  std::string control;  ///< required, requisite, sufficient, optional, include, substack, or [...]
  std::string module;   ///< module path, or the included file for @include/include/substack
  std::vector<std::string> args;
};
struct PamFile {
  std::vector<PamLine> lines;
  std::vector<LineDiagnostic> diagnostics;
};
PamFile parse_pam(std::string_view text);

}  // namespace fwcert::analyzers::system
