#pragma once
// AVS Device SDK protection: its configuration files (ownership, mode, secrets, gateway, CA
// path), the databases they name, the Smart Screen websocket, the SDK's executables and
// libraries (ownership and library search path, with the ELF analyzer's hardening functions),
// and PKCS#11 key storage. Checks avs-config-protected, avs-state-protected, avs-ipc-protected,
// avs-executables-protected and keys-avs-pkcs11.

#include <span>
#include <string_view>

#include "analyzers/analyzer.hpp"

namespace fwcert::analyzers::avs {

/// Check ids this analyzer emits.
std::span<const std::string_view> checks();

Output run(const Context& ctx);

}  // namespace fwcert::analyzers::avs
