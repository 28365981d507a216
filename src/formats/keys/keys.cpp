#include "formats/keys/keys.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <cstring>
#include <ctime>
#include <memory>
#include <span>

#include "core/byte_reader.hpp"
#include "core/limits.hpp"
#include "core/sha256.hpp"

namespace fwcert::formats::keys {

namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;

void free_safes(STACK_OF(PKCS7) * s) { sk_PKCS7_pop_free(s, PKCS7_free); }
void free_bags(STACK_OF(PKCS12_SAFEBAG) * s) { sk_PKCS12_SAFEBAG_pop_free(s, PKCS12_SAFEBAG_free); }

/// Leaves no error behind on this thread's OpenSSL queue whatever the parse did.
struct ErrorGuard {
  ~ErrorGuard() { ERR_clear_error(); }
};

/// Most MAC iterations tried on a PKCS#12 file (OpenSSL writes 2048; each costs one HMAC).
constexpr long kMaxPkcs12MacIterations = 200'000;

const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::string algorithm_of(const EVP_PKEY* k) {
  const char* n = EVP_PKEY_get0_type_name(k);
  return n ? std::string(n) : std::string("unknown");
}

/// SHA-256 of the key's DER SubjectPublicKeyInfo, lower-case hex; "" when it cannot be encoded.
std::string public_key_sha256(EVP_PKEY* k) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(k, &der);
  if (len <= 0) return {};
  std::string hex = sha256_hex(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  return hex;
}

/// What every unencrypted key read through OpenSSL records.
void describe_plain(EVP_PKEY* k, KeyInfo& info) {
  info.algorithm = algorithm_of(k);
  info.bits = EVP_PKEY_get_bits(k);
  info.protection = "none";
  info.public_sha256 = public_key_sha256(k);
}

/// The label of a PEM BEGIN line at the start of `text` ("RSA PRIVATE KEY"), or "".
std::string_view pem_label(std::string_view text) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  if (!text.starts_with(kBegin)) return {};
  auto end = text.find("-----", kBegin.size());
  if (end == std::string_view::npos || end - kBegin.size() > 64) return {};
  return text.substr(kBegin.size(), end - kBegin.size());
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/// Decodes base64, ignoring whitespace; nullopt on any other character or bad padding.
std::optional<std::string> base64_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size() * 3 / 4);
  std::uint32_t acc = 0;
  int n = 0, pad = 0;
  for (char c : in) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad) return std::nullopt;  // data after padding
    int v = base64_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    if (++n == 4) {
      out.push_back(static_cast<char>((acc >> 16) & 0xff));
      out.push_back(static_cast<char>((acc >> 8) & 0xff));
      out.push_back(static_cast<char>(acc & 0xff));
      acc = 0;
      n = 0;
    }
  }
  if (n == 1 || pad > 2) return std::nullopt;
  if (n == 2) out.push_back(static_cast<char>((acc >> 4) & 0xff));
  if (n == 3) {
    out.push_back(static_cast<char>((acc >> 10) & 0xff));
    out.push_back(static_cast<char>((acc >> 2) & 0xff));
  }
  return out;
}

/// Length of the PEM block at the start of `text` through the end of its END line, or 0.
std::size_t pem_block_length(std::string_view text) {
  auto end = text.find("-----END ");
  if (end == std::string_view::npos) return 0;
  auto close = text.find("-----", end + 9);
  if (close == std::string_view::npos || close - end > 80) return 0;
  std::size_t n = close + 5;
  while (n < text.size() && (text[n] == '\r' || text[n] == '\n') && n < close + 7) ++n;
  return n;
}

// ---- SSH wire format (RFC 4251) ---------------------------------------------------------------

std::optional<std::string_view> ssh_string(core::ByteReader& r) {
  auto len = r.u32();
  if (!len) return std::nullopt;
  auto b = r.bytes(*len);
  if (!b) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(b->data()), b->size());
}

int mpint_bits(std::string_view m) {
  std::size_t i = 0;
  while (i < m.size() && m[i] == 0) ++i;
  if (i == m.size()) return 0;
  auto top = static_cast<unsigned char>(m[i]);
  int bits = static_cast<int>((m.size() - i - 1) * 8);
  while (top) {
    ++bits;
    top >>= 1;
  }
  return bits;
}

/// Type and size of an SSH public key blob.
std::optional<std::pair<std::string, int>> ssh_public_key(std::string_view blob) {
  core::ByteReader r(std::as_bytes(std::span(blob.data(), blob.size())), core::Endian::kBig);
  auto type = ssh_string(r);
  if (!type || type->empty() || type->size() > 64) return std::nullopt;
  std::string t(*type);
  int bits = 0;
  if (t == "ssh-rsa") {
    auto e = ssh_string(r), n = ssh_string(r);
    if (!e || !n) return std::nullopt;
    bits = mpint_bits(*n);
  } else if (t == "ssh-dss") {
    auto p = ssh_string(r);
    if (!p) return std::nullopt;
    bits = mpint_bits(*p);
  } else if (t.find("nistp256") != std::string::npos) {
    bits = 256;
  } else if (t.find("nistp384") != std::string::npos) {
    bits = 384;
  } else if (t.find("nistp521") != std::string::npos) {
    bits = 521;
  } else if (t.find("ed25519") != std::string::npos) {
    bits = 256;
  } else if (t.find("ed448") != std::string::npos) {
    bits = 456;
  }
  return std::make_pair(t, bits);
}

}  // namespace

std::optional<std::string> pem_body(std::string_view text, std::size_t* consumed) {
  if (pem_label(text).empty()) return std::nullopt;
  std::size_t length = pem_block_length(text);
  if (length == 0) return std::nullopt;
  auto first_nl = text.find('\n');
  auto end = text.find("-----END ");
  if (first_nl == std::string_view::npos || first_nl > end) return std::nullopt;
  std::string_view body = text.substr(first_nl + 1, end - first_nl - 1);
  // RFC 1421 headers (Proc-Type, DEK-Info) end at the first blank line.
  if (body.find(':') != std::string_view::npos) {
    auto blank = body.find("\n\n");
    if (blank == std::string_view::npos) blank = body.find("\r\n\r\n");
    if (blank != std::string_view::npos) body = body.substr(blank + 2);
  }
  auto decoded = base64_decode(body);
  if (decoded && consumed) *consumed = length;
  return decoded;
}

std::optional<KeyInfo> classify_openssh(std::string_view blob) {
  constexpr std::string_view kMagic("openssh-key-v1\0", 15);
  if (!blob.starts_with(kMagic)) return std::nullopt;
  core::ByteReader r(std::as_bytes(std::span(blob.data(), blob.size())), core::Endian::kBig);
  r.skip(kMagic.size());
  auto cipher = ssh_string(r), kdf = ssh_string(r), kdf_options = ssh_string(r);
  auto count = r.u32();
  if (!cipher || !kdf || !kdf_options || !count || *count == 0 || *count > limits::kMaxOpensshKeys) return std::nullopt;
  if (cipher->size() > 64 || kdf->size() > 64) return std::nullopt;
  auto pub = ssh_string(r);
  if (!pub) return std::nullopt;
  auto key = ssh_public_key(*pub);
  if (!key) return std::nullopt;
  for (std::uint32_t i = 1; i < *count; ++i) {
    if (!ssh_string(r)) return std::nullopt;
  }
  auto priv = ssh_string(r);
  if (!priv) return std::nullopt;
  KeyInfo k;
  k.format = "OpenSSH";
  k.algorithm = key->first;
  k.bits = key->second;
  k.encrypted = *cipher != "none";
  if (k.encrypted) {
    k.protection = fmt::format("{}/{}", *cipher, *kdf);
  } else {
    // Unencrypted: the private section starts with two equal check integers.
    core::ByteReader p(std::as_bytes(std::span(priv->data(), priv->size())), core::Endian::kBig);
    auto c1 = p.u32(), c2 = p.u32();
    if (!c1 || !c2 || *c1 != *c2) return std::nullopt;
    k.protection = "none";
  }
  return k;
}

std::optional<KeyInfo> classify_putty(std::string_view text) {
  constexpr std::string_view kPrefix = "PuTTY-User-Key-File-";
  if (!text.starts_with(kPrefix) || text.size() < kPrefix.size() + 3) return std::nullopt;
  text = text.substr(0, std::min(text.size(), limits::kMaxKeyBlockBytes));
  KeyInfo k;
  k.format = fmt::format("PuTTY v{}", text[kPrefix.size()]);
  std::string encryption;
  std::size_t public_lines = 0;
  std::string public_b64;
  bool have_private = false;
  std::size_t pos = 0, lines = 0;
  while (pos < text.size() && lines++ < 4096) {
    auto nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (public_lines) {
      public_b64 += line;
      --public_lines;
      continue;
    }
    auto colon = line.find(": ");
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon), value = line.substr(colon + 2);
    if (name.starts_with(kPrefix)) {
      k.algorithm = std::string(value.substr(0, 64));
    } else if (name == "Encryption") {
      encryption = std::string(value.substr(0, 64));
    } else if (name == "Public-Lines") {
      std::size_t n = 0;
      for (char c : value) {
        if (!std::isdigit(static_cast<unsigned char>(c)) || n > 10000) return std::nullopt;
        n = n * 10 + static_cast<std::size_t>(c - '0');
      }
      public_lines = n;
    } else if (name == "Private-Lines") {
      have_private = true;
      k.length = pos;
      break;
    }
  }
  if (k.algorithm.empty() || encryption.empty() || !have_private) return std::nullopt;
  if (auto blob = base64_decode(public_b64)) {
    if (auto key = ssh_public_key(*blob)) k.bits = key->second;
  }
  k.encrypted = encryption != "none";
  k.protection = encryption;
  return k;
}

std::optional<KeyInfo> classify_pem_key(std::string_view text) {
  ErrorGuard guard;
  text = text.substr(0, std::min(text.size(), limits::kMaxKeyBlockBytes));
  std::string_view label = pem_label(text);
  if (!label.ends_with("PRIVATE KEY")) return std::nullopt;
  std::size_t length = pem_block_length(text);
  if (length == 0) return std::nullopt;
  if (label == "OPENSSH PRIVATE KEY") {
    auto body = pem_body(text);
    if (!body) return std::nullopt;
    auto k = classify_openssh(*body);
    if (k) k->length = length;
    return k;
  }
  Bio bio(BIO_new_mem_buf(text.data(), static_cast<int>(length)));
  if (!bio) return std::nullopt;
  bool asked = false;
  auto no_password = [](char*, int, int, void* u) -> int {
    *static_cast<bool*>(u) = true;
    return -1;
  };
  Pkey pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, &asked));
  KeyInfo k;
  k.length = length;
  k.format = label == "PRIVATE KEY" || label == "ENCRYPTED PRIVATE KEY" ? "PEM PKCS#8" : "PEM traditional";
  if (pkey) {
    describe_plain(pkey.get(), k);
    return k;
  }
  if (!asked) return std::nullopt;
  k.encrypted = true;
  std::string_view block = text.substr(0, length);
  if (block.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos) {
    auto dek = block.find("DEK-Info: ");
    std::string_view cipher = dek == std::string_view::npos ? "" : block.substr(dek + 10);
    cipher = cipher.substr(0, std::min(cipher.find_first_of(",\r\n"), std::size_t{32}));
    k.protection = fmt::format("Proc-Type 4,ENCRYPTED {}", cipher);
    if (auto space = label.find(' '); space != std::string_view::npos) k.algorithm = label.substr(0, space);
  } else {
    k.protection = "PKCS#8 EncryptedPrivateKeyInfo";
  }
  return k;
}

std::optional<KeyInfo> classify_der_key(std::string_view der) {
  ErrorGuard guard;
  if (der.empty() || der.size() > limits::kMaxKeyBlockBytes) return std::nullopt;
  const long len = static_cast<long>(der.size());
  const unsigned char* end = bytes_of(der) + der.size();
  KeyInfo k;
  k.length = der.size();
  {
    const unsigned char* p = bytes_of(der);
    std::unique_ptr<PKCS8_PRIV_KEY_INFO, Deleter<PKCS8_PRIV_KEY_INFO_free>> p8(
        d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, len));
    if (p8 && p == end) {
      Pkey pkey(EVP_PKCS82PKEY(p8.get()));
      if (pkey) {
        k.format = "DER PKCS#8";
        describe_plain(pkey.get(), k);
        return k;
      }
    }
  }
  {
    const unsigned char* p = bytes_of(der);
    std::unique_ptr<X509_SIG, Deleter<X509_SIG_free>> sig(d2i_X509_SIG(nullptr, &p, len));
    if (sig && p == end) {
      const X509_ALGOR* alg = nullptr;
      const ASN1_OCTET_STRING* data = nullptr;
      X509_SIG_get0(sig.get(), &alg, &data);
      const ASN1_OBJECT* obj = nullptr;
      X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
      int nid = obj ? OBJ_obj2nid(obj) : NID_undef;
      if (nid != NID_undef && EVP_PBE_find(EVP_PBE_TYPE_OUTER, nid, nullptr, nullptr, nullptr)) {
        k.format = "DER PKCS#8";
        k.encrypted = true;
        k.protection = fmt::format("EncryptedPrivateKeyInfo {}", OBJ_nid2sn(nid));
        return k;
      }
    }
  }
  {
    const unsigned char* p = bytes_of(der);
    Pkey pkey(d2i_AutoPrivateKey(nullptr, &p, len));
    if (pkey && p == end) {
      k.format = "DER traditional";
      describe_plain(pkey.get(), k);
      return k;
    }
  }
  return std::nullopt;
}

std::optional<KeyInfo> classify_pkcs12(std::string_view der) {
  ErrorGuard guard;
  if (der.empty() || der.size() > limits::kMaxKeyBlockBytes) return std::nullopt;
  const unsigned char* p = bytes_of(der);
  std::unique_ptr<PKCS12, Deleter<PKCS12_free>> p12(d2i_PKCS12(nullptr, &p, static_cast<long>(der.size())));
  if (!p12 || p != bytes_of(der) + der.size()) return std::nullopt;

  // Key bags sit in the unencrypted data safes (a shrouded bag is itself encrypted); they can be
  // listed without the password. A PKCS#12 with certificates only is not a key.
  bool plain_key = false, shrouded_key = false;
  std::unique_ptr<STACK_OF(PKCS7), Deleter<free_safes>> safes(PKCS12_unpack_authsafes(p12.get()));
  if (!safes) return std::nullopt;
  for (int i = 0; i < sk_PKCS7_num(safes.get()) && i < 64; ++i) {
    PKCS7* safe = sk_PKCS7_value(safes.get(), i);
    if (OBJ_obj2nid(safe->type) != NID_pkcs7_data) continue;
    std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), Deleter<free_bags>> bags(PKCS12_unpack_p7data(safe));
    if (!bags) continue;
    for (int j = 0; j < sk_PKCS12_SAFEBAG_num(bags.get()) && j < 256; ++j) {
      int nid = PKCS12_SAFEBAG_get_nid(sk_PKCS12_SAFEBAG_value(bags.get(), j));
      plain_key |= nid == NID_keyBag;
      shrouded_key |= nid == NID_pkcs8ShroudedKeyBag;
    }
  }
  if (!plain_key && !shrouded_key) return std::nullopt;

  KeyInfo k;
  k.format = "PKCS#12";
  k.length = der.size();
  if (plain_key) {
    k.protection = "unshrouded key bag";
    return k;
  }
  if (!PKCS12_mac_present(p12.get())) {
    k.encrypted = true;
    k.protection = "shrouded key bag, no MAC (password not tried)";
    return k;
  }
  const ASN1_INTEGER* iter = nullptr;
  PKCS12_get0_mac(nullptr, nullptr, nullptr, &iter, p12.get());
  long iterations = iter ? ASN1_INTEGER_get(iter) : 1;
  if (iterations < 0 || iterations > kMaxPkcs12MacIterations) {
    k.encrypted = true;
    k.protection = fmt::format("MAC with {} iterations (above the limit, not tried)", iterations);
    return k;
  }
  if (PKCS12_verify_mac(p12.get(), "", 0) || PKCS12_verify_mac(p12.get(), nullptr, 0)) {
    k.protection = "empty password";
    return k;
  }
  k.encrypted = true;
  k.protection = "password";
  return k;
}

namespace {

std::string name_text(const X509_NAME* n) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), n, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(std::min(len, 1024L))) : std::string();
}

std::optional<CivilDate> date_of(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return CivilDate{tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1), static_cast<unsigned>(tm.tm_mday)};
}

CertInfo describe(X509* x, std::size_t length) {
  CertInfo c;
  c.length = length;
  c.subject = name_text(X509_get_subject_name(x));
  c.issuer = name_text(X509_get_issuer_name(x));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(x, EVP_sha256(), md, &n)) {
    for (unsigned i = 0; i < n; ++i) c.sha256 += fmt::format("{}{:02X}", i ? ":" : "", md[i]);
  }
  c.not_before = date_of(X509_get0_notBefore(x));
  c.not_after = date_of(X509_get0_notAfter(x));
  c.self_signed = X509_self_signed(x, 1) == 1;
  c.ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
  if (EVP_PKEY* k = X509_get0_pubkey(x)) {
    c.key_algorithm = algorithm_of(k);
    c.key_bits = EVP_PKEY_get_bits(k);
  }
  return c;
}

}  // namespace

std::optional<CertInfo> parse_der_certificate(std::string_view der) {
  ErrorGuard guard;
  if (der.empty() || der.size() > limits::kMaxKeyBlockBytes) return std::nullopt;
  const unsigned char* p = bytes_of(der);
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) {
    p = bytes_of(der);
    x.reset(d2i_X509_AUX(nullptr, &p, static_cast<long>(der.size())));
  }
  if (!x) return std::nullopt;
  return describe(x.get(), static_cast<std::size_t>(p - bytes_of(der)));
}

std::optional<CertInfo> parse_pem_certificate(std::string_view text) {
  text = text.substr(0, std::min(text.size(), limits::kMaxKeyBlockBytes));
  std::string_view label = pem_label(text);
  if (label != "CERTIFICATE" && label != "TRUSTED CERTIFICATE" && label != "X509 CERTIFICATE") return std::nullopt;
  std::size_t consumed = 0;
  auto der = pem_body(text, &consumed);
  if (!der) return std::nullopt;
  auto c = parse_der_certificate(*der);
  if (c) c->length = consumed;
  return c;
}

std::vector<CertInfo> parse_certificates(std::string_view data, std::size_t max) {
  std::vector<CertInfo> out;
  std::size_t pos = data.find("-----BEGIN ");
  if (pos == std::string_view::npos) {
    if (auto c = parse_der_certificate(data)) out.push_back(std::move(*c));
    return out;
  }
  while (pos != std::string_view::npos && out.size() < max) {
    auto c = parse_pem_certificate(data.substr(pos));
    std::size_t next_from = pos + 11;
    if (c) {
      next_from = pos + c->length;
      out.push_back(std::move(*c));
    }
    pos = data.find("-----BEGIN ", next_from);
  }
  return out;
}

}  // namespace fwcert::formats::keys
