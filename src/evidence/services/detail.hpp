#pragma once
// Declarations shared by the source files that collect a filesystem's services (collect_*.cpp,
// collect.cpp, privileges.cpp, local_only.cpp) and used by the services analyzer's checks: the
// reader, the collectors of each init system, and the small helpers they have in common.

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/limits.hpp"
#include "evidence/accounts.hpp"
#include "evidence/evidence.hpp"
#include "evidence/services/parse.hpp"
#include "evidence/services/services.hpp"
#include "inventory/fs_reader.hpp"
#include "inventory/inventory.hpp"

namespace fwcert::evidence::services::detail {

using inventory::entries_of;
using inventory::file_name;

/// Reads one filesystem of the inventory (inventory/fs_reader.hpp), with the scan's shared
/// evidence for the account databases.
struct FsReader : inventory::FsReader {
  Evidence* evidence = nullptr;  ///< the scan's shared evidence, for accounts()

  /// The account databases of this filesystem, read once per scan.
  const AccountFiles& accounts() const { return evidence->accounts(fs); }
};

/// Debug and diagnostic programs: a service running one is reachable debugging; the file
/// alone is a tool an attacker can use once inside.
inline constexpr std::string_view kDebugPrograms[] = {
    "gdbserver",  "frida-server",  "frida",    "strace", "ltrace",       "tcpdump", "gdb",
    "devmem",     "devmem2",       "socat",    "nc",     "netcat",       "ncat",    "adbd",
    "diag_mdlog", "diagrebootapp", "valgrind", "perf",   "busybox-debug"};

template <std::size_t N>
bool in_list(const std::string_view (&list)[N], std::string_view s) {
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

inline std::string join(const std::vector<std::string>& v, std::string_view sep = " ") {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

/// The program and its arguments as one line, for evidence.
inline std::string command_text(const Service& s) {
  std::string c = s.program;
  for (const auto& a : s.args) c += " " + a;
  return c;
}

/// The program names of data/network-daemons.txt.
const std::set<std::string>& network_daemons();

/// The names a service's command goes by: the program's file name, and for multi-call
/// binaries and wrappers (busybox, tcpd, tcpsvd, nohup, ...) the program they run.
std::vector<std::string> program_names(const Service& s);

/// True for the Alexa client (AVS Device SDK sample app or a vendor client named after it).
bool is_alexa_client(const Service& s);

/// "foo@bar.service" -> ("foo@.service", "bar"); nullopt for non-instances (collect_systemd.cpp).
std::optional<std::pair<std::string, std::string>> split_instance(std::string_view name);

/// The init system /sbin/init is: "systemd", "busybox", "sysvinit", "procd", or "" when the
/// image does not say (collect_sysv.cpp).
std::string pid1(const FsReader& r);

// The collectors, in the order collect() runs them: later ones look at what earlier ones found.
void collect_systemd(const FsReader& r, std::vector<Service>& services);  // collect_systemd.cpp
void collect_inittab(const FsReader& r, std::vector<Service>& services);  // collect_sysv.cpp
void collect_sysv(const FsReader& r, std::vector<Service>& services);     // collect_sysv.cpp
void collect_procd(const FsReader& r, std::vector<Service>& services);    // collect_sysv.cpp
void collect_android(const FsReader& r, std::vector<Service>& services);  // collect_android.cpp
void collect_inetd(const FsReader& r, std::vector<Service>& services);    // collect_inetd.cpp
void collect_xinetd(const FsReader& r, std::vector<Service>& services);   // collect_inetd.cpp

/// One daemon of data/daemon-privileges.yaml (privileges.cpp; the file documents the fields).
struct DaemonPrivileges {
  std::string program;
  std::vector<std::string> user_options, config_options;
  std::string config, user_key, syntax, default_user, source;
  bool workers_only = false, privilege_separated = false, root_by_design = false;
};
const std::map<std::string, DaemonPrivileges, std::less<>>& daemon_privileges();

/// A shell word or line with its variable references expanded as the shell would: $V, ${V},
/// ${V:-word}, ${V-word}, ${V:+word}, ${V+word} (words may nest references); unknown
/// variables are empty (privileges.cpp).
std::string expand_shell(std::string_view text, const std::map<std::string, std::string>& vars);

/// When a service's program is a wrapper script that execs a daemon (Debian's dnsmasq
/// systemd-helper), the daemon and its expanded arguments replace it; `wrapper` records where.
void follow_wrapper(const FsReader& r, Service& s);

/// For a root service whose daemon is in data/daemon-privileges.yaml: the account it switches
/// to (command-line option, then its configuration file, then its compiled-in default) when
/// that account exists in the image, or that it needs root by design or separates privileges.
void apply_privileges(const FsReader& r, const AccountFiles& accounts, Service& s);

/// When the daemon's own configuration binds it to loopback only, the reason (it is then not
/// network-facing): every sshd ListenAddress, or every dropbear -p address, is a loopback one.
std::optional<std::string> loopback_only(const FsReader& r, const Service& s, std::string_view daemon);
/// The part of loopback_only() for daemons that are local-only until configured otherwise
/// (mosquitto 2, chronyd) (check_ssh.cpp).
std::optional<std::string> local_only_by_configuration(const FsReader& r, const Service& s, std::string_view daemon);

/// sshd's effective configuration: sshd_config with its Include lines expanded (local_only.cpp).
struct SshdEffective {
  std::vector<SshdOption> options;  ///< in the order sshd reads them, includes expanded
  std::vector<std::string> files;   ///< display paths read
};
void load_sshd(const FsReader& r, const std::string& path, int depth, SshdEffective& eff);
/// The first value of `keyword` in the effective configuration (sshd's rule: the first wins).
const SshdOption* first_of(const SshdEffective& eff, std::string_view keyword);
/// An address sshd or dropbear listens on that only the device itself reaches: 127.x, ::1 or
/// localhost, with or without a port.
bool loopback_address(std::string_view a);

}  // namespace fwcert::evidence::services::detail
