#include "sbom/rpmdb.hpp"

#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/limits.hpp"
#include "sbom/sbom_limits.hpp"
#include "vfs/decompress.hpp"

namespace fwcert::sbom {

namespace {

/// SQLite virtual-machine steps one read of the database may take. A hostile file can make
/// "Packages" a view over a recursive query; real databases of 100,000 packages need far fewer.
constexpr unsigned long long kMaxSqliteSteps = 500'000'000ull;

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  void operator()(sqlite3_stmt* st) const { sqlite3_finalize(st); }
};

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

int count_steps(void* arg) {
  auto* steps = static_cast<unsigned long long*>(arg);
  *steps += 1000;
  return *steps > kMaxSqliteSteps ? 1 : 0;
}

/// A private, copy-on-write mapping of the temporary copy: SQLite reads the database from it
/// and can write nothing back.
struct Mapping {
  void* data = MAP_FAILED;
  std::size_t size = 0;
  ~Mapping() {
    if (data != MAP_FAILED) ::munmap(data, size);
  }
};

}  // namespace

Result<RpmDb> read_rpmdb_fd(int fd) {
  // SQLite opens files by name and resolves symlinks first, so /proc/self/fd/N of an unnamed
  // file leads it to "/tmp/#123 (deleted)", which it cannot open. The copy is mapped instead and
  // handed to SQLite as a read-only in-memory database (sqlite3_deserialize): no journal, no
  // lock, no WAL next to it, and its pages stay the page cache's, not our heap's.
  struct stat file {};
  if (::fstat(fd, &file) != 0 || file.st_size <= 0) return make_error(ErrorCode::kCorrupt, "empty rpm database");
  Mapping map;
  map.size = static_cast<std::size_t>(file.st_size);
  map.data = ::mmap(nullptr, map.size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  if (map.data == MAP_FAILED) {
    return make_error(ErrorCode::kIo, fmt::format("cannot map the rpm database copy: {}", std::strerror(errno)));
  }
  // rpm keeps its database in WAL mode; an in-memory database cannot be one, so the copy's
  // header is marked as a rollback-journal database (file format bytes 18-19: 2 is WAL, 1 the
  // legacy format). The mapping is private: the file is not changed.
  auto* header = static_cast<unsigned char*>(map.data);
  if (map.size >= 20 && header[18] == 2 && header[19] == 2) header[18] = header[19] = 1;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr);
  std::unique_ptr<sqlite3, Closer> db(raw);
  if (rc != SQLITE_OK) return make_error(ErrorCode::kIo, "SQLite cannot open an in-memory database");
  rc = sqlite3_deserialize(db.get(), "main", static_cast<unsigned char*>(map.data), file.st_size, file.st_size,
                           SQLITE_DESERIALIZE_READONLY);
  if (rc != SQLITE_OK) {
    return make_error(ErrorCode::kCorrupt, fmt::format("not an SQLite database: {}", sqlite3_errmsg(db.get())));
  }
  // The database is hostile input: no schema-defined functions or triggers, no size beyond
  // one header, and a bounded amount of work.
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_limit(db.get(), SQLITE_LIMIT_LENGTH, static_cast<int>(limits::kMaxRpmHeaderBytes));
  unsigned long long steps = 0;
  sqlite3_progress_handler(db.get(), 1000, &count_steps, &steps);

  sqlite3_stmt* st_raw = nullptr;
  rc = sqlite3_prepare_v2(db.get(), "SELECT type FROM sqlite_master WHERE name = 'Packages'", -1, &st_raw, nullptr);
  std::unique_ptr<sqlite3_stmt, Closer> probe(st_raw);
  if (rc != SQLITE_OK) {
    return make_error(ErrorCode::kCorrupt, fmt::format("not an SQLite database: {}", sqlite3_errmsg(db.get())));
  }
  const bool is_table = sqlite3_step(probe.get()) == SQLITE_ROW && sqlite3_column_text(probe.get(), 0) &&
                        std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(probe.get(), 0))) == "table";
  if (!is_table) {
    return make_error(ErrorCode::kCorrupt, "no Packages table (not an rpm database)");
  }
  probe.reset();

  rc = sqlite3_prepare_v2(db.get(), "SELECT hnum, blob FROM Packages ORDER BY hnum", -1, &st_raw, nullptr);
  std::unique_ptr<sqlite3_stmt, Closer> st(st_raw);
  if (rc != SQLITE_OK) {
    return make_error(ErrorCode::kCorrupt, fmt::format("Packages cannot be read: {}", sqlite3_errmsg(db.get())));
  }
  RpmDb out;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    const auto hnum = sqlite3_column_int64(st.get(), 0);
    if (out.packages.size() >= limits::kMaxPackagesPerDb) {
      out.problems.push_back(fmt::format("more than {} packages; the rest were not read", limits::kMaxPackagesPerDb));
      break;
    }
    const void* blob = sqlite3_column_blob(st.get(), 1);
    const int size = sqlite3_column_bytes(st.get(), 1);
    std::string why;
    auto h = parse_rpm_header(std::span(static_cast<const std::byte*>(blob), blob ? static_cast<std::size_t>(size) : 0),
                              why);
    if (!h) {
      if (out.problems.size() < limits::kMaxDamageDiagnostics) {
        out.problems.push_back(fmt::format("package {}: {}", hnum, why));
      }
      continue;
    }
    // The public keys rpm imports are stored as pseudo-packages; they are not software.
    if (h->record.name == "gpg-pubkey") continue;
    for (const auto& p : h->problems) {
      if (out.problems.size() < limits::kMaxDamageDiagnostics) {
        out.problems.push_back(fmt::format("package {} ({}): {}", hnum, h->record.name, p));
      }
    }
    out.packages.push_back(std::move(h->record));
  }
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    out.problems.push_back(fmt::format("reading Packages stopped: {}", sqlite3_errmsg(db.get())));
  }
  return out;
}

Result<RpmDb> read_rpmdb(const vfs::Vfs& v, const std::string& path) {
  auto st = v.stat(path);
  if (!st) return st.error();
  if (!st->is_regular()) return make_error(ErrorCode::kInvalidArgument, "not a regular file", path);
  if (st->size > limits::kMaxRpmDbBytes) {
    return make_error(
        ErrorCode::kLimitExceeded,
        fmt::format("{} bytes, more than the {} an rpm database is read up to", st->size, limits::kMaxRpmDbBytes),
        path);
  }
  auto spill = vfs::open_spill_file();
  if (!spill) return spill.error();
  Fd fd{*spill};
  std::vector<std::byte> buf(1u << 20);
  std::uint64_t off = 0;
  while (off < st->size) {
    auto n = v.read(path, off, buf);
    if (!n) return n.error();
    if (*n == 0) break;
    const char* p = reinterpret_cast<const char*>(buf.data());
    std::size_t left = *n;
    while (left > 0) {
      ssize_t w = ::write(fd.fd, p, left);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return make_error(ErrorCode::kIo, fmt::format("temporary copy failed: {}", std::strerror(errno)));
      p += w;
      left -= static_cast<std::size_t>(w);
    }
    off += *n;
  }
  auto db = read_rpmdb_fd(fd.fd);
  if (!db) {
    Error e = db.error();
    e.where = path;
    return e;
  }
  return db;
}

}  // namespace fwcert::sbom
