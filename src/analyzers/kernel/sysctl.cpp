#include "analyzers/kernel/sysctl.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "analyzers/kernel/rules.hpp"
#include "core/limits.hpp"
#include "data/resources.hpp"

namespace fwcert::analyzers::kernel {

using namespace formats::kernel;

namespace {

constexpr std::string_view kCheck = "sysctl-hardening";
constexpr std::string_view kDirs[] = {"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d",
                                      "/lib/sysctl.d"};

}  // namespace

const std::vector<SysctlRule>& sysctl_rules() {
  static const std::vector<SysctlRule> kRules = [] {
    std::vector<SysctlRule> out;
    YAML::Node root = YAML::Load(std::string(data::resource("data/sysctl-hardening.yaml")));
    for (const auto& n : root["sysctls"]) {
      SysctlRule r;
      r.key = n["key"].Scalar();
      r.expect = n["expect"].Scalar();
      r.fallback = n["default"].Scalar();
      r.reason = n["reason"].Scalar();
      r.source = n["source"].Scalar();
      if (n["kconfig_value"]) r.kconfig_value = n["kconfig_value"].Scalar();
      if (auto d = n["kconfig_default"]) {
        for (const auto& kv : d) {
          auto c = parse_condition(kv.first.Scalar());
          if (!c) std::abort();  // the shipped file is tested
          r.kconfig_default.emplace_back(*c, kv.second.Scalar());
        }
      }
      if (auto na = n["not_applicable_if"]) {
        r.not_applicable_if = parse_condition(na.Scalar());
        if (!r.not_applicable_if) std::abort();
      }
      out.push_back(std::move(r));
    }
    return out;
  }();
  return kRules;
}

namespace {

std::optional<long long> number(std::string_view s) {
  long long v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

bool satisfies(const std::string& value, const std::string& expect) {
  if (expect.starts_with(">=")) {
    auto v = number(value);
    auto want = number(std::string_view(expect).substr(2));
    return v && want && *v >= *want;
  }
  auto v = number(value), want = number(expect);
  if (v && want) return *v == *want;
  return value == expect;
}

bool holds(const Condition& c, const KernelConfig& cfg) {
  std::vector<Rule> one(1);
  one[0].expect = c;
  return evaluate(one, cfg, "", std::nullopt).front().state == RuleState::kMet;
}

}  // namespace

bool sysctl_satisfies(const std::string& value, const std::string& expect) { return satisfies(value, expect); }

std::map<std::string, SysctlSetting> merge_sysctl(const inventory::Inventory& inv, std::uint32_t fs,
                                                  std::vector<std::string>& files, Output& out) {
  const vfs::Vfs& v = inv.vfs(fs);
  std::map<std::string, std::string> chosen;  // file name -> canonical path (first directory wins)
  for (auto dir : kDirs) {
    auto list = v.readdir(dir);
    if (!list.ok()) continue;
    for (const auto& e : list.value()) {
      if (!e.name.ends_with(".conf") || chosen.count(e.name)) continue;
      chosen.emplace(e.name, std::string(dir) + "/" + e.name);
    }
  }
  std::vector<std::string> order;
  for (const auto& [name, path] : chosen) {
    auto target = v.readlink(path);
    if (target.ok() && target.value() == "/dev/null") continue;  // masked
    order.push_back(path);
  }
  if (v.exists("/etc/sysctl.conf")) order.push_back("/etc/sysctl.conf");

  std::map<std::string, SysctlSetting> merged;
  for (const auto& path : order) {
    std::string shown = inv.display_path(fs, path);
    auto text = v.read_file(path, limits::kMaxConfigFileBytes);
    if (!text.ok()) {
      if (text.error().code != ErrorCode::kNotFound) {
        out.diagnostics.push_back({Diagnostic::Level::kWarning, shown, text.error().describe()});
      }
      continue;
    }
    files.push_back(shown);
    SysctlFile parsed = parse_sysctl(text.value());
    for (const auto& d : parsed.diagnostics) {
      out.diagnostics.push_back({Diagnostic::Level::kNote, shown, fmt::format("line {}: {}", d.line, d.message)});
    }
    for (auto& a : parsed.assignments) merged[a.key] = SysctlSetting{a.value, shown, a.line};
  }
  return merged;
}

void check_sysctl(const Context& ctx, const KernelConfig* config, Output& out) {
  const auto& inv = ctx.inventory;
  bool any = false;
  for (std::uint32_t fs = 0; fs < inv.filesystems().size(); ++fs) {
    if (!inv.filesystems()[fs].vfs) continue;
    auto etc = inv.vfs(fs).stat("/etc");
    if (!etc.ok() || !etc->is_dir()) continue;
    any = true;
    std::vector<std::string> files;
    auto merged = merge_sysctl(inv, fs, files, out);
    std::size_t applicable = 0, met = 0;
    std::vector<Evidence> deviations;
    for (const auto& r : sysctl_rules()) {
      if (config && r.not_applicable_if && holds(*r.not_applicable_if, *config)) continue;
      ++applicable;
      Evidence e;
      std::string value, how;
      if (auto it = merged.find(r.key); it != merged.end()) {
        value = it->second.value;
        e.path = it->second.path;
        e.line = it->second.line;
        how = "set";
      } else {
        value = r.fallback;
        how = "kernel default";
        if (config) {
          if (!r.kconfig_value.empty()) {
            if (const auto* cv = config->find(r.kconfig_value); cv && cv->is_set) {
              value = cv->value;
              how = "kernel default from CONFIG_" + r.kconfig_value;
            }
          }
          for (const auto& [cond, v] : r.kconfig_default) {
            if (holds(cond, *config)) {
              value = v;
              how = "kernel default because " + cond.text;
              break;
            }
          }
        }
        e.path = inv.display_path(fs, "/etc/sysctl.d");
      }
      bool ok = satisfies(value, r.expect);
      e.observed = fmt::format("{} = {} ({})", r.key, value, how);
      e.expected = fmt::format("{} {}", r.key, r.expect.starts_with(">=") ? r.expect : "= " + r.expect);
      out.facts.push_back({"kernel", inv.display_path(fs, "sysctl:" + r.key), "sysctl.value", value, e});
      if (ok) {
        ++met;
      } else {
        deviations.push_back(std::move(e));
      }
    }
    Finding f;
    f.check = std::string(kCheck);
    f.subject = inv.display_path(fs, "/etc/sysctl.d");
    std::string read = files.empty() ? std::string("no sysctl file; kernel defaults apply")
                                     : fmt::format("{} sysctl files merged", files.size());
    f.message = fmt::format("{} of {} sysctl settings hardened ({})", met, applicable, read);
    f.status = deviations.empty() ? Status::kPass : Status::kFail;
    if (!deviations.empty()) f.message += "; deviations listed";
    f.evidence = std::move(deviations);
    out.findings.push_back(std::move(f));
  }
  if (!any) {
    Finding f;
    f.check = std::string(kCheck);
    f.status = Status::kInconclusive;
    f.subject = "/etc";
    f.message = "no filesystem of the target has an /etc directory, so sysctl settings cannot be judged";
    out.findings.push_back(std::move(f));
  }
}

}  // namespace fwcert::analyzers::kernel
