#pragma once
// The bounds the SBOM's package-database readers put on hostile input (dpkg/opkg status and
// file lists, apk installed, rpmdb.sqlite and its header blobs), in the style and namespace of
// core/limits.hpp, which holds every other bound.

#include <cstddef>
#include <cstdint>

namespace fwcert::limits {

/// Largest package database text read (dpkg/opkg status, apk installed): a full Debian
/// desktop's status file is about 10 MiB.
inline constexpr std::uint64_t kMaxPackageDbBytes = 64ull << 20;
/// Most packages taken from one package database (a full Debian archive install is ~60,000).
inline constexpr std::size_t kMaxPackagesPerDb = 100'000;
/// Most owned files kept per package (texlive-fonts-extra owns ~90,000); the rest are counted.
inline constexpr std::size_t kMaxFilesPerPackage = 100'000;
/// Most owned files kept for all packages of one target together.
inline constexpr std::size_t kMaxOwnedFilesTotal = 4'000'000;
/// Longest package field value kept (name, version, licence, maintainer); a longer value is
/// damage, cut there.
inline constexpr std::size_t kMaxPackageFieldBytes = 4096;
/// Most lines of one package database text (a status file of 100,000 packages with long
/// descriptions is about 5 million lines).
inline constexpr std::size_t kMaxPackageDbLines = 8'000'000;
/// Largest rpmdb.sqlite copied out of an image to be opened by SQLite (Fedora's is 50-200 MiB).
inline constexpr std::uint64_t kMaxRpmDbBytes = 1ull << 30;
/// Largest single rpm header blob parsed (real ones are 2 KiB to a few MiB).
inline constexpr std::size_t kMaxRpmHeaderBytes = 64u << 20;
/// Most index entries of one rpm header (real ones have 50-150 tags).
inline constexpr std::uint32_t kMaxRpmHeaderEntries = 65536;

}  // namespace fwcert::limits
