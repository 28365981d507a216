#include "formats/fit/fit.hpp"

#include <fmt/format.h>
#include <libfdt.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/byte_reader.hpp"
#include "core/limits.hpp"
#include "core/sha256.hpp"

namespace fwcert::formats::fit {

namespace {

constexpr std::uint32_t kFdtMagic = 0xd00dfeed;

/// A string property, bounded to its stored length ("" when absent or not a string).
std::string string_prop(const void* fdt, int node, const char* name) {
  int len = 0;
  const auto* p = static_cast<const char*>(fdt_getprop(fdt, node, name, &len));
  if (!p || len <= 0) return {};
  std::string_view s(p, static_cast<std::size_t>(len));
  return std::string(s.substr(0, s.find('\0')));
}

/// Every string of a string-list property.
std::vector<std::string> string_list(const void* fdt, int node, const char* name) {
  std::vector<std::string> out;
  int len = 0;
  const auto* p = static_cast<const char*>(fdt_getprop(fdt, node, name, &len));
  if (!p || len <= 0) return out;
  std::string_view all(p, static_cast<std::size_t>(len));
  while (!all.empty() && out.size() < 256) {
    auto nul = all.find('\0');
    std::string_view s = all.substr(0, nul);
    if (!s.empty()) out.emplace_back(s);
    if (nul == std::string_view::npos) break;
    all.remove_prefix(nul + 1);
  }
  return out;
}

bool has_prop(const void* fdt, int node, const char* name) {
  int len = 0;
  return fdt_getprop(fdt, node, name, &len) != nullptr && len > 0;
}

std::string node_name(const void* fdt, int node) {
  int len = 0;
  const char* n = fdt_get_name(fdt, node, &len);
  return n && len > 0 ? std::string(n, static_cast<std::size_t>(len)) : std::string();
}

std::string raw_prop(const void* fdt, int node, const char* name) {
  int len = 0;
  const auto* p = static_cast<const char*>(fdt_getprop(fdt, node, name, &len));
  return p && len > 0 ? std::string(p, static_cast<std::size_t>(len)) : std::string();
}

Signature read_signature(const void* fdt, int node) {
  Signature s;
  s.node = node_name(fdt, node);
  s.algo = string_prop(fdt, node, "algo");
  s.key_name_hint = string_prop(fdt, node, "key-name-hint");
  s.sign_images = string_list(fdt, node, "sign-images");
  s.has_value = has_prop(fdt, node, "value");
  return s;
}

/// A public key node under /signature: its name, algorithm and policy, and a digest of its
/// material (the RSA modulus, or the ECDSA point).
Key read_key(const void* fdt, int node) {
  Key k{.node = node_name(fdt, node),
        .algo = string_prop(fdt, node, "algo"),
        .required = string_prop(fdt, node, "required"),
        .key_name_hint = string_prop(fdt, node, "key-name-hint"),
        .ecdsa_curve = string_prop(fdt, node, "ecdsa,curve")};
  int len = 0;
  if (const auto* bits = static_cast<const std::byte*>(fdt_getprop(fdt, node, "rsa,num-bits", &len));
      bits && len == 4) {
    k.rsa_bits = *core::ByteReader(bits, 4, core::Endian::kBig).u32();
  }
  std::string material = raw_prop(fdt, node, "rsa,modulus");
  if (material.empty()) material = raw_prop(fdt, node, "ecdsa,x-point") + raw_prop(fdt, node, "ecdsa,y-point");
  if (!material.empty()) k.public_key_sha256 = sha256_hex(material);
  return k;
}

struct Walk {
  std::size_t nodes = 0;
  bool over() { return ++nodes > limits::kMaxFdtNodes; }
};

}  // namespace

const Image* DeviceTree::image(std::string_view name) const {
  for (const auto& i : images) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

Result<DeviceTree> parse(std::span<const std::byte> bytes) {
  core::ByteReader header(bytes, core::Endian::kBig);
  auto magic = header.u32();
  auto total = header.u32();
  if (!magic || !total || *magic != kFdtMagic)
    return make_error(ErrorCode::kCorrupt, "not a device tree (no FDT magic)");
  if (*total > bytes.size() || *total < sizeof(fdt_header)) {
    return make_error(ErrorCode::kCorrupt, fmt::format("device tree totalsize {} does not fit the {} bytes available",
                                                       *total, bytes.size()));
  }
  // libfdt reads the tree in place; an appended tree can sit at any offset, so it gets an
  // aligned copy of exactly its declared size.
  std::vector<std::uint64_t> aligned((*total + 7) / 8);
  std::memcpy(aligned.data(), bytes.data(), *total);
  const void* fdt = aligned.data();
  if (int rc = fdt_check_header(fdt); rc != 0) {
    return make_error(ErrorCode::kCorrupt, fmt::format("not a valid device tree header: {}", fdt_strerror(rc)));
  }
  if (int rc = fdt_check_full(fdt, *total); rc != 0) {
    return make_error(ErrorCode::kCorrupt, fmt::format("damaged device tree: {}", fdt_strerror(rc)));
  }
  DeviceTree t;
  t.total_size = *total;
  Walk walk;
  t.description = string_prop(fdt, 0, "description");
  int images = fdt_path_offset(fdt, "/images");
  int configs = fdt_path_offset(fdt, "/configurations");
  t.is_fit = images >= 0 && configs >= 0;
  if (t.is_fit) {
    int node = 0;
    fdt_for_each_subnode(node, fdt, images) {
      if (walk.over()) break;
      Image img{.name = node_name(fdt, node),
                .type = string_prop(fdt, node, "type"),
                .compression = string_prop(fdt, node, "compression")};
      int sub = 0;
      fdt_for_each_subnode(sub, fdt, node) {
        if (walk.over()) break;
        std::string n = node_name(fdt, sub);
        if (n.starts_with("hash")) {
          img.hashes.push_back({n, string_prop(fdt, sub, "algo"), has_prop(fdt, sub, "value")});
        } else if (n.starts_with("signature")) {
          img.signatures.push_back(read_signature(fdt, sub));
        }
      }
      t.images.push_back(std::move(img));
    }
    t.default_configuration = string_prop(fdt, configs, "default");
    fdt_for_each_subnode(node, fdt, configs) {
      if (walk.over()) break;
      Configuration c;
      c.name = node_name(fdt, node);
      for (const char* p : {"kernel", "fdt", "ramdisk", "loadables", "firmware", "setup", "fpga", "script"}) {
        auto refs = string_list(fdt, node, p);
        if (!refs.empty()) c.images.emplace_back(p, std::move(refs));
      }
      int sub = 0;
      fdt_for_each_subnode(sub, fdt, node) {
        if (walk.over()) break;
        if (node_name(fdt, sub).starts_with("signature")) c.signatures.push_back(read_signature(fdt, sub));
      }
      t.configurations.push_back(std::move(c));
    }
  }
  int sig = fdt_path_offset(fdt, "/signature");
  if (sig >= 0) {
    t.has_signature_node = true;
    t.required_mode = string_prop(fdt, sig, "required-mode");
    int node = 0;
    fdt_for_each_subnode(node, fdt, sig) {
      if (walk.over()) break;
      t.keys.push_back(read_key(fdt, node));
    }
  }
  t.truncated = walk.nodes > limits::kMaxFdtNodes;
  return t;
}

std::vector<std::uint64_t> find_fdts(std::span<const std::byte> bytes) {
  std::vector<std::uint64_t> out;
  const char magic[4] = {'\xd0', '\x0d', '\xfe', '\xed'};
  std::string_view all(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  std::size_t pos = 0;
  while (out.size() < limits::kMaxFdtCandidates) {
    auto hit = all.find(std::string_view(magic, 4), pos);
    if (hit == std::string_view::npos) break;
    pos = hit + 4;
    core::ByteReader r(bytes.subspan(hit), core::Endian::kBig);
    auto m = r.u32();
    auto total = r.u32();
    if (!m || !total || *m != kFdtMagic || *total < sizeof(fdt_header) || *total > bytes.size() - hit) continue;
    auto version = r.skip(12) ? r.u32() : std::nullopt;
    if (!version || *version < 16 || *version > 17) continue;
    out.push_back(hit);
  }
  return out;
}

Algorithm split_algorithm(std::string_view algo) {
  Algorithm a;
  auto comma = algo.find(',');
  a.hash = std::string(algo.substr(0, comma));
  if (comma == std::string_view::npos) return a;
  a.cipher = std::string(algo.substr(comma + 1));
  std::string_view c = a.cipher;
  for (std::string_view prefix : {"rsa", "ecdsa"}) {
    if (c.starts_with(prefix)) {
      std::string_view digits = c.substr(prefix.size());
      std::from_chars(digits.data(), digits.data() + digits.size(), a.bits);
    }
  }
  return a;
}

bool is_strong_hash(std::string_view hash) { return hash == "sha256" || hash == "sha384" || hash == "sha512"; }

bool is_strong_cipher(const Algorithm& a) {
  if (a.cipher.starts_with("rsa")) return a.bits >= 2048;
  if (a.cipher.starts_with("ecdsa")) return a.bits >= 256;
  return false;
}

}  // namespace fwcert::formats::fit
