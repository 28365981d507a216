#pragma once
// Boot chain: U-Boot (default, stored and text environments, fw_env.config, commands and
// legacy-image support compiled into the binary, the control DTB's signature keys), FIT and
// legacy uImages, the kernel's integrity options (dm-verity, module signing, lockdown, IMA),
// Android vbmeta, anti-rollback evidence and known test keys. Checks boot-uboot-*,
// boot-rootfs-dm-verity, boot-android-avb, boot-kernel-module-signing, boot-kernel-lockdown,
// boot-ima-appraisal, boot-anti-rollback, boot-production-keys.

#include <span>
#include <string_view>

#include "analyzers/analyzer.hpp"

namespace fwcert::analyzers::boot {

/// Check ids this analyzer emits.
std::span<const std::string_view> checks();

Output run(const Context& ctx);

}  // namespace fwcert::analyzers::boot
