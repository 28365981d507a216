#pragma once
// Keys and secrets: private keys, Login-with-Amazon tokens, cloud API keys, Wi-Fi PSKs and
// passwords found by the content pass (content/pass.hpp) and confirmed by parsing
// (formats/keys), the permissions of every file holding one, hardware key stores (TEE, TPM,
// PKCS#11, secure elements) and data-at-rest encryption. Checks keys-plaintext-private-keys,
// keys-lwa-tokens, keys-hardcoded-secrets, keys-secret-file-perms, keys-hw-keystore-present
// and keys-data-at-rest.

#include <span>
#include <string>
#include <string_view>

#include "analyzers/analyzer.hpp"

namespace fwcert::analyzers::secrets {

/// Check ids this analyzer emits.
std::span<const std::string_view> checks();

Output run(const Context& ctx);

}  // namespace fwcert::analyzers::secrets
