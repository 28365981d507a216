#pragma once
// Parsers for the account databases (/etc/passwd, /etc/shadow, /etc/group) and a classifier
// for the password field. They read untrusted bytes: every record keeps its 1-based line
// number, damaged lines become diagnostics, and the work is bounded by limits.hpp.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fwcert::formats::accounts {

/// A line that could not be used, and why.
struct LineDiagnostic {
  std::size_t line = 0;  ///< 1-based; 0 when the problem is about the whole file
  std::string message;
};

/// Records of one file in file order, and what was skipped.
template <typename Record>
struct Parsed {
  std::vector<Record> records;
  std::vector<LineDiagnostic> diagnostics;
  std::size_t nis_lines = 0;  ///< NIS compat lines ("+", "-name", "+@netgroup"), skipped
  bool truncated = false;     ///< a size or line limit stopped the parse early
};

/// One /etc/passwd record: name:password:uid:gid:gecos:home:shell.
struct PasswdEntry {
  std::size_t line = 0;
  std::string name;
  std::string password;  ///< field 2 exactly as stored ("x" means: see /etc/shadow)
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::string gecos;
  std::string home;
  std::string shell;  ///< "" means /bin/sh to login(1)
};

/// One /etc/shadow record; only the fields the checks use are kept.
struct ShadowEntry {
  std::size_t line = 0;
  std::string name;
  std::string password;  ///< field 2 exactly as stored
};

/// One /etc/group record: name:password:gid:member,member.
struct GroupEntry {
  std::size_t line = 0;
  std::string name;
  std::uint32_t gid = 0;
  std::vector<std::string> members;
};

/// Parses /etc/passwd. Lines need exactly seven fields and numeric uid/gid.
Parsed<PasswdEntry> parse_passwd(std::string_view text);
/// Parses /etc/shadow. Lines need a name and a password field (at most nine fields).
Parsed<ShadowEntry> parse_shadow(std::string_view text);
/// Parses /etc/group. Lines need exactly four fields and a numeric gid.
Parsed<GroupEntry> parse_group(std::string_view text);

/// What a password field allows.
enum class PasswordState : std::uint8_t {
  kEmpty,      ///< no password: login without one
  kLocked,     ///< a lock marker ("!", "*", "!!", "*LK*") or "!" before a hash
  kSeeShadow,  ///< "x" in /etc/passwd: the password is in /etc/shadow
  kHash,       ///< a crypt(3) hash that some password matches
  kInvalid,    ///< not a crypt(3) string, so no password can match it
};
const char* to_string(PasswordState s);

enum class HashScheme : std::uint8_t {
  kNone,
  kDes,           ///< traditional DES, 13 characters
  kBsdi,          ///< BSDi extended DES, "_" + 19 characters
  kMd5,           ///< $1$
  kSunMd5,        ///< $md5$ / $md5,rounds=N$
  kNtHash,        ///< $3$ (unsalted MD4)
  kSha1,          ///< $sha1$ (NetBSD)
  kBcrypt,        ///< $2a$ $2b$ $2x$ $2y$
  kSha256,        ///< $5$
  kSha512,        ///< $6$
  kYescrypt,      ///< $y$
  kGostYescrypt,  ///< $gy$
  kScrypt,        ///< $7$
  kArgon2,        ///< $argon2i$ $argon2d$ $argon2id$
  kUnknown,       ///< some other $id$
};

/// Where a password field was read; "x" means "see shadow" only in /etc/passwd.
enum class FieldSource : std::uint8_t { kPasswd, kShadow };

/// The classification of one password field. Holds no hash text except `hash`, a view into
/// the classified field, which callers must never put into a report.
struct PasswordInfo {
  PasswordState state = PasswordState::kInvalid;
  HashScheme scheme = HashScheme::kNone;  ///< also set for a locked field that wraps a hash
  std::string_view hash;                  ///< the crypt string (after any "!" lock prefix)
  std::string variant;                    ///< bcrypt "2a"/"2b"/..., argon2 "argon2id", unknown id
  std::uint32_t bcrypt_cost = 0;
  std::uint64_t rounds = 0;        ///< sha-crypt, BSDi, SunMD5, sha1-crypt iteration count
  std::uint64_t memory_bytes = 0;  ///< yescrypt and scrypt working memory
  bool parameters_known = true;    ///< false when the cost parameters could not be decoded
};

/// Classifies a password field from its syntax alone.
PasswordInfo classify_password(std::string_view field, FieldSource source);

/// The scheme for reports, never the hash: "md5-crypt ($1$)", "bcrypt ($2a$, cost 8)".
std::string scheme_label(const PasswordInfo& info);

enum class HashStrength : std::uint8_t { kWeak, kFair, kStrong };

/// Judges a scheme against ETSI EN 303 645 5.1-3 as REQUIREMENTS c.11 reads it: DES, BSDi, MD5,
/// SunMD5 and NT are weak; bcrypt $2a$/$2x$, cost below 10, sha1-crypt and unknown schemes are
/// fair; sha-crypt, yescrypt, scrypt, bcrypt $2b$/$2y$ cost >= 10 and argon2 are strong.
HashStrength hash_strength(const PasswordInfo& info);

/// Estimated microseconds for one crypt(3) of this hash on a current x86 core, from its cost
/// parameters; nullopt when it cannot be bounded (unknown scheme or parameters, or more
/// working memory than kMaxHashMemoryBytes) or libxcrypt cannot compute it (argon2).
std::optional<std::uint64_t> crypt_cost_micros(const PasswordInfo& info);

/// Most working memory one trial crypt may need (yescrypt/scrypt N and r come from the image).
inline constexpr std::uint64_t kMaxHashMemoryBytes = 128ull << 20;

/// True when login(1) would give the account a shell: anything but nologin, false, true,
/// sync, shutdown and halt. An empty field means /bin/sh and is a shell.
bool is_login_shell(std::string_view shell);

}  // namespace fwcert::formats::accounts
