#pragma once
// The bounds on vulnerability data (host files the user imports with `fwcert db import` or
// gives with --vex), in the style and namespace of core/limits.hpp. They sit here rather than
// in core/limits.hpp only so that changing them rebuilds the vulnerability module alone.

#include <cstddef>
#include <cstdint>

namespace fwcert::limits {

/// Largest single OSV, CVE 5 or VEX JSON document read (the largest CVE 5 records, Linux
/// kernel ones with hundreds of commit ranges, are a few hundred KB).
inline constexpr std::uint64_t kMaxVulnRecordBytes = 16ull << 20;
/// Largest CISA KEV catalogue (JSON or CSV) read; the 2025 catalogue is about 1.3 MB.
inline constexpr std::uint64_t kMaxKevBytes = 64ull << 20;
/// Largest EPSS CSV read, after decompression (some 300,000 lines of about 40 bytes).
inline constexpr std::uint64_t kMaxEpssBytes = 256ull << 20;
/// Deepest nesting of arrays and objects accepted in a vulnerability JSON document (the parser
/// recurses; OSV and CVE 5 records nest fewer than ten levels).
inline constexpr std::size_t kMaxVulnJsonDepth = 64;
/// Most affected entries plus version ranges one advisory may carry.
inline constexpr std::size_t kMaxVulnRangesPerRecord = 100'000;
/// Most files one import reads from a directory tree or a zip (cvelistV5 holds about 300,000).
inline constexpr std::size_t kMaxVulnImportFiles = 2'000'000;
/// Deepest directory nesting an import descends into.
inline constexpr int kMaxVulnImportDepth = 16;
/// Longest version string, package name or id kept from a record.
inline constexpr std::size_t kMaxVulnFieldBytes = 4096;
/// Longest summary kept from a record.
inline constexpr std::size_t kMaxVulnSummaryBytes = 1024;
/// Most VEX statements read from one file.
inline constexpr std::size_t kMaxVexStatements = 1'000'000;

}  // namespace fwcert::limits
