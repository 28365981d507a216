#pragma once
// End-of-life tables: which release cycles of a product (the Linux kernel, a distribution, a
// library) are supported on a given day. The tables are endoflife.date product files
// normalised by `fwcert data import-endoflife` into data/endoflife/<product>.yaml and built
// into the binary; SOURCES.md and LICENSE (MIT) beside them say where they came from and when.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.hpp"
#include "fwcert/result.hpp"

namespace fwcert::endoflife {

/// One release cycle ("4.19", "12", "23.05") and its support dates.
struct Cycle {
  std::string cycle;
  std::string codename;  ///< "Bookworm", "Kirkstone"; empty when the product has none
  std::optional<CivilDate> release;
  bool lts = false;                   ///< a long-term support cycle (now or from lts_from)
  std::optional<CivilDate> lts_from;  ///< the day the cycle became LTS, when the data gives one
  std::optional<CivilDate> eol;       ///< end of (security) support
  bool eol_flag = false;              ///< `eol: true` without a date: already ended
  std::optional<CivilDate> eoas;      ///< end of active support (bug fixes), when given
  std::optional<CivilDate> eoes;      ///< end of extended (paid/LTS) support, when given
  std::string latest;                 ///< newest point release when the data was taken
  std::optional<CivilDate> latest_date;
};

/// One product's table, newest cycle first as upstream lists them.
struct Product {
  std::string id;         ///< endoflife.date product name: linux-kernel, debian, openssl, ...
  std::string title;      ///< "Linux Kernel"
  std::string commit;     ///< upstream commit of the files the table was built from
  std::string retrieved;  ///< YYYY-MM-DD the files were taken
  std::vector<Cycle> cycles;

  /// The cycle named exactly `name`, or nullptr.
  const Cycle* find(std::string_view name) const;
  /// The cycle whose codename equals `codename` ignoring case, or nullptr.
  const Cycle* find_codename(std::string_view codename) const;
};

/// Parses the YAML front matter of an endoflife.date product file (products/<id>.md): the
/// text between the leading "---" line and the next one; the Markdown body is ignored. Only
/// `title` and `releases` are read. Bounded by limits::kMaxEndoflifeFileBytes and
/// kMaxEndoflifeCycles; errors name `name` and a line.
Result<Product> parse_product_markdown(std::string_view text, std::string_view id, std::string_view name);

/// Parses a normalised table as import writes it (data/endoflife/<id>.yaml).
Result<Product> parse_table(std::string_view text, std::string_view name);

/// Renders a product as the normalised table: one flow mapping per cycle, stable field order.
std::string to_table(const Product& p);

/// The products fwcert judges with, in the order import writes them.
const std::vector<std::string_view>& known_products();

/// The built-in table of a product, or nullptr when there is none.
const Product* builtin(std::string_view id);

/// Where the built-in tables came from: the upstream commit and the day they were taken (the
/// oldest retrieval day over the tables, "" when none is built in). Reports show it so a
/// reader knows how current the end-of-life verdicts can be.
struct Snapshot {
  std::string retrieved;
  std::string commit;
};
Snapshot snapshot();

/// How a cycle stands on a day.
enum class Support { kSupported, kEndingSoon, kEnded, kNoEndAnnounced };

/// Judges `c` on `day`: ended when its end of life is on or before the day (or `eol: true`),
/// ending soon when it falls within `window_days` after it, no end announced when the data has
/// `eol: false`, supported otherwise.
Support judge(const Cycle& c, const CivilDate& day, unsigned window_days);

/// The end-of-life day as text ("2024-12-05", "ended (no date)", "not announced").
std::string eol_text(const Cycle& c);

/// Days from `day` to the cycle's end of life (negative when past); nullopt without a date.
std::optional<std::int64_t> days_left(const Cycle& c, const CivilDate& day);

/// Compares dotted numeric versions ("3.0.13" < "3.0.2" is false): numeric fields compared
/// as numbers, missing fields as 0, non-numeric suffixes ignored.
int compare_versions(std::string_view a, std::string_view b);

}  // namespace fwcert::endoflife
