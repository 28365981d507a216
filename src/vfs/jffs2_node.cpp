// The JFFS2 node format; see jffs2_node.hpp. Also the two checks open.cpp uses to detect and
// carve JFFS2: a node header at the start, and the extent of the nodes that follow it.

#include "vfs/jffs2_node.hpp"

#include <lzo/lzo1x.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "core/limits.hpp"
#include "vfs/open.hpp"

namespace fwcert::vfs {

namespace jffs2 {

namespace {

/// Decompresses JFFS2's rtime: pairs of (literal byte, repeat count); the repeat copies from
/// just after the previous occurrence of that literal. Fails on any read or write out of range.
bool rtime_decompress(std::span<const std::byte> in, std::span<std::byte> out) {
  std::array<std::size_t, 256> last{};  // output position after the previous occurrence
  std::size_t ip = 0, op = 0;
  while (op < out.size()) {
    if (ip + 2 > in.size()) return false;
    const auto value = static_cast<std::uint8_t>(in[ip]);
    std::size_t repeat = static_cast<std::uint8_t>(in[ip + 1]);
    ip += 2;
    out[op++] = static_cast<std::byte>(value);
    std::size_t from = last[value];
    last[value] = op;
    if (repeat > out.size() - op) return false;
    // Byte by byte: the source may overlap what is being written.
    while (repeat--) out[op++] = out[from++];
  }
  return true;
}

}  // namespace

const char* compr_name(std::uint8_t c) {
  switch (c) {
    case kNone:
      return "none";
    case kZero:
      return "zero";
    case kRtime:
      return "rtime";
    case kRubinMips:
      return "rubinmips";
    case kCopy:
      return "copy";
    case kDynRubin:
      return "dynrubin";
    case kZlib:
      return "zlib";
    case kLzo:
      return "lzo";
    case kLzma:
      return "lzma";
    default:
      return "unknown";
  }
}

bool is_supported_compr(std::uint8_t c) { return c == kNone || c == kZero || c == kRtime || c == kZlib || c == kLzo; }

std::uint32_t jffs2_crc(std::span<const std::byte> b) {
  uLong crc = 0xFFFFFFFFul;
  const auto* p = reinterpret_cast<const Bytef*>(b.data());
  std::size_t left = b.size();
  while (left > 0) {
    auto n = static_cast<uInt>(std::min<std::size_t>(left, 1u << 30));
    crc = crc32(crc, p, n);
    p += n;
    left -= n;
  }
  return ~static_cast<std::uint32_t>(crc);
}

bool valid_header(std::span<const std::byte> b, const Decoder& d) {
  if (b.size() < kHeaderBytes || d.u16(b, 0) != kMagic) return false;
  const std::uint32_t totlen = d.u32(b, 4);
  if (totlen < kHeaderBytes || totlen > limits::kMaxJffs2NodeBytes) return false;
  std::array<std::byte, 8> crc_input{};
  std::memcpy(crc_input.data(), b.data(), 8);
  crc_input[d.big ? 2 : 3] |= std::byte{kAccurate >> 8};
  return jffs2_crc(crc_input) == d.u32(b, 8);
}

std::span<const std::byte> Cursor::view(std::uint64_t offset, std::size_t len) {
  const std::uint64_t size = src_.size();
  if (offset >= size) return {};
  len = static_cast<std::size_t>(std::min<std::uint64_t>(len, size - offset));
  if (!whole_.empty()) return whole_.subspan(static_cast<std::size_t>(offset), len);
  if (offset < start_ || offset + len > start_ + filled_) {
    buf_.resize(std::max<std::size_t>(len, kRefill));
    auto n = src_.read_at(offset, buf_);
    start_ = offset;
    filled_ = n ? *n : 0;
  }
  const std::size_t at = static_cast<std::size_t>(offset - start_);
  return std::span<const std::byte>(buf_.data() + at, std::min(len, filled_ - std::min(at, filled_)));
}

std::uint64_t skip_erased(Cursor& cur, std::uint64_t off) {
  constexpr std::size_t kStep = 64 * 1024;
  for (;;) {
    auto b = cur.view(off, kStep);
    if (b.size() < 4) return off + b.size();
    std::size_t i = 0;
    // Eight bytes at a time while they are all 0xFF.
    while (i + 8 <= b.size()) {
      std::uint64_t w = 0;
      std::memcpy(&w, b.data() + i, 8);
      if (w != ~std::uint64_t{0}) break;
      i += 8;
    }
    while (i + 4 <= b.size()) {
      std::uint32_t w = 0;
      std::memcpy(&w, b.data() + i, 4);
      if (w != ~std::uint32_t{0}) return off + i;
      i += 4;
    }
    if (b.size() < kStep) return off + b.size();
    off += i;
  }
}

bool decompress(std::uint8_t compr, std::span<const std::byte> in, std::span<std::byte> out) {
  if (compr == kRtime) return rtime_decompress(in, out);
  if (compr == kZlib) {
    uLongf len = out.size();
    return uncompress(reinterpret_cast<Bytef*>(out.data()), &len, reinterpret_cast<const Bytef*>(in.data()),
                      in.size()) == Z_OK &&
           len == out.size();
  }
  if (compr == kLzo) {
    static const bool lzo_ready = lzo_init() == LZO_E_OK;
    lzo_uint len = out.size();
    return lzo_ready &&
           lzo1x_decompress_safe(reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                                 reinterpret_cast<unsigned char*>(out.data()), &len, nullptr) == LZO_E_OK &&
           len == out.size();
  }
  return false;
}

std::string xattr_prefix(std::uint8_t p) {
  switch (p) {
    case 1:
      return "user.";
    case 2:
      return "security.";
    case 3:
      return "system.posix_acl_access";
    case 4:
      return "system.posix_acl_default";
    case 5:
      return "trusted.";
    default:
      return "";
  }
}

}  // namespace jffs2

using jffs2::Cursor;
using jffs2::Decoder;
using jffs2::kHeaderBytes;
using jffs2::valid_header;

bool is_jffs2_node(std::span<const std::byte> head) {
  return valid_header(head, Decoder{false}) || valid_header(head, Decoder{true});
}

std::uint64_t jffs2_extent(const ByteSource& src, std::uint64_t offset) {
  Cursor cur(src);
  const std::uint64_t size = src.size();
  auto first = cur.view(offset, kHeaderBytes);
  Decoder d{false};
  if (!valid_header(first, d)) {
    d.big = true;
    if (!valid_header(first, d)) return 0;
  }
  // Node headers only (no data CRCs): the extent ends after the last valid node before
  // something that is neither a node nor erased flash.
  std::uint64_t off = offset;
  std::uint64_t end = offset;
  while (off + kHeaderBytes <= size) {
    auto h = cur.view(off, kHeaderBytes);
    if (h.size() < kHeaderBytes) break;
    std::uint32_t word = 0;
    std::memcpy(&word, h.data(), 4);
    if (word == ~std::uint32_t{0}) {
      off = jffs2::skip_erased(cur, off);
      continue;
    }
    if (!valid_header(h, d)) break;
    const std::uint64_t totlen = d.u32(h, 4);
    if (totlen > size - off) {
      end = size;
      break;
    }
    off += (totlen + 3) & ~std::uint64_t{3};
    end = std::min(off, size);
  }
  return end - offset;
}

}  // namespace fwcert::vfs
