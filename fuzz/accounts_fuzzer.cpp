// Fuzz target for the accounts parsers, the password-field classifier and the analyzer.
// The input is parsed as passwd, shadow and group text, and then, split at its first NUL byte,
// becomes /etc/passwd (before) and /etc/shadow (after) of an in-memory filesystem that the
// whole analyzer runs over with a tiny crypt budget, so hostile cost parameters cannot stall it.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "analyzers/accounts/accounts.hpp"
#include "formats/accounts/accounts.hpp"
#include "inventory/inventory.hpp"
#include "vfs/memory_vfs.hpp"

namespace {

using namespace fwcert::analyzers::accounts;
using namespace fwcert::formats::accounts;

void classify_all(std::string_view field, FieldSource source) {
  PasswordInfo info = classify_password(field, source);
  (void)scheme_label(info);
  (void)hash_strength(info);
  (void)crypt_cost_micros(info);
  // A hash view must point inside the field it came from.
  if (!info.hash.empty() &&
      (info.hash.data() < field.data() || info.hash.data() + info.hash.size() > field.data() + field.size())) {
    std::abort();
  }
}

void run_analyzer(std::string_view passwd, std::string_view shadow) {
  auto v = std::make_shared<fwcert::vfs::MemoryVfs>();
  if (!v->add_file("/etc/passwd", passwd).ok()) return;
  if (!v->add_file("/etc/shadow", shadow).ok()) return;
  if (!v->add_file("/etc/group", passwd).ok()) return;
  fwcert::inventory::Inventory inv;
  std::vector<fwcert::Diagnostic> diags;
  auto fs = inv.add_filesystem({"", "memory", 0, "", 0, v});
  inv.walk(fs, diags);
  inv.finish();
  fwcert::analyzers::AnalyzerOptions options;
  options.threads = 1;
  CryptBudget budget;
  budget.max_candidates = 2;
  budget.per_hash_micros = 20'000;
  budget.total_micros = 100'000;
  auto out = run(fwcert::analyzers::Context{inv, options}, budget);
  for (const auto& f : out.findings) {
    bool known = false;
    for (auto id : checks()) known |= f.check == id;
    if (!known) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  auto passwd = parse_passwd(in);
  for (const auto& r : passwd.records) {
    classify_all(r.password, FieldSource::kPasswd);
    (void)is_login_shell(r.shell);
  }
  auto shadow = parse_shadow(in);
  for (const auto& r : shadow.records) classify_all(r.password, FieldSource::kShadow);
  (void)parse_group(in);
  if (size <= 4096) {
    classify_all(in, FieldSource::kPasswd);
    classify_all(in, FieldSource::kShadow);
  }

  auto nul = in.find('\0');
  if (nul == std::string_view::npos) {
    run_analyzer(in, {});
  } else {
    run_analyzer(in.substr(0, nul), in.substr(nul + 1));
  }
  return 0;
}
