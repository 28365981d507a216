#pragma once
// Services as the image configures them: every service the device's init systems start
// (systemd, BusyBox/SysV inittab and rc scripts, inetd and xinetd, OpenWrt procd, Android init
// .rc), who it runs as and whether it faces the network. Shared evidence of a scan
// (Evidence::services(fs)): the services analyzer judges the list, and the ELF and MAC checks
// ask it which programs are really started and network-facing instead of going by names.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwcert/report.hpp"
#include "inventory/inventory.hpp"

namespace fwcert::evidence {
class Evidence;
}

namespace fwcert::evidence::services {

/// One service as the image configures it.
struct Service {
  std::string init;     ///< systemd, inittab, rc-script, sysv, inetd, xinetd, procd, android
  std::string name;     ///< unit name, inetd service, inittab id, script or .rc service name
  std::string subject;  ///< "<prefix>service:<init>:<name>"
  std::string program;  ///< the executable as configured ("" when it could not be told)
  std::vector<std::string> args;
  bool at_boot = false;     ///< started at boot (or on demand by something started at boot)
  std::string boot_reason;  ///< why at_boot is true, or why it is false
  std::string user;         ///< as configured; "" means root
  std::string group;
  bool dynamic_user = false;              ///< systemd DynamicUser=yes
  std::vector<std::string> capabilities;  ///< ambient (systemd) or granted (.rc, procd) capabilities
  std::string capability_bounding;        ///< systemd CapabilityBoundingSet=, "" when unset
  bool network_facing = false;
  std::vector<std::string> network_reasons;
  bool oneshot = false;                     ///< runs to completion (Type=oneshot, inittab sysinit/once/wait)
  bool conditional = false;                 ///< started only when a property trigger fires (Android `on property:`)
  std::vector<std::string> sandbox;         ///< systemd sandboxing directives as "Key=Value"
  std::optional<double> exposure;           ///< systemd services: sandbox exposure 0-10 (see sandbox.hpp)
  std::vector<std::string> exposure_unmet;  ///< the sandbox tests not met, heaviest first
  std::string path;                         ///< display path where the service is defined
  std::size_t line = 0;
  std::string user_path;  ///< display path and line of the user setting, when there is one
  std::size_t user_line = 0;
  std::uint32_t filesystem = 0;
  std::string wrapper;               ///< the wrapper script that execs the daemon ("path line N"), "" when none
  std::string privilege_note;        ///< how the daemon gives up root, from its options or configuration
  std::string privileges_source;     ///< where that behaviour is documented (data/daemon-privileges.yaml)
  bool root_by_design = false;       ///< a system daemon whose job needs root (cron, journald, logind)
  bool privilege_separated = false;  ///< keeps a root monitor; an unprivileged child parses the network (sshd)

  /// True when the service starts as uid 0: no user, "root" or "0", and no DynamicUser.
  bool runs_as_root() const;
};

/// The services of one filesystem, in a stable order (init system, then name). Damage in the
/// files read becomes `diagnostics`. `evidence`, when given, supplies the account databases
/// (read once per scan).
std::vector<Service> collect(const inventory::Inventory& inv, std::uint32_t filesystem,
                             std::vector<Diagnostic>& diagnostics, Evidence* evidence = nullptr);

/// What Evidence::services(fs) holds: the list and the diagnostics of reading it (reported by
/// the services analyzer only, so that they appear once).
struct ServiceList {
  std::vector<Service> services;
  std::vector<Diagnostic> diagnostics;

  /// The services started at boot that face the network and run `program` (a path in the
  /// filesystem, links resolved by the caller), or are reached through one of `names` (the file
  /// name of the program or of an applet link to it: busybox telnetd, tcpd, tcpsvd).
  std::vector<const Service*> network_facing_running(std::string_view program,
                                                     const std::vector<std::string>& names) const;
  /// True when some service is started at boot: the image's init configuration was read, so a
  /// daemon no such service runs is not started. When false, what starts the programs is
  /// unknown and callers fall back to judging them by name.
  bool boot_known() const;
  /// Why no network-facing service started at boot runs a program called `name`: the service
  /// that names it and why it does not start or face the network, or that none names it.
  std::string not_running_reason(std::string_view name) const;
};

}  // namespace fwcert::evidence::services
