#pragma once
// Services: every service the device's init systems start (systemd, BusyBox/SysV inittab and
// rc scripts, inetd and xinetd, OpenWrt procd, Android init .rc), who it runs as and whether
// it faces the network. Checks priv-services-non-root, net-legacy-daemons, net-serial-console,
// net-ssh-config, keys-ssh-host-keys-shipped, net-debug-services, priv-systemd-sandbox,
// net-firewall, net-usb-gadget, net-unneeded-software and net-listeners.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/analyzer.hpp"
#include "evidence/evidence.hpp"
#include "evidence/services/services.hpp"

namespace fwcert::analyzers::services {

/// Check ids this analyzer emits.
std::span<const std::string_view> checks();

/// One service as the image configures it (evidence/services/services.hpp).
using evidence::services::Service;
/// The services of one filesystem, read without a scan's evidence (tests, fuzzers).
using evidence::services::collect;

Output run(const Context& ctx);

}  // namespace fwcert::analyzers::services
