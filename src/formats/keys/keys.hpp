#pragma once
// Private keys and certificates found in an image, confirmed by parsing them: PEM (PKCS#8,
// encrypted PKCS#8, traditional RSA/EC/DSA with or without Proc-Type encryption) and DER keys
// with OpenSSL, PKCS#12 with OpenSSL (only the MAC is checked, never a bag decrypted), and
// OpenSSH (openssh-key-v1) and PuTTY containers with our own bounded readers. A header that
// does not parse (a man page quoting "-----BEGIN RSA PRIVATE KEY-----") is not a key.
// No function here prompts for a passphrase: a key that asks for one is "encrypted".

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.hpp"

namespace fwcert::formats::keys {

struct KeyInfo {
  std::string format;      ///< "PEM PKCS#8", "PEM traditional", "DER PKCS#8", "PKCS#12", "OpenSSH", "PuTTY"
  std::string algorithm;   ///< "RSA", "EC", "DSA", "ED25519", "ssh-rsa", ...; "" when hidden by encryption
  int bits = 0;            ///< key size; 0 when unknown
  bool encrypted = false;  ///< a passphrase is needed to use the key
  std::string protection;  ///< how it is protected ("aes256-ctr/bcrypt", "PBES2", "empty password", ...)
  std::size_t length = 0;  ///< bytes of the input the key occupies (PEM: through the END line)
  /// SHA-256 of the DER SubjectPublicKeyInfo, lower-case hex (what `openssl pkey -pubout
  /// -outform DER | sha256sum` prints): the same for every encoding of one key; "" when the key
  /// is encrypted or not read through OpenSSL (OpenSSH, PuTTY)
  std::string public_sha256;
};

/// A PEM private key block that starts at the beginning of `text` ("-----BEGIN ... PRIVATE
/// KEY-----"); nullopt when it does not parse as a key.
std::optional<KeyInfo> classify_pem_key(std::string_view text);

/// A whole DER file: PKCS#8, encrypted PKCS#8 (EncryptedPrivateKeyInfo with a known PBE) or a
/// traditional RSA/EC/DSA key. The DER must fill `der` exactly.
std::optional<KeyInfo> classify_der_key(std::string_view der);

/// A PKCS#12 file. Unencrypted means its MAC verifies with the empty (or no) password, so
/// anyone can open it; a MAC whose iteration count exceeds the limit is not tried.
std::optional<KeyInfo> classify_pkcs12(std::string_view der);

/// The binary openssh-key-v1 container (after base64 decoding of the PEM body).
std::optional<KeyInfo> classify_openssh(std::string_view blob);

/// A PuTTY key file ("PuTTY-User-Key-File-2:" or "-3:") starting at the beginning of `text`.
std::optional<KeyInfo> classify_putty(std::string_view text);

struct CertInfo {
  std::string subject;  ///< one line, RFC 2253
  std::string issuer;
  std::string sha256;  ///< fingerprint of the DER, upper-case hex bytes joined by ':'
  std::optional<CivilDate> not_before, not_after;
  bool self_signed = false;  ///< issuer equals subject and the signature verifies with its own key
  bool ca = false;           ///< basicConstraints CA:TRUE
  std::string key_algorithm;
  int key_bits = 0;
  std::size_t length = 0;  ///< bytes of the input the certificate occupies
};

/// One PEM certificate starting at the beginning of `text`, or nullopt.
std::optional<CertInfo> parse_pem_certificate(std::string_view text);

/// One DER certificate filling `der`, or nullopt.
std::optional<CertInfo> parse_der_certificate(std::string_view der);

/// Every certificate of a PEM bundle (text between blocks is ignored) or, when there is no PEM
/// block, the DER certificate the data is; at most `max` of them.
std::vector<CertInfo> parse_certificates(std::string_view data, std::size_t max);

/// Decodes the base64 body of a PEM block that starts at the beginning of `text`; the END line
/// must follow within the data. `consumed` gets the block length through the END line.
std::optional<std::string> pem_body(std::string_view text, std::size_t* consumed = nullptr);

}  // namespace fwcert::formats::keys
