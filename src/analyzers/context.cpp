#include <string>
#include <variant>
#include <vector>

#include "analyzers/analyzer.hpp"

namespace fwcert::analyzers {

Context::Context(const inventory::Inventory& inv, const AnalyzerOptions& o)
    : inventory(inv),
      options(o),
      own_pool_(std::make_unique<parallel::Pool>(o.threads)),
      own_evidence_(std::make_unique<evidence::Evidence>(inv, *own_pool_)),
      evidence_(own_evidence_.get()) {}

Context::~Context() = default;

namespace {

/// Replaces every byte that does not belong to a well-formed UTF-8 sequence with U+FFFD. Image
/// files are not obliged to be UTF-8, and report writers must never be handed text that is not.
void make_utf8(std::string& s) {
  std::string out;
  bool changed = false;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (ok && n == 2) ok = c >= 0xc2;  // no overlong 2-byte forms
    if (ok && n == 3) {
      auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);  // overlong, surrogates
    }
    if (ok && n == 4) {
      auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = c <= 0xf4 && !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(s, i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      changed = true;
      ++i;
    }
  }
  if (changed) s = std::move(out);
}

void make_utf8(Evidence& e) {
  make_utf8(e.path);
  make_utf8(e.observed);
  make_utf8(e.expected);
}

}  // namespace

void make_utf8(Output& out) {
  for (auto& f : out.findings) {
    make_utf8(f.subject);
    make_utf8(f.message);
    for (auto& e : f.evidence) make_utf8(e);
  }
  for (auto& f : out.facts) {
    make_utf8(f.subject);
    make_utf8(f.name);
    make_utf8(f.source);
    if (auto* str = std::get_if<std::string>(&f.value)) make_utf8(*str);
    if (auto* list = std::get_if<std::vector<std::string>>(&f.value)) {
      for (auto& x : *list) make_utf8(x);
    }
  }
  for (auto& d : out.diagnostics) {
    make_utf8(d.path);
    make_utf8(d.message);
  }
}

void inconclusive_for_all(std::span<const std::string_view> checks, const std::string& subject,
                          const std::string& message, Output& out) {
  for (auto check : checks) out.findings.push_back(finding(check, Status::kInconclusive, subject, message));
}

}  // namespace fwcert::analyzers
