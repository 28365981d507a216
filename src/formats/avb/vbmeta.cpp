#include "formats/avb/vbmeta.hpp"

#include <fmt/format.h>

#include "core/byte_reader.hpp"
#include "core/checked.hpp"
#include "core/limits.hpp"
#include "core/sha256.hpp"

namespace fwcert::formats::avb {

namespace {

constexpr std::size_t kHeaderSize = 256;

std::string text(std::span<const std::byte> b) {
  std::string_view s(reinterpret_cast<const char*>(b.data()), b.size());
  return std::string(s.substr(0, s.find('\0')));
}

/// The bytes [offset, offset+size) of `block`, or nullopt when they are not all inside it.
std::optional<std::span<const std::byte>> sub(std::span<const std::byte> block, std::uint64_t offset,
                                              std::uint64_t size) {
  if (!core::in_bounds(offset, size, block.size())) return std::nullopt;
  return block.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(size));
}

/// The partition name that ends a descriptor, `name_len` bytes (names over 256 are not read).
void read_partition_name(core::ByteReader& b, std::optional<std::uint32_t> name_len, Descriptor& d) {
  if (name_len && *name_len <= 256) {
    if (auto n = b.bytes(*name_len)) d.partition = text(*n);
  }
}

/// What hash and hashtree descriptors both end with: hash_algorithm[32], partition_name_len
/// u32, salt_len u32, digest_len u32, flags u32, reserved[60], then the name.
void read_algorithm_and_partition(core::ByteReader& b, Descriptor& d) {
  auto algo = b.bytes(32);
  auto name_len = b.u32();
  b.skip(4 + 4 + 4 + 60);
  if (algo) d.hash_algorithm = text(*algo);
  read_partition_name(b, name_len, d);
}

void read_descriptors(std::span<const std::byte> area, VbMeta& m) {
  core::ByteReader r(area, core::Endian::kBig);
  while (r.remaining() >= 16) {
    if (m.descriptors.size() >= limits::kMaxVbmetaDescriptors) {
      m.diagnostics.push_back("descriptor limit reached");
      return;
    }
    std::size_t start = r.offset();
    auto tag = r.u64();
    auto len = r.u64();
    if (!tag || !len || *len > r.remaining() || *len % 8 != 0) {
      m.diagnostics.push_back(fmt::format("descriptor at offset {} runs past the descriptor area", start));
      return;
    }
    auto body = *r.bytes(*len);
    core::ByteReader b(body, core::Endian::kBig);
    Descriptor d;
    d.tag = *tag;
    if (*tag == kTagHashtree) {
      // dm_verity_version u32, image_size u64, tree_offset u64, tree_size u64, data_block_size
      // u32, hash_block_size u32, fec_num_roots u32, fec_offset u64, fec_size u64, then the
      // algorithm and the name.
      b.skip(4 + 8 + 8 + 8 + 4 + 4 + 4 + 8 + 8);
      read_algorithm_and_partition(b, d);
    } else if (*tag == kTagHash) {
      // image_size u64, then the algorithm and the name.
      b.skip(8);
      read_algorithm_and_partition(b, d);
    } else if (*tag == kTagKernelCmdline) {
      // flags u32, kernel_cmdline_length u32, then the command line.
      b.skip(4);
      auto n = b.u32();
      if (n && *n <= 65536) {
        if (auto c = b.bytes(*n)) d.cmdline = text(*c);
      }
    } else if (*tag == kTagChainPartition) {
      // rollback_index_location u32, partition_name_len u32, public_key_len u32, ...
      b.skip(4);
      auto name_len = b.u32();
      b.skip(4 + 4 + 60);
      read_partition_name(b, name_len, d);
    }
    if (b.failed())
      m.diagnostics.push_back(fmt::format("descriptor at offset {} is shorter than its type needs", start));
    m.descriptors.push_back(std::move(d));
  }
}

}  // namespace

std::string VbMeta::algorithm_name() const {
  static constexpr const char* kNames[] = {"NONE",           "SHA256_RSA2048", "SHA256_RSA4096", "SHA256_RSA8192",
                                           "SHA512_RSA2048", "SHA512_RSA4096", "SHA512_RSA8192"};
  if (algorithm < std::size(kNames)) return kNames[algorithm];
  return fmt::format("unknown-{}", algorithm);
}

std::optional<VbMeta> parse(std::span<const std::byte> bytes) {
  if (bytes.size() < kHeaderSize) return std::nullopt;
  if (bytes.size() > limits::kMaxVbmetaBytes) bytes = bytes.first(static_cast<std::size_t>(limits::kMaxVbmetaBytes));
  core::ByteReader r(bytes, core::Endian::kBig);
  auto magic = r.bytes(4);
  if (!magic || text(*magic) != "AVB0") return std::nullopt;
  VbMeta m;
  m.version_major = *r.u32();
  m.version_minor = *r.u32();
  std::uint64_t auth_size = *r.u64();
  std::uint64_t aux_size = *r.u64();
  m.algorithm = *r.u32();
  r.skip(8 * 4);  // hash offset/size, signature offset/size
  std::uint64_t pk_offset = *r.u64();
  std::uint64_t pk_size = *r.u64();
  r.skip(8 * 2);  // public key metadata
  std::uint64_t desc_offset = *r.u64();
  std::uint64_t desc_size = *r.u64();
  m.rollback_index = *r.u64();
  m.flags = *r.u32();
  m.rollback_index_location = *r.u32();
  auto release = r.bytes(48);
  if (r.failed() || !release) return std::nullopt;
  m.release = text(*release);

  auto aux_start = core::checked_add(std::uint64_t{kHeaderSize}, auth_size);
  auto aux = aux_start ? sub(bytes, *aux_start, aux_size) : std::nullopt;
  if (!aux) {
    m.diagnostics.push_back("the auxiliary data block lies outside the image");
    return m;
  }
  if (pk_size > 0) {
    if (auto pk = sub(*aux, pk_offset, pk_size)) {
      m.public_key_sha256 = sha256_hex(std::string_view(reinterpret_cast<const char*>(pk->data()), pk->size()));
      core::ByteReader k(*pk, core::Endian::kBig);
      m.public_key_bits = k.u32().value_or(0);
    } else {
      m.diagnostics.push_back("the public key lies outside the auxiliary block");
    }
  }
  if (desc_size > 0) {
    if (auto d = sub(*aux, desc_offset, desc_size)) {
      read_descriptors(*d, m);
    } else {
      m.diagnostics.push_back("the descriptors lie outside the auxiliary block");
    }
  }
  return m;
}

}  // namespace fwcert::formats::avb
