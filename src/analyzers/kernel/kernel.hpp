#pragma once
// Kernel: finds the kernel's version and build configuration in the target (/boot/config-*,
// config.gz files, the configuration embedded in a kernel image, the version banner,
// /lib/modules/<version>) and scores the configuration against data/kernel-hardening.yaml.
// Also merges the sysctl files and reads kernel command lines, and judges what depends on the
// kernel: its branch's end of life, the MAC systems it runs, its crypto and RNG drivers, core
// dumps and its debug interfaces. Checks inv-kernel-version, inv-kernel-config,
// kern-hardening-config, sysctl-hardening, boot-kernel-cmdline, os-kernel-lts, mac-selinux,
// mac-apparmor, mac-enforced, crypto-hw-engine, crypto-hw-rng, debug-coredumps,
// debug-kernel-interfaces.

#include <span>
#include <string_view>

#include "analyzers/analyzer.hpp"

namespace fwcert::analyzers::kernel {

/// Check ids this analyzer emits.
std::span<const std::string_view> checks();

Output run(const Context& ctx);

}  // namespace fwcert::analyzers::kernel
