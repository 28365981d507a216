#pragma once
// Parsers for the files that name an operating system and its components: os-release and
// OpenWrt's openwrt_release (shell-style KEY=value), Android build.prop (key=value), Yocto's
// /etc/build (KEY = value), and package databases (dpkg and opkg status, apk installed).
// They read untrusted text: bounded by line count, damage becomes a line diagnostic.

#include <string>
#include <string_view>
#include <vector>

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

/// An installed package from a package database.
struct Package {
  std::string name;
  std::string version;   ///< as recorded ("1:3.0.11-1~deb12u2")
  std::size_t line = 0;  ///< line of its Package:/P: field
};

/// dpkg and opkg status files: stanzas of "Field: value"; only installed packages
/// (Status "... installed", or no Status field) are returned.
std::vector<Package> parse_dpkg_status(std::string_view text);

/// apk's /lib/apk/db/installed: stanzas of "P:name" and "V:version".
std::vector<Package> parse_apk_installed(std::string_view text);

/// The upstream part of a package version: epoch ("1:") and packaging revision ("-1~deb12u2",
/// "-r0", "+dfsg") dropped: "1:3.0.11-1~deb12u2" -> "3.0.11".
std::string upstream_version(std::string_view version);

/// The OpenSSL version in a library's bytes: "OpenSSL 3.0.13 30 Jan 2024" -> "3.0.13",
/// "OpenSSL 1.1.1w  11 Sep 2023" -> "1.1.1w"; "" when none.
std::string find_openssl_version(std::string_view bytes);

}  // namespace fwcert::analyzers::os
