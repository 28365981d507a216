#pragma once
// Kernel: finds the kernel's version and build configuration in the target (/boot/config-*,
// config.gz files, the configuration embedded in a kernel image, the version banner,
// /lib/modules/<version>) and scores the configuration against data/kernel-hardening.yaml.
// Also merges the sysctl files and reads kernel command lines, and judges what depends on the
// kernel: its branch's end of life, the MAC systems it runs, its crypto and RNG drivers. Checks
// inv-kernel-version, inv-kernel-config, kern-hardening-config, sysctl-hardening,
// boot-kernel-cmdline, os-kernel-lts, mac-selinux, mac-apparmor, mac-enforced,
// crypto-hw-engine, crypto-hw-rng.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "analyzers/analyzer.hpp"
#include "analyzers/kernel/parse.hpp"

namespace fwcert::analyzers::kernel {

/// Check ids this analyzer emits.
std::span<const std::string_view> checks();

Output run(const Context& ctx);

/// The kernel configuration this analyzer judges (embedded in the kernel image first, then
/// /boot/config-*, then config.gz) with its display path and how it was found; nullopt when the
/// target holds none. For other analyzers that judge kernel options (the boot analyzer).
struct FoundKernelConfig {
  std::string path;
  std::string how;
  KernelConfig config;
};
std::optional<FoundKernelConfig> find_kernel_config(const Context& ctx);

}  // namespace fwcert::analyzers::kernel
