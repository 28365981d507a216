#include "analyzers/kernel/currency.hpp"

#include <fmt/format.h>

#include "core/date.hpp"
#include "endoflife/endoflife.hpp"

namespace fwcert::analyzers::kernel {

using namespace formats::kernel;

namespace {

constexpr std::string_view kCheck = "os-kernel-lts";

/// Vendor branches with their own support (CIP SLTS, Android GKI) are named in the release.
std::string vendor_note(const std::string& release) {
  if (release.find("-cip") != std::string::npos) {
    return "; the release names a CIP kernel, whose longer SLTS support is not judged from the image (attach the "
           "vendor's evidence)";
  }
  if (release.find("android") != std::string::npos) {
    return "; the release names an Android common kernel (GKI), whose support is not judged from the image";
  }
  return {};
}

}  // namespace

void check_kernel_lts(const Context& ctx, const KernelVersion* version, const std::string& path, Output& out) {
  if (!version) {
    out.findings.push_back(finding(kCheck, Status::kInconclusive, "kernel",
                                   "no kernel version was found, so its branch cannot be judged"));
    return;
  }
  const CivilDate* day = &ctx.options.day;
  const auto* table = endoflife::builtin("linux-kernel");
  if (!table || table->cycles.empty()) {
    out.findings.push_back(
        finding(kCheck, Status::kInconclusive, "kernel", "no kernel end-of-life table is built into this fwcert"));
    return;
  }
  const std::string branch = fmt::format("{}.{}", version->major, version->minor);
  const std::string at_day = format_date(*day);
  const std::string data = fmt::format("kernel.org table of endoflife.date retrieved {}", table->retrieved);
  out.facts.push_back({"kernel", "kernel", "kernel.branch", branch, at(path, 0, version->release)});
  Evidence seen = at(path, 0, "Linux " + version->release, "a long-term branch supported after " + at_day);

  const endoflife::Cycle* c = table->find(branch);
  if (!c) {
    const std::string& newest = table->cycles.front().cycle;
    const std::string& oldest = table->cycles.back().cycle;
    if (endoflife::compare_versions(branch, newest) > 0) {
      out.findings.push_back(finding(kCheck, Status::kInconclusive, "kernel",
                                     fmt::format("Linux {} is newer than every branch of the {} (newest {}): refresh "
                                                 "the data (fwcert data import-endoflife)",
                                                 branch, data, newest),
                                     {seen}));
    } else if (endoflife::compare_versions(branch, oldest) < 0) {
      out.findings.push_back(finding(kCheck, Status::kFail, "kernel",
                                     fmt::format("Linux {} is older than every branch of the {} (oldest {}): long "
                                                 "past end of life{}",
                                                 branch, data, oldest, vendor_note(version->release)),
                                     {seen}));
    } else {
      out.findings.push_back(finding(kCheck, Status::kInconclusive, "kernel",
                                     fmt::format("Linux {} is not a branch of the {}", branch, data), {seen}));
    }
    return;
  }

  if (c->eol) out.facts.push_back({"kernel", "kernel", "kernel.eol", format_date(*c->eol), at(path, 0, branch)});
  out.facts.push_back({"kernel", "kernel", "kernel.lts", c->lts, at(path, 0, branch)});
  std::string lag;
  // Debian and Ubuntu name their kernels by ABI ("6.1.0-41-amd64"): the sublevel is not in the
  // release, so a lag computed from it would be wrong.
  bool abi_name = version->patch == 0 && version->release.find('-') != std::string::npos;
  if (abi_name) {
    lag = "; the release names an ABI (X.Y.0-N), so the point release and its lag are unknown";
  } else if (!c->latest.empty()) {
    if (auto latest = parse_kernel_release(c->latest); latest && latest->major == version->major &&
                                                       latest->minor == version->minor &&
                                                       latest->patch >= version->patch) {
      int behind = latest->patch - version->patch;
      out.facts.push_back({"kernel", "kernel", "kernel.sublevel_lag", static_cast<std::int64_t>(behind),
                           at(path, 0, fmt::format("{} vs newest {}", version->release, c->latest))});
      lag = behind == 0 ? fmt::format("; {} was the newest point release on {}", c->latest, table->retrieved)
                        : fmt::format("; {} point releases behind {} (newest on {})", behind, c->latest,
                                      c->latest_date ? format_date(*c->latest_date) : table->retrieved);
    }
  }
  const std::string eol = endoflife::eol_text(*c);
  seen.observed += fmt::format(" (branch {}, {}, end of life {})", branch, c->lts ? "long-term" : "not long-term", eol);
  const std::string note = vendor_note(version->release);
  auto support = endoflife::judge(*c, *day, ctx.options.eol_warning_days);
  Status status;
  std::string message;
  if (support == endoflife::Support::kEnded) {
    status = Status::kFail;
    message = fmt::format("Linux {} reached end of life on {}, before the assessment date {}", branch, eol, at_day);
  } else if (!c->lts) {
    status = Status::kFail;
    message = fmt::format("Linux {} is not a long-term branch (end of life {}): it gets fixes for a few months only",
                          branch, eol);
  } else if (support == endoflife::Support::kEndingSoon) {
    status = Status::kWarn;
    message = fmt::format("Linux {} is long-term but reaches end of life on {}, {} days after the assessment date {}",
                          branch, eol, *endoflife::days_left(*c, *day), at_day);
  } else {
    status = Status::kPass;
    message = fmt::format("Linux {} is a long-term branch supported until {} (assessed {})", branch, eol, at_day);
  }
  out.findings.push_back(
      finding(kCheck, status, "kernel", fmt::format("{}{}{}; {}", message, lag, note, data), {std::move(seen)}));
}

}  // namespace fwcert::analyzers::kernel
