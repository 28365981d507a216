#pragma once
// TLS trust: the CA stores of the image (bundles, hashed directories, Android cacerts, the
// CAPATH of the AVS SDK configuration) parsed certificate by certificate, static evidence of
// disabled certificate verification from the shared content pass, and the OpenSSL minimum
// protocol. Checks tls-amazon-roots, tls-ca-store-hygiene, tls-cert-validation,
// tls-min-version and tls-amazon-trust-restriction.

#include <span>
#include <string_view>

#include "analyzers/analyzer.hpp"

namespace fwcert::analyzers::tls {

/// Check ids this analyzer emits.
std::span<const std::string_view> checks();

Output run(const Context& ctx);

/// SHA-256 fingerprints of Amazon Root CA 1-4 (REQUIREMENTS.md c.9), as formats::keys prints them.
std::span<const std::string_view> amazon_root_fingerprints();

}  // namespace fwcert::analyzers::tls
