#include "cli/db_command.hpp"

#include <fmt/format.h>

#include <chrono>

#include "cli/commands.hpp"
#include "core/date.hpp"
#include "vulns/database.hpp"

namespace fwcert::cli {

namespace {

std::string db_path(const DbArgs& a) { return a.db.empty() ? vulns::default_db_path() : a.db; }

/// "3 days" old at today, from an RFC 3339 time or a YYYY-MM-DD day; "" when it cannot be read.
std::string age(const std::string& when) {
  auto d = parse_date(std::string_view(when).substr(0, std::min<std::size_t>(10, when.size())));
  if (!d) return {};
  const auto days = days_since_epoch(today_utc()) - days_since_epoch(*d);
  return fmt::format("{} day{} old", days, days == 1 ? "" : "s");
}

int do_import(const DbArgs& a) {
  const std::string path = db_path(a);
  if (path.empty()) {
    fmt::print(stderr, "fwcert: no database file: give --db FILE (neither XDG_DATA_HOME nor HOME is set)\n");
    return kExitUsage;
  }
  const auto start = std::chrono::steady_clock::now();
  auto r = vulns::import_paths(a.paths, path);
  if (!r) {
    fmt::print(stderr, "fwcert: {}\n", r.error().describe());
    return kExitUsage;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& s : r->sources) {
    fmt::print("{:<16} {:>9} imported, {:>9} in the database\n", s.name, s.imported, s.total);
  }
  fmt::print("{} documents read ({} not vulnerability records) into {} in {:.1f} s\n", r->files, r->skipped, r->db_path,
             secs);
  return kExitOk;
}

int do_status(const DbArgs& a) {
  const std::string path = db_path(a);
  if (path.empty()) {
    fmt::print(stderr, "fwcert: no database file: give --db FILE\n");
    return kExitUsage;
  }
  auto db = vulns::Database::open_read_only(path);
  if (!db) {
    fmt::print(stderr, "fwcert: {}\n", db.error().describe());
    return kExitUsage;
  }
  const auto s = db->status();
  fmt::print("{}\nschema {}, built {} ({})\n\n", s.path, s.schema_version, s.built, age(s.built));
  fmt::print("{:<16} {:>9}  {:<12} {:<22} {}\n", "source", "records", "newest", "imported", "");
  for (const auto& src : s.sources) {
    fmt::print("{:<16} {:>9}  {:<12} {:<22} {}{}\n", src.name, src.records, src.newest.empty() ? "-" : src.newest,
               src.imported, src.newest.empty() ? "" : "newest record " + age(src.newest),
               src.detail.empty() ? "" : ", " + src.detail);
  }
  return kExitOk;
}

}  // namespace

CLI::App* add_db_command(CLI::App& app, DbArgs& a) {
  auto* db = app.add_subcommand("db",
                                "The offline vulnerability database: import downloaded OSV, CVE 5, KEV and EPSS files; "
                                "show what is loaded");
  db->require_subcommand(1);
  const std::string db_help =
      "Database file (default: $XDG_DATA_HOME/fwcert/vulns.db, else ~/.local/share/fwcert/vulns.db)";
  a.import_cmd = db->add_subcommand(
      "import",
      "Import vulnerability data in one transaction: OSV records, a directory of them or an ecosystem's all.zip; CVE "
      "JSON 5 records or a cvelistV5 tree; the CISA KEV catalogue (JSON or CSV); EPSS scores (CSV, .gz too). Each "
      "PATH is recognised by its content; importing a source again replaces its records");
  a.import_cmd->add_option("PATH", a.paths, "Files or directories to import")->required()->type_name("PATH");
  a.import_cmd->add_option("--db", a.db, db_help)->type_name("FILE");
  a.status_cmd = db->add_subcommand("status", "Show what the database holds: records per source and how old each is");
  a.status_cmd->add_option("--db", a.db, db_help)->type_name("FILE");
  return db;
}

int run_db_command(const DbArgs& a) {
  if (a.import_cmd && *a.import_cmd) return do_import(a);
  if (a.status_cmd && *a.status_cmd) return do_status(a);
  return kExitUsage;
}

}  // namespace fwcert::cli
