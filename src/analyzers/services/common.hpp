#pragma once
// Declarations shared by the source files of the services analyzer (not part of its interface):
// the checks (check_*.cpp, surface_checks.cpp) on the service list the scan's evidence holds
// (evidence/services/), whose reading helpers they use too.

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

#include "analyzers/analyzer.hpp"
#include "analyzers/services/services.hpp"
#include "assess/declared_services.hpp"
#include "core/limits.hpp"
#include "evidence/accounts.hpp"
#include "evidence/evidence.hpp"
#include "evidence/services/detail.hpp"
#include "evidence/services/parse.hpp"
#include "inventory/fs_reader.hpp"
#include "inventory/inventory.hpp"

namespace fwcert::analyzers::services::detail {

// The checks read files with the collectors' reader and name programs with their helpers.
using namespace evidence::services;
using namespace evidence::services::detail;

using assess::declared_name_matches;
using assess::DeclaredService;

inline constexpr std::string_view kNonRootCheck = "priv-services-non-root";
inline constexpr std::string_view kLegacyCheck = "net-legacy-daemons";
inline constexpr std::string_view kSerialCheck = "net-serial-console";
inline constexpr std::string_view kSshCheck = "net-ssh-config";
inline constexpr std::string_view kHostKeysCheck = "keys-ssh-host-keys-shipped";

// Checks on the service list (check_daemons.cpp).
void check_non_root(const std::vector<Service>& services, const std::string& where, Output& out);
void check_legacy(const inventory::Inventory& inv, std::uint32_t fs, const std::vector<Service>& services,
                  const std::string& where, Output& out);
void check_serial(const std::vector<Service>& services, const std::string& where, Output& out);

// SSH (check_ssh.cpp).
void check_ssh(const FsReader& r, const std::vector<Service>& services, const std::string& where, Output& out);
/// `ssh_server` says whether an SSH server is present (keys may then be generated at boot).
void check_host_keys(const FsReader& r, bool ssh_server, Output& out);

inline constexpr std::string_view kFirewallCheck = "net-firewall";
inline constexpr std::string_view kUsbGadgetCheck = "net-usb-gadget";
inline constexpr std::string_view kUnneededCheck = "net-unneeded-software";
inline constexpr std::string_view kListenersCheck = "net-listeners";

// Checks that combine the service list with other files (surface_checks.cpp).
void check_firewall(const FsReader& r, const std::vector<Service>& services, const std::string& where, Output& out);
void check_usb_gadget(const FsReader& r, const std::vector<Service>& services, const std::string& where, Output& out);
void check_unneeded(const FsReader& r, const std::string& where, Output& out);

/// The declared-services list of a scan: absent (none given), unreadable, or the entries with
/// which entries some filesystem's listeners matched.
struct DeclaredList {
  std::string source;  ///< the file it came from, "" when none was given
  std::vector<DeclaredService> entries;
  std::vector<bool> used;  ///< per entry: a listener matched it
};
/// net-listeners: every network-facing service started at boot is declared with a reason.
void check_listeners(const std::vector<Service>& services, DeclaredList& declared, const std::string& where,
                     Output& out);
/// Reports declared entries that no listener of any filesystem matched (after every filesystem).
void report_unused_declarations(const DeclaredList& declared, Output& out);

}  // namespace fwcert::analyzers::services::detail
