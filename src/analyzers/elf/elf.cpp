#include "analyzers/elf/elf.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/limits.hpp"
#include "core/parallel.hpp"
#include "core/text.hpp"
#include "data/resources.hpp"
#include "formats/elf/elf.hpp"
#include "formats/elf/hardening.hpp"

namespace fwcert::analyzers::elf {

namespace {

namespace fe = formats::elf;
using namespace formats::elf;
using inventory::Entry;

constexpr std::string_view kMitigationsCheck = "bin-exploit-mitigations";
constexpr std::string_view kReleaseCheck = "bin-release-build";
constexpr std::string_view kUnsafeCheck = "input-unsafe-calls";
constexpr std::string_view kChecks[] = {kMitigationsCheck, kReleaseCheck, kUnsafeCheck};

/// Reads one file of a Vfs by canonical path, serving two windows from memory: the head,
/// where the ELF header, program headers, notes and (in most programs) .dynsym and .dynstr
/// lie, and the tail, where linkers put the section headers and their name table. Every
/// backend read costs several system calls (the directory backend opens the file beneath
/// the root each time), so this halves the reads per ELF.
class VfsInput final : public fe::Input {
 public:
  VfsInput(const vfs::Vfs& v, const std::string& path, std::uint64_t size) : vfs_(v), path_(path), size_(size) {
    head_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(size, kHeadBytes)));
    if (!fill(0, head_)) head_.clear();
  }
  std::uint64_t size() const override { return size_; }
  bool read(std::uint64_t offset, std::span<std::byte> out) const override {
    if (core::in_bounds(offset, out.size(), head_.size())) return copy(head_, offset, out);
    const std::uint64_t tail_start = size_ - std::min<std::uint64_t>(size_, kTailBytes);
    if (offset >= tail_start && core::in_bounds(offset, out.size(), size_)) {
      if (!tail_loaded_) {
        tail_loaded_ = true;
        tail_.resize(static_cast<std::size_t>(size_ - tail_start));
        if (!fill(tail_start, tail_)) tail_.clear();
      }
      if (!tail_.empty()) return copy(tail_, offset - tail_start, out);
    }
    return fill(offset, out);
  }

 private:
  static constexpr std::uint64_t kHeadBytes = 64 * 1024;
  static constexpr std::uint64_t kTailBytes = 16 * 1024;
  static bool copy(const std::vector<std::byte>& from, std::uint64_t offset, std::span<std::byte> out) {
    if (!out.empty()) std::memcpy(out.data(), from.data() + offset, out.size());
    return true;
  }
  bool fill(std::uint64_t offset, std::span<std::byte> out) const {
    std::size_t done = 0;
    while (done < out.size()) {
      auto r = vfs_.read_raw(path_, offset + done, out.subspan(done));
      if (!r.ok() || *r == 0) return false;
      done += *r;
    }
    return true;
  }
  const vfs::Vfs& vfs_;
  const std::string& path_;
  std::uint64_t size_;
  std::vector<std::byte> head_;
  mutable std::vector<std::byte> tail_;
  mutable bool tail_loaded_ = false;
};

/// What one ELF contributes to the report; the parsed tables are dropped after assess().
struct Binary {
  const Entry* entry = nullptr;
  std::string path;  ///< display path
  bool parsed = false;
  std::string error;
  bool is_64 = false;
  bool big_endian = false;
  std::uint16_t machine = 0;
  std::optional<std::string> interpreter, soname;
  std::vector<std::string> needed;
  bool links_gtest = false;  ///< NEEDs libgtest/libgmock or defines testing:: symbols
  Hardening h;
  std::vector<std::string> diagnostics;

  // Filled after the parallel part.
  std::vector<std::string> priority;     ///< why this binary is held to the strict rule
  std::vector<std::string> not_started;  ///< daemon names it has that nothing starts, and why
  bool network_facing = false;
  bool sdk = false;
  std::vector<std::string> rpath_writable, runpath_writable;
  bool rpath_relative = false, rpath_empty = false, runpath_relative = false, runpath_empty = false;
};

/// One entry a line, '#' comments; a trailing '*' makes a prefix pattern.
std::vector<std::string> data_lines(std::string_view name) {
  auto lines = data::resource_lines(name);
  return std::vector<std::string>(lines.begin(), lines.end());
}

bool matches(const std::vector<std::string>& patterns, std::string_view name) {
  for (const auto& p : patterns) {
    if (!p.empty() && p.back() == '*') {
      if (name.starts_with(std::string_view(p).substr(0, p.size() - 1))) return true;
    } else if (name == p) {
      return true;
    }
  }
  return false;
}

const std::vector<std::string>& network_daemons() {
  static const auto kList = data_lines("data/network-daemons.txt");
  return kList;
}

const std::vector<std::string>& sdk_patterns() {
  static const auto kList = data_lines("data/avs-sdk-binaries.txt");
  return kList;
}

Binary examine(const inventory::Inventory& inv, const Entry& e) {
  Binary b;
  b.entry = &e;
  b.path = inv.display_path(e);
  VfsInput input(inv.vfs(e.filesystem), e.path, e.st.size);
  auto parsed = fe::parse(input);
  if (!parsed.ok()) {
    b.error = parsed.error().message;
    return b;
  }
  const fe::Elf& elf = *parsed;
  b.parsed = true;
  b.is_64 = elf.is_64;
  b.big_endian = elf.endian == core::Endian::kBig;
  b.machine = elf.machine;
  b.interpreter = elf.interpreter;
  b.soname = elf.soname;
  b.needed = elf.needed;
  b.h = fe::assess(elf);
  b.diagnostics = elf.diagnostics;
  for (const auto& n : elf.needed) b.links_gtest |= n.starts_with("libgtest") || n.starts_with("libgmock");
  auto testing_symbol = [](const fe::Symbol& s) { return s.defined && s.name.starts_with("_ZN7testing8UnitTest"); };
  b.links_gtest |= std::any_of(elf.dynamic_symbols.begin(), elf.dynamic_symbols.end(), testing_symbol) ||
                   std::any_of(elf.static_symbols.begin(), elf.static_symbols.end(), testing_symbol);
  return b;
}

/// Parses every ELF on the pool; each writes its own slot, so the order of the result is the
/// inventory's whatever the thread count.
std::vector<Binary> examine_all(const inventory::Inventory& inv, const std::vector<const Entry*>& elves,
                                parallel::Pool& pool) {
  std::vector<Binary> out(elves.size());
  pool.for_each(elves.size(), [&](std::size_t i) { out[i] = examine(inv, *elves[i]); });
  return out;
}

/// True when a directory (or, for one that does not exist, its nearest existing ancestor,
/// where it could be created) can be written by someone other than root.
bool writable_by_non_root(const inventory::Inventory& inv, std::uint32_t fs, const std::string& dir) {
  const vfs::Vfs& v = inv.vfs(fs);
  std::string path = vfs::normalize_path(dir);
  for (int depth = 0; depth < limits::kMaxDirectoryDepth; ++depth) {
    auto canonical = v.resolve(path);
    if (canonical.ok()) {
      const Entry* e = inv.find(fs, *canonical);
      if (e == nullptr || !e->st.is_dir()) return false;
      std::uint32_t m = e->st.mode;
      return (m & 0002) || ((m & 0020) && e->st.gid != 0) || ((m & 0200) && e->st.uid != 0);
    }
    if (path == "/") return false;
    path = vfs::parent_path(path);
  }
  return false;
}

/// Classifies the entries of one search path and finds the writable directories.
void inspect_search_path(const inventory::Inventory& inv, const Binary& b, const std::vector<std::string>& entries,
                         bool& relative, bool& empty, std::vector<std::string>& writable) {
  std::string origin = vfs::parent_path(b.entry->path);
  for (const auto& raw : entries) {
    if (raw.empty()) {
      empty = true;  // the loader reads an empty entry as the current directory
      continue;
    }
    std::string dir = raw;
    for (std::string_view token : {"${ORIGIN}", "$ORIGIN"}) {
      if (dir.starts_with(token)) dir = origin + dir.substr(token.size());
    }
    if (dir.find('$') != std::string::npos) continue;  // $LIB, $PLATFORM: not resolvable here
    if (dir[0] != '/') {
      relative = true;  // relative to the process's working directory
      continue;
    }
    if (writable_by_non_root(inv, b.entry->filesystem, dir)) writable.push_back(raw);
  }
}

std::string join(const std::vector<std::string>& v, std::string_view sep = ", ") {
  return fmt::format("{}", fmt::join(v, sep));
}

std::string percent(std::size_t part, std::size_t whole) {
  return whole == 0 ? std::string("0%")
                    : fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

Evidence at(const std::string& path, std::string observed, std::string expected = {}) {
  Evidence e;
  e.path = path;
  e.observed = std::move(observed);
  e.expected = std::move(expected);
  return e;
}

bool is_linked_program(const Binary& b) {
  auto t = b.h.type;
  return b.parsed && (t == BinaryType::kExecutable || t == BinaryType::kPie || t == BinaryType::kSharedObject);
}

/// The mitigations bin-exploit-mitigations requires, missing from one binary.
std::vector<std::string> missing_mitigations(const Binary& b) {
  std::vector<std::string> m;
  if (b.h.type == BinaryType::kExecutable) m.push_back("PIE");
  if (!b.h.nx) m.push_back("NX");
  if (b.h.relro != Relro::kFull) m.push_back(fmt::format("full RELRO (has {})", to_string(b.h.relro)));
  if (!b.h.canary) m.push_back("stack protector");
  return m;
}

std::string observed_mitigations(const Binary& b) {
  return fmt::format("type={} pie={} nx={} relro={} canary={} textrel={}", to_string(b.h.type), b.h.pie ? "yes" : "no",
                     b.h.nx ? "yes" : "no", to_string(b.h.relro), b.h.canary ? "yes" : "no",
                     b.h.textrel ? "yes" : "no");
}

/// Binaries outside the strict rule that lack a mitigation, counted per missing mitigation.
struct Weak {
  std::size_t count = 0;
  std::map<std::string, std::size_t> missing;
  std::vector<Evidence> evidence;
};

void check_mitigations(const std::vector<Binary>& bins, Output& out) {
  std::size_t judged = 0, rest = 0;
  Weak rest_serious, rest_default;
  bool failed = false;
  for (const auto& b : bins) {
    if (!is_linked_program(b)) continue;
    ++judged;
    auto missing = missing_mitigations(b);
    if (!b.rpath_writable.empty() || !b.runpath_writable.empty()) {
      failed = true;
      std::vector<std::string> dirs = b.rpath_writable;
      dirs.insert(dirs.end(), b.runpath_writable.begin(), b.runpath_writable.end());
      out.findings.push_back(finding(
          kMitigationsCheck, Status::kFail, b.path,
          fmt::format("{} searches libraries in {}, writable by non-root users in this image, so they can plant code "
                      "it will load",
                      b.path, join(dirs)),
          {at(b.path, fmt::format("{}{}", b.h.rpath ? "DT_RPATH " : "DT_RUNPATH ", join(dirs, ":")),
              "RPATH/RUNPATH only into root-owned, non-writable directories")}));
    }
    if (!b.priority.empty()) {
      if (!missing.empty()) {
        failed = true;
        out.findings.push_back(
            finding(kMitigationsCheck, Status::kFail, b.path,
                    fmt::format("{} is {}, and lacks {}", b.path, join(b.priority, " and "), join(missing)),
                    {at(b.path, observed_mitigations(b), "pie=yes (executables) nx=yes relro=full canary=yes")}));
        continue;
      }
      if (!b.h.textrel) continue;
    }
    ++rest;
    if (b.h.textrel) missing.push_back("no TEXTREL");
    if (missing.empty()) continue;
    // Lacking only full RELRO (Debian links most programs with partial RELRO) or a stack
    // protector (the compiler adds none to a program without arrays on the stack) is the
    // distribution default on a program nobody reaches from outside; no PIE, an executable
    // stack or text relocations are not.
    bool serious = std::any_of(missing.begin(), missing.end(),
                               [](const std::string& m) { return m == "PIE" || m == "NX" || m == "no TEXTREL"; });
    Weak& w = serious ? rest_serious : rest_default;
    ++w.count;
    for (const auto& m : missing) ++w.missing[m.starts_with("full RELRO") ? "full RELRO" : m];
    w.evidence.push_back(at(b.path, "lacks " + join(missing)));
  }

  if (judged == 0) {
    out.findings.push_back(
        finding(kMitigationsCheck, Status::kNotApplicable, "/", "no ELF executable or shared library in the target"));
    return;
  }
  auto parts = [&](const Weak& w) {
    std::vector<std::string> p;
    for (const auto& [m, n] : w.missing) p.push_back(fmt::format("{} missing in {} ({})", m, n, percent(n, rest)));
    return join(p, "; ");
  };
  constexpr std::string_view kRest =
      "ELF executables and libraries that are not network daemons, setuid/setgid, capability-bearing or AVS SDK "
      "binaries";
  if (rest_serious.count > 0) {
    std::string message =
        fmt::format("{} of {} {} ({}) lack PIE or NX, or have text relocations: {}", rest_serious.count, rest, kRest,
                    percent(rest_serious.count, rest), parts(rest_serious));
    out.findings.push_back(finding(kMitigationsCheck, Status::kWarn, "ELF executables and libraries",
                                   std::move(message), std::move(rest_serious.evidence)));
  }
  if (rest_default.count > 0) {
    std::string message = fmt::format(
        "{} of {} {} ({}) have PIE and NX but lack full RELRO or a stack protector, the distribution default for "
        "programs not reachable from outside (partial RELRO; no canary where no function needs one): {}",
        rest_default.count, rest, kRest, percent(rest_default.count, rest), parts(rest_default));
    Finding f = finding(kMitigationsCheck, Status::kWarn, "ELF executables and libraries (distribution default)",
                        std::move(message), std::move(rest_default.evidence));
    f.severity = Severity::kLow;
    f.severity_override = true;
    out.findings.push_back(std::move(f));
  }
  if (rest_serious.count == 0 && rest_default.count == 0 && !failed) {
    out.findings.push_back(finding(kMitigationsCheck, Status::kPass, "ELF executables and libraries",
                                   fmt::format("all {} ELF executables and libraries have NX, full RELRO and a stack "
                                               "protector, executables are PIE, and none has TEXTREL",
                                               judged)));
  }
}

void check_release(const std::vector<Binary>& bins, Output& out) {
  std::size_t sdk = 0, unstripped = 0, linked = 0;
  bool warned = false;
  for (const auto& b : bins) {
    if (!b.parsed) continue;
    if (is_linked_program(b)) {
      ++linked;
      if (!b.h.stripped || b.h.debug_info) ++unstripped;
    }
    if (b.links_gtest) {
      warned = true;
      out.findings.push_back(
          finding(kReleaseCheck, Status::kWarn, b.path,
                  fmt::format("{} is a test program (links Google Test), which a release image "
                              "should not ship",
                              b.path),
                  {at(b.path, "libgtest/libgmock NEEDED or testing::UnitTest defined", "no test binaries")}));
    }
    if (!b.sdk) continue;
    ++sdk;
    if (b.h.stripped && !b.h.debug_info) continue;
    warned = true;
    std::vector<std::string> what;
    if (!b.h.stripped) what.push_back("a .symtab symbol table");
    if (b.h.debug_info) what.push_back("DWARF debug sections");
    out.findings.push_back(
        finding(kReleaseCheck, Status::kWarn, b.path,
                fmt::format("AVS SDK binary {} is not stripped: it carries {}", b.path, join(what, " and ")),
                {at(b.path, join(what, " and "), "stripped (no .symtab, no .debug_*)")}));
  }
  if (linked > 0 && unstripped > 0) {
    out.findings.push_back(finding(kReleaseCheck, Status::kInfo, "ELF executables and libraries",
                                   fmt::format("{} of {} ELF executables and libraries ({}) keep a symbol table or "
                                               "debug sections",
                                               unstripped, linked, percent(unstripped, linked))));
  }
  if (warned) return;
  if (sdk == 0) {
    out.findings.push_back(finding(kReleaseCheck, Status::kNotApplicable, "/",
                                   "no AVS SDK binary and no test program found among the ELF files"));
    return;
  }
  out.findings.push_back(finding(kReleaseCheck, Status::kPass, "AVS SDK binaries",
                                 fmt::format("all {} AVS SDK binaries are stripped and no test program ships; the "
                                             "sensitive-log build options and logger configuration are not examined "
                                             "by this version",
                                             sdk)));
}

/// The mitigations whose absence makes an unbounded string or shell call in an exposed binary
/// worth a warning: a stack protector, FORTIFY (some __*_chk import) and, for executables, PIE.
std::vector<std::string> unsafe_call_gaps(const Binary& b) {
  std::vector<std::string> gaps;
  if (!b.h.canary) gaps.emplace_back("no stack protector");
  if (!b.h.fortify.any_chk) gaps.emplace_back("no FORTIFY");
  if (b.h.type == BinaryType::kExecutable) gaps.emplace_back("no PIE");
  return gaps;
}

void check_unsafe_calls(const std::vector<Binary>& bins, Output& out) {
  std::map<std::string, std::size_t> importers;
  std::size_t parsed = 0, exposed = 0;
  bool warned = false;
  for (const auto& b : bins) {
    if (!b.parsed) continue;
    ++parsed;
    for (const auto& f : b.h.risky_imports) ++importers[f];
    // Exposed: network-facing (and started), setuid/setgid, capability-bearing or AVS SDK.
    if (b.priority.empty()) continue;
    ++exposed;
    if (b.h.risky_imports.empty()) continue;
    auto gaps = unsafe_call_gaps(b);
    Evidence ev = at(b.path, fmt::format("imports {}; {}", join(b.h.risky_imports), observed_mitigations(b)),
                     "no unbounded string or shell calls, or stack protector, FORTIFY and PIE around them");
    if (gaps.empty()) {
      Finding f = finding(kUnsafeCheck, Status::kInfo, b.path,
                          fmt::format("{} ({}) imports {}, and has a stack protector, FORTIFY and PIE: a review hint "
                                      "(how it bounds and quotes external input)",
                                      b.path, join(b.priority, " and "), join(b.h.risky_imports)),
                          {std::move(ev)});
      f.severity = Severity::kInfo;
      f.severity_override = true;
      out.findings.push_back(std::move(f));
      continue;
    }
    warned = true;
    out.findings.push_back(finding(kUnsafeCheck, Status::kWarn, b.path,
                                   fmt::format("{} ({}) imports {} and lacks mitigations ({}): review how it "
                                               "bounds and quotes external input",
                                               b.path, join(b.priority, " and "), join(b.h.risky_imports), join(gaps)),
                                   {std::move(ev)}));
  }
  if (parsed == 0) {
    out.findings.push_back(finding(kUnsafeCheck, Status::kNotApplicable, "/", "no ELF file in the target"));
    return;
  }
  if (!importers.empty()) {
    std::vector<std::string> parts;
    for (const auto& [f, n] : importers) parts.push_back(fmt::format("{} by {}", f, n));
    out.findings.push_back(
        finding(kUnsafeCheck, Status::kInfo, "ELF files",
                fmt::format("risky functions imported across {} ELF files: {}", parsed, join(parts))));
  }
  if (!warned) {
    out.findings.push_back(finding(
        kUnsafeCheck, Status::kPass, "network-facing binaries",
        exposed
            ? fmt::format("none of the {} network-facing, setuid/setgid, capability-bearing or AVS SDK binaries "
                          "imports {} without a stack protector, FORTIFY and PIE",
                          exposed, join(std::vector<std::string>(risky_functions().begin(), risky_functions().end())))
            : std::string("no network-facing, setuid/setgid, capability-bearing or AVS SDK binary found")));
  }
}

void record_facts(const Binary& b, Output& out) {
  auto fact = [&](std::string name, FactValue value) {
    out.facts.push_back({"elf", b.path, std::move(name), std::move(value), at(b.path, {})});
  };
  auto yes = [](bool v) { return FactValue(v); };
  fact("elf.type", std::string(to_string(b.h.type)));
  fact("elf.machine", fe::machine_name(b.machine));
  fact("elf.class", std::string(b.is_64 ? "elf64" : "elf32"));
  fact("elf.endian", std::string(b.big_endian ? "big" : "little"));
  if (b.interpreter) fact("elf.interpreter", *b.interpreter);
  if (b.soname) fact("elf.soname", *b.soname);
  if (!b.needed.empty()) fact("elf.needed", b.needed);
  fact("elf.relro", std::string(to_string(b.h.relro)));
  fact("elf.canary", yes(b.h.canary));
  fact("elf.nx", yes(b.h.nx));
  fact("elf.pie", yes(b.h.pie));
  if (b.h.rpath) {
    fact("elf.rpath", *b.h.rpath);
    fact("elf.rpath.relative", yes(b.rpath_relative));
    fact("elf.rpath.empty", yes(b.rpath_empty));
    fact("elf.rpath.writable", b.rpath_writable);
  }
  if (b.h.runpath) {
    fact("elf.runpath", *b.h.runpath);
    fact("elf.runpath.relative", yes(b.runpath_relative));
    fact("elf.runpath.empty", yes(b.runpath_empty));
    fact("elf.runpath.writable", b.runpath_writable);
  }
  fact("elf.fortify.fortified", b.h.fortify.fortified);
  fact("elf.fortify.fortifiable", b.h.fortify.fortifiable);
  fact("elf.textrel", yes(b.h.textrel));
  fact("elf.stripped", yes(b.h.stripped));
  fact("elf.debug_info", yes(b.h.debug_info));
  if (b.h.ibt) fact("elf.cet.ibt", yes(*b.h.ibt));
  if (b.h.shstk) fact("elf.cet.shstk", yes(*b.h.shstk));
  if (b.h.bti) fact("elf.bti", yes(*b.h.bti));
  if (b.h.pac) fact("elf.pac", yes(*b.h.pac));
  if (!b.h.risky_imports.empty()) fact("elf.risky_imports", b.h.risky_imports);
  if (b.h.module_signed) fact("elf.module.signature_appended", yes(*b.h.module_signed));
  if (!b.priority.empty()) fact("elf.priority", b.priority);
  if (!b.not_started.empty()) fact("elf.network_daemon.not_started", b.not_started);
}

}  // namespace

std::span<const std::string_view> checks() { return kChecks; }

Output run(const Context& ctx) {
  Output out;
  const auto& inv = ctx.inventory;
  std::vector<const Entry*> elves;
  // Names under which a network daemon may be reached through a symlink (BusyBox applets).
  std::map<std::pair<std::uint32_t, std::string>, std::vector<std::string>> daemon_aliases;
  for (const auto& e : inv.entries()) {
    const auto& fs = inv.filesystems().at(e.filesystem);
    if (!fs.vfs) continue;
    if (e.kind == inventory::Kind::kElf && e.st.is_regular() && !e.hardlink_secondary) elves.push_back(&e);
    if (e.st.is_symlink() && matches(network_daemons(), vfs::base_name(e.path))) {
      if (auto target = fs.vfs->resolve(e.path); target.ok()) {
        daemon_aliases[{e.filesystem, *target}].push_back(std::string(vfs::base_name(e.path)));
      }
    }
  }

  std::vector<Binary> bins = examine_all(inv, elves, ctx.pool());

  // A daemon named in data/network-daemons.txt is network-facing when a service started at
  // boot runs it and faces the network (the scan's service evidence: PID 1, Condition*=,
  // wrapper scripts, disabled super-server entries, loopback-only configurations). When no
  // service of the filesystem starts at boot (no init configuration read), its name decides.
  auto not_started = [&](std::uint32_t fs, const std::string& path,
                         const std::string& name) -> std::optional<std::string> {
    const auto& started = ctx.evidence().services(fs);
    if (!started.boot_known()) return std::nullopt;
    if (!started.network_facing_running(path, {name}).empty()) return std::nullopt;
    return fmt::format("{} is not started as a network-facing service: {}", name, started.not_running_reason(name));
  };

  for (auto& b : bins) {
    const Entry& e = *b.entry;
    if (!b.parsed) {
      out.diagnostics.push_back({Diagnostic::Level::kWarning, b.path, "ELF not readable: " + b.error});
      continue;
    }
    for (const auto& d : b.diagnostics) out.diagnostics.push_back({Diagnostic::Level::kWarning, b.path, "ELF: " + d});

    std::string_view name = vfs::base_name(e.path);
    if (matches(network_daemons(), name)) {
      if (auto off = not_started(e.filesystem, e.path, std::string(name))) {
        b.not_started.push_back(std::move(*off));
      } else {
        b.network_facing = true;
        b.priority.push_back(fmt::format("a network-facing daemon ({})", name));
      }
    }
    if (auto it = daemon_aliases.find({e.filesystem, e.path}); it != daemon_aliases.end()) {
      std::vector<std::string> started;
      for (const auto& alias : it->second) {
        if (auto off = not_started(e.filesystem, "", alias)) {
          b.not_started.push_back(std::move(*off));
        } else {
          started.push_back(alias);
        }
      }
      if (!started.empty()) {
        b.network_facing = true;
        b.priority.push_back(fmt::format("a network-facing daemon through its applet link(s) {}", join(started)));
      }
    }
    if (e.is_setuid()) b.priority.push_back(fmt::format("setuid (owner uid {})", e.st.uid));
    if (e.is_setgid()) b.priority.push_back(fmt::format("setgid (group gid {})", e.st.gid));
    if (!e.capability.empty()) b.priority.push_back(fmt::format("capability-bearing ({})", e.capability));
    if (matches(sdk_patterns(), name)) {
      b.sdk = true;
      b.priority.push_back("an AVS SDK binary (by name)");
    } else {
      for (const auto& n : b.needed) {
        if (!matches(sdk_patterns(), n)) continue;
        b.sdk = true;
        b.priority.push_back(fmt::format("an AVS SDK binary (links {})", n));
        break;
      }
    }
    if (b.h.rpath) inspect_search_path(inv, b, *b.h.rpath, b.rpath_relative, b.rpath_empty, b.rpath_writable);
    if (b.h.runpath) inspect_search_path(inv, b, *b.h.runpath, b.runpath_relative, b.runpath_empty, b.runpath_writable);
    if (ctx.options.collect_facts) record_facts(b, out);
  }

  check_mitigations(bins, out);
  check_release(bins, out);
  check_unsafe_calls(bins, out);
  return out;
}

}  // namespace fwcert::analyzers::elf
