#pragma once
// sysctl-hardening: the sysctl files of each filesystem merged as systemd-sysctl and
// `sysctl --system` merge them, judged against data/sysctl-hardening.yaml. Keys no file sets
// keep the kernel default, taken from the kernel configuration when it decides it.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analyzers/analyzer.hpp"
#include "analyzers/kernel/rules.hpp"
#include "formats/kernel/kernel.hpp"

namespace fwcert::analyzers::kernel {

using namespace formats::kernel;

/// One rule of data/sysctl-hardening.yaml (the file's header documents the fields).
struct SysctlRule {
  std::string key, expect, fallback, reason, source, kconfig_value;
  std::vector<std::pair<Condition, std::string>> kconfig_default;
  std::optional<Condition> not_applicable_if;
};
/// The built-in sysctl rules, loaded once.
const std::vector<SysctlRule>& sysctl_rules();

/// True when `value` meets a rule's `expect` ("N" equal, ">=N" at least; numbers compared as
/// numbers, anything else as text).
bool sysctl_satisfies(const std::string& value, const std::string& expect);

/// The effective value of one key and the file and line that set it.
struct SysctlSetting {
  std::string value;
  std::string path;  ///< display path
  std::size_t line = 0;
};

/// Merges the sysctl files of one filesystem: *.conf of /etc/sysctl.d, /run/sysctl.d,
/// /usr/local/lib/sysctl.d, /usr/lib/sysctl.d, /lib/sysctl.d (a name in an earlier directory
/// hides the same name in later ones; a link to /dev/null masks it), applied in file-name
/// order, then /etc/sysctl.conf last as `sysctl --system` and BusyBox `sysctl -p` do. A later
/// assignment of a key wins. `files` receives the display paths read, in order.
std::map<std::string, SysctlSetting> merge_sysctl(const inventory::Inventory& inv, std::uint32_t fs,
                                                  std::vector<std::string>& files, Output& out);

/// Emits sysctl-hardening for every filesystem with an /etc directory. `config` is the kernel
/// configuration found in the target, if any (it decides some defaults).
void check_sysctl(const Context& ctx, const KernelConfig* config, Output& out);

}  // namespace fwcert::analyzers::kernel
