#pragma once
// Android Verified Boot 2.0 vbmeta images: the 256-byte big-endian header (flags, algorithm,
// rollback index), the public key in the auxiliary block, and the descriptors (hashtree,
// hash, kernel command line, chained partitions). Every offset and size is checked against the
// blocks it points into; damage is a diagnostic and the parse keeps what it has.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace fwcert::formats::avb {

inline constexpr std::uint32_t kFlagHashtreeDisabled = 1;
inline constexpr std::uint32_t kFlagVerificationDisabled = 2;

/// One descriptor: tag (0 property, 1 hashtree, 2 hash, 3 kernel cmdline, 4 chain partition)
/// and, where it has them, the partition name or command line.
struct Descriptor {
  std::uint64_t tag = 0;
  std::string partition;       ///< hashtree, hash, chain partition
  std::string cmdline;         ///< kernel cmdline descriptors
  std::string hash_algorithm;  ///< hashtree and hash descriptors
};
inline constexpr std::uint64_t kTagProperty = 0, kTagHashtree = 1, kTagHash = 2, kTagKernelCmdline = 3,
                               kTagChainPartition = 4;

struct VbMeta {
  std::uint32_t version_major = 0, version_minor = 0;
  std::uint32_t algorithm = 0;  ///< 0 NONE, 1-3 SHA256_RSA2048/4096/8192, 4-6 SHA512_RSA...
  std::uint64_t rollback_index = 0;
  std::uint32_t rollback_index_location = 0;
  std::uint32_t flags = 0;
  std::string release;            ///< "avbtool 1.2.0"
  std::string public_key_sha256;  ///< hex SHA-256 of the public key blob, "" when none
  std::uint32_t public_key_bits = 0;
  std::vector<Descriptor> descriptors;
  std::vector<std::string> diagnostics;

  /// "SHA256_RSA2048", ..., "NONE", or "unknown-<n>".
  std::string algorithm_name() const;
};

/// Parses a vbmeta image starting at the first byte ("AVB0"); nullopt when the magic or the
/// header is missing.
std::optional<VbMeta> parse(std::span<const std::byte> bytes);

}  // namespace fwcert::formats::avb
