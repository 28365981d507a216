#pragma once
// Signed updates: which update mechanisms the image carries (RAUC, SWUpdate, Mender, OSTree,
// aktualizr, Android OTA, fwupd, opkg/apt feeds, custom scripts) and whether each verifies
// signatures and downloads over authenticated transport. Checks upd-agent-present,
// upd-rauc-signature, upd-swupdate-signature, upd-mender-signature, upd-ostree-signature,
// upd-android-ota-keys, upd-package-feeds, upd-custom-scripts, upd-transport.

#include <span>
#include <string_view>

#include "analyzers/analyzer.hpp"

namespace fwcert::analyzers::updates {

/// Check ids this analyzer emits.
std::span<const std::string_view> checks();

Output run(const Context& ctx);

}  // namespace fwcert::analyzers::updates
