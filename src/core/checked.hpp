#pragma once
// Checked arithmetic for offsets computed from untrusted bytes.

#include <cstdint>
#include <optional>

namespace fwcert::core {

/// a + b, or nullopt when it would overflow.
inline std::optional<std::uint64_t> checked_add(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

/// a * b, or nullopt when it would overflow.
inline std::optional<std::uint64_t> checked_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

/// True when [offset, offset+len) lies inside a buffer of `size` bytes.
inline bool in_bounds(std::uint64_t offset, std::uint64_t len, std::uint64_t size) {
  auto end = checked_add(offset, len);
  return end && *end <= size;
}

}  // namespace fwcert::core
