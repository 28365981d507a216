#include "analyzers/kernel/kernel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "analyzers/kernel/cmdline.hpp"
#include "analyzers/kernel/crypto.hpp"
#include "analyzers/kernel/currency.hpp"
#include "analyzers/kernel/mac.hpp"
#include "analyzers/kernel/parse.hpp"
#include "analyzers/kernel/rules.hpp"
#include "analyzers/kernel/sysctl.hpp"
#include "core/limits.hpp"

namespace fwcert::analyzers::kernel {

namespace {

constexpr std::string_view kVersionCheck = "inv-kernel-version";
constexpr std::string_view kConfigCheck = "inv-kernel-config";
constexpr std::string_view kHardeningCheck = "kern-hardening-config";
constexpr std::string_view kSysctlCheck = "sysctl-hardening";
constexpr std::string_view kCmdlineCheck = "boot-kernel-cmdline";
constexpr std::string_view kChecks[] = {kVersionCheck,  kConfigCheck,       kHardeningCheck, kSysctlCheck,
                                        kCmdlineCheck,  "os-kernel-lts",    "mac-selinux",   "mac-apparmor",
                                        "mac-enforced", "crypto-hw-engine", "crypto-hw-rng"};

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

struct Findings {
  std::vector<FoundConfig> configs;
  std::vector<FoundVersion> versions;
  std::size_t examined = 0;
};

bool is_kernel_name(std::string_view name) {
  return name.starts_with("vmlinux") || name.starts_with("vmlinuz") || name == "Image" || name == "Image.gz" ||
         name == "Image.xz" || name == "Image.zst" || name == "Image.lz4" || name == "zImage" || name == "bzImage" ||
         name == "uImage" || (name.starts_with("kernel") && name.size() <= 16);
}

void add_config(Findings& f, std::string path, std::string how, std::uint64_t offset, int rank, std::string_view text,
                Output& out) {
  if (!looks_like_kconfig(text)) return;
  FoundConfig c{std::move(path), std::move(how), offset, rank, parse_kconfig(text)};
  for (const auto& d : c.config.diagnostics) {
    if (c.config.diagnostics.size() > 20 && &d != &c.config.diagnostics.front()) break;
    out.diagnostics.push_back(
        {Diagnostic::Level::kNote, c.path, d.line ? fmt::format("line {}: {}", d.line, d.message) : d.message});
  }
  if (!c.config.version.empty()) {
    if (auto v = parse_kernel_release(c.config.version)) {
      f.versions.push_back({*v, c.path, "configuration header", "", 2});
    }
  }
  f.configs.push_back(std::move(c));
}

/// Looks for the banner and IKCONFIG in bytes; true when the configuration was found.
bool search_bytes(Findings& f, const std::string& path, std::string_view bytes, const std::string& where, int rank,
                  Output& out) {
  if (auto b = find_version_banner(bytes)) {
    f.versions.push_back({b->version, path, "version banner" + where, b->line, rank});
  }
  if (auto ik = find_ikconfig(bytes)) {
    if (!ik->error.empty()) {
      out.diagnostics.push_back({Diagnostic::Level::kWarning, path, ik->error + where});
      return false;
    }
    std::size_t before = f.configs.size();
    add_config(f, path, "embedded (IKCONFIG)" + where, ik->offset, 0, ik->text, out);
    return f.configs.size() > before;
  }
  return false;
}

void examine_kernel_image(const vfs::Vfs& v, const std::string& path, const std::string& shown, Findings& f,
                          Output& out) {
  auto st = v.stat(path);
  if (!st.ok() || st->size > limits::kMaxKernelImageBytes) {
    if (st.ok()) {
      out.diagnostics.push_back(
          {Diagnostic::Level::kNote, shown,
           fmt::format("kernel image larger than {} bytes was not read", limits::kMaxKernelImageBytes)});
    }
    return;
  }
  auto bytes = v.read_file(path, limits::kMaxKernelImageBytes);
  if (!bytes.ok()) {
    out.diagnostics.push_back({Diagnostic::Level::kWarning, shown, bytes.error().describe()});
    return;
  }
  std::size_t versions_before = f.versions.size();
  bool have_config = search_bytes(f, shown, bytes.value(), "", 0, out);
  if (have_config && f.versions.size() > versions_before) return;
  // A compressed kernel: the banner and configuration are inside the payload.
  if (auto p = decompress_kernel_payload(bytes.value())) {
    std::string where = fmt::format(" in the {} payload at offset {}", p->method, p->offset);
    if (have_config) {
      if (auto b = find_version_banner(p->data))
        f.versions.push_back({b->version, shown, "version banner" + where, b->line, 0});
    } else {
      search_bytes(f, shown, p->data, where, 0, out);
    }
  }
}

Findings collect(const Context& ctx, Output& out) {
  Findings f;
  const auto& inv = ctx.inventory;
  for (const auto& e : inv.entries()) {
    if (!e.st.is_regular() || e.hardlink_secondary) continue;
    const auto& fs = inv.filesystems().at(e.filesystem);
    if (!fs.vfs) continue;
    std::string_view name = vfs::base_name(e.path);
    std::string shown = inv.display_path(e);
    bool in_boot = e.path.starts_with("/boot/");

    if (in_boot && name.starts_with("config") && e.kind == inventory::Kind::kText) {
      auto text = fs.vfs->read_file(e.path, limits::kMaxConfigFileBytes);
      if (text.ok()) add_config(f, shown, "file", 0, 1, text.value(), out);
      continue;
    }
    if ((name == "config.gz" || name.ends_with(".config.gz")) && e.kind == inventory::Kind::kCompressed) {
      if (f.examined++ >= limits::kMaxKernelCandidates) continue;
      auto raw = fs.vfs->read_file(e.path, limits::kMaxConfigFileBytes);
      std::string error;
      if (!raw.ok()) continue;
      if (auto text = gunzip(raw.value(), limits::kMaxConfigFileBytes, &error)) {
        add_config(f, shown, "config.gz", 0, 1, *text, out);
      } else {
        out.diagnostics.push_back({Diagnostic::Level::kWarning, shown, error});
      }
      continue;
    }
    bool kernel_like =
        e.kind == inventory::Kind::kKernelImage ||
        (is_kernel_name(name) && (e.kind == inventory::Kind::kElf || e.kind == inventory::Kind::kCompressed ||
                                  e.kind == inventory::Kind::kBinary));
    if (kernel_like) {
      if (f.examined++ >= limits::kMaxKernelCandidates) continue;
      examine_kernel_image(*fs.vfs, e.path, shown, f, out);
    }
  }
  // /lib/modules/<release>/ of every filesystem.
  for (std::uint32_t i = 0; i < inv.filesystems().size(); ++i) {
    if (!inv.filesystems()[i].vfs) continue;
    auto dir = inv.vfs(i).readdir("/lib/modules");
    if (!dir.ok()) continue;
    for (const auto& d : dir.value()) {
      if (d.type != vfs::FileType::kDirectory) continue;
      if (auto v = parse_kernel_release(d.name)) {
        f.versions.push_back({*v, inv.display_path(i, "/lib/modules/" + d.name), "modules directory", "", 3});
      }
    }
  }
  std::stable_sort(f.configs.begin(), f.configs.end(), [](const auto& a, const auto& b) { return a.rank < b.rank; });
  std::stable_sort(f.versions.begin(), f.versions.end(), [](const auto& a, const auto& b) { return a.rank < b.rank; });
  return f;
}

void report_version(const Findings& f, Output& out) {
  if (f.versions.empty()) {
    out.findings.push_back(
        finding(kVersionCheck, Status::kInconclusive, "kernel",
                "no kernel version banner, configuration header or /lib/modules directory was found"));
    return;
  }
  const FoundVersion& v = f.versions.front();
  std::string text = fmt::format("{}.{}.{}", v.version.major, v.version.minor, v.version.patch);
  std::vector<Evidence> ev;
  for (const auto& o : f.versions) {
    ev.push_back(at(o.path, 0, o.banner.empty() ? o.version.release : o.banner, {}));
    ev.back().expected = {};
    out.facts.push_back({"kernel", o.path, "kernel.version", o.version.release, at(o.path, 0, o.how)});
  }
  out.findings.push_back(finding(
      kVersionCheck, Status::kInfo, "kernel",
      fmt::format("Linux {} (release {}), from the {} of {}", text, v.version.release, v.how, v.path), std::move(ev)));
}

void report_config(const Findings& f, Output& out) {
  if (f.configs.empty()) {
    out.findings.push_back(finding(kConfigCheck, Status::kInconclusive, "kernel",
                                   "no kernel configuration was found (/boot/config-*, config.gz, or IKCONFIG embedded "
                                   "in a kernel image)"));
    return;
  }
  std::vector<Evidence> ev;
  for (const auto& c : f.configs) {
    Evidence e = at(c.path, 0, fmt::format("{} options, {}", c.config.options.size(), c.how));
    if (c.offset) e.offset = c.offset;
    ev.push_back(std::move(e));
    out.facts.push_back({"kernel", c.path, "kernel.config_source", c.how, at(c.path, 0, c.how)});
  }
  const FoundConfig& c = f.configs.front();
  out.findings.push_back(
      finding(kConfigCheck, Status::kInfo, c.path,
              fmt::format("kernel configuration read from {} ({}, {} options)", c.path, c.how, c.config.options.size()),
              std::move(ev)));
}

void report_hardening(const Findings& f, Output& out) {
  if (f.configs.empty()) {
    out.findings.push_back(finding(kHardeningCheck, Status::kInconclusive, "kernel",
                                   "no kernel configuration was found, so its hardening cannot be judged"));
    return;
  }
  const FoundConfig& c = f.configs.front();
  std::string arch = c.config.arch();
  std::optional<KernelVersion> version;
  if (auto v = parse_kernel_release(c.config.version))
    version = *v;
  else if (!f.versions.empty())
    version = f.versions.front().version;

  auto results = evaluate(builtin_rules(), c.config, arch, version);
  std::size_t applicable = 0, met = 0;
  std::vector<Evidence> critical, other;
  for (const auto& r : results) {
    if (r.state == RuleState::kNotApplicable) continue;
    ++applicable;
    std::string state = r.state == RuleState::kMet ? "met" : "not met";
    Evidence ev = at(c.path, r.line, "CONFIG_" + r.rule->expect.option + " " + r.seen,
                     "CONFIG_" + r.rule->expect.option + " " + r.expected);
    out.facts.push_back(
        {"kernel", "kconfig:" + r.rule->id, "kconfig.rule", r.met_by.empty() ? state : state + " by " + r.met_by, ev});
    if (r.state == RuleState::kMet) {
      ++met;
      continue;
    }
    ev.observed += fmt::format(" ({}, {}{})", r.rule->reason, r.rule->source, r.rule->critical ? ", critical" : "");
    (r.rule->critical ? critical : other).push_back(std::move(ev));
  }
  out.facts.push_back(
      {"kernel", c.path, "kernel.arch", arch.empty() ? std::string("unknown") : arch, at(c.path, 0, {})});
  if (applicable == 0) {
    out.findings.push_back(finding(kHardeningCheck, Status::kInconclusive, c.path,
                                   "no hardening rule applies to this configuration (architecture not recognised)"));
    return;
  }
  std::int64_t percent = static_cast<std::int64_t>(met * 100 / applicable);
  out.facts.push_back({"kernel", c.path, "kconfig.score_percent", percent, at(c.path, 0, {})});
  std::string summary = fmt::format("{} of {} hardening rules met ({}%) for {} {}", met, applicable, percent,
                                    arch.empty() ? "unknown architecture" : arch,
                                    version ? version->release : std::string("(version unknown)"));
  std::vector<Evidence> ev = std::move(critical);
  std::size_t n_critical = ev.size();
  ev.insert(ev.end(), other.begin(), other.end());
  if (n_critical) {
    Finding fi = finding(kHardeningCheck, Status::kFail, c.path,
                         fmt::format("{}; {} of the fail set (strict kernel RWX, stack protector, KASLR, /dev/mem "
                                     "restriction) not met",
                                     summary, n_critical),
                         std::move(ev));
    fi.severity = Severity::kHigh;
    fi.severity_override = true;
    out.findings.push_back(std::move(fi));
  } else if (!ev.empty()) {
    out.findings.push_back(finding(kHardeningCheck, Status::kWarn, c.path,
                                   summary + "; the fail set is met, the deviations are listed", std::move(ev)));
  } else {
    out.findings.push_back(finding(kHardeningCheck, Status::kPass, c.path, summary));
  }
}

}  // namespace

std::span<const std::string_view> checks() { return kChecks; }

std::optional<FoundKernelConfig> find_kernel_config(const Context& ctx) {
  Output scratch;  // the kernel analyzer itself reports the diagnostics of this search
  Findings f = collect(ctx, scratch);
  if (f.configs.empty()) return std::nullopt;
  FoundConfig& c = f.configs.front();
  return FoundKernelConfig{std::move(c.path), std::move(c.how), std::move(c.config)};
}

Output run(const Context& ctx) {
  Output out;
  Findings f = collect(ctx, out);
  report_version(f, out);
  check_kernel_lts(ctx, f.versions.empty() ? nullptr : &f.versions.front().version,
                   f.versions.empty() ? std::string() : f.versions.front().path, out);
  report_config(f, out);
  report_hardening(f, out);
  check_sysctl(ctx, f.configs.empty() ? nullptr : &f.configs.front().config, out);
  const KernelConfig* config = f.configs.empty() ? nullptr : &f.configs.front().config;
  const std::string config_path = f.configs.empty() ? std::string() : f.configs.front().path;
  check_cmdline(ctx, config, config_path, out);
  check_mac(ctx, config, config_path, find_cmdlines(ctx, config, config_path), out);
  check_crypto(ctx, config, config_path, out);
  return out;
}

}  // namespace fwcert::analyzers::kernel
