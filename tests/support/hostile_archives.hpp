#pragma once
// Builders for archives the real tools refuse to make: names with "../", absolute names, links
// out of the root, members written through symlinks, decompression bombs. Written with
// Python's tarfile, which stores names and link targets exactly as given; cpio members are
// written byte by byte, so an archive can end without its trailer.

#include <cstdint>
#include <string>

namespace fwcert::test {

/// Runs a Python tarfile script that writes the tar `out` (mode "w", "w:gz", ...). The body
/// can call f(name, data, **attrs) for a file, l(name, target[, kind]) for a symlink (or a
/// hard link with kind=tarfile.LNKTYPE) and dr(name, **attrs) for a directory. Returns the
/// tool output on failure, "" on success.
std::string python_tar(const std::string& out, const std::string& body, const std::string& mode = "w");

/// A shell pipeline stage that writes to stdout an uncompressed GNU tar holding `members`
/// files of `member_bytes` zeros each, generated on the fly (nothing large touches the disk).
std::string zero_tar_command(int members, std::uint64_t member_bytes);

/// One regular-file member (mode 0644) of a cpio archive in the old binary format
/// (little-endian, `cpio -H bin`), with no trailer after it.
std::string binary_cpio_member(const std::string& name, const std::string& data);

/// The same member in the newc (SVR4) format, `cpio -H newc`, with no trailer after it.
std::string newc_cpio_member(const std::string& name, const std::string& data);

}  // namespace fwcert::test
