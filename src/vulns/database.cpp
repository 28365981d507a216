#include "vulns/database.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/limits.hpp"
#include "core/text.hpp"
#include "vulns/limits.hpp"

namespace fwcert::vulns {

namespace {

constexpr const char* kApplication = "fwcert-vulns";

constexpr const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources(name TEXT PRIMARY KEY, imported TEXT NOT NULL, newest TEXT NOT NULL,
                     records INTEGER NOT NULL, detail TEXT NOT NULL);
CREATE TABLE advisories(id TEXT PRIMARY KEY, kind TEXT NOT NULL, source TEXT NOT NULL, cve TEXT NOT NULL,
                        summary TEXT NOT NULL, published TEXT NOT NULL, modified TEXT NOT NULL,
                        withdrawn INTEGER NOT NULL);
CREATE INDEX advisories_source ON advisories(source);
CREATE INDEX advisories_cve ON advisories(cve);
CREATE TABLE aliases(advisory TEXT NOT NULL, alias TEXT NOT NULL, PRIMARY KEY(advisory, alias)) WITHOUT ROWID;
CREATE TABLE affected(advisory TEXT NOT NULL, entry INTEGER NOT NULL, ecosystem TEXT NOT NULL, package TEXT NOT NULL,
                      package_alt TEXT NOT NULL, vendor TEXT NOT NULL, scheme TEXT NOT NULL,
                      default_affected INTEGER NOT NULL, PRIMARY KEY(advisory, entry));
CREATE INDEX affected_package ON affected(package, ecosystem);
CREATE INDEX affected_package_alt ON affected(package_alt);
CREATE TABLE ranges(advisory TEXT NOT NULL, entry INTEGER NOT NULL, unaffected INTEGER NOT NULL,
                    introduced TEXT NOT NULL, fixed TEXT NOT NULL, last_affected TEXT NOT NULL, exact TEXT NOT NULL);
CREATE INDEX ranges_entry ON ranges(advisory, entry);
CREATE TABLE entry_cpes(advisory TEXT NOT NULL, entry INTEGER NOT NULL, cpe TEXT NOT NULL);
CREATE INDEX entry_cpes_cpe ON entry_cpes(cpe);
CREATE INDEX entry_cpes_advisory ON entry_cpes(advisory);
CREATE TABLE ecosystems(name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE cvss(advisory TEXT NOT NULL, cve TEXT NOT NULL, version TEXT NOT NULL, score REAL NOT NULL,
                  vector TEXT NOT NULL);
CREATE INDEX cvss_cve ON cvss(cve);
CREATE INDEX cvss_advisory ON cvss(advisory);
CREATE TABLE kev(cve TEXT PRIMARY KEY, vendor TEXT NOT NULL, product TEXT NOT NULL, name TEXT NOT NULL,
                 date_added TEXT NOT NULL, due_date TEXT NOT NULL, ransomware TEXT NOT NULL);
CREATE TABLE epss(cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL);
)sql";

/// One prepared statement, finalised on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) { rc_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK && s_; }
  int prepare_code() const { return rc_; }
  Stmt& bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  /// Steps once: true while a row is there.
  bool row() {
    last_ = sqlite3_step(s_);
    return last_ == SQLITE_ROW;
  }
  /// Runs to the end and resets for the next bindings; false on an error.
  bool run() {
    last_ = sqlite3_step(s_);
    const bool good = last_ == SQLITE_DONE || last_ == SQLITE_ROW;
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    return good;
  }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(s_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s_, col)))
             : std::string();
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(s_, col); }
  double real(int col) const { return sqlite3_column_double(s_, col); }
  int last() const { return last_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_ERROR;
  int last_ = SQLITE_OK;
};

bool exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

Error db_error(sqlite3* db, const std::string& path, std::string_view what) {
  return make_error(ErrorCode::kIo, fmt::format("{}: {}", what, db ? sqlite3_errmsg(db) : "out of memory"), path);
}

/// Checks that `db` is an fwcert vulnerability database of this schema.
OkResult check_identity(sqlite3* db, const std::string& path) {
  Stmt s(db, "SELECT key, value FROM meta WHERE key IN ('application', 'schema_version')");
  if (!s.ok()) {
    const int code = sqlite3_errcode(db);
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
      return make_error(ErrorCode::kCorrupt, "not an SQLite database, or a damaged one (nothing was changed)", path);
    }
    return make_error(ErrorCode::kUnsupported,
                      "an SQLite database, but not an fwcert vulnerability database (no `meta` table; nothing was "
                      "changed)",
                      path);
  }
  std::map<std::string, std::string> meta;
  while (s.row()) meta[s.text(0)] = s.text(1);
  if (s.last() != SQLITE_DONE) {
    return make_error(ErrorCode::kCorrupt, "a damaged database (nothing was changed)", path);
  }
  if (meta["application"] != kApplication) {
    return make_error(ErrorCode::kUnsupported, "not an fwcert vulnerability database (nothing was changed)", path);
  }
  if (meta["schema_version"] != std::to_string(kSchemaVersion)) {
    return make_error(ErrorCode::kUnsupported,
                      fmt::format("vulnerability database schema {}, this fwcert reads {}: import into a new file",
                                  meta["schema_version"], kSchemaVersion),
                      path);
  }
  return Ok{};
}

std::string now_rfc3339() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// --- reading the host files of an import -----------------------------------------------------

/// Reads a host file of at most `limit` bytes.
Result<std::string> read_host_file(const std::string& path, std::uint64_t limit) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return make_error(ErrorCode::kIo, ec.message(), path);
  if (size > limit) {
    return make_error(ErrorCode::kLimitExceeded, fmt::format("larger than {} bytes", limit), path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, "cannot be read", path);
  std::string data(size, '\0');
  in.read(data.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::uint64_t>(in.gcount()) != size) return make_error(ErrorCode::kIo, "short read", path);
  return data;
}

bool is_zip(std::string_view b) { return b.starts_with(std::string_view("PK\x03\x04", 4)); }
bool is_gzip(std::string_view b) { return b.size() >= 2 && b[0] == '\x1f' && b[1] == '\x8b'; }

/// The content of a gzip stream, at most `limit` bytes.
Result<std::string> gunzip(std::string_view bytes, const std::string& name, std::uint64_t limit) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), &archive_read_free);
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return make_error(ErrorCode::kCorrupt, "damaged gzip stream", name);
  }
  archive_entry* e = nullptr;
  if (archive_read_next_header(a.get(), &e) != ARCHIVE_OK)
    return make_error(ErrorCode::kCorrupt, "damaged gzip stream", name);
  std::string out;
  char buf[65536];
  for (;;) {
    const la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
    if (n < 0) return make_error(ErrorCode::kCorrupt, "damaged gzip stream", name);
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > limit) {
      return make_error(ErrorCode::kLimitExceeded, fmt::format("decompresses to more than {} bytes", limit), name);
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

constexpr std::uint64_t kMaxDocumentBytes =
    std::max({limits::kMaxVulnRecordBytes, limits::kMaxKevBytes, limits::kMaxEpssBytes});

// --- the import ------------------------------------------------------------------------------

class Importer {
 public:
  Importer(sqlite3* db, std::string now) : db_(db), now_(std::move(now)) {}

  OkResult prepare() {
    for (auto* s : {&ins_adv_, &ins_alias_, &ins_aff_, &ins_range_, &ins_cpe_, &ins_cvss_, &ins_kev_, &ins_epss_}) {
      if (!s->ok()) return db_error(db_, "", "preparing the import");
    }
    return Ok{};
  }

  /// One path the user named.
  OkResult import_path(const std::string& path) {
    std::error_code ec;
    auto st = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(st)) return make_error(ErrorCode::kNotFound, "no such file or directory", path);
    if (std::filesystem::is_directory(st)) return import_directory(path);
    if (!std::filesystem::is_regular_file(st))
      return make_error(ErrorCode::kInvalidArgument, "not a regular file", path);
    auto bytes = read_host_file(path, kMaxDocumentBytes);
    if (!bytes) return bytes.error();
    return import_bytes(*bytes, path, false, true);
  }

  OkResult finish() {
    // sources: counts and the newest record of each advisory source touched
    Stmt count(db_, "SELECT count(*), coalesce(max(substr(modified, 1, 10)), '') FROM advisories WHERE source = ?1");
    Stmt put(db_,
             "INSERT INTO sources(name, imported, newest, records, detail) VALUES(?1, ?2, ?3, ?4, ?5) "
             "ON CONFLICT(name) DO UPDATE SET imported = ?2, newest = ?3, records = ?4, detail = ?5");
    if (!count.ok() || !put.ok()) return db_error(db_, "", "updating the sources");
    for (auto& [name, s] : seen_) {
      std::int64_t total = s.imported;
      std::string newest = s.newest;
      if (name != "kev" && name != "epss") {
        count.bind(1, name);
        if (count.row()) {
          total = count.integer(0);
          newest = count.text(1);
        }
        count.reset();
      } else {
        Stmt c(db_, name == "kev" ? "SELECT count(*) FROM kev" : "SELECT count(*) FROM epss");
        if (c.ok() && c.row()) total = c.integer(0);
      }
      s.total = total;
      put.bind(1, name).bind(2, now_).bind(3, newest).bind(4, total).bind(5, s.detail);
      if (!put.run()) return db_error(db_, "", "updating the sources");
    }
    if (!exec(db_,
              "DELETE FROM ecosystems; INSERT INTO ecosystems SELECT DISTINCT ecosystem FROM affected WHERE "
              "ecosystem != ''")) {
      return db_error(db_, "", "indexing the ecosystems");
    }
    Stmt meta(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES('built', ?1)");
    meta.bind(1, now_);
    if (!meta.ok() || !meta.run()) return db_error(db_, "", "writing the build date");
    return Ok{};
  }

  struct Seen {
    std::int64_t imported = 0;
    std::int64_t total = 0;
    std::string newest;
    std::string detail;
  };
  const std::map<std::string, Seen>& seen() const { return seen_; }
  std::size_t files = 0;
  std::size_t skipped = 0;

 private:
  OkResult import_directory(const std::string& root) {
    std::vector<std::string> paths;
    std::error_code ec;
    std::filesystem::recursive_directory_iterator it(root, std::filesystem::directory_options::none, ec), end;
    if (ec) return make_error(ErrorCode::kIo, ec.message(), root);
    for (; it != end; it.increment(ec)) {
      if (ec) return make_error(ErrorCode::kIo, ec.message(), root);
      if (it.depth() > limits::kMaxVulnImportDepth) {
        it.disable_recursion_pending();
        continue;
      }
      const std::string name = it->path().filename().string();
      if (it->is_directory() && name.starts_with(".")) {  // .git of a cvelistV5 clone
        it.disable_recursion_pending();
        continue;
      }
      if (!it->is_regular_file()) continue;
      if (paths.size() >= limits::kMaxVulnImportFiles) {
        return make_error(ErrorCode::kLimitExceeded, fmt::format("more than {} files", limits::kMaxVulnImportFiles),
                          root);
      }
      paths.push_back(it->path().string());
    }
    std::sort(paths.begin(), paths.end());  // the same tree imports the same way every time
    for (const auto& p : paths) {
      auto bytes = read_host_file(p, kMaxDocumentBytes);
      if (!bytes) return bytes.error();
      if (auto ok = import_bytes(*bytes, p, true, true); !ok) return ok;
    }
    return Ok{};
  }

  OkResult import_zip(const std::string& bytes, const std::string& name) {
    std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), &archive_read_free);
    archive_read_support_format_zip(a.get());
    if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
      return make_error(ErrorCode::kCorrupt, fmt::format("damaged zip: {}", archive_error_string(a.get())), name);
    }
    archive_entry* e = nullptr;
    std::size_t members = 0;
    for (;;) {
      const int r = archive_read_next_header(a.get(), &e);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
        return make_error(ErrorCode::kCorrupt, fmt::format("damaged zip: {}", archive_error_string(a.get())), name);
      }
      if (++members > limits::kMaxVulnImportFiles) {
        return make_error(ErrorCode::kLimitExceeded, fmt::format("more than {} members", limits::kMaxVulnImportFiles),
                          name);
      }
      if (archive_entry_filetype(e) != AE_IFREG) continue;
      const char* p = archive_entry_pathname(e);
      const std::string member = name + "!" + (p ? p : "?");
      std::string data;
      char buf[65536];
      for (;;) {
        const la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
        if (n < 0) return make_error(ErrorCode::kCorrupt, "damaged zip member", member);
        if (n == 0) break;
        if (data.size() + static_cast<std::size_t>(n) > limits::kMaxVulnRecordBytes) {
          return make_error(ErrorCode::kLimitExceeded,
                            fmt::format("record larger than {} bytes", limits::kMaxVulnRecordBytes), member);
        }
        data.append(buf, static_cast<std::size_t>(n));
      }
      if (auto ok = import_bytes(data, member, true, false); !ok) return ok;
    }
    return Ok{};
  }

  /// One document. `complete`: it comes from a zip or a tree, which replace their sources'
  /// records; `nested`: zips and gzip inside are opened.
  OkResult import_bytes(const std::string& bytes, const std::string& name, bool complete, bool nested) {
    if (nested && is_zip(bytes)) return import_zip(bytes, name);
    if (nested && is_gzip(bytes)) {
      auto plain = gunzip(bytes, name, kMaxDocumentBytes);
      if (!plain) return plain.error();
      return import_bytes(*plain, name, complete, false);
    }
    ++files;
    auto doc = parse_document(bytes, name);
    if (!doc) return doc.error();
    if (std::holds_alternative<NotARecord>(*doc)) {
      ++skipped;
      return Ok{};
    }
    if (auto* advisories = std::get_if<std::vector<Advisory>>(&*doc)) {
      for (const auto& a : *advisories) {
        if (auto ok = store(a, complete); !ok) {
          Error e = ok.error();
          if (e.where.empty()) e.where = name;
          return e;
        }
      }
      return Ok{};
    }
    if (auto* kev = std::get_if<KevCatalog>(&*doc)) return store(*kev, name);
    return store(std::get<EpssFile>(*doc), name);
  }

  OkResult clear_source(const std::string& source) {
    for (const char* table : {"aliases", "affected", "ranges", "entry_cpes", "cvss"}) {
      const std::string sql =
          fmt::format("DELETE FROM {} WHERE advisory IN (SELECT id FROM advisories WHERE source = ?1)", table);
      Stmt d(db_, sql.c_str());
      d.bind(1, source);
      if (!d.ok() || !d.run()) return db_error(db_, "", "replacing a source");
    }
    Stmt d(db_, "DELETE FROM advisories WHERE source = ?1");
    d.bind(1, source);
    if (!d.ok() || !d.run()) return db_error(db_, "", "replacing a source");
    return Ok{};
  }

  OkResult clear_advisory(const std::string& id) {
    for (const char* table : {"aliases", "affected", "ranges", "entry_cpes", "cvss"}) {
      const std::string sql = fmt::format("DELETE FROM {} WHERE advisory = ?1", table);
      Stmt d(db_, sql.c_str());
      d.bind(1, id);
      if (!d.ok() || !d.run()) return db_error(db_, "", "replacing a record");
    }
    Stmt d(db_, "DELETE FROM advisories WHERE id = ?1");
    d.bind(1, id);
    if (!d.ok() || !d.run()) return db_error(db_, "", "replacing a record");
    return Ok{};
  }

  OkResult store(const Advisory& a, bool complete) {
    if (complete && !replaced_.count(a.source)) {
      replaced_.insert(a.source);
      if (auto ok = clear_source(a.source); !ok) return ok;
    } else if (!complete || stored_ids_.count(a.id)) {
      if (auto ok = clear_advisory(a.id); !ok) return ok;
    }
    if (complete) stored_ids_.insert(a.id);
    auto& seen = seen_[a.source];
    ++seen.imported;
    ins_adv_.bind(1, a.id).bind(2, a.kind).bind(3, a.source).bind(4, a.cve).bind(5, a.summary);
    ins_adv_.bind(6, a.published).bind(7, a.modified).bind(8, static_cast<std::int64_t>(a.withdrawn));
    if (!ins_adv_.run()) {
      return make_error(ErrorCode::kCorrupt, fmt::format("{}: cannot be stored: {}", a.id, sqlite3_errmsg(db_)));
    }
    for (const auto& alias : a.aliases) {
      ins_alias_.bind(1, a.id).bind(2, alias);
      if (!ins_alias_.run()) return db_error(db_, "", "storing an alias");
    }
    std::int64_t entry = 0;
    for (const auto& e : a.affected) {
      ins_aff_.bind(1, a.id).bind(2, entry).bind(3, e.ecosystem).bind(4, e.package).bind(5, e.package_alt);
      ins_aff_.bind(6, e.vendor).bind(7, std::string_view(to_string(e.scheme)));
      ins_aff_.bind(8, static_cast<std::int64_t>(e.default_affected));
      if (!ins_aff_.run()) return db_error(db_, "", "storing an affected entry");
      for (const auto& r : e.rows) {
        ins_range_.bind(1, a.id).bind(2, entry).bind(3, static_cast<std::int64_t>(r.unaffected)).bind(4, r.introduced);
        ins_range_.bind(5, r.fixed).bind(6, r.last_affected).bind(7, r.exact);
        if (!ins_range_.run()) return db_error(db_, "", "storing a range");
      }
      for (const auto& c : std::set<std::string>(e.cpes.begin(), e.cpes.end())) {
        ins_cpe_.bind(1, a.id).bind(2, entry).bind(3, c);
        if (!ins_cpe_.run()) return db_error(db_, "", "storing a CPE");
      }
      ++entry;
    }
    for (const auto& c : a.cvss) {
      ins_cvss_.bind(1, a.id)
          .bind(2, a.cve.empty() ? a.id : a.cve)
          .bind(3, c.version)
          .bind(4, c.score)
          .bind(5, c.vector);
      if (!ins_cvss_.run()) return db_error(db_, "", "storing a CVSS score");
    }
    return Ok{};
  }

  OkResult store(const KevCatalog& k, const std::string& name) {
    if (!exec(db_, "DELETE FROM kev")) return db_error(db_, name, "replacing the KEV catalogue");
    for (const auto& e : k.entries) {
      ins_kev_.bind(1, e.cve).bind(2, e.vendor).bind(3, e.product).bind(4, e.name).bind(5, e.date_added);
      ins_kev_.bind(6, e.due_date).bind(7, e.ransomware);
      if (!ins_kev_.run()) return db_error(db_, name, "storing a KEV entry");
    }
    auto& seen = seen_["kev"];
    seen.imported = static_cast<std::int64_t>(k.entries.size());
    seen.newest = k.released.substr(0, 10);
    seen.detail = k.version.empty() ? "CSV form" : "catalogVersion " + k.version;
    return Ok{};
  }

  OkResult store(const EpssFile& f, const std::string& name) {
    if (!exec(db_, "DELETE FROM epss")) return db_error(db_, name, "replacing the EPSS scores");
    for (const auto& e : f.entries) {
      ins_epss_.bind(1, e.cve).bind(2, e.epss).bind(3, e.percentile);
      if (!ins_epss_.run()) return db_error(db_, name, "storing an EPSS score");
    }
    auto& seen = seen_["epss"];
    seen.imported = static_cast<std::int64_t>(f.entries.size());
    seen.newest = f.score_date.substr(0, 10);
    seen.detail = f.model_version.empty() ? "" : "model " + f.model_version;
    return Ok{};
  }

  sqlite3* db_;
  std::string now_;
  std::map<std::string, Seen> seen_;
  std::set<std::string> replaced_;
  std::set<std::string> stored_ids_;
  Stmt ins_adv_{db_,
                "INSERT OR REPLACE INTO advisories(id, kind, source, cve, summary, published, modified, withdrawn) "
                "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"};
  Stmt ins_alias_{db_, "INSERT OR IGNORE INTO aliases(advisory, alias) VALUES(?1, ?2)"};
  Stmt ins_aff_{db_,
                "INSERT OR REPLACE INTO affected(advisory, entry, ecosystem, package, package_alt, vendor, scheme, "
                "default_affected) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"};
  Stmt ins_range_{db_,
                  "INSERT INTO ranges(advisory, entry, unaffected, introduced, fixed, last_affected, exact) "
                  "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"};
  Stmt ins_cpe_{db_, "INSERT INTO entry_cpes(advisory, entry, cpe) VALUES(?1, ?2, ?3)"};
  Stmt ins_cvss_{db_, "INSERT INTO cvss(advisory, cve, version, score, vector) VALUES(?1, ?2, ?3, ?4, ?5)"};
  Stmt ins_kev_{db_,
                "INSERT OR REPLACE INTO kev(cve, vendor, product, name, date_added, due_date, ransomware) "
                "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"};
  Stmt ins_epss_{db_, "INSERT OR REPLACE INTO epss(cve, score, percentile) VALUES(?1, ?2, ?3)"};
};

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

}  // namespace

std::string default_db_path() {
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/fwcert/vulns.db";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/share/fwcert/vulns.db";
  return {};
}

Result<ImportResult> import_paths(const std::vector<std::string>& paths, const std::string& db_path,
                                  const ImportOptions& options) {
  if (paths.empty()) return make_error(ErrorCode::kInvalidArgument, "nothing to import");
  if (db_path.empty()) return make_error(ErrorCode::kInvalidArgument, "no database file (give --db FILE)");
  std::error_code ec;
  const bool existed = std::filesystem::exists(db_path, ec);
  if (!existed) {
    const auto dir = std::filesystem::path(db_path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  }
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READWRITE | (existed ? 0 : SQLITE_OPEN_CREATE), nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) return db_error(raw, db_path, "cannot open the database");
  sqlite3_busy_timeout(db.get(), 5000);
  auto fail_new = [&](Error e) -> Error {
    // a database this import created and could not fill is removed again
    if (!existed) {
      db.reset();
      std::filesystem::remove(db_path, ec);
      std::filesystem::remove(db_path + "-journal", ec);
    }
    return e;
  };
  if (existed) {
    if (auto ok = check_identity(db.get(), db_path); !ok) return ok.error();
    Stmt q(db.get(), "PRAGMA quick_check");
    if (!q.ok() || !q.row() || q.text(0) != "ok") {
      return make_error(ErrorCode::kCorrupt, "the database is damaged (PRAGMA quick_check; nothing was changed)",
                        db_path);
    }
  }
  if (!exec(db.get(), "BEGIN IMMEDIATE")) return fail_new(db_error(db.get(), db_path, "cannot lock the database"));
  const std::string now = options.now.empty() ? now_rfc3339() : options.now;
  if (!existed) {
    if (!exec(db.get(), kSchema)) {
      exec(db.get(), "ROLLBACK");
      return fail_new(db_error(db.get(), db_path, "cannot create the schema"));
    }
    Stmt m(db.get(), "INSERT INTO meta(key, value) VALUES(?1, ?2)");
    for (const auto& [k, v] : {std::pair<std::string, std::string>{"application", kApplication},
                               {"schema_version", std::to_string(kSchemaVersion)},
                               {"created", now}}) {
      m.bind(1, k).bind(2, v);
      if (!m.run()) {
        exec(db.get(), "ROLLBACK");
        return fail_new(db_error(db.get(), db_path, "cannot write the schema version"));
      }
    }
  }
  ImportResult result;
  result.db_path = db_path;
  {
    Importer imp(db.get(), now);
    OkResult ok = imp.prepare();
    for (std::size_t i = 0; ok && i < paths.size(); ++i) ok = imp.import_path(paths[i]);
    if (ok) ok = imp.finish();
    if (!ok) {
      exec(db.get(), "ROLLBACK");
      return fail_new(ok.error());
    }
    result.files = imp.files;
    result.skipped = imp.skipped;
    for (const auto& [name, s] : imp.seen()) result.sources.push_back({name, s.imported, s.total});
  }
  if (!exec(db.get(), "COMMIT")) {
    exec(db.get(), "ROLLBACK");
    return fail_new(db_error(db.get(), db_path, "cannot commit the import"));
  }
  return result;
}

// --- reading ---------------------------------------------------------------------------------

Database::Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
Database::Database(Database&& o) noexcept : db_(o.db_), path_(std::move(o.path_)) { o.db_ = nullptr; }
Database& Database::operator=(Database&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close_v2(db_);
    db_ = o.db_;
    path_ = std::move(o.path_);
    o.db_ = nullptr;
  }
  return *this;
}
Database::~Database() {
  if (db_) sqlite3_close_v2(db_);
}

Result<Database> Database::open_read_only(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return make_error(ErrorCode::kNotFound, "no such vulnerability database", path);
  if (!S_ISREG(st.st_mode)) return make_error(ErrorCode::kInvalidArgument, "not a regular file", path);
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) return db_error(raw, path, "cannot open the vulnerability database");
  if (auto ok = check_identity(db.get(), path); !ok) return ok.error();
  return Database(db.release(), path);
}

DbStatus Database::status() const {
  DbStatus s;
  s.path = path_;
  Stmt m(db_, "SELECT key, value FROM meta");
  while (m.ok() && m.row()) {
    if (m.text(0) == "schema_version") s.schema_version = std::atoi(m.text(1).c_str());
    if (m.text(0) == "built") s.built = m.text(1);
  }
  Stmt q(db_, "SELECT name, imported, newest, records, detail FROM sources ORDER BY name");
  while (q.ok() && q.row()) s.sources.push_back({q.text(0), q.text(1), q.text(2), q.integer(3), q.text(4)});
  return s;
}

bool Database::has_ecosystem(std::string_view ecosystem) const {
  Stmt q(db_, "SELECT 1 FROM ecosystems WHERE name = ?1");
  q.bind(1, ecosystem);
  return q.ok() && q.row();
}

std::vector<Candidate> Database::query_entries(const char* sql, std::string_view a, std::string_view b) const {
  std::vector<Candidate> out;
  Stmt q(db_, sql);
  if (!q.ok()) return out;
  q.bind(1, a);
  if (!b.empty()) q.bind(2, b);
  while (q.row()) {
    Candidate c;
    c.advisory = q.text(0);
    const std::int64_t entry = q.integer(1);
    c.entry.ecosystem = q.text(2);
    c.entry.package = q.text(3);
    c.entry.package_alt = q.text(4);
    c.entry.vendor = q.text(5);
    c.entry.scheme = parse_scheme(q.text(6));
    c.entry.default_affected = q.integer(7) != 0;
    c.kind = q.text(8);
    c.cve = q.text(9);
    Stmt r(db_,
           "SELECT unaffected, introduced, fixed, last_affected, exact FROM ranges WHERE advisory = ?1 AND entry = ?2");
    r.bind(1, c.advisory).bind(2, entry);
    while (r.ok() && r.row()) {
      c.entry.rows.push_back({r.integer(0) != 0, r.text(1), r.text(2), r.text(3), r.text(4)});
    }
    out.push_back(std::move(c));
  }
  return out;
}

namespace {
constexpr const char* kEntryColumns =
    "SELECT f.advisory, f.entry, f.ecosystem, f.package, f.package_alt, f.vendor, f.scheme, f.default_affected, "
    "a.kind, a.cve FROM affected f JOIN advisories a ON a.id = f.advisory WHERE a.withdrawn = 0 AND ";
}

std::vector<Candidate> Database::entries(std::string_view ecosystem, std::string_view package) const {
  static const std::string sql =
      std::string(kEntryColumns) + "f.package = ?2 AND f.ecosystem = ?1 ORDER BY f.advisory, f.entry";
  return query_entries(sql.c_str(), ecosystem, package);
}

std::vector<Candidate> Database::upstream_entries(std::string_view package) const {
  static const std::string sql =
      std::string(kEntryColumns) +
      "(f.package = ?1 OR f.package_alt = ?1) AND f.ecosystem IN ('', 'Bitnami', 'OSS-Fuzz', 'Linux') "
      "ORDER BY f.advisory, f.entry";
  return query_entries(sql.c_str(), package, {});
}

std::vector<Candidate> Database::cpe_entries(std::string_view vendor_product) const {
  static const std::string sql =
      std::string(kEntryColumns) +
      "EXISTS (SELECT 1 FROM entry_cpes c WHERE c.advisory = f.advisory AND c.entry = f.entry AND c.cpe = ?1) "
      "AND f.ecosystem IN ('', 'Bitnami', 'OSS-Fuzz', 'Linux') ORDER BY f.advisory, f.entry";
  return query_entries(sql.c_str(), vendor_product, {});
}

std::optional<AdvisoryInfo> Database::advisory(std::string_view id) const {
  Stmt q(db_, "SELECT id, kind, cve, summary FROM advisories WHERE id = ?1");
  q.bind(1, id);
  if (!q.ok() || !q.row()) return std::nullopt;
  AdvisoryInfo a{q.text(0), q.text(1), q.text(2), q.text(3), {}};
  Stmt al(db_, "SELECT alias FROM aliases WHERE advisory = ?1 ORDER BY alias");
  al.bind(1, id);
  while (al.ok() && al.row()) a.aliases.push_back(al.text(0));
  return a;
}

std::optional<CvssScore> Database::cvss(std::string_view cve) const {
  Stmt q(db_, "SELECT version, score, vector FROM cvss WHERE cve = ?1 ORDER BY score DESC, version DESC LIMIT 1");
  q.bind(1, cve);
  if (!q.ok() || !q.row()) return std::nullopt;
  return CvssScore{q.text(0), q.real(1), q.text(2)};
}

std::optional<KevInfo> Database::kev(std::string_view cve) const {
  Stmt q(db_, "SELECT date_added, name FROM kev WHERE cve = ?1");
  q.bind(1, cve);
  if (!q.ok() || !q.row()) return std::nullopt;
  return KevInfo{q.text(0), q.text(1)};
}

std::optional<double> Database::epss(std::string_view cve) const {
  Stmt q(db_, "SELECT score FROM epss WHERE cve = ?1");
  q.bind(1, cve);
  if (!q.ok() || !q.row()) return std::nullopt;
  return q.real(0);
}

}  // namespace fwcert::vulns
