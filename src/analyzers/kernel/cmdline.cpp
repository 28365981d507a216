#include "analyzers/kernel/cmdline.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>

#include "core/text.hpp"
#include "evidence/evidence.hpp"

namespace fwcert::analyzers::kernel {

using namespace formats::kernel;

namespace {

constexpr std::string_view kCheck = "boot-kernel-cmdline";

bool value_in(const std::string& v, std::string_view list) {
  while (!list.empty()) {
    auto bar = list.find('|');
    if (list.substr(0, bar) == v) return true;
    if (bar == std::string_view::npos) break;
    list.remove_prefix(bar + 1);
  }
  return false;
}

bool matches(const CmdlineRule& r, const CmdlineParam& p) {
  if (p.name != r.name) return false;
  const std::string v = text::lower(p.value);
  switch (r.match) {
    case CmdlineRule::Match::kBare:
      return !p.has_value;
    case CmdlineRule::Match::kAny:
      return true;
    case CmdlineRule::Match::kValueIn:
      return p.has_value && value_in(v, r.values);
    case CmdlineRule::Match::kEmptyOrNone:
      return !p.has_value || v.empty() || v == "none";
    case CmdlineRule::Match::kShell: {
      if (!p.has_value) return false;
      auto slash = p.value.rfind('/');
      std::string base = p.value.substr(slash == std::string::npos ? 0 : slash + 1);
      return value_in(base, r.values);
    }
  }
  return false;
}

/// Why a parameter switches a protection off (REQUIREMENTS.md c.1), or "" when it does not.
std::string disabling(const CmdlineParam& p) {
  for (const auto& r : cmdline_rules()) {
    if (matches(r, p)) return std::string(r.reason);
  }
  return {};
}

bool is_uart_console(const CmdlineParam& p) {
  if (p.name != "console" || !p.has_value) return false;
  static constexpr std::string_view kUarts[] = {"ttyS",  "ttyAMA", "ttyMSM", "ttyHS",  "ttymxc", "ttyO",  "ttySAC",
                                                "ttyLP", "ttyPS",  "ttyUL",  "ttyFIQ", "ttyAML", "ttyMV", "ttySC"};
  return std::any_of(std::begin(kUarts), std::end(kUarts), [&](auto u) { return p.value.starts_with(u); });
}

bool is_verbose(const std::vector<CmdlineParam>& params) {
  for (const auto& p : params) {
    if (p.name == "debug" || p.name == "ignore_loglevel") return true;
    if (p.name == "loglevel" && p.has_value) {
      int n = 0;
      auto r = std::from_chars(p.value.data(), p.value.data() + p.value.size(), n);
      if (r.ec == std::errc() && n >= 7) return true;
    }
  }
  return false;
}

}  // namespace

std::string cmdline_disabling(const CmdlineParam& p) { return disabling(p); }

std::span<const CmdlineRule> cmdline_rules() {
  using M = CmdlineRule::Match;
  static constexpr CmdlineRule kRules[] = {
      {"init", M::kShell, "sh|bash|ash|dash|busybox|zsh", "boots straight into a root shell"},
      {"single", M::kBare, "", "boots into single-user or rescue mode"},
      {"S", M::kBare, "", "boots into single-user or rescue mode"},
      {"emergency", M::kBare, "", "boots into single-user or rescue mode"},
      {"rescue", M::kBare, "", "boots into single-user or rescue mode"},
      {"rd.break", M::kBare, "", "boots into single-user or rescue mode"},
      {"rd.break", M::kAny, "", "breaks into the initramfs shell"},
      {"selinux", M::kValueIn, "0", "disables SELinux"},
      {"enforcing", M::kValueIn, "0", "puts SELinux in permissive mode"},
      {"apparmor", M::kValueIn, "0", "disables AppArmor"},
      {"security", M::kEmptyOrNone, "", "selects no security module"},
      {"androidboot.selinux", M::kValueIn, "permissive", "puts Android SELinux in permissive mode"},
      {"module.sig_enforce", M::kValueIn, "0|n|no", "stops enforcing module signatures"},
      {"ima_appraise", M::kValueIn, "off|log|fix", "turns IMA appraisal off"},
      {"lockdown", M::kValueIn, "none", "turns kernel lockdown off"},
      {"nokaslr", M::kAny, "", "disables kernel address randomisation"},
      {"mitigations", M::kValueIn, "off", "turns CPU vulnerability mitigations off"},
      // Switches kernel-hardening-checker also flags (its cmdline checks with "is not set",
      // "is not off" or a required value): each turns one protection off.
      {"norandmaps", M::kAny, "", "disables user-space address randomisation"},
      {"no_hash_pointers", M::kAny, "", "prints raw kernel pointers"},
      {"nosmep", M::kAny, "", "disables SMEP"},
      {"nosmap", M::kAny, "", "disables SMAP"},
      {"nopti", M::kAny, "", "disables page-table isolation"},
      {"pti", M::kValueIn, "off", "disables page-table isolation"},
      {"dis_ucode_ldr", M::kAny, "", "disables CPU microcode loading"},
      {"clearcpuid", M::kAny, "", "hides CPU features, security ones included"},
      {"setcpuid", M::kAny, "", "forces CPU features on or off"},
      {"nospectre_v1", M::kAny, "", "turns a CPU vulnerability mitigation off"},
      {"nospectre_v2", M::kAny, "", "turns a CPU vulnerability mitigation off"},
      {"nospectre_bhb", M::kAny, "", "turns a CPU vulnerability mitigation off"},
      {"nospec_store_bypass_disable", M::kAny, "", "turns a CPU vulnerability mitigation off"},
      {"spectre_v2", M::kValueIn, "off", "turns a CPU vulnerability mitigation off"},
      {"spectre_v2_user", M::kValueIn, "off", "turns a CPU vulnerability mitigation off"},
      {"spectre_bhi", M::kValueIn, "off", "turns a CPU vulnerability mitigation off"},
      {"spec_store_bypass_disable", M::kValueIn, "off", "turns a CPU vulnerability mitigation off"},
      {"l1tf", M::kValueIn, "off", "turns a CPU vulnerability mitigation off"},
      {"mds", M::kValueIn, "off", "turns a CPU vulnerability mitigation off"},
      {"tsx_async_abort", M::kValueIn, "off", "turns a CPU vulnerability mitigation off"},
      {"srbds", M::kValueIn, "off", "turns a CPU vulnerability mitigation off"},
      {"mmio_stale_data", M::kValueIn, "off", "turns a CPU vulnerability mitigation off"},
      {"retbleed", M::kValueIn, "off", "turns a CPU vulnerability mitigation off"},
      {"spec_rstack_overflow", M::kValueIn, "off", "turns a CPU vulnerability mitigation off"},
      {"gather_data_sampling", M::kValueIn, "off", "turns a CPU vulnerability mitigation off"},
      {"reg_file_data_sampling", M::kValueIn, "off", "turns a CPU vulnerability mitigation off"},
      {"tsa", M::kValueIn, "off", "turns a CPU vulnerability mitigation off"},
      {"indirect_target_selection", M::kValueIn, "off", "turns a CPU vulnerability mitigation off"},
      {"vmscape", M::kValueIn, "off", "turns a CPU vulnerability mitigation off"},
      {"amd_iommu", M::kValueIn, "off", "disables the AMD IOMMU (DMA protection)"},
      {"iommu.passthrough", M::kValueIn, "1|y|on", "lets devices DMA around the IOMMU"},
      {"iommu.strict", M::kValueIn, "0|n|off", "defers IOMMU TLB invalidation (lazy DMA protection)"},
      {"arm64.nobti", M::kAny, "", "disables branch target identification"},
      {"arm64.nopauth", M::kAny, "", "disables pointer authentication"},
      {"arm64.nomte", M::kAny, "", "disables memory tagging"},
      {"arm64.nogcs", M::kAny, "", "disables the guarded control stack"},
      {"rodata", M::kValueIn, "off|noalias", "leaves kernel read-only data writable"},
      {"slab_merge", M::kAny, "", "merges slab caches (helps heap exploitation)"},
      {"slub_merge", M::kAny, "", "merges slab caches (helps heap exploitation)"},
      {"slab_common.usercopy_fallback", M::kAny, "", "lets usercopy bypass hardened checks"},
      {"init_on_alloc", M::kValueIn, "0|n|off", "stops zeroing memory on allocation"},
      {"init_on_free", M::kValueIn, "0|n|off", "stops zeroing memory on free"},
      {"hardened_usercopy", M::kValueIn, "0|n|off", "turns hardened usercopy off"},
      {"randomize_kstack_offset", M::kValueIn, "0|n|off", "stops randomising the kernel stack offset"},
      {"page_alloc.shuffle", M::kValueIn, "0|n|off", "stops shuffling the page allocator"},
      {"debugfs", M::kValueIn, "on", "mounts debugfs with full access"},
      {"sysrq_always_enabled", M::kAny, "", "enables every magic SysRq function"},
      {"vsyscall", M::kValueIn, "emulate", "maps an executable vsyscall page"},
      {"vdso32", M::kValueIn, "1|2", "maps the 32-bit vDSO"},
      {"ia32_emulation", M::kValueIn, "1|y|on|true", "turns 32-bit syscall emulation on"},
      {"proc_mem.force_override", M::kValueIn, "always|ptrace", "lets /proc/PID/mem write through protections"},
  };
  return kRules;
}

void check_cmdline(const Context& ctx, const KernelConfig* config, const std::string& config_path, Output& out) {
  const std::vector<FoundCmdline>& found = ctx.evidence().kernel().cmdlines;
  if (found.empty()) {
    Finding f;
    f.check = std::string(kCheck);
    f.status = Status::kInconclusive;
    f.subject = "kernel";
    f.message =
        "no kernel command line was found (extlinux.conf, grub.cfg, cmdline.txt, U-Boot environment, "
        "CONFIG_CMDLINE)";
    out.findings.push_back(std::move(f));
    return;
  }
  for (const auto& c : found) {
    auto params = split_cmdline(c.text);
    Finding f;
    f.check = std::string(kCheck);
    f.subject = c.path + (c.line ? fmt::format(":{}", c.line) : std::string());
    std::vector<std::string> why;
    for (const auto& p : params) {
      std::string reason = disabling(p);
      if (reason.empty()) continue;
      Evidence e;
      e.path = c.path;
      if (c.line) e.line = c.line;
      e.observed = p.has_value ? p.name + "=" + p.value : p.name;
      e.expected = "not on the command line: it " + reason;
      why.push_back(e.observed + " " + reason);
      f.evidence.push_back(std::move(e));
    }
    bool uart = std::any_of(params.begin(), params.end(), is_uart_console) && is_verbose(params);
    out.facts.push_back(
        {"kernel", f.subject, "kernel.cmdline", c.text,
         Evidence{c.path, c.line ? std::optional<std::uint64_t>(c.line) : std::nullopt, {}, c.text, {}}});
    if (!why.empty()) {
      f.status = Status::kFail;
      f.message = "the kernel command line switches protections off: " + fmt::format("{}", fmt::join(why, "; "));
    } else if (uart) {
      f.status = Status::kWarn;
      f.message = "the kernel logs verbosely to a serial console (console= on a UART with loglevel 7+ or debug)";
      f.evidence.push_back(Evidence{c.path,
                                    c.line ? std::optional<std::uint64_t>(c.line) : std::nullopt,
                                    {},
                                    c.text,
                                    "no verbose logging to a physical UART"});
    } else {
      f.status = Status::kPass;
      f.message = "the kernel command line switches no protection off";
      f.evidence.push_back(
          Evidence{c.path, c.line ? std::optional<std::uint64_t>(c.line) : std::nullopt, {}, c.text, {}});
    }
    out.findings.push_back(std::move(f));
  }
}

}  // namespace fwcert::analyzers::kernel
