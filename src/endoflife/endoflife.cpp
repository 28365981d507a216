#include "endoflife/endoflife.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cstdlib>
#include <map>
#include <sstream>

#include "catalog/catalog.hpp"
#include "core/limits.hpp"
#include "data/resources.hpp"

namespace fwcert::endoflife {

namespace {

constexpr std::string_view kTableKeys[] = {"cycle", "codename", "release", "lts",    "lts_from",
                                           "eol",   "eoas",     "eoes",    "latest", "latest_date"};

/// Parses one YAML document with the catalog's guarded reader (nesting bounded, errors as
/// "name:line:column").
Result<YAML::Node> load_yaml(const std::string& text, std::string_view name) {
  return catalog::parse_yaml_document({std::string(name), text});
}

std::string where(std::string_view name, const YAML::Node& n) {
  return fmt::format("{}:{}:{}", name, n.Mark().line + 1, n.Mark().column + 1);
}

Error bad(std::string_view name, const YAML::Node& n, std::string message) {
  return make_error(ErrorCode::kParse, std::move(message), where(name, n));
}

/// A field that is a day, `true` or `false`.
struct DateOrFlag {
  std::optional<CivilDate> date;
  bool flag = false;
};

Result<DateOrFlag> date_or_flag(std::string_view name, const YAML::Node& n, std::string_view field) {
  if (!n.IsScalar()) return bad(name, n, fmt::format("{} must be a date or true/false", field));
  const std::string& s = n.Scalar();
  if (s == "true") return DateOrFlag{std::nullopt, true};
  if (s == "false") return DateOrFlag{std::nullopt, false};
  if (auto d = parse_date(s)) return DateOrFlag{d, true};
  return bad(name, n, fmt::format("{} '{}' is neither a YYYY-MM-DD date nor true/false", field, s));
}

Result<std::optional<CivilDate>> optional_date(std::string_view name, const YAML::Node& n, std::string_view field) {
  if (!n) return std::optional<CivilDate>();
  auto v = date_or_flag(name, n, field);
  if (!v.ok()) return v.error();
  return v->date;
}

std::string scalar(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : std::string(); }

/// Reads one cycle from either format: `upstream` selects endoflife.date field names
/// (releaseCycle, releaseDate, ...) over the normalised ones (cycle, release, ...).
Result<Cycle> read_cycle(std::string_view name, const YAML::Node& n, bool upstream) {
  if (!n.IsMap()) return bad(name, n, "a release must be a mapping");
  auto field = [&](std::string_view up, std::string_view norm) { return n[std::string(upstream ? up : norm)]; };
  Cycle c;
  YAML::Node id = field("releaseCycle", "cycle");
  if (!id || !id.IsScalar() || id.Scalar().empty()) return bad(name, n, "a release needs a releaseCycle");
  c.cycle = id.Scalar();
  c.codename = scalar(field("codename", "codename"));
  c.latest = scalar(field("latest", "latest"));
  struct {
    std::string_view up, norm;
    std::optional<CivilDate>* dest;
  } dates[] = {{"releaseDate", "release", &c.release},
               {"eoas", "eoas", &c.eoas},
               {"eoes", "eoes", &c.eoes},
               {"latestReleaseDate", "latest_date", &c.latest_date}};
  for (auto& d : dates) {
    auto v = optional_date(name, field(d.up, d.norm), d.norm);
    if (!v.ok()) return v.error();
    *d.dest = *v;
  }
  if (upstream) {
    // Older product files name the two support ends `support` and `extendedSupport`.
    if (!c.eoas) {
      auto v = optional_date(name, n["support"], "support");
      if (!v.ok()) return v.error();
      c.eoas = *v;
    }
    if (!c.eoes) {
      auto v = optional_date(name, n["extendedSupport"], "extendedSupport");
      if (!v.ok()) return v.error();
      c.eoes = *v;
    }
  }
  YAML::Node eol = field("eol", "eol");
  if (!eol) return bad(name, n, fmt::format("release {} has no eol", c.cycle));
  auto e = date_or_flag(name, eol, "eol");
  if (!e.ok()) return e.error();
  c.eol = e->date;
  c.eol_flag = !e->date && e->flag;
  if (YAML::Node lts = n["lts"]) {
    auto l = date_or_flag(name, lts, "lts");
    if (!l.ok()) return l.error();
    c.lts = l->flag;
    c.lts_from = l->date;
  }
  if (!upstream) {
    auto v = optional_date(name, n["lts_from"], "lts_from");
    if (!v.ok()) return v.error();
    if (*v) c.lts_from = *v;
  }
  return c;
}

Result<std::vector<Cycle>> read_cycles(std::string_view name, const YAML::Node& list, bool upstream) {
  if (!list || !list.IsSequence())
    return make_error(ErrorCode::kParse, "expected a 'releases' list", std::string(name));
  if (list.size() > limits::kMaxEndoflifeCycles) {
    return make_error(ErrorCode::kLimitExceeded, fmt::format("more than {} releases", limits::kMaxEndoflifeCycles),
                      std::string(name));
  }
  std::vector<Cycle> out;
  for (const auto& n : list) {
    auto c = read_cycle(name, n, upstream);
    if (!c.ok()) return c.error();
    out.push_back(std::move(c.value()));
  }
  return out;
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(ch) < 0x20) continue;
    out.push_back(ch);
  }
  return out + "\"";
}

bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

}  // namespace

const Cycle* Product::find(std::string_view name) const {
  for (const auto& c : cycles) {
    if (c.cycle == name) return &c;
  }
  return nullptr;
}

const Cycle* Product::find_codename(std::string_view codename) const {
  auto same = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
  };
  if (codename.empty()) return nullptr;
  for (const auto& c : cycles) {
    if (same(c.codename, codename)) return &c;
  }
  return nullptr;
}

Result<Product> parse_product_markdown(std::string_view text, std::string_view id, std::string_view name) {
  if (text.size() > limits::kMaxEndoflifeFileBytes) {
    return make_error(ErrorCode::kLimitExceeded, fmt::format("larger than {} bytes", limits::kMaxEndoflifeFileBytes),
                      std::string(name));
  }
  auto first_line_end = text.find('\n');
  std::string_view first = text.substr(0, first_line_end);
  if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
  if (first != "---" || first_line_end == std::string_view::npos) {
    return make_error(ErrorCode::kParse, "no YAML front matter (the file must start with a '---' line)",
                      std::string(name));
  }
  // The front matter ends at the next line that is exactly "---".
  std::size_t pos = first_line_end + 1, end = std::string_view::npos;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == "---") {
      end = pos;
      break;
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (end == std::string_view::npos) {
    return make_error(ErrorCode::kParse, "the front matter has no closing '---' line", std::string(name));
  }
  // A blank first line keeps yaml-cpp's line numbers equal to the file's.
  std::string front = "\n" + std::string(text.substr(first_line_end + 1, end - first_line_end - 1));
  auto root = load_yaml(front, name);
  if (!root.ok()) return root.error();
  if (!root->IsMap()) return make_error(ErrorCode::kParse, "the front matter is not a mapping", std::string(name));
  Product p;
  p.id = std::string(id);
  p.title = scalar((*root)["title"]);
  auto cycles = read_cycles(name, (*root)["releases"], true);
  if (!cycles.ok()) return cycles.error();
  p.cycles = std::move(cycles.value());
  return p;
}

Result<Product> parse_table(std::string_view text, std::string_view name) {
  if (text.size() > limits::kMaxEndoflifeFileBytes) {
    return make_error(ErrorCode::kLimitExceeded, fmt::format("larger than {} bytes", limits::kMaxEndoflifeFileBytes),
                      std::string(name));
  }
  auto root = load_yaml(std::string(text), name);
  if (!root.ok()) return root.error();
  if (!root->IsMap()) return make_error(ErrorCode::kParse, "expected a mapping", std::string(name));
  Product p;
  p.id = scalar((*root)["product"]);
  p.title = scalar((*root)["title"]);
  p.commit = scalar((*root)["commit"]);
  p.retrieved = scalar((*root)["retrieved"]);
  if (p.id.empty() || !parse_date(p.retrieved)) {
    return make_error(ErrorCode::kParse, "a table needs product and a retrieved YYYY-MM-DD date", std::string(name));
  }
  const YAML::Node list = (*root)["releases"];
  if (list && list.IsSequence()) {
    for (const auto& n : list) {
      if (!n.IsMap()) continue;
      for (const auto& kv : n) {
        auto key = kv.first.Scalar();
        if (std::find(std::begin(kTableKeys), std::end(kTableKeys), key) == std::end(kTableKeys)) {
          return bad(name, kv.first, "unknown field '" + key + "'");
        }
      }
    }
  }
  auto cycles = read_cycles(name, list, false);
  if (!cycles.ok()) return cycles.error();
  p.cycles = std::move(cycles.value());
  return p;
}

std::string to_table(const Product& p) {
  std::string out = fmt::format(
      "# Generated by `fwcert data import-endoflife` from endoflife.date products/{}.md; do not edit.\n"
      "# MIT licence: LICENSE in this directory. Dates are YYYY-MM-DD; eol true = ended, no date given.\n",
      p.id);
  out += fmt::format("product: {}\ntitle: {}\ncommit: {}\nretrieved: {}\nreleases:\n", quoted(p.id), quoted(p.title),
                     quoted(p.commit), quoted(p.retrieved));
  for (const auto& c : p.cycles) {
    std::string row = "cycle: " + quoted(c.cycle);
    if (!c.codename.empty()) row += ", codename: " + quoted(c.codename);
    if (c.lts) row += ", lts: true";
    if (c.lts_from) row += ", lts_from: " + quoted(format_date(*c.lts_from));
    if (c.release) row += ", release: " + quoted(format_date(*c.release));
    row += ", eol: " + (c.eol ? quoted(format_date(*c.eol)) : std::string(c.eol_flag ? "true" : "false"));
    if (c.eoas) row += ", eoas: " + quoted(format_date(*c.eoas));
    if (c.eoes) row += ", eoes: " + quoted(format_date(*c.eoes));
    if (!c.latest.empty()) row += ", latest: " + quoted(c.latest);
    if (c.latest_date) row += ", latest_date: " + quoted(format_date(*c.latest_date));
    out += "  - {" + row + "}\n";
  }
  return out;
}

const std::vector<std::string_view>& known_products() {
  static const std::vector<std::string_view> kProducts = {"linux-kernel", "debian", "ubuntu",  "alpine-linux",
                                                          "openwrt",      "yocto",  "android", "openssl",
                                                          "python",       "nodejs", "sqlite"};
  return kProducts;
}

namespace {

const std::map<std::string, Product, std::less<>>& builtin_tables() {
  static const std::map<std::string, Product, std::less<>> kTables = [] {
    std::map<std::string, Product, std::less<>> out;
    for (const auto& r : data::resources()) {
      if (!r.name.starts_with("data/endoflife/") || !r.name.ends_with(".yaml")) continue;
      auto p = parse_table(r.content, r.name);
      assert(p.ok() && "built-in end-of-life tables must load");
      if (!p.ok()) std::abort();
      std::string id = p->id;
      out.emplace(std::move(id), std::move(p.value()));
    }
    return out;
  }();
  return kTables;
}

}  // namespace

const Product* builtin(std::string_view id) {
  const auto& t = builtin_tables();
  auto it = t.find(id);
  return it == t.end() ? nullptr : &it->second;
}

Snapshot snapshot() {
  Snapshot s;
  for (const auto& [id, p] : builtin_tables()) {
    if (s.retrieved.empty() || p.retrieved < s.retrieved) {
      s.retrieved = p.retrieved;
      s.commit = p.commit;
    }
  }
  return s;
}

Support judge(const Cycle& c, const CivilDate& day, unsigned window_days) {
  if (c.eol) {
    auto left = days_since_epoch(*c.eol) - days_since_epoch(day);
    if (left <= 0) return Support::kEnded;
    if (left <= static_cast<std::int64_t>(window_days)) return Support::kEndingSoon;
    return Support::kSupported;
  }
  return c.eol_flag ? Support::kEnded : Support::kNoEndAnnounced;
}

std::string eol_text(const Cycle& c) {
  if (c.eol) return format_date(*c.eol);
  return c.eol_flag ? "ended (no date given)" : "not announced";
}

std::optional<std::int64_t> days_left(const Cycle& c, const CivilDate& day) {
  if (!c.eol) return std::nullopt;
  return days_since_epoch(*c.eol) - days_since_epoch(day);
}

int compare_versions(std::string_view a, std::string_view b) {
  auto next = [](std::string_view& s) -> std::optional<unsigned long> {
    if (s.empty() || !is_digit(s.front())) return std::nullopt;
    unsigned long v = 0;
    while (!s.empty() && is_digit(s.front())) {
      if (v < 100'000'000) v = v * 10 + static_cast<unsigned long>(s.front() - '0');
      s.remove_prefix(1);
    }
    if (!s.empty() && s.front() == '.') {
      s.remove_prefix(1);
    } else {
      s = {};  // a suffix ("-rc1", "a") ends the comparison
    }
    return v;
  };
  for (int i = 0; i < 16; ++i) {
    auto x = next(a), y = next(b);
    if (!x && !y) return 0;
    unsigned long xv = x.value_or(0), yv = y.value_or(0);
    if (xv != yv) return xv < yv ? -1 : 1;
  }
  return 0;
}

}  // namespace fwcert::endoflife
