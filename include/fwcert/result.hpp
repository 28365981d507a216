#pragma once
// Errors are values at the library boundary: a small Result<T> (clang 14 cannot compile
// libstdc++'s std::expected, so we keep our own).

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace fwcert {

enum class ErrorCode {
  kNotFound,         ///< the path does not exist in the target
  kNotADirectory,    ///< a path component is not a directory
  kIsADirectory,     ///< a file operation was asked of a directory
  kInvalidArgument,  ///< the caller asked for something meaningless
  kUnsupported,      ///< the format or feature is not supported
  kCorrupt,          ///< the bytes are damaged or hostile
  kLimitExceeded,    ///< a named limit from limits.hpp was reached
  kLoop,             ///< symlink resolution went round in circles
  kIo,               ///< the host could not read the target
  kParse,            ///< a text format (YAML, config) could not be parsed
};

/// Human name of an error code, stable for reports.
const char* to_string(ErrorCode code);

/// An error with a code, a message and where it happened (path in image, or file:line).
struct Error {
  ErrorCode code = ErrorCode::kIo;
  std::string message;
  std::string where;

  /// "where: message" or just the message when no location is known.
  std::string describe() const { return where.empty() ? message : where + ": " + message; }
};

inline Error make_error(ErrorCode code, std::string message, std::string where = {}) {
  return Error{code, std::move(message), std::move(where)};
}

/// Value or Error. Access to the wrong alternative is a programming error (asserted).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

  T value_or(T fallback) const& { return ok() ? std::get<0>(v_) : std::move(fallback); }

 private:
  std::variant<T, Error> v_;
};

/// Result of an operation that yields nothing but may fail.
struct Ok {};
using OkResult = Result<Ok>;

}  // namespace fwcert
