#pragma once
// SHA-256 of a file on the host (the user's documents, the target image), with OpenSSL.

#include <string>

#include "fwcert/result.hpp"

namespace fwcert {

/// Lower-case hex SHA-256 of a regular file's bytes, read in chunks.
Result<std::string> sha256_file(const std::string& path);

/// Lower-case hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

}  // namespace fwcert
