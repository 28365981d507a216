#pragma once
// The one bounds-checked reader every parser of untrusted bytes goes through. Reads past the
// end never touch memory: they fail and latch the reader into an error state that the parser
// checks once, where it is convenient.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>

#include "core/checked.hpp"

namespace fwcert::core {

enum class Endian { kLittle, kBig };

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> data, Endian endian = Endian::kLittle)
      : data_(data), endian_(endian) {}
  ByteReader(const void* data, std::size_t size, Endian endian = Endian::kLittle)
      : data_(static_cast<const std::byte*>(data), size), endian_(endian) {}

  std::size_t size() const { return data_.size(); }
  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return failed_ ? 0 : data_.size() - offset_; }
  /// True once any read went out of bounds.
  bool failed() const { return failed_; }
  void set_endian(Endian e) { endian_ = e; }

  bool seek(std::uint64_t offset) {
    if (offset > data_.size()) return fail();
    offset_ = static_cast<std::size_t>(offset);
    return true;
  }
  bool skip(std::uint64_t n) {
    auto to = checked_add(offset_, n);
    return to ? seek(*to) : fail();
  }

  std::optional<std::uint8_t> u8() { return read_int<std::uint8_t>(); }
  std::optional<std::uint16_t> u16() { return read_int<std::uint16_t>(); }
  std::optional<std::uint32_t> u32() { return read_int<std::uint32_t>(); }
  std::optional<std::uint64_t> u64() { return read_int<std::uint64_t>(); }

  /// A view of the next n bytes, or nullopt when fewer remain.
  std::optional<std::span<const std::byte>> bytes(std::uint64_t n) {
    if (failed_ || !in_bounds(offset_, n, data_.size())) {
      fail();
      return std::nullopt;
    }
    auto out = data_.subspan(offset_, static_cast<std::size_t>(n));
    offset_ += static_cast<std::size_t>(n);
    return out;
  }

  /// Reads a NUL-terminated string starting at absolute `offset`, at most `max_len` bytes.
  std::optional<std::string_view> cstring_at(std::uint64_t offset, std::size_t max_len) const {
    if (offset >= data_.size()) return std::nullopt;
    const char* start = reinterpret_cast<const char*>(data_.data()) + offset;
    std::size_t avail = data_.size() - static_cast<std::size_t>(offset);
    std::size_t limit = avail < max_len ? avail : max_len;
    const void* nul = std::memchr(start, 0, limit);
    if (!nul) return std::nullopt;
    return std::string_view(start, static_cast<const char*>(nul) - start);
  }

 private:
  bool fail() {
    failed_ = true;
    return false;
  }

  template <typename T>
  std::optional<T> read_int() {
    auto raw = bytes(sizeof(T));
    if (!raw) return std::nullopt;
    T v = 0;
    const auto* p = reinterpret_cast<const std::uint8_t*>(raw->data());
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      std::size_t shift = endian_ == Endian::kLittle ? i : sizeof(T) - 1 - i;
      v |= static_cast<T>(static_cast<T>(p[i]) << (8 * shift));
    }
    return v;
  }

  std::span<const std::byte> data_;
  std::size_t offset_ = 0;
  Endian endian_;
  bool failed_ = false;
};

}  // namespace fwcert::core
