#pragma once
// Parsers for the files that name an operating system and its components: os-release and
// OpenWrt's openwrt_release (shell-style KEY=value), Android build.prop (key=value), Yocto's
// /etc/build (KEY = value); package databases are read by src/sbom/package_db.hpp.
// They read untrusted text: bounded by line count, damage becomes a line diagnostic.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.hpp"
#include "core/text.hpp"

namespace fwcert::analyzers::os {

using KeyValue = text::KeyValue;

struct KeyValueFile {
  std::vector<KeyValue> entries;
  std::vector<std::pair<std::size_t, std::string>> diagnostics;  ///< line, message
  /// The last value of `key` (a later assignment wins), or nullptr.
  const KeyValue* find(std::string_view key) const;
};

/// os-release(5) syntax: KEY=value, the value unquoted or in single or double quotes with
/// backslash escapes in double quotes; '#' comments. Lines that are not an assignment of a
/// [A-Za-z0-9_] name are diagnostics.
KeyValueFile parse_os_release(std::string_view text);

/// Android build.prop: key=value with no quoting, '#' comments, `import` lines skipped.
KeyValueFile parse_build_prop(std::string_view text);

/// Yocto image-buildinfo (/etc/build): "KEY = value" and layer lines "meta-x = branch:rev".
KeyValueFile parse_buildinfo(std::string_view text);

/// The upstream part of a package version: epoch ("1:") and packaging revision ("-1~deb12u2",
/// "-r0", "+dfsg") dropped: "1:3.0.11-1~deb12u2" -> "3.0.11".
std::string upstream_version(std::string_view version);

/// The first calendar date written in `s`: "2024-03-15", "2024.03.15", or eight digits
/// "20240315" at the start of a run of 8, 12 or 14 digits ("20240315123456", Yocto's DATETIME);
/// years 1990-2099 only, so version numbers and counters are not taken for dates.
std::optional<CivilDate> date_in_text(std::string_view s);

/// The UTC day of a count of seconds since 1970 (Android's ro.build.date.utc), or nullopt.
std::optional<CivilDate> date_of_epoch_seconds(std::string_view seconds);

/// The build date of a kernel version banner, from what follows its build number "#N":
/// Debian's "(2024-03-15)" or the default "Thu Mar 14 12:00:00 UTC 2024". The compiler
/// version before it ("gcc 10.2.1 20210110") is not read.
std::optional<CivilDate> kernel_banner_date(std::string_view banner);

}  // namespace fwcert::analyzers::os
