// Fuzz target for the key and certificate classifier (PEM, DER PKCS#8, PKCS#12, OpenSSH,
// PuTTY, X.509) and the content pass's matcher over the same bytes. Whatever is reported must
// lie inside the input.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/limits.hpp"
#include "evidence/content.hpp"
#include "formats/keys/keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace keys = fwcert::formats::keys;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto check = [&](const std::optional<keys::KeyInfo>& k) {
    if (k && (k->length > size || k->bits < 0 || k->format.empty())) std::abort();
  };
  check(keys::classify_pem_key(in));
  check(keys::classify_der_key(in));
  check(keys::classify_pkcs12(in));
  check(keys::classify_openssh(in));
  check(keys::classify_putty(in));
  for (const auto& c : keys::parse_certificates(in, 8)) {
    if (c.length > size || c.key_bits < 0) std::abort();
  }
  std::size_t consumed = 0;
  if (auto body = keys::pem_body(in, &consumed)) {
    if (consumed > size || body->size() > size) std::abort();
    check(keys::classify_openssh(*body));
    check(keys::classify_der_key(*body));
  }
  static const auto matcher = fwcert::evidence::content::Matcher::compile();
  if (matcher.ok() && size <= fwcert::limits::kMaxKeyBlockBytes) {
    for (const auto& m : matcher.value()->scan(in)) {
      if (m.start > m.end || m.end > size || m.line == 0) std::abort();
    }
  }
  return 0;
}
