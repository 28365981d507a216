#pragma once
// inv-build-type and os-build-age: what kind of build each filesystem is (Android build type,
// tags and debuggable properties; Yocto debug-tweaks and its traces; image features in
// /etc/build; debug tools shipped) and when it was built (os-release BUILD_ID and
// IMAGE_VERSION, Yocto /etc/version and /etc/timestamp, Android ro.build.date.utc, the
// kernel banner of the kernel evidence), judged at the assessment day.

#include "analyzers/analyzer.hpp"

namespace fwcert::analyzers::os {

/// A build older than this many days at the assessment day warns: six months, the longest fix
/// window the AVS patch agreement names (AVS-PROC-PATCH-SLA, medium severity).
inline constexpr unsigned kBuildAgeWarnDays = 183;

void check_build_type(const Context& ctx, Output& out);
void check_build_age(const Context& ctx, Output& out);

}  // namespace fwcert::analyzers::os
