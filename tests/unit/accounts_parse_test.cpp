// Parsers for passwd/shadow/group and the password-field classifier (REQUIREMENTS c.7, c.11).

#include <gtest/gtest.h>

#include <string>

#include "core/limits.hpp"
#include "formats/accounts/accounts.hpp"

namespace fwcert::formats::accounts {
namespace {

TEST(AccountsParsePasswd, KeepsLineNumbersAndSkipsCommentsBlankNisAndCrlf) {
  const std::string text =
      "# comment\r\n"                               // 1
      "root:x:0:0:root:/root:/bin/sh\r\n"           // 2
      "\n"                                          // 3
      "   \t\n"                                     // 4
      "  # indented comment\n"                      // 5
      "+::::::\n"                                   // 6 NIS
      "-baduser:::::::\n"                           // 7 NIS
      "daemon:*:1:1:daemon:/usr/sbin:/bin/false\n"  // 8
      "guest::1002:100:Guest,,,:/home/guest:";      // 9, no final newline, empty shell
  auto p = parse_passwd(text);
  ASSERT_EQ(p.records.size(), 3u);
  EXPECT_TRUE(p.diagnostics.empty());
  EXPECT_EQ(p.nis_lines, 2u);
  EXPECT_FALSE(p.truncated);

  EXPECT_EQ(p.records[0].line, 2u);
  EXPECT_EQ(p.records[0].name, "root");
  EXPECT_EQ(p.records[0].password, "x");
  EXPECT_EQ(p.records[0].shell, "/bin/sh");  // CR stripped

  EXPECT_EQ(p.records[1].line, 8u);
  EXPECT_EQ(p.records[1].uid, 1u);
  EXPECT_EQ(p.records[1].home, "/usr/sbin");

  EXPECT_EQ(p.records[2].line, 9u);
  EXPECT_EQ(p.records[2].uid, 1002u);
  EXPECT_EQ(p.records[2].gid, 100u);
  EXPECT_EQ(p.records[2].gecos, "Guest,,,");
  EXPECT_EQ(p.records[2].password, "");
  EXPECT_EQ(p.records[2].shell, "");
}

struct BadLine {
  const char* line;
  const char* message_part;
};

class AccountsParsePasswdMalformed : public ::testing::TestWithParam<BadLine> {};

TEST_P(AccountsParsePasswdMalformed, BecomesADiagnosticAndTheNextLineStillParses) {
  std::string text =
      std::string("root:x:0:0::/root:/bin/sh\n") + GetParam().line + "\nuser:x:1000:1000::/home/user:/bin/sh\n";
  auto p = parse_passwd(text);
  ASSERT_EQ(p.records.size(), 2u);
  EXPECT_EQ(p.records[1].name, "user");
  EXPECT_EQ(p.records[1].line, 3u);
  ASSERT_EQ(p.diagnostics.size(), 1u);
  EXPECT_EQ(p.diagnostics[0].line, 2u);
  EXPECT_NE(p.diagnostics[0].message.find(GetParam().message_part), std::string::npos) << p.diagnostics[0].message;
}

INSTANTIATE_TEST_SUITE_P(
    AccountsLines, AccountsParsePasswdMalformed,
    ::testing::Values(BadLine{"this line is not an account", "found 1"}, BadLine{"a:x:1:1::/", "found 6"},
                      BadLine{"a:x:1:1::/:/bin/sh:extra", "found 8"}, BadLine{":x:1:1::/:/bin/sh", "empty user name"},
                      BadLine{"a:x:one:1::/:/bin/sh", "uid"}, BadLine{"a:x:-1:1::/:/bin/sh", "uid"},
                      BadLine{"a:x:4294967296:1::/:/bin/sh", "uid"}, BadLine{"a:x:1::::/bin/sh", "gid"}));

TEST(AccountsParsePasswd, LargestUidIsAccepted) {
  auto p = parse_passwd("nobody:x:4294967295:4294967294::/:/sbin/nologin\n");
  ASSERT_EQ(p.records.size(), 1u);
  EXPECT_EQ(p.records[0].uid, 4294967295u);
  EXPECT_EQ(p.records[0].gid, 4294967294u);
}

TEST(AccountsParsePasswd, StopsAtTheLineLimitAndSaysSo) {
  std::string text;
  text.reserve((limits::kMaxConfigLines + 2) * 2 + 64);
  for (std::size_t i = 0; i < limits::kMaxConfigLines; ++i) text += "#\n";
  text += "late:x:1:1::/:/bin/sh\n";
  auto p = parse_passwd(text);
  EXPECT_TRUE(p.truncated);
  EXPECT_TRUE(p.records.empty());
  ASSERT_EQ(p.diagnostics.size(), 1u);
  EXPECT_NE(p.diagnostics[0].message.find("lines"), std::string::npos);
}

TEST(AccountsParsePasswd, ReadsOnlyTheFirstMaxConfigFileBytes) {
  std::string text = "root:x:0:0::/root:/bin/sh\n";
  text.append(limits::kMaxConfigFileBytes, '#');
  text += "\nlate:x:1:1::/:/bin/sh\n";
  auto p = parse_passwd(text);
  EXPECT_TRUE(p.truncated);
  ASSERT_EQ(p.records.size(), 1u);
  EXPECT_EQ(p.records[0].name, "root");
}

TEST(AccountsParseShadow, AcceptsShortAndFullLinesRejectsOthers) {
  auto p = parse_shadow(
      "root:$6$salt$hash:19000:0:99999:7:::\n"  // 1: 9 fields
      "short:!\n"                               // 2: 2 fields (BusyBox writes these)
      "lonely\n"                                // 3: 1 field
      "a:b:c:d:e:f:g:h:i:j\n"                   // 4: 10 fields
      ":x:1\n");                                // 5: no name
  ASSERT_EQ(p.records.size(), 2u);
  EXPECT_EQ(p.records[0].name, "root");
  EXPECT_EQ(p.records[0].password, "$6$salt$hash");
  EXPECT_EQ(p.records[0].line, 1u);
  EXPECT_EQ(p.records[1].name, "short");
  EXPECT_EQ(p.records[1].password, "!");
  ASSERT_EQ(p.diagnostics.size(), 3u);
  EXPECT_EQ(p.diagnostics[0].line, 3u);
  EXPECT_EQ(p.diagnostics[1].line, 4u);
  EXPECT_EQ(p.diagnostics[2].line, 5u);
}

TEST(AccountsParseGroup, SplitsMembersAndRejectsBadGid) {
  auto p = parse_group(
      "root:x:0:\n"
      "wheel:x:10:alice,bob,,carol\n"
      "bad:x:ten:alice\n"
      "nomembers:x:11\n");
  ASSERT_EQ(p.records.size(), 2u);
  EXPECT_TRUE(p.records[0].members.empty());
  EXPECT_EQ(p.records[1].gid, 10u);
  EXPECT_EQ(p.records[1].members, (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(p.records[1].line, 2u);
  ASSERT_EQ(p.diagnostics.size(), 2u);
  EXPECT_EQ(p.diagnostics[0].line, 3u);
  EXPECT_EQ(p.diagnostics[1].line, 4u);
}

struct FieldCase {
  const char* field;
  FieldSource source;
  PasswordState state;
  HashScheme scheme;
  const char* label;
  HashStrength strength;
};

class AccountsClassify : public ::testing::TestWithParam<FieldCase> {};

TEST_P(AccountsClassify, StateSchemeLabelAndStrength) {
  const auto& c = GetParam();
  auto info = classify_password(c.field, c.source);
  EXPECT_EQ(info.state, c.state) << c.field;
  EXPECT_EQ(info.scheme, c.scheme) << c.field;
  EXPECT_EQ(scheme_label(info), c.label) << c.field;
  if (c.scheme != HashScheme::kNone) {
    EXPECT_EQ(hash_strength(info), c.strength) << c.field;
  }
  // Whatever hash text there is stays in `hash`; the label never carries it.
  if (info.state == PasswordState::kHash) {
    EXPECT_FALSE(info.hash.empty());
    std::string_view f(c.field);
    EXPECT_EQ(std::string(scheme_label(info)).find(f.substr(f.rfind('$') + 1)), std::string::npos);
  }
}

constexpr auto P = FieldSource::kPasswd;
constexpr auto S = FieldSource::kShadow;
using St = PasswordState;
using Sc = HashScheme;
using Hs = HashStrength;

INSTANTIATE_TEST_SUITE_P(
    AccountsFields, AccountsClassify,
    ::testing::Values(
        FieldCase{"", S, St::kEmpty, Sc::kNone, "none", Hs::kWeak},
        FieldCase{"", P, St::kEmpty, Sc::kNone, "none", Hs::kWeak},
        FieldCase{"x", P, St::kSeeShadow, Sc::kNone, "none", Hs::kWeak},
        FieldCase{"x", S, St::kInvalid, Sc::kNone, "none", Hs::kWeak},
        FieldCase{"!", S, St::kLocked, Sc::kNone, "none", Hs::kWeak},
        FieldCase{"!!", S, St::kLocked, Sc::kNone, "none", Hs::kWeak},
        FieldCase{"*", S, St::kLocked, Sc::kNone, "none", Hs::kWeak},
        FieldCase{"*LK*", S, St::kLocked, Sc::kNone, "none", Hs::kWeak},
        FieldCase{"!*", S, St::kLocked, Sc::kNone, "none", Hs::kWeak},
        FieldCase{"*LK*$6$abc$def", S, St::kLocked, Sc::kNone, "none", Hs::kWeak},
        FieldCase{"!$1$o61qMOTv$2pUYsLUdH6JZ/BQszpjt3.", S, St::kLocked, Sc::kMd5, "md5-crypt ($1$)", Hs::kWeak},
        FieldCase{"!!$6$abcdefgh$xyz", S, St::kLocked, Sc::kSha512, "sha512-crypt ($6$)", Hs::kStrong},
        FieldCase{"NpnBmW22TBZNU", S, St::kHash, Sc::kDes, "des-crypt", Hs::kWeak},
        FieldCase{"NpnBmW22TBZN", S, St::kInvalid, Sc::kNone, "none", Hs::kWeak},   // 12 chars
        FieldCase{"NpnBmW22TBZN!", S, St::kInvalid, Sc::kNone, "none", Hs::kWeak},  // not base-64
        FieldCase{"LOCKED", S, St::kInvalid, Sc::kNone, "none", Hs::kWeak},
        FieldCase{"_J9..kJoHGMpYP3WWj7I", S, St::kHash, Sc::kBsdi, "bsdi-crypt (_)", Hs::kWeak},
        FieldCase{"$1$o61qMOTv$2pUYsLUdH6JZ/BQszpjt3.", S, St::kHash, Sc::kMd5, "md5-crypt ($1$)", Hs::kWeak},
        FieldCase{"$md5,rounds=71762$QRzu52R8$$qOC3xFFJ2H7PUN0WS0pDg0", S, St::kHash, Sc::kSunMd5,
                  "sun-md5-crypt ($md5$)", Hs::kWeak},
        FieldCase{"$3$$209c6174da490caeb422f3fa5a7ae634", S, St::kHash, Sc::kNtHash, "nt-hash ($3$)", Hs::kWeak},
        FieldCase{"$2a$05$Xz9FMJQ6mLjLWxJN0tA22OpsUQYYvOokxMQmwSotl83jEhcP2ZDNe", S, St::kHash, Sc::kBcrypt,
                  "bcrypt ($2a$, cost 5)", Hs::kFair},
        FieldCase{"$2a$12$Xz9FMJQ6mLjLWxJN0tA22OpsUQYYvOokxMQmwSotl83jEhcP2ZDNe", S, St::kHash, Sc::kBcrypt,
                  "bcrypt ($2a$, cost 12)", Hs::kFair},
        FieldCase{"$2b$05$ipeSdu5EJ7KARuoaO/wGz.aWwZ7BxuWMF1/8z.EffT4VwZ.ApwySG", S, St::kHash, Sc::kBcrypt,
                  "bcrypt ($2b$, cost 5)", Hs::kFair},
        FieldCase{"$2b$10$C39he7mZOVmdwDrxsmE8L.A01oGqFLrMGINgrTJeHY1u3mCDR64XW", S, St::kHash, Sc::kBcrypt,
                  "bcrypt ($2b$, cost 10)", Hs::kStrong},
        FieldCase{"$2y$11$C39he7mZOVmdwDrxsmE8L.A01oGqFLrMGINgrTJeHY1u3mCDR64XW", S, St::kHash, Sc::kBcrypt,
                  "bcrypt ($2y$, cost 11)", Hs::kStrong},
        FieldCase{"$5$29uPn9w7kp6a68Z9$xGvDmob6eYwvqMwg5yC0jHdcBnvry5fxrLbUMqNCMW0", S, St::kHash, Sc::kSha256,
                  "sha256-crypt ($5$)", Hs::kStrong},
        FieldCase{"$6$rounds=10000$IwQYLYuvQTweIflM$tlkkUasYCqIAdCkqtuhC2UVK", S, St::kHash, Sc::kSha512,
                  "sha512-crypt ($6$)", Hs::kStrong},
        FieldCase{"$y$j9T$LVrSYi3kZot758sO9LE4.0$Mcjp7OJtTVL427lpQixX9bxRzfKZ6calK/T/ojIJRm3", S, St::kHash,
                  Sc::kYescrypt, "yescrypt ($y$)", Hs::kStrong},
        FieldCase{"$gy$j9T$G8lpLb99mIrp0AJXdRENu.$ZilXLGPiNCnG0lI79Cmf6hpjdNVNR2fPoPVuzOcYF67", S, St::kHash,
                  Sc::kGostYescrypt, "gost-yescrypt ($gy$)", Hs::kStrong},
        FieldCase{"$7$CU..../....7DcS0IaNz3cYG1kjGwOwS/$yAXQElYyphw9.bwGEElqN9IvLzljcp5EL2MrfdFGte0", S, St::kHash,
                  Sc::kScrypt, "scrypt ($7$)", Hs::kStrong},
        FieldCase{"$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g", S, St::kHash, Sc::kArgon2,
                  "argon2id ($argon2id$)", Hs::kStrong},
        FieldCase{"$sha1$40000$jtNX3nZ2$hBNaIXkt4wBI2o5rsi8KejSjNqIq", S, St::kHash, Sc::kSha1, "sha1-crypt ($sha1$)",
                  Hs::kFair},
        FieldCase{"$zz$salt$hash", S, St::kHash, Sc::kUnknown, "unrecognised scheme ($zz$)", Hs::kFair},
        FieldCase{"$6", S, St::kInvalid, Sc::kNone, "none", Hs::kWeak},
        FieldCase{"$6$with space$x", S, St::kInvalid, Sc::kNone, "none", Hs::kWeak}));

TEST(AccountsClassify, DecodesCostParameters) {
  auto bc = classify_password("$2b$12$C39he7mZOVmdwDrxsmE8L.A01oGqFLrMGINgrTJeHY1u3mCDR64XW", S);
  EXPECT_EQ(bc.bcrypt_cost, 12u);
  EXPECT_EQ(bc.variant, "2b");

  EXPECT_EQ(classify_password("$6$salt$h", S).rounds, 5000u);            // the documented default
  EXPECT_EQ(classify_password("$5$rounds=10$salt$h", S).rounds, 1000u);  // clamped like libxcrypt
  EXPECT_EQ(classify_password("$6$rounds=77777$salt$h", S).rounds, 77777u);

  // yescrypt "j9T" is libxcrypt's default: N = 4096, r = 32, 16 MiB.
  EXPECT_EQ(classify_password("$y$j9T$salt$h", S).memory_bytes, 16ull << 20);
  // scrypt "$7$C" N = 2^14, r = 32 ("U...."), p = 1 ("/....").
  auto sc = classify_password("$7$CU..../....saltsalt$h", S);
  EXPECT_EQ(sc.memory_bytes, 64ull << 20);
  EXPECT_EQ(sc.rounds, 1u);
  // BSDi count "J9.." is 725 iterations.
  EXPECT_EQ(classify_password("_J9..kJoHGMpYP3WWj7I", S).rounds, 725u);
}

TEST(AccountsCryptCost, HostileParametersCannotBuyUnboundedWork) {
  // 999,999,999 rounds of SHA-512 take minutes per candidate: far over any per-hash budget.
  auto sha = crypt_cost_micros(classify_password("$6$rounds=999999999$salt$h", S));
  ASSERT_TRUE(sha.has_value());
  EXPECT_GT(*sha, 100'000'000u);
  // yescrypt and scrypt over the memory ceiling are not tried at all.
  EXPECT_FALSE(crypt_cost_micros(classify_password("$y$jJT$salt$h", S)).has_value());
  EXPECT_FALSE(crypt_cost_micros(classify_password("$7$IU..../....salt$h", S)).has_value());
  // Undecodable parameters and schemes libxcrypt lacks cannot be bounded either.
  EXPECT_FALSE(crypt_cost_micros(classify_password("$y$j9T0123$salt$h", S)).has_value());
  EXPECT_FALSE(crypt_cost_micros(classify_password("$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", S)).has_value());
  EXPECT_FALSE(crypt_cost_micros(classify_password("$2b$xx$salt", S)).has_value());
  // Ordinary hashes are cheap enough to try the whole list.
  auto md5 = crypt_cost_micros(classify_password("$1$o61qMOTv$2pUYsLUdH6JZ/BQszpjt3.", S));
  ASSERT_TRUE(md5.has_value());
  EXPECT_LT(*md5, 1000u);
  auto y = crypt_cost_micros(classify_password("$y$j9T$salt$h", S));
  ASSERT_TRUE(y.has_value());
  EXPECT_LT(*y * 128, 4'000'000u);
  // Locked hashes are never tried.
  EXPECT_FALSE(crypt_cost_micros(classify_password("!$1$o61qMOTv$2pUYsLUdH6JZ/BQszpjt3.", S)).has_value());
}

struct ShellCase {
  const char* shell;
  bool login;
};

class AccountsLoginShell : public ::testing::TestWithParam<ShellCase> {};

TEST_P(AccountsLoginShell, Decides) {
  EXPECT_EQ(is_login_shell(GetParam().shell), GetParam().login) << GetParam().shell;
}

INSTANTIATE_TEST_SUITE_P(AccountsShells, AccountsLoginShell,
                         ::testing::Values(ShellCase{"", true}, ShellCase{"/bin/sh", true},
                                           ShellCase{"/bin/bash", true}, ShellCase{"/bin/ash", true},
                                           ShellCase{"/usr/bin/zsh", true}, ShellCase{"/sbin/nologin", false},
                                           ShellCase{"/usr/sbin/nologin", false}, ShellCase{"/bin/false", false},
                                           ShellCase{"/bin/true", false}, ShellCase{"/bin/sync", false},
                                           ShellCase{"/sbin/shutdown", false}, ShellCase{"/sbin/halt", false},
                                           ShellCase{"nologin", false}));

}  // namespace
}  // namespace fwcert::formats::accounts
