// Oracle test: Debian's checksec (2.6, which runs readelf -W per property) over the programs
// the toolchain test builds and over a bounded, evenly spaced sample of this machine's own
// /usr/bin and /usr/lib ELF files. fwcert must agree on RELRO, canary, NX, PIE, RPATH,
// RUNPATH and FORTIFY for every file, except where checksec's text matching is wrong; each
// such case is named below with the ELF evidence that shows it, and only that evidence
// excuses a disagreement.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "formats/elf/elf.hpp"
#include "formats/elf/hardening.hpp"
#include "support/test_util.hpp"

namespace fwcert::formats::elf {
namespace {

namespace fe = formats::elf;
namespace fs = std::filesystem;

constexpr const char* kProgram = R"(
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  char buf[16];
  char out[64];
  strcpy(buf, argv[0]);
  memcpy(out, argv[0], (size_t)argc);
  sprintf(out, "%s-%d", buf, argc);
  puts(out);
  return system(argc > 5 ? argv[1] : "true");
}
)";

/// Host ELF files sampled from each directory; checksec costs ~0.1-0.25 s a file.
constexpr std::size_t kSamplePerDirectory = 150;

struct Verdict {
  std::string relro, canary, nx, pie, rpath, runpath, fortify_source, fortified, fortifiable;
};

Verdict ours(const fe::Elf& e, const Hardening& h) {
  Verdict v;
  v.relro = h.relro == Relro::kNone ? "no" : to_string(h.relro);
  v.canary = h.canary ? "yes" : "no";
  v.nx = h.nx ? "yes" : "no";
  switch (e.type) {
    case fe::kEtExec:
      v.pie = "no";
      break;
    case fe::kEtDyn:
      v.pie = h.pie ? "yes" : "dso";
      break;
    case fe::kEtRel:
      v.pie = "rel";
      break;
    default:
      v.pie = "not_elf";
      break;
  }
  v.rpath = h.rpath ? "yes" : "no";
  v.runpath = h.runpath ? "yes" : "no";
  v.fortify_source = h.fortify.any_chk ? "yes" : "no";
  v.fortified = std::to_string(h.fortify.fortified);
  v.fortifiable = std::to_string(h.fortify.fortifiable);
  return v;
}

/// Why checksec is wrong about `field` of this ELF, or nullopt when nothing excuses a
/// disagreement.
std::optional<std::string> checksec_is_wrong(const fe::Elf& e, const std::string& field) {
  // readelf --dyn-syms (and -s) print nothing for a file without section headers unless
  // given -D, so checksec sees no symbols at all. The loader reads DT_SYMTAB, and so do we.
  if (e.sections.empty() && !e.dynamic_symbols.empty() &&
      (field == "canary" || field == "fortify_source" || field == "fortified" || field == "fortifiable")) {
    return "no section headers: readelf without -D lists no dynamic symbols";
  }
  // checksec greps readelf -d for "BIND_NOW"; DF_1_NOW alone prints as "Flags: NOW", which
  // glibc's loader honours like BIND_NOW (elf/get-dynamic-info.h).
  if (field == "relro" && e.has_relro() && !e.has_dt_bind_now && !(e.dt_flags & fe::kDfBindNow) &&
      (e.dt_flags_1 & fe::kDf1Now)) {
    return "DF_1_NOW without DT_BIND_NOW/DF_BIND_NOW: checksec's grep misses it";
  }
  // checksec calls the stack executable only when readelf prints "RWE"; PF_X without PF_W
  // ("R E") is executable too.
  if (const fe::Segment* s = e.segment(fe::kPtGnuStack);
      field == "nx" && s && (s->flags & fe::kPfX) && !(s->flags & fe::kPfW)) {
    return "PT_GNU_STACK has PF_X without PF_W: checksec looks for RWE only";
  }
  return std::nullopt;
}

bool is_elf_file(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(p, ec)) || fs::file_size(p, ec) < 64) return false;
  std::ifstream in(p, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

/// Up to `n` ELF files of `dir` (not recursive), evenly spaced over the sorted listing.
std::vector<std::string> sample(const std::string& dir, std::size_t n) {
  std::vector<std::string> all;
  std::error_code ec;
  for (const auto& d : fs::directory_iterator(dir, ec)) {
    std::string p = d.path().string();
    if (p.find_first_of(" \t\n'\"\\") != std::string::npos) continue;
    if (is_elf_file(d.path())) all.push_back(p);
  }
  std::sort(all.begin(), all.end());
  if (all.size() <= n) return all;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(all[i * all.size() / n]);
  return out;
}

/// checksec's JSON verdict of each file, run four at a time.
std::map<std::string, Verdict> run_checksec(const test::TempDir& dir, const std::vector<std::string>& files) {
  std::string list;
  for (std::size_t i = 0; i < files.size(); ++i) list += std::to_string(i) + " " + files[i] + "\n";
  test::write_file(dir / "list", list);
  fs::create_directories(dir / "out");
  auto r = test::run("xargs -P 4 -n 2 sh -c 'checksec --output=json --file=\"$1\" > " + dir / "out" +
                     "/$0.json 2>&1' < " + dir / "list");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::map<std::string, Verdict> out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::string text = test::read_file(dir / ("out/" + std::to_string(i) + ".json"));
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.contains(files[i])) {
      ADD_FAILURE() << "checksec output for " << files[i] << " is not JSON: " << text;
      continue;
    }
    const auto& f = j[files[i]];
    auto s = [&](const char* k) { return f.contains(k) ? f[k].get<std::string>() : std::string("<missing>"); };
    out[files[i]] = {s("relro"),   s("canary"),         s("nx"),        s("pie"),         s("rpath"),
                     s("runpath"), s("fortify_source"), s("fortified"), s("fortify-able")};
  }
  return out;
}

/// Builds the toolchain-test programs into `dir`; returns their paths.
std::vector<std::string> build_fixtures(const test::TempDir& dir) {
  const std::vector<std::string> compilers = {"gcc", "aarch64-linux-gnu-gcc", "arm-linux-gnueabihf-gcc",
                                              "mips-linux-gnu-gcc"};
  const std::vector<std::string> flags = {
      "-O0 -fno-stack-protector -no-pie -Wl,-z,norelro -Wl,-z,execstack",
      "-O0 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,lazy -Wl,-z,noexecstack",
      "-O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack",
      "-O2 -U_FORTIFY_SOURCE -fno-builtin -Wl,--disable-new-dtags -Wl,-rpath,/opt/lib",
      "-O0 -Wl,--enable-new-dtags -Wl,-rpath,/opt/lib:/data/lib",
      "-O0 -shared -fPIC -fstack-protector-all",
      "-O2 -D_FORTIFY_SOURCE=2 -g",
  };
  test::write_file(dir / "p.c", kProgram);
  std::vector<std::string> out;
  int n = 0;
  for (const auto& cc : compilers) {
    if (!test::have_tool(cc)) continue;
    for (const auto& f : flags) {
      std::string bin = dir / ("fixture" + std::to_string(n++));
      auto r = test::run(cc + " " + f + " -o " + bin + " " + dir / "p.c");
      EXPECT_EQ(r.exit_code, 0) << cc << " " << f << ": " << r.output;
      if (r.exit_code == 0) out.push_back(bin);
    }
  }
  // Section headers removed: the documented case where checksec sees no symbols.
  if (test::have_tool("llvm-objcopy-14") && !out.empty()) {
    std::string bare = dir / "fixture-no-sections";
    if (test::run("llvm-objcopy-14 --strip-sections " + out[2] + " " + bare).exit_code == 0) out.push_back(bare);
  }
  return out;
}

TEST(ElfChecksecOracle, AgreesOnFixturesAndHostBinaries) {
  if (!test::have_tool("checksec")) GTEST_SKIP() << "checksec not installed (scripts/install-deps.sh)";
  test::TempDir dir;
  std::vector<std::string> files = build_fixtures(dir);
  const std::size_t fixtures = files.size();
  for (const char* d : {"/usr/bin", "/usr/sbin", "/usr/lib/x86_64-linux-gnu"}) {
    auto s = sample(d, kSamplePerDirectory);
    files.insert(files.end(), s.begin(), s.end());
  }
  ASSERT_GE(fixtures, 8u);
  ASSERT_GE(files.size(), fixtures + 60);

  auto theirs = run_checksec(dir, files);
  std::map<std::string, int> agreed, excused;
  std::vector<std::string> excuses;
  for (const auto& path : files) {
    auto it = theirs.find(path);
    if (it == theirs.end()) continue;
    std::string bytes = test::read_file(path);
    auto parsed = fe::parse(std::as_bytes(std::span(bytes.data(), bytes.size())));
    ASSERT_TRUE(parsed.ok()) << path;
    Verdict mine = ours(*parsed, assess(*parsed));
    const Verdict& c = it->second;
    const std::pair<const char*, std::pair<const std::string*, const std::string*>> fields[] = {
        {"relro", {&mine.relro, &c.relro}},
        {"canary", {&mine.canary, &c.canary}},
        {"nx", {&mine.nx, &c.nx}},
        {"pie", {&mine.pie, &c.pie}},
        {"rpath", {&mine.rpath, &c.rpath}},
        {"runpath", {&mine.runpath, &c.runpath}},
        {"fortify_source", {&mine.fortify_source, &c.fortify_source}},
        {"fortified", {&mine.fortified, &c.fortified}},
        {"fortifiable", {&mine.fortifiable, &c.fortifiable}},
    };
    for (const auto& [name, values] : fields) {
      if (*values.first == *values.second) {
        ++agreed[name];
        continue;
      }
      auto why = checksec_is_wrong(*parsed, name);
      EXPECT_TRUE(why.has_value()) << path << ": " << name << ": fwcert says " << *values.first << ", checksec says "
                                   << *values.second;
      if (why) {
        ++excused[name];
        excuses.push_back(path + " " + name + ": " + *why);
      }
    }
  }
  // The fixture without section headers must be one of the excused cases, or the excuse
  // above is dead code.
  EXPECT_TRUE(std::any_of(excuses.begin(), excuses.end(),
                          [](const std::string& s) { return s.find("fixture-no-sections") != std::string::npos; }));
  for (const auto& [name, n] : agreed) EXPECT_GE(n, static_cast<int>(files.size() * 9 / 10)) << name;
  for (const auto& e : excuses) std::cout << "[ checksec wrong ] " << e << "\n";
  std::cout << "[ oracle ] " << files.size() << " files (" << fixtures << " fixtures), " << excuses.size()
            << " documented checksec errors\n";
}

}  // namespace
}  // namespace fwcert::formats::elf
