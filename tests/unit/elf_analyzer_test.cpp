// The ELF analyzer over an in-memory device tree whose programs are compiled here with gcc:
// which binaries are held to the strict rule (network daemons by name or applet link,
// setuid/setgid, file capabilities, AVS SDK by name or NEEDED library), what fails, what
// only counts towards the percentage, RPATH into writable directories, damaged files, and
// determinism across thread counts.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "analyzers/elf/elf.hpp"
#include "inventory/inventory.hpp"
#include "support/analyzer_run.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::elf {
namespace {

using vfs::MemoryVfs;

constexpr const char* kUnsafe = R"(
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
int main(int argc, char **argv) { char b[16]; strcpy(b, argv[0]); puts(b); return system(argc > 3 ? argv[1] : "true"); }
)";
constexpr const char* kQuiet = R"(
#include <stdio.h>
int main(int argc, char **argv) { char b[32]; snprintf(b, sizeof b, "%s%d", argv[0], argc); return puts(b); }
)";
constexpr const char* kLibrary = "int avs_fn(int x) { char b[32]; b[x & 31] = 1; return b[(x + 1) & 31]; }\n";

const std::string kLegacy = "-O0 -fno-stack-protector -no-pie -Wl,-z,norelro -Wl,-z,execstack";
const std::string kHardened =
    "-O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack -s";

class ElfAnalyzer : public ::testing::Test {
 protected:
  /// Compiles `source` with gcc and returns the bytes.
  std::string compile(const std::string& source, const std::string& flags) {
    std::string src = dir_ / ("s" + std::to_string(n_) + ".c");
    std::string out = dir_ / ("b" + std::to_string(n_++));
    test::write_file(src, source);
    auto r = test::run("gcc " + flags + " -o " + out + " " + src);
    EXPECT_EQ(r.exit_code, 0) << flags << ": " << r.output;
    return test::read_file(out);
  }
  void add(const std::string& path, const std::string& bytes, std::uint32_t mode = 0755) {
    ASSERT_TRUE(fs_->add_file(path, bytes, {mode, 0, 0, 0}).ok()) << path;
  }
  Output scan(unsigned threads = 2) {
    inv_ = std::make_unique<inventory::Inventory>();
    std::vector<Diagnostic> diags;
    auto i = inv_->add_filesystem({"", "memory", 0, "", 0, fs_});
    inv_->walk(i, diags);
    inv_->finish();
    options_.threads = threads;
    options_.collect_facts = true;
    return run(Context{*inv_, test::analyzer_options(options_)});
  }
  static const Finding* find(const Output& out, std::string_view check, const std::string& subject) {
    for (const auto& f : out.findings) {
      if (f.check == check && f.subject == subject) return &f;
    }
    return nullptr;
  }
  static std::vector<const Finding*> all(const Output& out, std::string_view check, Status status) {
    std::vector<const Finding*> v;
    for (const auto& f : out.findings) {
      if (f.check == check && f.status == status) v.push_back(&f);
    }
    return v;
  }
  static const Fact* fact(const Output& out, const std::string& subject, const std::string& name) {
    for (const auto& f : out.facts) {
      if (f.subject == subject && f.name == name) return &f;
    }
    return nullptr;
  }

  test::TempDir dir_;
  int n_ = 0;
  std::shared_ptr<MemoryVfs> fs_ = std::make_shared<MemoryVfs>();
  std::unique_ptr<inventory::Inventory> inv_;
  ScanOptions options_;
};

TEST_F(ElfAnalyzer, PriorityBinariesLackingMitigationsFailAndTheRestCountTowardsAPercentage) {
  const std::string legacy = compile(kUnsafe, kLegacy);
  const std::string hardened = compile(kQuiet, kHardened);
  add("/usr/sbin/telnetd", legacy);      // network daemon by name
  add("/usr/bin/avs-client", hardened);  // SDK by name, hardened: passes
  add("/usr/bin/su", legacy, 04755);     // setuid
  add("/usr/bin/tool-old", legacy);      // no priority: counts for the percentage
  add("/usr/bin/tool-new", hardened);
  add("/bin/busybox", compile(kQuiet, "-O2 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,lazy -s"));
  ASSERT_TRUE(fs_->add_symlink("/usr/sbin/httpd", "../../bin/busybox").ok());  // applet link makes it a daemon
  add("/usr/bin/ping", legacy);
  // security.capability v2: cap_net_raw (13) permitted and effective.
  std::string cap(20, '\0');
  cap[0] = 1;     // VFS_CAP_FLAGS_EFFECTIVE
  cap[3] = 2;     // VFS_CAP_REVISION_2
  cap[5] = 0x20;  // permitted bit 13
  ASSERT_TRUE(fs_->set_xattr("/usr/bin/ping", "security.capability", cap).ok());

  auto out = scan();

  const Finding* telnetd = find(out, "bin-exploit-mitigations", "/usr/sbin/telnetd");
  ASSERT_NE(telnetd, nullptr);
  EXPECT_EQ(telnetd->status, Status::kFail);
  EXPECT_NE(telnetd->message.find("network-facing daemon (telnetd)"), std::string::npos) << telnetd->message;
  for (const char* m : {"PIE", "NX", "full RELRO (has none)", "stack protector"}) {
    EXPECT_NE(telnetd->message.find(m), std::string::npos) << m << " in " << telnetd->message;
  }
  ASSERT_FALSE(telnetd->evidence.empty());
  EXPECT_NE(telnetd->evidence[0].observed.find("relro=none"), std::string::npos);

  const Finding* su = find(out, "bin-exploit-mitigations", "/usr/bin/su");
  ASSERT_NE(su, nullptr);
  EXPECT_EQ(su->status, Status::kFail);
  EXPECT_NE(su->message.find("setuid"), std::string::npos);

  const Finding* ping = find(out, "bin-exploit-mitigations", "/usr/bin/ping");
  ASSERT_NE(ping, nullptr);
  EXPECT_EQ(ping->status, Status::kFail);
  EXPECT_NE(ping->message.find("cap_net_raw"), std::string::npos) << ping->message;

  const Finding* busybox = find(out, "bin-exploit-mitigations", "/bin/busybox");
  ASSERT_NE(busybox, nullptr);
  EXPECT_EQ(busybox->status, Status::kFail);
  EXPECT_NE(busybox->message.find("httpd"), std::string::npos) << busybox->message;
  EXPECT_NE(busybox->message.find("full RELRO (has partial)"), std::string::npos) << busybox->message;
  EXPECT_EQ(busybox->message.find("PIE"), std::string::npos) << busybox->message;

  EXPECT_EQ(find(out, "bin-exploit-mitigations", "/usr/bin/avs-client"), nullptr);
  EXPECT_EQ(find(out, "bin-exploit-mitigations", "/usr/bin/tool-old"), nullptr);

  auto warns = all(out, "bin-exploit-mitigations", Status::kWarn);
  ASSERT_EQ(warns.size(), 1u);
  // tool-old and tool-new are the rest: one of two lacks mitigations.
  EXPECT_NE(warns[0]->message.find("1 of 2"), std::string::npos) << warns[0]->message;
  EXPECT_NE(warns[0]->message.find("50.0%"), std::string::npos) << warns[0]->message;
  ASSERT_EQ(warns[0]->evidence.size(), 1u);
  EXPECT_EQ(warns[0]->evidence[0].path, "/usr/bin/tool-old");
  EXPECT_TRUE(all(out, "bin-exploit-mitigations", Status::kPass).empty());

  // input-unsafe-calls: the daemon's strcpy and system, for manual review.
  const Finding* unsafe = find(out, "input-unsafe-calls", "/usr/sbin/telnetd");
  ASSERT_NE(unsafe, nullptr);
  EXPECT_EQ(unsafe->status, Status::kWarn);
  EXPECT_NE(unsafe->message.find("strcpy, system"), std::string::npos) << unsafe->message;
  EXPECT_EQ(find(out, "input-unsafe-calls", "/usr/bin/tool-old"), nullptr);  // not network-facing
  auto summary = all(out, "input-unsafe-calls", Status::kInfo);
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_NE(summary[0]->message.find("strcpy by 4"), std::string::npos) << summary[0]->message;

  // Facts of one binary, as `fwcert facts --analyzer elf` shows them.
  auto str = [&](const std::string& subject, const std::string& name) {
    const Fact* f = fact(out, subject, name);
    return f ? std::get<std::string>(f->value) : std::string("<none>");
  };
  auto flag = [&](const std::string& subject, const std::string& name) {
    const Fact* f = fact(out, subject, name);
    EXPECT_NE(f, nullptr) << subject << " " << name;
    return f && std::get<bool>(f->value);
  };
  EXPECT_EQ(str("/usr/sbin/telnetd", "elf.type"), "executable");
  EXPECT_EQ(str("/usr/sbin/telnetd", "elf.relro"), "none");
  EXPECT_EQ(str("/usr/sbin/telnetd", "elf.machine"), "x86-64");
  EXPECT_FALSE(flag("/usr/sbin/telnetd", "elf.nx"));
  EXPECT_FALSE(flag("/usr/sbin/telnetd", "elf.canary"));
  EXPECT_EQ(str("/usr/bin/avs-client", "elf.type"), "pie");
  EXPECT_EQ(str("/usr/bin/avs-client", "elf.relro"), "full");
  EXPECT_TRUE(flag("/usr/bin/avs-client", "elf.canary"));
  EXPECT_TRUE(flag("/usr/bin/avs-client", "elf.nx"));
  EXPECT_TRUE(flag("/usr/bin/avs-client", "elf.stripped"));
  const Fact* fortified = fact(out, "/usr/bin/avs-client", "elf.fortify.fortified");
  ASSERT_NE(fortified, nullptr);
  EXPECT_GE(std::get<std::int64_t>(fortified->value), 1);
  const Fact* risky = fact(out, "/usr/sbin/telnetd", "elf.risky_imports");
  ASSERT_NE(risky, nullptr);
  EXPECT_EQ(std::get<std::vector<std::string>>(risky->value), (std::vector<std::string>{"strcpy", "system"}));
}

TEST_F(ElfAnalyzer, PartialRelroOnNonExposedBinariesIsLowExposedOnesStillFail) {
  // Debian's default: PIE, NX, a canary, partial RELRO (-z relro without -z now).
  const std::string partial =
      compile(kQuiet, "-O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,lazy");
  add("/usr/bin/arch", partial);
  add("/usr/sbin/lighttpd", partial);  // network daemon by name: the strict rule
  auto out = scan();
  const Finding* daemon = find(out, "bin-exploit-mitigations", "/usr/sbin/lighttpd");
  ASSERT_NE(daemon, nullptr);
  EXPECT_EQ(daemon->status, Status::kFail);
  EXPECT_FALSE(daemon->severity_override);
  auto warns = all(out, "bin-exploit-mitigations", Status::kWarn);
  ASSERT_EQ(warns.size(), 1u);
  EXPECT_TRUE(warns[0]->severity_override);
  EXPECT_EQ(warns[0]->severity, Severity::kLow);
  EXPECT_NE(warns[0]->message.find("distribution default"), std::string::npos) << warns[0]->message;
  EXPECT_EQ(warns[0]->evidence.at(0).path, "/usr/bin/arch");

  // Without PIE a non-exposed binary keeps the catalog's severity.
  add("/usr/bin/nopie", compile(kQuiet, "-O2 -fstack-protector-strong -no-pie -Wl,-z,relro,-z,now"));
  auto out2 = scan();
  auto warns2 = all(out2, "bin-exploit-mitigations", Status::kWarn);
  ASSERT_EQ(warns2.size(), 2u);
  const Finding* serious = warns2[0]->severity_override ? warns2[1] : warns2[0];
  EXPECT_FALSE(serious->severity_override);
  EXPECT_NE(serious->message.find("PIE missing in 1"), std::string::npos) << serious->message;
  EXPECT_EQ(serious->evidence.at(0).path, "/usr/bin/nopie");
}

TEST_F(ElfAnalyzer, UnsafeImportsAreAHintUnlessAnExposedBinaryLacksMitigations) {
  add("/usr/sbin/sshd", compile(kUnsafe, kHardened));  // system() with canary, FORTIFY and PIE
  add("/usr/sbin/dnsmasq", compile(kUnsafe, kLegacy));
  add("/usr/bin/tool", compile(kUnsafe, kLegacy));  // not exposed: counted only
  auto out = scan();
  const Finding* hint = find(out, "input-unsafe-calls", "/usr/sbin/sshd");
  ASSERT_NE(hint, nullptr);
  EXPECT_EQ(hint->status, Status::kInfo);
  EXPECT_EQ(hint->severity, Severity::kInfo);
  const Finding* warn = find(out, "input-unsafe-calls", "/usr/sbin/dnsmasq");
  ASSERT_NE(warn, nullptr);
  EXPECT_EQ(warn->status, Status::kWarn);
  for (const char* m : {"no stack protector", "no FORTIFY", "no PIE"})
    EXPECT_NE(warn->message.find(m), std::string::npos) << m << " in " << warn->message;
  EXPECT_EQ(find(out, "input-unsafe-calls", "/usr/bin/tool"), nullptr);
}

// inetutils-telnetd's postinst adds "telnet stream tcp nowait root /usr/sbin/tcpd
// /usr/sbin/telnetd" to /etc/inetd.conf with update-inetd; `update-inetd --disable telnet` (or
// a system configured without it) leaves it as "#<off># " + that line.
constexpr const char* kInetdOff = "#<off># telnet\tstream\ttcp\tnowait\troot\t/usr/sbin/tcpd\t/usr/sbin/telnetd\n";
constexpr const char* kInetdOn = "telnet\tstream\ttcp\tnowait\troot\t/usr/sbin/tcpd\t/usr/sbin/telnetd\n";

TEST_F(ElfAnalyzer, TelnetdBehindADisabledInetdLineIsNotNetworkFacing) {
  // Debian 12's real /usr/sbin/telnetd from inetutils-telnetd, downloaded and unpacked here.
  auto r = test::run("cd " + test::shell_quote(dir_.path()) +
                     " && apt-get download inetutils-telnetd >/dev/null 2>&1 && dpkg-deb -x inetutils-telnetd_*.deb x");
  if (r.exit_code != 0) GTEST_SKIP() << "apt-get download inetutils-telnetd failed (offline?): " << r.output;
  const std::string telnetd = test::read_file(dir_ / "x/usr/sbin/telnetd");
  ASSERT_FALSE(telnetd.empty());
  add("/usr/sbin/telnetd", telnetd);
  add("/usr/sbin/tcpd", compile(kQuiet, kHardened));
  add("/etc/inetd.conf", kInetdOff, 0644);
  // BusyBox init starts inetd, so the image's boot is known: what inetd.conf enables runs.
  add("/usr/sbin/inetd", compile(kQuiet, kHardened));
  add("/etc/inittab", "::respawn:/usr/sbin/inetd -f\n", 0644);
  {
    auto out = scan();
    EXPECT_EQ(find(out, "input-unsafe-calls", "/usr/sbin/telnetd"), nullptr);
    EXPECT_EQ(find(out, "bin-exploit-mitigations", "/usr/sbin/telnetd"), nullptr);
    EXPECT_EQ(fact(out, "/usr/sbin/telnetd", "elf.priority"), nullptr);
    const Fact* off = fact(out, "/usr/sbin/telnetd", "elf.network_daemon.not_started");
    ASSERT_NE(off, nullptr);
    EXPECT_NE(std::get<std::vector<std::string>>(off->value).at(0).find("no service started at boot runs telnetd"),
              std::string::npos);
  }
  ASSERT_TRUE(fs_->add_file("/etc/inetd.conf", kInetdOn, {0644, 0, 0, 0}).ok());
  auto out = scan();
  const Finding* f = find(out, "input-unsafe-calls", "/usr/sbin/telnetd");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->message.find("network-facing daemon (telnetd)"), std::string::npos) << f->message;
  // An enabled line does not make it started when nothing starts inetd.
  ASSERT_TRUE(fs_->add_file("/etc/inittab", "::sysinit:/bin/true\n", {0644, 0, 0, 0}).ok());
  out = scan();
  EXPECT_EQ(find(out, "input-unsafe-calls", "/usr/sbin/telnetd"), nullptr);
  const Fact* off = fact(out, "/usr/sbin/telnetd", "elf.network_daemon.not_started");
  ASSERT_NE(off, nullptr);
  EXPECT_NE(std::get<std::vector<std::string>>(off->value).at(0).find("inetd is not started at boot"),
            std::string::npos)
      << std::get<std::vector<std::string>>(off->value).at(0);
}

TEST_F(ElfAnalyzer, SdkRecognisedByNeededLibraryAndUnstrippedSdkBinariesWarn) {
  std::string lib = dir_ / "libAVSCommon.so";
  test::write_file(dir_ / "avs.c", kLibrary);
  auto r = test::run("gcc -shared -fPIC -fstack-protector-all -Wl,-z,relro,-z,now -Wl,-soname,libAVSCommon.so -o " +
                     lib + " " + dir_ / "avs.c");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  add("/usr/lib/libAVSCommon.so", test::read_file(lib));
  add("/usr/bin/media-player", compile(kQuiet, kLegacy + " -L" + dir_.path() + " -Wl,--no-as-needed -lAVSCommon"));
  add("/usr/bin/avs-debug", compile(kQuiet, "-O2 -g -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,now"));

  auto out = scan();
  const Finding* player = find(out, "bin-exploit-mitigations", "/usr/bin/media-player");
  ASSERT_NE(player, nullptr);
  EXPECT_EQ(player->status, Status::kFail);
  EXPECT_NE(player->message.find("links libAVSCommon.so"), std::string::npos) << player->message;

  const Finding* debug = find(out, "bin-release-build", "/usr/bin/avs-debug");
  ASSERT_NE(debug, nullptr);
  EXPECT_EQ(debug->status, Status::kWarn);
  EXPECT_NE(debug->message.find(".symtab"), std::string::npos);
  EXPECT_NE(debug->message.find("DWARF"), std::string::npos);
  // The library itself is stripped by nobody here either: it is an SDK binary with .symtab.
  EXPECT_NE(find(out, "bin-release-build", "/usr/lib/libAVSCommon.so"), nullptr);
}

TEST_F(ElfAnalyzer, RunpathIntoAWritableDirectoryFailsWhateverTheBinary) {
  const std::string hardened_flags = "-O2 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,now -s";
  add("/usr/bin/app", compile(kQuiet, hardened_flags + " -Wl,--enable-new-dtags -Wl,-rpath,/data/plugins:/usr/lib"));
  add("/usr/bin/tool", compile(kQuiet, hardened_flags + " -Wl,--disable-new-dtags '-Wl,-rpath,$ORIGIN/../lib::lib'"));
  add("/usr/bin/later", compile(kQuiet, hardened_flags + " -Wl,--enable-new-dtags -Wl,-rpath,/var/run/missing/lib"));
  ASSERT_TRUE(fs_->add_dir("/data", {0777, 0, 0, 0}).ok());
  ASSERT_TRUE(fs_->add_dir("/usr/lib", {0755, 0, 0, 0}).ok());
  ASSERT_TRUE(fs_->add_dir("/var/run", {0775, 0, 1000, 0}).ok());  // group-writable by a non-root group

  auto out = scan();
  const Finding* app = find(out, "bin-exploit-mitigations", "/usr/bin/app");
  ASSERT_NE(app, nullptr);
  EXPECT_EQ(app->status, Status::kFail);
  EXPECT_NE(app->message.find("/data/plugins"), std::string::npos);
  EXPECT_EQ(app->message.find("/usr/lib"), std::string::npos) << "root-owned 0755 is not writable";
  // A missing directory counts when its nearest existing ancestor is writable.
  const Finding* later = find(out, "bin-exploit-mitigations", "/usr/bin/later");
  ASSERT_NE(later, nullptr);
  EXPECT_EQ(later->status, Status::kFail);
  EXPECT_EQ(find(out, "bin-exploit-mitigations", "/usr/bin/tool"), nullptr);

  const Fact* writable = fact(out, "/usr/bin/app", "elf.runpath.writable");
  ASSERT_NE(writable, nullptr);
  EXPECT_EQ(std::get<std::vector<std::string>>(writable->value), (std::vector<std::string>{"/data/plugins"}));
  const Fact* relative = fact(out, "/usr/bin/tool", "elf.rpath.relative");
  ASSERT_NE(relative, nullptr);
  EXPECT_TRUE(std::get<bool>(relative->value));  // "lib"
  const Fact* empty = fact(out, "/usr/bin/tool", "elf.rpath.empty");
  ASSERT_NE(empty, nullptr);
  EXPECT_TRUE(std::get<bool>(empty->value));
}

TEST_F(ElfAnalyzer, DamagedElfFilesBecomeDiagnosticsAndTheScanGoesOn) {
  const std::string good = compile(kQuiet, kHardened);
  add("/usr/bin/good", good);
  add("/usr/bin/truncated", good.substr(0, 700));
  std::string wild = good;
  // Section header offset far past the end, program header count huge.
  for (std::size_t i = 0x28; i < 0x30; ++i) wild[i] = '\x7f';
  wild[0x38] = '\xff';
  wild[0x39] = '\x7f';
  add("/usr/bin/wild", wild);

  auto out = scan();
  auto has_diag = [&](const std::string& path) {
    return std::any_of(out.diagnostics.begin(), out.diagnostics.end(),
                       [&](const Diagnostic& d) { return d.path == path && d.message.starts_with("ELF"); });
  };
  EXPECT_TRUE(has_diag("/usr/bin/truncated"));
  EXPECT_TRUE(has_diag("/usr/bin/wild"));
  EXPECT_FALSE(has_diag("/usr/bin/good"));
  const Fact* relro = fact(out, "/usr/bin/good", "elf.relro");
  ASSERT_NE(relro, nullptr);
  EXPECT_EQ(std::get<std::string>(relro->value), "full");
}

TEST_F(ElfAnalyzer, KernelModuleSignatureIsAFact) {
  std::string src = dir_ / "m.c";
  test::write_file(src, "__attribute__((section(\".modinfo\"), used)) static const char l[] = \"license=GPL\";\n");
  ASSERT_EQ(test::run("gcc -c -o " + dir_ / "m.ko " + src).exit_code, 0);
  std::string ko = test::read_file(dir_ / "m.ko");
  add("/lib/modules/6.1.0/extra/plain.ko", ko);
  add("/lib/modules/6.1.0/extra/signed.ko", ko + std::string(64, 'S') + "~Module signature appended~\n");
  auto out = scan();
  const Fact* plain = fact(out, "/lib/modules/6.1.0/extra/plain.ko", "elf.module.signature_appended");
  const Fact* sig = fact(out, "/lib/modules/6.1.0/extra/signed.ko", "elf.module.signature_appended");
  ASSERT_NE(plain, nullptr);
  ASSERT_NE(sig, nullptr);
  EXPECT_FALSE(std::get<bool>(plain->value));
  EXPECT_TRUE(std::get<bool>(sig->value));
  // Modules are not judged as programs.
  auto na = all(out, "bin-exploit-mitigations", Status::kNotApplicable);
  EXPECT_EQ(na.size(), 1u);
}

TEST_F(ElfAnalyzer, NoElfMeansNotApplicable) {
  add("/etc/hostname", "device\n");
  auto out = scan();
  for (auto check : checks()) {
    auto na = all(out, check, Status::kNotApplicable);
    EXPECT_EQ(na.size(), 1u) << check;
  }
}

TEST_F(ElfAnalyzer, SameOutputWhateverTheThreadCount) {
  const std::string legacy = compile(kUnsafe, kLegacy);
  const std::string hardened = compile(kQuiet, kHardened);
  for (int i = 0; i < 24; ++i) add("/usr/bin/p" + std::to_string(i), i % 3 ? hardened : legacy);
  add("/usr/sbin/telnetd", legacy);
  auto one = scan(1);
  auto many = scan(8);
  ASSERT_EQ(one.findings.size(), many.findings.size());
  for (std::size_t i = 0; i < one.findings.size(); ++i) {
    EXPECT_EQ(one.findings[i].subject, many.findings[i].subject);
    EXPECT_EQ(one.findings[i].message, many.findings[i].message);
  }
  ASSERT_EQ(one.facts.size(), many.facts.size());
  for (std::size_t i = 0; i < one.facts.size(); ++i) {
    EXPECT_EQ(one.facts[i].subject, many.facts[i].subject);
    EXPECT_EQ(one.facts[i].name, many.facts[i].name);
    EXPECT_EQ(one.facts[i].value, many.facts[i].value);
  }
  auto warns = all(many, "bin-exploit-mitigations", Status::kWarn);
  ASSERT_EQ(warns.size(), 1u);
  EXPECT_NE(warns[0]->message.find("8 of 24"), std::string::npos) << warns[0]->message;
}

}  // namespace
}  // namespace fwcert::analyzers::elf
