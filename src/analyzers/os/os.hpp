#pragma once
// OS: identifies the distribution of each filesystem (os-release, openwrt_release,
// debian_version, alpine-release, Yocto /etc/build and codenames, Buildroot, Android
// build.prop) and judges it, and the OpenSSL, Python, Node.js and SQLite it ships, against the
// built-in end-of-life tables (data/endoflife/) at the assessment date; tells production from
// development builds and records how old the build is (build.hpp). Checks inv-os-identify,
// os-distro-eol, os-component-eol, inv-build-type, os-build-age.

#include <span>
#include <string_view>

#include "analyzers/analyzer.hpp"

namespace fwcert::analyzers::os {

/// Check ids this analyzer emits.
std::span<const std::string_view> checks();

Output run(const Context& ctx);

}  // namespace fwcert::analyzers::os
