#pragma once
// debug-coredumps and debug-kernel-interfaces: what the kernel and the init system let a crash
// or a debugger see. Core dumps from the merged sysctl files (kernel.core_pattern,
// fs.suid_dumpable), systemd-coredump's coredump.conf, the core limit (limits.conf,
// DefaultLimitCORE, LimitCORE= in units, `ulimit -c` in init scripts and profiles) and core
// files left in the image; kernel debug interfaces from the kernel configuration (debugfs,
// /dev/mem, /dev/kmem, /proc/kcore, kprobes, ftrace, KGDB), debugfs mounts in fstab and init
// scripts, device nodes shipped in /dev and kgdb parameters on the kernel command lines.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/analyzer.hpp"
#include "evidence/kernel.hpp"

namespace fwcert::analyzers::kernel {

using formats::kernel::KernelConfig;

/// A core-size limit as written: "0", "unlimited", "infinity", "-1", a number, or systemd's
/// "soft:hard". True when the soft part lets a core be written (anything but 0).
bool core_limit_allows_dumps(std::string_view value);

/// The value of the -c option of one `ulimit` command line ("ulimit -c unlimited",
/// "ulimit -Sc 0", "ulimit -H -c 1024"), or nullopt when the line sets no core limit.
std::optional<std::string> ulimit_core_value(std::string_view line);

/// A debugfs mount: where it is mounted, its options and who may enter it.
struct DebugfsMount {
  std::string options;
  unsigned mode = 0700;  ///< debugfs' default
  unsigned uid = 0, gid = 0;
  /// True when a user other than root reaches it: other bits, or a non-root owner or group.
  bool reachable_by_non_root() const {
    return (mode & 0007) || (uid != 0 && (mode & 0700)) || (gid != 0 && (mode & 0070));
  }
};
/// The debugfs mount options ("mode=0755,uid=1000") parsed; unknown options are kept as text.
DebugfsMount parse_debugfs_options(std::string_view options);

void check_coredumps(const Context& ctx, const KernelConfig* config, const std::string& config_path, Output& out);

void check_debug_interfaces(const Context& ctx, const KernelConfig* config, const std::string& config_path,
                            const std::vector<formats::kernel::FoundCmdline>& cmdlines, Output& out);

}  // namespace fwcert::analyzers::kernel
