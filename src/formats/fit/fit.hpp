#pragma once
// Flattened device trees that decide what U-Boot boots, read with libfdt: FIT images (images,
// their hash and signature subnodes, configurations and their signatures) and U-Boot control
// device trees (the public keys under /signature and whether each is required). Every tree is
// checked with fdt_check_full against the bytes it sits in before any node is read, and the
// walk is bounded by limits::kMaxFdtNodes.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fwcert/result.hpp"

namespace fwcert::formats::fit {

/// A `hash-*` subnode of an image.
struct Hash {
  std::string node;
  std::string algo;  ///< "sha256", "sha1", "md5", "crc32", ...
  bool has_value = false;
};

/// A `signature-*` subnode of an image or a configuration.
struct Signature {
  std::string node;
  std::string algo;  ///< "sha256,rsa2048", "sha256,ecdsa256", ...
  std::string key_name_hint;
  std::vector<std::string> sign_images;  ///< configurations: which images the signature covers
  bool has_value = false;                ///< false: a signing template mkimage has not signed
};

struct Image {
  std::string name;
  std::string type;  ///< "kernel", "flat_dt", "ramdisk", "firmware", ...
  std::string compression;
  std::vector<Hash> hashes;
  std::vector<Signature> signatures;
};

struct Configuration {
  std::string name;
  /// Image references by property ("kernel" -> {"kernel-1"}, "fdt" -> {"fdt-1"}, ...).
  std::vector<std::pair<std::string, std::vector<std::string>>> images;
  std::vector<Signature> signatures;
};

/// A public key in a U-Boot control device tree (/signature/key-*).
struct Key {
  std::string node;
  std::string algo;      ///< e.g. "sha256,rsa2048"
  std::string required;  ///< "conf", "image", or "" when the key is optional
  std::string key_name_hint;
  std::uint32_t rsa_bits = 0;     ///< rsa,num-bits
  std::string ecdsa_curve;        ///< ecdsa,curve ("prime256v1", ...)
  std::string public_key_sha256;  ///< hex SHA-256 of rsa,modulus (or ecdsa,x-point + y-point)
};

struct DeviceTree {
  std::uint64_t total_size = 0;
  bool is_fit = false;  ///< has /images and /configurations
  std::string description;
  std::string default_configuration;
  std::vector<Image> images;
  std::vector<Configuration> configurations;
  bool has_signature_node = false;  ///< a /signature node (control DTB)
  std::string required_mode;        ///< /signature required-mode ("any", "all"), if set
  std::vector<Key> keys;
  bool truncated = false;  ///< the node limit stopped the walk

  const Image* image(std::string_view name) const;
};

/// Parses the device tree at the start of `bytes` (which may continue past it). Fails when the
/// header is not an FDT, its totalsize exceeds the bytes, or fdt_check_full rejects it.
Result<DeviceTree> parse(std::span<const std::byte> bytes);

/// Offsets in `bytes` where a structurally valid FDT starts (magic, version, totalsize within
/// the bytes), at most limits::kMaxFdtCandidates, in file order. Used to find the control DTB
/// appended to u-boot.bin.
std::vector<std::uint64_t> find_fdts(std::span<const std::byte> bytes);

/// The hash part and the signature part of a FIT "algo" value ("sha256,rsa2048").
struct Algorithm {
  std::string hash;
  std::string cipher;
  unsigned bits = 0;  ///< RSA modulus bits or ECDSA curve bits (0 when unknown)
};
Algorithm split_algorithm(std::string_view algo);

/// True when a hash algorithm meets REQUIREMENTS c.1: SHA-256 or better (sha1, md5, crc32 do not).
bool is_strong_hash(std::string_view hash);
/// True when a signature algorithm meets REQUIREMENTS c.1: RSA-2048+ or ECDSA P-256+.
bool is_strong_cipher(const Algorithm& a);

}  // namespace fwcert::formats::fit
