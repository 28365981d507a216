#pragma once
// Parsers for the files that say which services a device starts and how: systemd unit files,
// BusyBox /etc/inittab, inetd.conf, xinetd.d, Android init .rc, OpenWrt procd scripts,
// sshd_config, and OpenWrt UCI. They read untrusted bytes: every record keeps its 1-based line
// number, damaged lines become diagnostics, and the work is bounded by limits.hpp.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.hpp"

namespace fwcert::evidence::services {

using text::LineDiagnostic;
using text::split_command;

// ---- systemd unit files ----------------------------------------------------------------------

/// One `Key=Value` assignment. An empty value resets a list-valued key, as systemd does.
struct UnitAssignment {
  std::string section;  ///< "Service", "Socket", "Unit", "Install", ...
  std::string key;
  std::string value;     ///< continuation lines joined with a space, surrounding blanks removed
  std::size_t line = 0;  ///< line of the key (the first line of a continued value)
  std::string path;      ///< file it came from (set by the caller; drop-ins differ from the unit)
};

struct UnitFile {
  std::vector<UnitAssignment> assignments;  ///< in file order
  std::vector<LineDiagnostic> diagnostics;
  bool truncated = false;
};

/// Parses one unit file or drop-in: `[Section]` headers, `Key=Value` lines, `#`/`;` comments,
/// a trailing backslash continuing a value onto the next line (comment lines inside a
/// continuation are skipped, as systemd does). Assignments before any section are damage.
UnitFile parse_unit(std::string_view text, std::string_view path = {});

/// A unit with its drop-ins applied: the assignments of the unit file followed by those of
/// each drop-in in the order systemd applies them.
struct MergedUnit {
  std::vector<UnitAssignment> assignments;

  /// The effective value of a single-valued key: the last assignment, or nullptr.
  const UnitAssignment* last(std::string_view section, std::string_view key) const;
  /// The effective values of a list-valued key: every assignment after the last empty one.
  std::vector<const UnitAssignment*> all(std::string_view section, std::string_view key) const;
};

/// systemd's boolean syntax (1/yes/y/true/t/on and 0/no/n/false/f/off); nullopt otherwise.
std::optional<bool> parse_systemd_bool(std::string_view v);

/// An Exec*= line split into the program and its arguments. Prefixes (`-`, `@`, `:`, `+`, `!`,
/// `!!`) are removed and remembered; quotes and backslash escapes are undone.
struct ExecCommand {
  std::string program;            ///< argv[0] after `@` handling: the file that is executed
  std::vector<std::string> args;  ///< argv[1..]
  bool full_privileges = false;   ///< the `+` prefix: runs with full privileges, ignoring User=
  bool ignore_failure = false;    ///< the `-` prefix
};
std::optional<ExecCommand> parse_exec(std::string_view value);

// ---- BusyBox / SysV inittab ----------------------------------------------------------------

/// One `id:runlevels:action:process` line. BusyBox uses `id` as the tty (empty = console).
struct InittabEntry {
  std::size_t line = 0;
  std::string id;
  std::string runlevels;
  std::string action;   ///< sysinit, respawn, askfirst, once, wait, ctrlaltdel, shutdown, ...
  std::string process;  ///< the command; a leading `-` asks BusyBox for a login shell
};
struct Inittab {
  std::vector<InittabEntry> entries;
  std::vector<LineDiagnostic> diagnostics;
};
Inittab parse_inittab(std::string_view text);

// ---- inetd.conf and xinetd -----------------------------------------------------------------

/// One inetd.conf service line: service socket-type protocol wait[.max] user[:group] server args.
struct InetdEntry {
  std::size_t line = 0;
  std::string service;  ///< name from /etc/services or a port number; may carry "host:" before
  std::string socket_type;
  std::string protocol;
  std::string wait;
  std::string user;
  std::string group;              ///< from user:group or user.group, "" when absent
  std::string server;             ///< "internal" for inetd built-ins
  std::vector<std::string> args;  ///< argv including argv[0]
};
struct InetdConf {
  std::vector<InetdEntry> entries;
  std::vector<LineDiagnostic> diagnostics;
};
InetdConf parse_inetd_conf(std::string_view text);

/// One `service NAME { ... }` block of xinetd.conf or a file of xinetd.d. Attributes keep their
/// last value (`+=` appends with a space).
struct XinetdService {
  std::size_t line = 0;  ///< line of the `service` keyword
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<std::size_t> attribute_lines;

  /// The value of an attribute, or nullptr.
  const std::string* get(std::string_view key) const;
  std::size_t line_of(std::string_view key) const;
};
struct XinetdConf {
  std::vector<XinetdService> services;
  std::vector<XinetdService> defaults;  ///< `defaults { ... }` blocks
  std::vector<std::string> includedirs;
  std::vector<LineDiagnostic> diagnostics;
};
XinetdConf parse_xinetd(std::string_view text);

// ---- Android init .rc ----------------------------------------------------------------------

struct InitRcService {
  std::size_t line = 0;
  std::string name;
  std::string program;
  std::vector<std::string> args;
  std::string user;  ///< "" means root (init's default)
  std::vector<std::string> groups;
  std::vector<std::string> capabilities;  ///< as written ("NET_ADMIN")
  std::vector<std::string> classes;       ///< default "default"
  std::vector<std::string> sockets;       ///< `socket` option lines, as written
  bool disabled = false;
  bool oneshot = false;
  bool console = false;
  std::size_t user_line = 0;
};
/// An action trigger block (`on boot`, `on property:x=y`) and the services it starts.
struct InitRcAction {
  std::size_t line = 0;
  std::string trigger;
  std::vector<std::pair<std::string, std::size_t>> starts;        ///< `start NAME`
  std::vector<std::pair<std::string, std::size_t>> class_starts;  ///< `class_start CLASS`
  std::vector<std::pair<std::string, std::string>> setprops;      ///< `setprop k v`
};
struct InitRc {
  std::vector<InitRcService> services;
  std::vector<InitRcAction> actions;
  std::vector<std::string> imports;
  std::vector<LineDiagnostic> diagnostics;
};
InitRc parse_init_rc(std::string_view text);

// ---- OpenWrt procd init scripts ------------------------------------------------------------

/// What can be read from a procd init script without running it: best effort, from
/// `procd_set_param command|user|group|capabilities` lines and the START= variable.
struct ProcdScript {
  bool uses_procd = false;   ///< USE_PROCD=1
  std::optional<int> start;  ///< START=NN
  struct Instance {
    std::size_t line = 0;  ///< line of `procd_set_param command`
    std::vector<std::string> command;
    std::string user;
    std::string group;
    std::string capabilities;  ///< path of the capabilities JSON, as written
    std::size_t user_line = 0;
  };
  std::vector<Instance> instances;
};
ProcdScript parse_procd_script(std::string_view text);

// ---- OpenSSH sshd_config -------------------------------------------------------------------

/// One global keyword (outside any Match block). sshd uses the first value it reads of a
/// keyword, so `first()` is the effective one.
struct SshdOption {
  std::string keyword;  ///< lower-cased
  std::string value;    ///< the rest of the line
  std::size_t line = 0;
  std::string path;
};
struct SshdConfig {
  std::vector<SshdOption> options;
  std::vector<std::string> includes;  ///< Include arguments, as written (also kept in options)
  std::vector<LineDiagnostic> diagnostics;
  const SshdOption* first(std::string_view keyword) const;
};
/// Parses sshd_config text; options inside `Match` blocks are skipped (they do not apply to
/// every connection). An `Include` line stays in `options` (keyword "include") at its place.
SshdConfig parse_sshd_config(std::string_view text, std::string_view path = {});

// ---- OpenWrt UCI configuration (/etc/config/*) ----------------------------------------------

/// One `option name 'value'` (or `list name 'value'`, one per value) of a UCI section.
struct UciOption {
  std::string name;
  std::string value;  ///< unquoted
  std::size_t line = 0;
};
/// One `config type ['name']` section with its options in file order.
struct UciSection {
  std::string type;
  std::string name;  ///< "" for an anonymous section
  std::size_t line = 0;
  std::vector<UciOption> options;
  /// The last value given for `name` (UCI keeps the last), or nullptr.
  const UciOption* option(std::string_view name) const;
};
struct UciConfig {
  std::vector<UciSection> sections;
  std::vector<LineDiagnostic> diagnostics;
};
/// Parses UCI text as OpenWrt's uci(1) reads it: single or double quotes, `#` comments, an
/// option outside any section is a diagnostic.
UciConfig parse_uci(std::string_view text);

}  // namespace fwcert::evidence::services
