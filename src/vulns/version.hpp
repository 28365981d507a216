#pragma once
// Version ordering of the ecosystems fwcert matches vulnerabilities in. Each ordering is its own
// function with its own tests: Debian's (dpkg, also opkg's), Alpine's apk, rpm's rpmvercmp, and
// a generic ordering for upstream versions read from binaries (1.2.3, 1.1.1w, 9.2p1, 2022.83).
// Every comparator is total on any input (no input is rejected), so ranges from a damaged record
// can still be ordered; they return <0, 0 or >0 like strcmp.

#include <string>
#include <string_view>

namespace fwcert::vulns {

/// dpkg's ordering (deb-version(7)): epoch, then upstream version, then revision; in each part
/// non-digit runs compare with `~` before everything (even the end) and letters before
/// non-letters, digit runs compare numerically. opkg uses the same rules.
int compare_debian(std::string_view a, std::string_view b);

/// Alpine's apk ordering: dot-separated numbers, an optional letter, suffixes (_alpha < _beta <
/// _pre < _rc < none < _cvs < _svn < _git < _hg < _p, each with an optional number) and -rN.
/// A string that is not an apk version sorts after every apk version; such strings order among
/// themselves by the generic ordering.
int compare_apk(std::string_view a, std::string_view b);

/// rpm's ordering: [epoch:]version[-release], each part by rpmvercmp (alphanumeric segments,
/// numbers above letters, `~` before everything, `^` after the end but before anything else).
int compare_rpm(std::string_view a, std::string_view b);

/// The ordering for upstream versions of fingerprinted components and CVE/semver ranges:
/// numeric runs compare numerically, a letter run after a number is a later release (1.1.1w >
/// 1.1.1, 9.2p1 > 9.2) unless it is a pre-release word or follows `~` or `-` (rc, alpha, beta, pre,
/// dev: 6.0-rc1 < 6.0 and 1.0.0-beta < 1.0.0); `+build` metadata is ignored.
int compare_generic(std::string_view a, std::string_view b);

/// Which ordering a range is written in.
enum class Scheme { kDebian, kApk, kRpm, kGeneric };

/// The ordering of an OSV ecosystem ("Debian:12", "Ubuntu:22.04:LTS", "Alpine:v3.19", "Red Hat",
/// "Rocky Linux") or of a component ecosystem ("deb", "opkg", "apk", "rpm"); anything else is
/// generic.
Scheme scheme_for(std::string_view ecosystem);

/// Stable name of a scheme ("debian", "apk", "rpm", "generic"), and back (unknown: generic).
const char* to_string(Scheme s);
Scheme parse_scheme(std::string_view s);

/// `a` compared with `b` in scheme `s`.
int compare(Scheme s, std::string_view a, std::string_view b);

/// The upstream part of a distribution version: epoch and revision dropped
/// ("1:1.30.1-7ubuntu3" -> "1.30.1", "1.36.1-r2" -> "1.36.1", "0:8.7p1-38.el9" -> "8.7p1").
std::string upstream_version(Scheme s, std::string_view version);

}  // namespace fwcert::vulns
