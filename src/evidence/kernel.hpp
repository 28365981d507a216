#pragma once
// The kernel evidence of a scan, collected once and judged by the kernel and boot analyzers:
// kernel configurations (/boot/config-*, config.gz, IKCONFIG embedded in a kernel image or its
// compressed payload), kernel versions (banner, configuration header, /lib/modules) and the
// kernel command lines of the boot configuration files and CONFIG_CMDLINE.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/date.hpp"
#include "formats/kernel/cmdline.hpp"
#include "formats/kernel/kernel.hpp"
#include "fwcert/report.hpp"
#include "inventory/inventory.hpp"

namespace fwcert::evidence {

using formats::kernel::FoundCmdline;
using formats::kernel::KernelConfig;
using formats::kernel::KernelVersion;

/// A configuration found in the target and where it came from.
struct FoundConfig {
  std::string path;  ///< display path of the file
  std::string how;   ///< "file", "config.gz", "embedded (IKCONFIG)", "embedded in xz payload"
  std::uint64_t offset = 0;
  int rank = 0;  ///< lower is preferred: embedded in the kernel describes what runs
  KernelConfig config;
};

struct FoundVersion {
  KernelVersion version;
  std::string path;
  std::string how;
  std::string banner;
  int rank = 0;
};

struct KernelEvidence {
  std::vector<FoundConfig> configs;    ///< best first: embedded in the kernel describes what runs
  std::vector<FoundVersion> versions;  ///< best first
  std::size_t examined = 0;            ///< kernel images and config.gz files read
  /// Command lines of the boot configuration files, in inventory order.
  std::vector<FoundCmdline> file_cmdlines;
  /// file_cmdlines, then CONFIG_CMDLINE of the chosen configuration.
  std::vector<FoundCmdline> cmdlines;
  /// Damage met while collecting; the kernel analyzer reports them.
  std::vector<Diagnostic> diagnostics;

  /// The configuration judged (the best one), or nullptr.
  const FoundConfig* config() const { return configs.empty() ? nullptr : &configs.front(); }
  /// The version judged (the best one), or nullptr.
  const FoundVersion* version() const { return versions.empty() ? nullptr : &versions.front(); }
};

/// Reads every kernel image, configuration and boot configuration file of the inventory once.
KernelEvidence collect_kernel(const inventory::Inventory& inv);

/// The end-of-life day of the kernel branch of `version` in the built-in kernel.org table, or
/// nullopt when the branch is not in it or has no end of life yet.
std::optional<CivilDate> kernel_branch_eol(const KernelVersion& version);

}  // namespace fwcert::evidence
