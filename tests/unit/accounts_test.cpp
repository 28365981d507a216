// The accounts analyzer over in-memory filesystems whose password hashes are made at test
// time with the real tools (openssl passwd, mkpasswd), as a firmware build would make them.

#include "analyzers/accounts/accounts.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "inventory/inventory.hpp"
#include "support/analyzer_run.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::accounts {
namespace {

using vfs::MemoryVfs;

/// A crypt(3) hash of `password` made by a real tool; the test fails if the tool does.
std::string make_hash(const std::string& tool_args, const std::string& password) {
  auto r = test::run(tool_args + " " + test::shell_quote(password));
  EXPECT_EQ(r.exit_code, 0) << tool_args << ": " << r.output;
  std::string h = r.output;
  while (!h.empty() && (h.back() == '\n' || h.back() == '\r')) h.pop_back();
  EXPECT_FALSE(h.empty()) << tool_args;
  EXPECT_EQ(h.find('\n'), std::string::npos) << tool_args << ": " << h;
  return h;
}

std::string random_password() {
  auto r = test::run("openssl rand -hex 12");
  EXPECT_EQ(r.exit_code, 0);
  std::string p = r.output.substr(0, 24);
  return "Rnd-" + p;  // not in any default list
}

bool have_tools() { return test::have_tool("openssl") && test::have_tool("mkpasswd"); }

struct Fs {
  std::string prefix;
  std::shared_ptr<MemoryVfs> vfs = std::make_shared<MemoryVfs>();
};

struct Scan {
  inventory::Inventory inv;
  ScanOptions options;
  Output out;

  std::vector<const Finding*> all(std::string_view check) const {
    std::vector<const Finding*> v;
    for (const auto& f : out.findings) {
      if (f.check == check) v.push_back(&f);
    }
    return v;
  }
  const Finding* find(std::string_view check, const std::string& subject) const {
    for (const auto& f : out.findings) {
      if (f.check == check && f.subject == subject) return &f;
    }
    return nullptr;
  }
  const Fact* fact(const std::string& subject, const std::string& name) const {
    for (const auto& f : out.facts) {
      if (f.subject == subject && f.name == name) return &f;
    }
    return nullptr;
  }
};

std::unique_ptr<Scan> scan(const std::vector<Fs>& filesystems, unsigned threads = 2,
                           const CryptBudget& budget = CryptBudget{}) {
  auto s = std::make_unique<Scan>();
  std::vector<Diagnostic> diags;
  for (const auto& fs : filesystems) {
    auto i = s->inv.add_filesystem({fs.prefix, "memory", 0, "", fs.prefix.empty() ? 0 : 1, fs.vfs});
    s->inv.walk(i, diags);
  }
  s->inv.finish();
  s->options.threads = threads;
  s->out = run(Context{s->inv, test::analyzer_options(s->options)}, budget);
  return s;
}

/// Every string the report would carry from this analyzer.
std::vector<std::string> report_strings(const Output& out) {
  std::vector<std::string> v;
  auto add_ev = [&](const Evidence& e) {
    v.push_back(e.path);
    v.push_back(e.observed);
    v.push_back(e.expected);
  };
  for (const auto& f : out.findings) {
    v.push_back(f.subject);
    v.push_back(f.message);
    for (const auto& e : f.evidence) add_ev(e);
  }
  for (const auto& f : out.facts) {
    v.push_back(f.subject);
    v.push_back(f.name);
    add_ev(f.source);
    if (auto* s = std::get_if<std::string>(&f.value)) v.push_back(*s);
    if (auto* l = std::get_if<std::vector<std::string>>(&f.value)) v.insert(v.end(), l->begin(), l->end());
  }
  for (const auto& d : out.diagnostics) {
    v.push_back(d.path);
    v.push_back(d.message);
  }
  return v;
}

/// Fails if the hash, or its digest part alone, appears in anything the analyzer reported.
void expect_no_hash_leak(const Output& out, const std::string& hash) {
  std::string digest = hash.substr(hash.rfind('$') == std::string::npos ? 0 : hash.rfind('$') + 1);
  ASSERT_GE(digest.size(), 10u) << hash;
  for (const auto& s : report_strings(out)) {
    EXPECT_EQ(s.find(hash), std::string::npos) << "hash leaked in: " << s;
    EXPECT_EQ(s.find(digest), std::string::npos) << "digest leaked in: " << s;
  }
}

class AccountsAnalyzer : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_tools()) GTEST_SKIP() << "needs openssl and mkpasswd (package whois)";
  }
};

// The main scenario: a firmware root with the classic mistakes, every hash made by a real tool.
TEST_F(AccountsAnalyzer, FindsDefaultEmptyWeakAndPrivilegeProblemsWithFileAndLine) {
  const std::string root_hash = make_hash("openssl passwd -6", "admin");            // default
  const std::string admin_hash = make_hash("openssl passwd -1", "admin");           // own name, MD5
  const std::string toor_hash = make_hash("openssl passwd -5", random_password());  // uid 0, strong
  const std::string www_hash = make_hash("openssl passwd -6", random_password());   // service w/ password
  const std::string locked_hash = make_hash("openssl passwd -6", "12345");          // default, but locked
  const std::string yes_hash = make_hash("mkpasswd -m yescrypt", random_password());
  const std::string des_hash = make_hash("mkpasswd -m descrypt", "12345");  // default, DES
  const std::string bca_hash = make_hash("mkpasswd -m bcrypt-a -R 5", random_password());
  const std::string sha256_hash = make_hash("openssl passwd -5", random_password());
  const std::string mirai_hash = make_hash("mkpasswd -m yescrypt", "xc3511");  // Mirai list, yescrypt

  Fs fs;
  ASSERT_TRUE(fs.vfs
                  ->add_file("/etc/passwd",
                             "root:x:0:0:root:/root:/bin/sh\n"                    // 1
                             "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"  // 2
                             "admin:x:1000:1000::/home/admin:/bin/sh\n"           // 3
                             "toor:x:0:0::/root:/bin/sh\n"                        // 4
                             "www-data:x:33:33:www-data:/var/www:/bin/sh\n"       // 5
                             "locked:x:1001:1001::/home/locked:/bin/sh\n"         // 6
                             "guest:x:1002:1002::/home/guest:\n"                  // 7 empty shell
                             "this line is malformed\n"                           // 8
                             "yes:x:1003:1003::/home/yes:/bin/bash\n"             // 9
                             "des:x:1004:1004::/home/des:/bin/sh\n"               // 10
                             "bca:x:1005:1005::/home/bca:/bin/sh\n"               // 11
                             "s256:x:1006:1006::/home/s256:/bin/sh\n"             // 12
                             "cam:x:1007:1007::/home/cam:/bin/sh\n")              // 13
                  .ok());
  ASSERT_TRUE(fs.vfs
                  ->add_file("/etc/shadow",
                             "daemon:*:19000:0:99999:7:::\n"          // 1
                             "# shadow lines in a different order\n"  // 2
                             "guest::19000:0:99999:7:::\n"            // 3
                             "root:" +
                                 root_hash +
                                 ":19000:0:99999:7:::\n"  // 4
                                 "admin:" +
                                 admin_hash +
                                 ":19000::::::\n"  // 5
                                 "toor:" +
                                 toor_hash +
                                 ":19000::::::\n"  // 6
                                 "www-data:" +
                                 www_hash +
                                 ":19000::::::\n"  // 7
                                 "locked:!" +
                                 locked_hash +
                                 ":19000::::::\n"  // 8
                                 "yes:" +
                                 yes_hash +
                                 ":19000::::::\n"  // 9
                                 "des:" +
                                 des_hash +
                                 ":19000::::::\n"  // 10
                                 "bca:" +
                                 bca_hash +
                                 ":19000::::::\n"  // 11
                                 "s256:" +
                                 sha256_hash +
                                 ":19000::::::\n"  // 12
                                 "cam:" +
                                 mirai_hash + ":19000::::::\n",  // 13
                             {0640, 0, 42, 0})
                  .ok());
  ASSERT_TRUE(fs.vfs->add_file("/etc/group", "root:x:0:\nwheel:x:10:admin\n").ok());
  auto s = scan({fs});
  const auto& out = s->out;

  // --- auth-default-password: root ("admin"), admin (own name), des ("12345"), cam ("xc3511").
  const Finding* f = s->find("auth-default-password", "account:root");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_NE(f->message.find("'admin', a known default password"), std::string::npos) << f->message;
  ASSERT_EQ(f->evidence.size(), 1u);
  EXPECT_EQ(f->evidence[0].path, "/etc/shadow");
  EXPECT_EQ(f->evidence[0].line, 4u);
  EXPECT_FALSE(f->severity_override);

  f = s->find("auth-default-password", "account:admin");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_NE(f->message.find("its own name 'admin'"), std::string::npos) << f->message;
  EXPECT_EQ(f->evidence[0].line, 5u);

  f = s->find("auth-default-password", "account:des");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_NE(f->message.find("'12345'"), std::string::npos) << f->message;
  EXPECT_EQ(f->evidence[0].line, 10u);

  f = s->find("auth-default-password", "account:cam");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_NE(f->message.find("'xc3511'"), std::string::npos) << f->message;

  // Random passwords and the locked account never match; no pass finding while any fails.
  for (const char* name : {"toor", "www-data", "locked", "yes", "bca", "s256", "guest", "daemon"}) {
    EXPECT_EQ(s->find("auth-default-password", std::string("account:") + name), nullptr) << name;
  }
  EXPECT_EQ(s->all("auth-default-password").size(), 4u);

  // --- auth-empty-password: guest has "" in shadow and an empty (= /bin/sh) shell.
  auto empties = s->all("auth-empty-password");
  ASSERT_EQ(empties.size(), 1u);
  EXPECT_EQ(empties[0]->subject, "account:guest");
  EXPECT_EQ(empties[0]->status, Status::kFail);
  ASSERT_EQ(empties[0]->evidence.size(), 2u);
  EXPECT_EQ(empties[0]->evidence[0].path, "/etc/shadow");
  EXPECT_EQ(empties[0]->evidence[0].line, 3u);
  EXPECT_EQ(empties[0]->evidence[1].path, "/etc/passwd");
  EXPECT_EQ(empties[0]->evidence[1].line, 7u);

  // --- auth-hash-strength: DES and MD5 fail, $2a$ cost 5 warns, the rest pass silently.
  f = s->find("auth-hash-strength", "account:des");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_EQ(f->evidence[0].observed, "des-crypt");
  EXPECT_EQ(f->evidence[0].expected, "sha512-crypt, yescrypt, bcrypt (cost >= 10) or stronger");
  EXPECT_EQ(f->evidence[0].line, 10u);
  f = s->find("auth-hash-strength", "account:admin");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_EQ(f->evidence[0].observed, "md5-crypt ($1$)");
  f = s->find("auth-hash-strength", "account:bca");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kWarn);
  EXPECT_EQ(f->evidence[0].observed, "bcrypt ($2a$, cost 5)");
  EXPECT_EQ(f->evidence[0].line, 11u);
  EXPECT_EQ(s->all("auth-hash-strength").size(), 3u);

  // --- priv-uid0-and-shells: toor is a second root; www-data is a service with shell and password.
  f = s->find("priv-uid0-and-shells", "account:toor");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_FALSE(f->severity_override);  // random password: catalog severity stands
  EXPECT_EQ(f->evidence[0].path, "/etc/passwd");
  EXPECT_EQ(f->evidence[0].line, 4u);
  f = s->find("priv-uid0-and-shells", "account:www-data");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_NE(f->message.find("usable password"), std::string::npos);
  EXPECT_EQ(f->evidence[0].line, 5u);
  ASSERT_EQ(f->evidence.size(), 2u);
  EXPECT_EQ(f->evidence[1].path, "/etc/shadow");
  EXPECT_EQ(f->evidence[1].line, 7u);
  EXPECT_EQ(s->find("priv-uid0-and-shells", "account:root"), nullptr);
  EXPECT_EQ(s->find("priv-uid0-and-shells", "account:daemon"), nullptr);  // nologin
  EXPECT_EQ(s->all("priv-uid0-and-shells").size(), 2u);

  // --- the malformed line is a diagnostic with its line number; the scan went on past it.
  ASSERT_EQ(out.diagnostics.size(), 1u);
  EXPECT_EQ(out.diagnostics[0].path, "/etc/passwd");
  EXPECT_NE(out.diagnostics[0].message.find("line 8"), std::string::npos) << out.diagnostics[0].message;

  // --- facts, with their sources.
  const Fact* uid = s->fact("account:toor", "account.uid");
  ASSERT_NE(uid, nullptr);
  EXPECT_EQ(std::get<std::int64_t>(uid->value), 0);
  EXPECT_EQ(uid->analyzer, "accounts");
  EXPECT_EQ(uid->source.line, 4u);
  const Fact* st = s->fact("account:locked", "account.password_state");
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(std::get<std::string>(st->value), "locked");
  EXPECT_EQ(st->source.path, "/etc/shadow");
  EXPECT_EQ(st->source.line, 8u);
  st = s->fact("account:guest", "account.password_state");
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(std::get<std::string>(st->value), "empty");
  const Fact* scheme = s->fact("account:yes", "account.hash_scheme");
  ASSERT_NE(scheme, nullptr);
  EXPECT_EQ(std::get<std::string>(scheme->value), "yescrypt ($y$)");
  const Fact* def = s->fact("account:root", "account.default_password");
  ASSERT_NE(def, nullptr);
  EXPECT_TRUE(std::get<bool>(def->value));
  def = s->fact("account:yes", "account.default_password");
  ASSERT_NE(def, nullptr);
  EXPECT_FALSE(std::get<bool>(def->value));
  const Fact* wheel = s->fact("group:wheel", "group.members");
  ASSERT_NE(wheel, nullptr);
  EXPECT_EQ(std::get<std::vector<std::string>>(wheel->value), std::vector<std::string>{"admin"});

  // --- no hash, nor its digest, anywhere in findings, facts or diagnostics.
  for (const auto& h : {root_hash, admin_hash, toor_hash, www_hash, locked_hash, yes_hash, des_hash, bca_hash,
                        sha256_hash, mirai_hash}) {
    expect_no_hash_leak(out, h);
  }
}

TEST_F(AccountsAnalyzer, CleanSystemPassesEveryCheck) {
  const std::string root_hash = make_hash("mkpasswd -m yescrypt", random_password());
  Fs fs;
  ASSERT_TRUE(fs.vfs
                  ->add_file("/etc/passwd",
                             "root:x:0:0:root:/root:/bin/sh\n"
                             "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                             "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                             "user:x:1000:1000::/home/user:/bin/sh\n")
                  .ok());
  ASSERT_TRUE(fs.vfs
                  ->add_file("/etc/shadow",
                             "root:" + root_hash +
                                 ":19000:0:99999:7:::\n"
                                 "daemon:*:19000:0:99999:7:::\n"
                                 "nobody:*:19000:0:99999:7:::\n"
                                 "user:!:19000:0:99999:7:::\n",
                             {0640, 0, 42, 0})
                  .ok());
  auto s = scan({fs});
  for (auto check : checks()) {
    auto found = s->all(check);
    ASSERT_EQ(found.size(), 1u) << check;
    EXPECT_EQ(found[0]->status, Status::kPass) << check << ": " << found[0]->message;
  }
  EXPECT_EQ(s->all("auth-hash-strength")[0]->evidence[0].observed, "yescrypt ($y$)");
  EXPECT_EQ(s->all("auth-default-password")[0]->subject, "/etc/shadow");
  EXPECT_TRUE(s->out.diagnostics.empty());
  expect_no_hash_leak(s->out, root_hash);
}

TEST_F(AccountsAnalyzer, HashInPasswdWithoutShadowIsUsedAndFlaggedAsWorldReadable) {
  const std::string root_hash = make_hash("openssl passwd -1", "root");  // own name, MD5
  const std::string user_hash = make_hash("openssl passwd -6", random_password());
  Fs fs;
  ASSERT_TRUE(fs.vfs
                  ->add_file("/etc/passwd",
                             "root:" + root_hash +
                                 ":0:0:root:/root:/bin/ash\n"
                                 "user:" +
                                 user_hash + ":1000:1000::/home/user:/bin/ash\n",
                             {0644, 0, 0, 0})
                  .ok());
  auto s = scan({fs});

  const Finding* f = s->find("auth-default-password", "account:root");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_EQ(f->evidence[0].path, "/etc/passwd");
  EXPECT_EQ(f->evidence[0].line, 1u);
  EXPECT_EQ(s->find("auth-default-password", "account:user"), nullptr);

  // No empty password, but both hashes sit in a world-readable passwd: warnings, no pass.
  auto empties = s->all("auth-empty-password");
  ASSERT_EQ(empties.size(), 2u);
  for (const auto* e : empties) {
    EXPECT_EQ(e->status, Status::kWarn);
    EXPECT_NE(e->message.find("world-readable"), std::string::npos);
  }
  EXPECT_EQ(s->find("auth-empty-password", "account:user")->evidence[0].line, 2u);

  f = s->find("auth-hash-strength", "account:root");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_EQ(f->evidence[0].path, "/etc/passwd");
  expect_no_hash_leak(s->out, root_hash);
  expect_no_hash_leak(s->out, user_hash);
}

TEST(AccountsAnalyzerNoTools, EmptyPasswdFieldWinsOverShadow) {
  // pam_unix and BusyBox only consult shadow when field 2 is "x": an empty field 2 means no
  // password even though shadow holds a hash.
  Fs fs;
  ASSERT_TRUE(fs.vfs->add_file("/etc/passwd", "root::0:0:root:/root:/bin/sh\n").ok());
  ASSERT_TRUE(fs.vfs->add_file("/etc/shadow", "root:*:19000:0:99999:7:::\n").ok());
  auto s = scan({fs});
  const Finding* f = s->find("auth-empty-password", "account:root");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_EQ(f->evidence[0].path, "/etc/passwd");
  EXPECT_EQ(f->evidence[0].line, 1u);
  EXPECT_NE(f->message.find("is not consulted"), std::string::npos) << f->message;
}

TEST(AccountsAnalyzerNoTools, LoginShellPolicyForServicesDuplicatesAndAdminGroups) {
  Fs fs;
  ASSERT_TRUE(fs.vfs
                  ->add_file("/etc/passwd",
                             "root:x:0:0:root:/root:/bin/sh\n"               // 1
                             "ftp:x:21:21::/srv/ftp:/bin/sh\n"               // 2 service, shell, locked
                             "sync:x:4:65534:sync:/bin:/bin/sync\n"          // 3 not a shell
                             "alice:x:1000:1000::/home/alice:/bin/sh\n"      // 4
                             "bob:x:1000:1000::/home/bob:/bin/sh\n"          // 5 duplicate uid
                             "nobody:x:65534:65534::/:\n"                    // 6 service by name, empty shell
                             "sshd:x:22:22::/run/sshd:/usr/sbin/nologin\n")  // 7
                  .ok());
  ASSERT_TRUE(fs.vfs
                  ->add_file("/etc/shadow",
                             "root:!:1::::::\nftp:*:1::::::\nsync:*:1::::::\nalice:!:1::::::\n"
                             "bob:!:1::::::\nnobody:!:1::::::\nsshd:!:1::::::\n")
                  .ok());
  ASSERT_TRUE(fs.vfs->add_file("/etc/group", "root:x:0:\nsudo:x:27:alice,sshd\n").ok());
  auto s = scan({fs});

  const Finding* f = s->find("priv-uid0-and-shells", "account:ftp");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kWarn);  // login shell, but no usable password
  EXPECT_EQ(f->evidence[0].line, 2u);
  f = s->find("priv-uid0-and-shells", "account:nobody");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kWarn);
  EXPECT_NE(f->message.find("/bin/sh"), std::string::npos) << f->message;
  f = s->find("priv-uid0-and-shells", "account:bob");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kWarn);
  EXPECT_NE(f->message.find("'alice'"), std::string::npos);
  ASSERT_EQ(f->evidence.size(), 2u);
  EXPECT_EQ(f->evidence[0].line, 5u);
  EXPECT_EQ(f->evidence[1].line, 4u);
  f = s->find("priv-uid0-and-shells", "account:sshd");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kWarn);
  EXPECT_NE(f->message.find("admin group 'sudo'"), std::string::npos);
  EXPECT_EQ(f->evidence[0].path, "/etc/group");
  EXPECT_EQ(f->evidence[0].line, 2u);
  EXPECT_EQ(s->find("priv-uid0-and-shells", "account:sync"), nullptr);
  EXPECT_EQ(s->find("priv-uid0-and-shells", "account:alice"), nullptr);
  EXPECT_EQ(s->all("priv-uid0-and-shells").size(), 4u);
  // Everything is locked: nothing to try, nothing to judge.
  EXPECT_EQ(s->all("auth-default-password")[0]->status, Status::kPass);
  EXPECT_EQ(s->all("auth-hash-strength")[0]->status, Status::kNotApplicable);
}

TEST(AccountsAnalyzerNoTools, SecondRootWithEmptyPasswordIsRaisedToCritical) {
  Fs fs;
  ASSERT_TRUE(fs.vfs->add_file("/etc/passwd", "root:x:0:0::/root:/bin/sh\ntoor::0:0::/root:/bin/sh\n").ok());
  auto s = scan({fs});
  const Finding* f = s->find("priv-uid0-and-shells", "account:toor");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, Status::kFail);
  EXPECT_TRUE(f->severity_override);
  EXPECT_EQ(f->severity, Severity::kCritical);
  EXPECT_EQ(f->evidence[0].line, 2u);
  // root has "x" and there is no shadow at all: no password can match, nothing is empty.
  EXPECT_EQ(s->find("auth-empty-password", "account:root"), nullptr);
  const Fact* st = s->fact("account:root", "account.password_state");
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(std::get<std::string>(st->value), "missing-shadow-entry");
}

TEST(AccountsAnalyzerNoTools, NoPasswdAnywhereIsInconclusiveNeverPass) {
  Fs fs;
  ASSERT_TRUE(fs.vfs->add_file("/etc/hostname", "device\n").ok());
  ASSERT_TRUE(fs.vfs->add_file("/etc/shadow", "root::1::::::\n").ok());  // shadow alone is not enough
  auto s = scan({fs});
  ASSERT_EQ(s->out.findings.size(), 4u);
  for (auto check : checks()) {
    auto found = s->all(check);
    ASSERT_EQ(found.size(), 1u) << check;
    EXPECT_EQ(found[0]->status, Status::kInconclusive) << check;
    EXPECT_NE(found[0]->message.find("no /etc/passwd"), std::string::npos);
  }
}

TEST(AccountsAnalyzerNoTools, DanglingPasswdSymlinkIsInconclusiveForThatFilesystem) {
  Fs fs;
  ASSERT_TRUE(fs.vfs->add_symlink("/etc/passwd", "/var/run/passwd").ok());  // made at boot
  auto s = scan({fs});
  for (auto check : checks()) {
    auto found = s->all(check);
    ASSERT_EQ(found.size(), 1u) << check;
    EXPECT_EQ(found[0]->status, Status::kInconclusive) << check;
    EXPECT_EQ(found[0]->subject, "/etc/passwd");
  }
  ASSERT_EQ(s->out.diagnostics.size(), 1u);
}

TEST(AccountsAnalyzerNoTools, EveryFilesystemIsScannedWithItsPrefix) {
  Fs root;
  ASSERT_TRUE(root.vfs->add_file("/etc/passwd", "root:x:0:0::/root:/bin/sh\n").ok());
  ASSERT_TRUE(root.vfs->add_file("/etc/shadow", "root:!:1::::::\n").ok());
  Fs initrd;
  initrd.prefix = "/boot/initrd.img!";
  ASSERT_TRUE(initrd.vfs->add_file("/etc/passwd", "root:x:0:0::/root:/bin/sh\n").ok());
  ASSERT_TRUE(initrd.vfs->add_file("/etc/shadow", "# recovery shell\nroot::1::::::\n").ok());
  Fs data;  // no passwd: ignored, and does not make anything inconclusive
  data.prefix = "/data.img!";
  ASSERT_TRUE(data.vfs->add_file("/README", "x").ok());
  auto s = scan({root, initrd, data});

  auto empties = s->all("auth-empty-password");
  ASSERT_EQ(empties.size(), 2u);
  EXPECT_EQ(empties[0]->status, Status::kPass);
  EXPECT_EQ(empties[0]->subject, "/etc/shadow");
  EXPECT_EQ(empties[1]->status, Status::kFail);
  EXPECT_EQ(empties[1]->subject, "/boot/initrd.img!account:root");
  EXPECT_EQ(empties[1]->evidence[0].path, "/boot/initrd.img!/etc/shadow");
  EXPECT_EQ(empties[1]->evidence[0].line, 2u);
  EXPECT_NE(s->fact("/boot/initrd.img!account:root", "account.uid"), nullptr);
  for (const auto& f : s->out.findings) EXPECT_NE(f.status, Status::kInconclusive) << f.check << " " << f.subject;
}

TEST(AccountsAnalyzerNoTools, UnaffordableOrUncomputableHashesAreInconclusiveNotPass) {
  // Handmade but well-formed: 999,999,999 SHA-512 rounds would take minutes per candidate,
  // and libxcrypt has no argon2. Neither may be reported as "no default password".
  Fs fs;
  ASSERT_TRUE(fs.vfs->add_file("/etc/passwd", "root:x:0:0::/root:/bin/sh\nsvc:x:1000:1000::/:/bin/sh\n").ok());
  ASSERT_TRUE(fs.vfs
                  ->add_file("/etc/shadow", "root:$6$rounds=999999999$saltsaltsalt$" + std::string(86, 'a') +
                                                ":1::::::\n"
                                                "svc:$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$" +
                                                std::string(43, 'b') + ":1::::::\n")
                  .ok());
  auto s = scan({fs});
  auto defaults = s->all("auth-default-password");
  ASSERT_EQ(defaults.size(), 2u);
  EXPECT_EQ(defaults[0]->subject, "account:root");
  EXPECT_EQ(defaults[0]->status, Status::kInconclusive);
  EXPECT_NE(defaults[0]->message.find("trial budget"), std::string::npos) << defaults[0]->message;
  EXPECT_EQ(defaults[1]->subject, "account:svc");
  EXPECT_EQ(defaults[1]->status, Status::kInconclusive);
  EXPECT_NE(defaults[1]->message.find("libxcrypt"), std::string::npos) << defaults[1]->message;
  EXPECT_EQ(s->fact("account:root", "account.default_password"), nullptr);
  // Both schemes are strong; the strength check still passes.
  EXPECT_EQ(s->all("auth-hash-strength")[0]->status, Status::kPass);
}

TEST_F(AccountsAnalyzer, ExpensiveHashGetsTheMostCommonCandidatesOnly) {
  // A budget that affords ~3 yescrypt trials: "admin" (third candidate) is still found,
  // "xc3511" (much later in the list) is not, and the outcome is the same on any thread count.
  const std::string a = make_hash("mkpasswd -m yescrypt", "admin");
  const std::string b = make_hash("mkpasswd -m yescrypt", "xc3511");
  Fs fs;
  ASSERT_TRUE(fs.vfs->add_file("/etc/passwd", "a:x:1000:1000::/:/bin/sh\nb:x:1001:1001::/:/bin/sh\n").ok());
  ASSERT_TRUE(fs.vfs->add_file("/etc/shadow", "a:" + a + ":1::::::\nb:" + b + ":1::::::\n").ok());
  CryptBudget budget;
  budget.per_hash_micros = 3 * 16'484 + 100;
  auto one = scan({fs}, 1, budget);
  auto four = scan({fs}, 4, budget);
  for (const auto* s : {one.get(), four.get()}) {
    auto defaults = s->all("auth-default-password");
    ASSERT_EQ(defaults.size(), 1u);
    EXPECT_EQ(defaults[0]->subject, "account:a");
    EXPECT_EQ(defaults[0]->status, Status::kFail);
  }
  ASSERT_EQ(one->out.findings.size(), four->out.findings.size());
  for (std::size_t i = 0; i < one->out.findings.size(); ++i) {
    EXPECT_EQ(one->out.findings[i].check, four->out.findings[i].check);
    EXPECT_EQ(one->out.findings[i].subject, four->out.findings[i].subject);
    EXPECT_EQ(one->out.findings[i].message, four->out.findings[i].message);
  }
}

TEST(AccountsAnalyzerNoTools, DefaultPasswordListIsBuiltInAndWithinLimits) {
  // The data file is embedded; its entries and the account name fit the candidate limit, and
  // the Mirai credentials the requirement names are in it.
  Fs fs;
  ASSERT_TRUE(fs.vfs->add_file("/etc/passwd", "root:x:0:0::/root:/bin/sh\n").ok());
  ASSERT_TRUE(fs.vfs->add_file("/etc/shadow", "root:$1$abcdefgh$" + std::string(22, 'c') + ":1::::::\n").ok());
  auto s = scan({fs});
  auto defaults = s->all("auth-default-password");
  ASSERT_EQ(defaults.size(), 1u);
  EXPECT_EQ(defaults[0]->status, Status::kPass);
  // "... or any of the N bundled default passwords"
  auto pos = defaults[0]->message.find("any of the ");
  ASSERT_NE(pos, std::string::npos) << defaults[0]->message;
  std::size_t n = std::stoul(defaults[0]->message.substr(pos + 11));
  EXPECT_GE(n, 40u);
  EXPECT_LT(n, limits::kMaxPasswordCandidates);
}

}  // namespace
}  // namespace fwcert::analyzers::accounts
