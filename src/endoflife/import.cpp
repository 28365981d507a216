#include "endoflife/import.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/limits.hpp"
#include "endoflife/endoflife.hpp"

namespace fwcert::endoflife {

namespace {

namespace fs = std::filesystem;

Result<std::string> read_host_file(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return make_error(ErrorCode::kNotFound, "no such file", p.string());
  auto size = fs::file_size(p, ec);
  if (ec) return make_error(ErrorCode::kIo, ec.message(), p.string());
  if (size > limits::kMaxEndoflifeFileBytes) {
    return make_error(ErrorCode::kLimitExceeded, fmt::format("larger than {} bytes", limits::kMaxEndoflifeFileBytes),
                      p.string());
  }
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  if (!in && !in.eof()) return make_error(ErrorCode::kIo, "read error", p.string());
  return s.str();
}

OkResult write_host_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return make_error(ErrorCode::kIo, "cannot write", p.string());
  return Ok{};
}

}  // namespace

Result<ImportSummary> import_directory(const ImportOptions& o) {
  const fs::path in = o.input_dir, out = o.output_dir;
  std::error_code ec;
  if (!fs::is_directory(in, ec)) return make_error(ErrorCode::kNotFound, "not a directory", o.input_dir);

  ImportSummary s;
  s.commit = o.commit;
  s.retrieved = o.retrieved;
  if (s.commit.empty() || s.retrieved.empty()) {
    auto sources = read_host_file(in / "SOURCES.md");
    if (sources.ok()) {
      std::smatch m;
      static const std::regex kCommit(R"(commit\s+([0-9a-f]{40})\s+of\s+(\d{4}-\d{2}-\d{2}))");
      if (std::regex_search(*sources, m, kCommit)) {
        if (s.commit.empty()) s.commit = m[1];
        if (s.retrieved.empty()) s.retrieved = m[2];
      }
    }
  }
  if (s.commit.empty() || s.retrieved.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the upstream commit and retrieval day are unknown: give --commit and --retrieved (or an "
                      "INPUT/SOURCES.md saying 'commit <hash> of YYYY-MM-DD')",
                      o.input_dir);
  }
  if (!parse_date(s.retrieved)) {
    return make_error(ErrorCode::kInvalidArgument, "retrieval day '" + s.retrieved + "' is not YYYY-MM-DD");
  }

  fs::path license = o.license;
  if (license.empty()) license = fs::exists(in / "LICENSE", ec) ? in / "LICENSE" : in.parent_path() / "LICENSE";
  auto license_text = read_host_file(license);
  if (!license_text.ok()) {
    return make_error(ErrorCode::kNotFound, "the MIT licence of the data must be kept with it: no LICENSE found",
                      license.string());
  }

  // Parse everything first, so that a bad file leaves the output untouched.
  std::vector<Product> products;
  for (auto id : known_products()) {
    fs::path file = in / (std::string(id) + ".md");
    auto text = read_host_file(file);
    if (!text.ok()) return text.error();
    auto p = parse_product_markdown(*text, id, file.string());
    if (!p.ok()) return p.error();
    if (p->cycles.empty()) return make_error(ErrorCode::kParse, "no releases", file.string());
    p->commit = s.commit;
    p->retrieved = s.retrieved;
    s.cycles += p->cycles.size();
    products.push_back(std::move(p.value()));
  }

  fs::create_directories(out, ec);
  if (ec) return make_error(ErrorCode::kIo, ec.message(), o.output_dir);
  std::string list;
  for (const auto& p : products) {
    fs::path file = out / (p.id + ".yaml");
    if (auto w = write_host_file(file, to_table(p)); !w.ok()) return w.error();
    s.written.push_back(file.string());
    list += fmt::format("- `{}.yaml` from `products/{}.md` ({}, {} release cycles)\n", p.id, p.id, p.title,
                        p.cycles.size());
  }
  if (auto w = write_host_file(out / "LICENSE", *license_text); !w.ok()) return w.error();
  s.written.push_back((out / "LICENSE").string());
  std::string sources = fmt::format(
      "# End-of-life tables\n\n"
      "Built by `fwcert data import-endoflife` from the product files of the endoflife.date project\n"
      "(https://github.com/endoflife-date/endoflife.date, folder `products/`), commit {} of {}\n"
      "(the retrieval day). The data is under the MIT licence: LICENSE in this directory, copied\n"
      "from the source. Each table keeps, per release cycle, the release day, whether it is a\n"
      "long-term support cycle, the end of life (`eol`: a day, or true when it ended on a day the\n"
      "data does not give), the ends of active and extended support where given, and the newest\n"
      "point release at the retrieval day. Regenerate, never edit: see docs/os-currency.md.\n\n"
      "Retrieved: {}\nUpstream commit: {}\n\n{}",
      s.commit, s.retrieved, s.retrieved, s.commit, list);
  if (auto w = write_host_file(out / "SOURCES.md", sources); !w.ok()) return w.error();
  s.written.push_back((out / "SOURCES.md").string());
  return s;
}

}  // namespace fwcert::endoflife
