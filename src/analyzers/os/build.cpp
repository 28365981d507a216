#include "analyzers/os/build.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analyzers/os/parse.hpp"
#include "analyzers/verdict.hpp"
#include "core/date.hpp"
#include "core/limits.hpp"
#include "core/text.hpp"
#include "formats/elf/elf.hpp"

namespace fwcert::analyzers::os {

namespace {

constexpr std::string_view kTypeCheck = "inv-build-type";
constexpr std::string_view kAgeCheck = "os-build-age";

/// Property files in the order Android's init loads them: for ro.* the first value wins.
constexpr const char* kPropFiles[] = {"/prop.default",
                                      "/default.prop",
                                      "/system/etc/prop.default",
                                      "/system/system/etc/prop.default",
                                      "/system/build.prop",
                                      "/system/system/build.prop",
                                      "/build.prop",
                                      "/vendor/build.prop",
                                      "/vendor/default.prop",
                                      "/product/build.prop"};

/// Files whose presence says which operating system a filesystem holds.
constexpr const char* kIdentityFiles[] = {"/etc/os-release",       "/usr/lib/os-release", "/etc/openwrt_release",
                                          "/etc/debian_version",   "/etc/alpine-release", "/etc/build",
                                          "/etc/buildroot_version"};

/// Debug tools that production images leave out.
constexpr const char* kDebugTools[] = {"/usr/bin/gdbserver",    "/usr/bin/gdb",      "/usr/bin/strace",
                                       "/usr/bin/ltrace",       "/usr/bin/valgrind", "/usr/bin/perf",
                                       "/system/bin/gdbserver", "/system/bin/strace"};

std::optional<std::string> read_small(const vfs::Vfs& v, const std::string& path) {
  auto text = v.read_file(path, limits::kMaxSmallConfigBytes);
  if (!text.ok()) return std::nullopt;
  return std::move(text.value());
}

std::string subject_of(const inventory::Inventory& inv, std::uint32_t fs) {
  const auto& f = inv.filesystems().at(fs);
  return f.prefix.empty() ? std::string("os") : "os:" + f.prefix;
}

/// A property with the file it came from.
struct Prop {
  std::string value, path;
  std::size_t line = 0;
};

std::map<std::string, Prop> android_props(const inventory::Inventory& inv, std::uint32_t fs) {
  std::map<std::string, Prop> props;
  for (const char* path : kPropFiles) {
    auto text = read_small(inv.vfs(fs), path);
    if (!text) continue;
    for (const auto& kv : parse_build_prop(*text).entries) {
      auto [it, fresh] = props.try_emplace(kv.key, Prop{kv.value, inv.display_path(fs, path), kv.line});
      if (!fresh && !kv.key.starts_with("ro.")) it->second = Prop{kv.value, inv.display_path(fs, path), kv.line};
    }
  }
  return props;
}

void judge_android(const std::map<std::string, Prop>& props, WorstStatus& v) {
  auto get = [&](const char* key) -> const Prop* {
    auto it = props.find(key);
    return it == props.end() ? nullptr : &it->second;
  };
  auto ev = [](const char* key, const Prop& p, std::string expected) {
    return at(p.path, p.line, std::string(key) + "=" + p.value, std::move(expected));
  };
  if (const Prop* t = get("ro.build.type")) {
    if (t->value == "user") {
      v.note(ev("ro.build.type", *t, "ro.build.type=user"));
    } else if (t->value == "userdebug" || t->value == "eng") {
      v.add(Status::kFail, ev("ro.build.type", *t, "ro.build.type=user"),
            fmt::format("ro.build.type={}: an {} build, not what ships", t->value,
                        t->value == "eng" ? "engineering" : "userdebug"));
    } else {
      v.add(Status::kWarn, ev("ro.build.type", *t, "ro.build.type=user"),
            fmt::format("ro.build.type={} is not a known build type", t->value));
    }
  }
  if (const Prop* t = get("ro.build.tags")) {
    if (t->value.find("test-keys") != std::string::npos || t->value.find("dev-keys") != std::string::npos) {
      v.add(Status::kWarn, ev("ro.build.tags", *t, "ro.build.tags=release-keys"),
            fmt::format("ro.build.tags={}: signed with test or development keys", t->value));
    } else {
      v.note(ev("ro.build.tags", *t, "ro.build.tags=release-keys"));
    }
  }
  for (const char* key : {"ro.debuggable", "ro.force.debuggable"}) {
    const Prop* d = get(key);
    if (!d) continue;
    if (d->value == "1") {
      v.add(Status::kFail, ev(key, *d, std::string(key) + "=0"),
            fmt::format("{}=1: every app and process can be debugged", key));
    } else {
      v.note(ev(key, *d, std::string(key) + "=0"));
    }
  }
  if (const Prop* s = get("ro.secure"); s && s->value == "0") {
    v.add(Status::kFail, ev("ro.secure", *s, "ro.secure=1"), "ro.secure=0: adbd runs as root");
  }
  if (const Prop* s = get("ro.adb.secure"); s && s->value == "0") {
    v.add(Status::kWarn, ev("ro.adb.secure", *s, "ro.adb.secure=1"), "ro.adb.secure=0: adb needs no authorisation");
  }
}

/// Yocto IMAGE_FEATURES that make a development image, and whether each fails.
struct DebugFeature {
  std::string_view name;
  bool fails;
  std::string_view what;
};
constexpr DebugFeature kDebugFeatures[] = {
    {"debug-tweaks", true, "empty root password, empty-password and root logins (Yocto's development image)"},
    {"allow-empty-password", true, "logins with an empty password"},
    {"empty-root-password", true, "root without a password"},
    {"allow-root-login", false, "root logins over SSH"},
    {"post-install-logging", false, "post-install scripts logging"},
    {"tools-debug", false, "gdb, gdbserver and strace"},
    {"dbg-pkgs", false, "debug symbol packages"},
    {"tools-profile", false, "profiling tools"},
};

void judge_buildinfo(const inventory::Inventory& inv, std::uint32_t fs, WorstStatus& v) {
  auto text = read_small(inv.vfs(fs), "/etc/build");
  if (!text) return;
  std::string shown = inv.display_path(fs, "/etc/build");
  for (const auto& kv : parse_buildinfo(*text).entries) {
    if (kv.key == "IMAGE_FEATURES" || kv.key == "EXTRA_IMAGE_FEATURES") {
      bool any = false;
      for (const auto& word : text::words(kv.value)) {
        for (const auto& f : kDebugFeatures) {
          if (word != f.name) continue;
          any = true;
          v.add(f.fails ? Status::kFail : Status::kWarn,
                at(shown, kv.line, kv.key + " = " + kv.value, "no development image feature"),
                fmt::format("image feature {}: {}", f.name, f.what));
        }
      }
      if (!any) v.note(at(shown, kv.line, kv.key + " = " + kv.value, "no development image feature"));
    } else if (kv.key == "BUILD_TYPE" || kv.key == "BUILD_VARIANT" || kv.key == "BUILDTYPE") {
      std::string value = text::lower(kv.value);
      Evidence e = at(shown, kv.line, kv.key + " = " + kv.value, "a release build");
      if (value == "debug" || value == "eng" || value == "engineering" || value == "userdebug" ||
          value == "development" || value == "devel") {
        v.add(Status::kFail, std::move(e), fmt::format("{} = {}: a development build", kv.key, kv.value));
      } else {
        v.note(std::move(e));
      }
    }
  }
}

/// What Yocto's debug-tweaks and allow-empty-password leave in the files they edit.
void judge_debug_traces(const inventory::Inventory& inv, std::uint32_t fs, WorstStatus& v) {
  const vfs::Vfs& vfs = inv.vfs(fs);
  if (auto text = read_small(vfs, "/etc/default/dropbear")) {
    for (auto [no, raw] : text::lines(*text)) {
      std::string_view line = text::trim(raw);
      if (!line.starts_with("DROPBEAR_EXTRA_ARGS=")) continue;
      std::string value(text::unquote(line.substr(20)));
      for (const auto& w : text::words(value)) {
        if (w.size() > 1 && w[0] == '-' && w[1] != '-' && w.find('B') != std::string::npos) {
          v.add(Status::kFail, at(inv.display_path(fs, "/etc/default/dropbear"), no, std::string(line), "no -B"),
                "dropbear accepts empty passwords (-B, what allow-empty-password writes)");
        }
      }
    }
  }
  if (auto text = read_small(vfs, "/etc/ssh/sshd_config")) {
    for (auto [no, raw] : text::lines(*text)) {
      auto w = text::words(text::trim(raw));
      if (w.size() >= 2 && text::iequals(w[0], "PermitEmptyPasswords") && text::iequals(w[1], "yes")) {
        v.add(Status::kFail,
              at(inv.display_path(fs, "/etc/ssh/sshd_config"), no, std::string(text::trim(raw)),
                 "PermitEmptyPasswords no"),
              "sshd accepts empty passwords (what allow-empty-password writes)");
        break;
      }
    }
  }
  for (const char* path : {"/etc/shadow", "/etc/passwd"}) {
    auto text = read_small(vfs, path);
    if (!text) continue;
    for (auto [no, raw] : text::lines(*text)) {
      if (!raw.starts_with("root:")) continue;
      std::string_view rest = raw.substr(5);
      std::string_view field = rest.substr(0, rest.find(':'));
      if (field.empty()) {
        v.add(Status::kFail,
              at(inv.display_path(fs, path), no, "root with an empty password field", "a locked or set password"),
              "root has an empty password (what empty-root-password leaves)");
      }
      break;
    }
    if (std::string(path) == "/etc/shadow") break;  // passwd's field is "x" when shadow is used
  }
  if (auto text = read_small(vfs, "/etc/default/postinst")) {
    for (auto [no, raw] : text::lines(*text)) {
      std::string_view line = text::trim(raw);
      if (line == "POSTINST_LOGGING=1") {
        v.add(Status::kWarn,
              at(inv.display_path(fs, "/etc/default/postinst"), no, std::string(line), "no POSTINST_LOGGING"),
              "post-install logging is on (post-install-logging, part of debug-tweaks)");
      }
    }
  }
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    auto text = read_small(vfs, path);
    if (!text) continue;
    auto f = parse_os_release(*text);
    if (const auto* variant = f.find("VARIANT_ID")) {
      std::string value = text::lower(variant->value);
      Evidence e = at(inv.display_path(fs, path), variant->line, "VARIANT_ID=" + variant->value, "a release variant");
      if (value.find("debug") != std::string::npos || value.find("devel") != std::string::npos || value == "eng" ||
          value.find("engineering") != std::string::npos) {
        v.add(Status::kWarn, std::move(e),
              fmt::format("os-release VARIANT_ID={} names a development variant", variant->value));
      }
    }
    break;
  }
}

void judge_debug_tools(const inventory::Inventory& inv, std::uint32_t fs, WorstStatus& v) {
  for (const char* path : kDebugTools) {
    auto st = inv.vfs(fs).stat(path);
    if (!st.ok() || !st->is_regular()) continue;
    v.add(Status::kWarn, at(inv.display_path(fs, path), 0, "debug tool shipped", "no debug tools in production"),
          fmt::format("{} is shipped", path));
  }
  std::size_t symbols = 0;
  std::string first;
  for (const auto& e : inv.entries()) {
    if (e.filesystem != fs || !e.st.is_regular() || !e.path.starts_with("/usr/lib/debug/") ||
        !e.path.ends_with(".debug"))
      continue;
    if (symbols++ == 0) first = inv.display_path(e);
  }
  if (symbols) {
    v.add(Status::kWarn,
          at(first, 0, fmt::format("{} detached debug symbol files under /usr/lib/debug", symbols),
             "no debug symbols in production"),
          fmt::format("{} debug symbol files are shipped", symbols));
  }
}

/// Programs built with debug information: Buildroot's BR2_ENABLE_DEBUG without stripping, or
/// Yocto's INHIBIT_PACKAGE_STRIP, leave .debug_* sections in every program; release builds
/// strip them. A sample of the programs in the usual directories is read.
void judge_debug_info(const inventory::Inventory& inv, std::uint32_t fs, WorstStatus& v) {
  std::size_t sampled = 0;
  std::vector<std::string> with_debug;
  for (const auto& e : inv.entries()) {
    if (sampled >= limits::kMaxBuildTypeElfSamples) break;
    if (e.filesystem != fs || e.kind != inventory::Kind::kElf || e.hardlink_secondary || !e.st.is_regular()) continue;
    std::string_view dir = std::string_view(e.path).substr(0, e.path.rfind('/'));
    if (dir != "/bin" && dir != "/sbin" && dir != "/usr/bin" && dir != "/usr/sbin") continue;
    if (e.st.size > limits::kMaxVersionScanBytes) continue;
    auto bytes = inv.vfs(fs).read_file(e.path, limits::kMaxVersionScanBytes);
    if (!bytes.ok()) continue;
    auto elf = formats::elf::parse(std::as_bytes(std::span(bytes->data(), bytes->size())),
                                   formats::elf::ParseOptions{.read_static_symbols = false});
    if (!elf.ok()) continue;
    ++sampled;
    if (elf->has_debug_info) with_debug.push_back(inv.display_path(e));
  }
  if (with_debug.empty()) return;
  std::string shown = with_debug.size() > 3 ? text::join({with_debug.begin(), with_debug.begin() + 3}, ", ") + ", ..."
                                            : text::join(with_debug, ", ");
  v.add(Status::kWarn,
        at(with_debug.front(), 0,
           fmt::format("{} of {} sampled programs have .debug_* sections: {}", with_debug.size(), sampled, shown),
           "stripped programs"),
        fmt::format("{} of {} sampled programs are built with debug information (a debug build, such as Buildroot's "
                    "BR2_ENABLE_DEBUG without stripping)",
                    with_debug.size(), sampled));
}

}  // namespace

void check_build_type(const Context& ctx, Output& out) {
  const auto& inv = ctx.inventory;
  bool any = false;
  for (std::uint32_t fs = 0; fs < inv.filesystems().size(); ++fs) {
    if (!inv.filesystems()[fs].vfs) continue;
    const vfs::Vfs& v = inv.vfs(fs);
    WorstStatus verdict;
    auto props = android_props(inv, fs);
    std::vector<Evidence> identity;
    for (const char* path : kIdentityFiles) {
      if (auto st = v.stat(path); st.ok() && st->is_regular())
        identity.push_back(at(inv.display_path(fs, path), 0, "build identity file", {}));
    }
    if (props.empty() && identity.empty()) continue;
    any = true;
    judge_android(props, verdict);
    judge_buildinfo(inv, fs, verdict);
    judge_debug_traces(inv, fs, verdict);
    judge_debug_tools(inv, fs, verdict);
    judge_debug_info(inv, fs, verdict);
    bool android = props.count("ro.build.type") > 0;
    if (!android) {
      for (auto& e : identity) verdict.note(std::move(e));
    }
    std::string message;
    if (!verdict.reasons.empty()) {
      message = (verdict.status == Status::kFail ? "not a production build: " : "signs of a development build: ") +
                text::join(verdict.reasons, "; ");
    } else if (android) {
      message = "a production build (ro.build.type=user, no debuggable property, no debug tools)";
    } else if (!props.empty() && identity.empty()) {
      // Property files without a build type (a vendor or ramdisk partition alone).
      out.findings.push_back(finding(kTypeCheck, Status::kInconclusive, subject_of(inv, fs),
                                     "Android property files without ro.build.type; no debug marker in them",
                                     std::move(verdict.evidence)));
      continue;
    } else {
      message =
          "no development-build marker: no debug image features, no empty-password or debug-tweaks traces in "
          "dropbear, sshd, shadow or postinst, no debug tools, debug symbols or programs with debug information";
    }
    out.findings.push_back(
        finding(kTypeCheck, verdict.status, subject_of(inv, fs), message, std::move(verdict.evidence)));
  }
  if (!any) {
    out.findings.push_back(finding(kTypeCheck, Status::kInconclusive, "os",
                                   "no build.prop, os-release, /etc/build or other build identity file was found, so "
                                   "the build type cannot be told"));
  }
}

// --- os-build-age -----------------------------------------------------------------------------

namespace {

struct Stamp {
  CivilDate date;
  Evidence where;
};

void stamps_of(const inventory::Inventory& inv, std::uint32_t fs, std::vector<Stamp>& out) {
  const vfs::Vfs& v = inv.vfs(fs);
  auto add = [&](const CivilDate& d, const std::string& path, std::size_t line, const std::string& seen) {
    out.push_back({d, at(inv.display_path(fs, path), line, fmt::format("{} (built {})", seen, format_date(d)))});
  };
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    auto text = read_small(v, path);
    if (!text) continue;
    auto f = parse_os_release(*text);
    for (const char* key : {"BUILD_ID", "IMAGE_VERSION"}) {
      const auto* kv = f.find(key);
      if (!kv) continue;
      if (auto d = date_in_text(kv->value)) add(*d, path, kv->line, kv->key + "=" + kv->value);
    }
    break;
  }
  // Yocto: /etc/version and /etc/timestamp hold the build's DATETIME (YYYYMMDDhhmmss).
  for (const char* path : {"/etc/version", "/etc/timestamp"}) {
    auto text = read_small(v, path);
    if (!text) continue;
    std::string first(text::trim(std::string_view(*text).substr(0, text->find('\n'))));
    if (first.size() > 64) first.resize(64);
    if (auto d = date_in_text(first)) add(*d, path, 1, first);
  }
  // File modification times are not read: reproducible builds clamp them to
  // SOURCE_DATE_EPOCH, which is a date chosen by the build, not the day it ran.
  // Android: ro.build.date.utc (seconds) in the first property file that has it.
  for (const char* path : kPropFiles) {
    auto text = read_small(v, path);
    if (!text) continue;
    auto props = parse_build_prop(*text);
    if (const auto* kv = props.find("ro.build.date.utc")) {
      if (auto d = date_of_epoch_seconds(kv->value)) {
        add(*d, path, kv->line, kv->key + "=" + kv->value);
        break;
      }
    }
  }
}

}  // namespace

void check_build_age(const Context& ctx, Output& out) {
  const auto& inv = ctx.inventory;
  std::vector<Stamp> stamps;
  for (std::uint32_t fs = 0; fs < inv.filesystems().size(); ++fs) {
    if (inv.filesystems()[fs].vfs) stamps_of(inv, fs, stamps);
  }
  for (const auto& v : ctx.evidence().kernel().versions) {
    if (v.banner.empty()) continue;
    if (auto d = kernel_banner_date(v.banner)) {
      std::string banner = v.banner.size() > 200 ? v.banner.substr(0, 200) + "..." : v.banner;
      stamps.push_back({*d, at(v.path, 0, fmt::format("{} (kernel built {})", banner, format_date(*d)))});
    }
  }
  const CivilDate& day = ctx.options.day;
  if (stamps.empty()) {
    out.findings.push_back(finding(kAgeCheck, Status::kInconclusive, "build",
                                   "no build date was found (os-release BUILD_ID or IMAGE_VERSION, /etc/version, "
                                   "/etc/timestamp, ro.build.date.utc, kernel version banner)"));
    return;
  }
  auto newest =
      std::max_element(stamps.begin(), stamps.end(), [](const Stamp& a, const Stamp& b) { return a.date < b.date; });
  auto oldest =
      std::min_element(stamps.begin(), stamps.end(), [](const Stamp& a, const Stamp& b) { return a.date < b.date; });
  std::int64_t age = days_since_epoch(day) - days_since_epoch(newest->date);
  std::string expected = fmt::format("built at most {} days before {}", kBuildAgeWarnDays, format_date(day));
  std::vector<Evidence> ev;
  for (auto& s : stamps) {
    s.where.expected = expected;
    ev.push_back(s.where);
  }
  std::string message;
  Status status = Status::kInfo;
  if (age < 0) {
    message = fmt::format("newest build date {} is {} days after the assessment date {}", format_date(newest->date),
                          -age, format_date(day));
  } else {
    message = fmt::format("newest build date {} is {} days before the assessment date {}", format_date(newest->date),
                          age, format_date(day));
    if (age > static_cast<std::int64_t>(kBuildAgeWarnDays)) {
      status = Status::kWarn;
      message += fmt::format(" (more than {}, the longest fix window of the patch agreement)", kBuildAgeWarnDays);
    }
  }
  if (oldest->date < newest->date) {
    message += fmt::format("; the oldest stamp, {} of {}, is {} days older", format_date(oldest->date),
                           oldest->where.path, days_since_epoch(newest->date) - days_since_epoch(oldest->date));
  }
  out.facts.push_back({"os", "build", "build.date", format_date(newest->date), newest->where});
  out.findings.push_back(finding(kAgeCheck, status, "build", message, std::move(ev)));
}

}  // namespace fwcert::analyzers::os
