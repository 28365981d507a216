#pragma once
// System: host hardening judged on the inventory and the system configuration files, for every
// filesystem that looks like a system root. Checks priv-setuid-inventory (with
// data/setuid-allowlist.txt), priv-fs-permissions (modes and fstab mount options),
// priv-rootfs-readonly, priv-sudo (sudoers and doas.conf) and auth-pam.

#include <span>
#include <string_view>

#include "analyzers/analyzer.hpp"

namespace fwcert::analyzers::system {

/// Check ids this analyzer emits.
std::span<const std::string_view> checks();

Output run(const Context& ctx);

}  // namespace fwcert::analyzers::system
