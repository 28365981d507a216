#include "evidence/content.hpp"

#include <fmt/format.h>
#include <hs.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstring>
#include <thread>

#include "core/limits.hpp"
#include "data/resources.hpp"
#include "sbom/fingerprint.hpp"

namespace fwcert::evidence::content {

namespace {

std::vector<Rule> load_rules() {
  std::vector<Rule> out;
  for (std::string_view line : data::resource_lines("data/content-rules.tsv")) {
    auto t1 = line.find('\t');
    auto t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string_view::npos) continue;
    Rule r;
    r.name = std::string(line.substr(0, t1));
    std::string_view flags = line.substr(t1 + 1, t2 - t1 - 1);
    r.expression = std::string(line.substr(t2 + 1));
    r.start_of_match = flags.find('s') != std::string_view::npos;
    r.multiline = flags.find('m') != std::string_view::npos;
    r.caseless = flags.find('i') != std::string_view::npos;
    out.push_back(std::move(r));
  }
  // The anchors of the version fingerprints (data/fingerprints.yaml) share the pass: the bytes of
  // every file are read once for secrets, TLS strings and component versions alike.
  for (auto& r : sbom::fingerprint_content_rules()) out.push_back(std::move(r));
  return out;
}

struct ScanState {
  std::vector<Match>* out = nullptr;
  const char* chunk = nullptr;
  std::uint64_t chunk_base = 0;
  std::uint64_t chunk_size = 0;
  std::uint64_t lines_before = 0;  ///< newlines before the chunk
  bool truncated = false;
};

int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int /*flags*/, void* ctx) {
  auto* s = static_cast<ScanState*>(ctx);
  if (s->out->size() >= limits::kMaxContentMatchesPerFile) {
    s->truncated = true;
    return 1;  // stop scanning this file
  }
  Match m;
  m.rule = id;
  m.end = to;
  m.start = rules()[id].start_of_match ? from : to;
  // The line of the match's last byte: newlines before the chunk plus those in it up to there.
  std::uint64_t upto = to > s->chunk_base ? std::min<std::uint64_t>(to - 1 - s->chunk_base, s->chunk_size) : 0;
  m.line = s->lines_before + 1 +
           static_cast<std::uint64_t>(std::count(s->chunk, s->chunk + static_cast<std::ptrdiff_t>(upto), '\n'));
  s->out->push_back(m);
  return 0;
}

struct ScratchDeleter {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};
using Scratch = std::unique_ptr<hs_scratch_t, ScratchDeleter>;

}  // namespace

struct Matcher::Impl {
  hs_database_t* db = nullptr;
  hs_scratch_t* prototype = nullptr;
  ~Impl() {
    hs_free_scratch(prototype);
    hs_free_database(db);
  }
  Scratch clone() const {
    hs_scratch_t* s = nullptr;
    if (hs_clone_scratch(prototype, &s) != HS_SUCCESS) return nullptr;
    return Scratch(s);
  }
};

const std::vector<Rule>& rules() {
  static const std::vector<Rule> kRules = load_rules();
  return kRules;
}

std::uint32_t rule_id(std::string_view name) {
  const auto& r = rules();
  for (std::uint32_t i = 0; i < r.size(); ++i) {
    if (r[i].name == name) return i;
  }
  assert(false && "unknown content rule");
  return static_cast<std::uint32_t>(r.size());
}

const FileMatches* PassResult::of(std::size_t entry) const {
  auto it = std::lower_bound(files.begin(), files.end(), entry,
                             [](const FileMatches& f, std::size_t e) { return f.entry < e; });
  return it != files.end() && it->entry == entry ? &*it : nullptr;
}

Matcher::Matcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Matcher::~Matcher() = default;

Result<std::unique_ptr<Matcher>> Matcher::compile() {
  const auto& r = rules();
  std::vector<const char*> expressions;
  std::vector<unsigned> flags, ids;
  for (std::uint32_t i = 0; i < r.size(); ++i) {
    expressions.push_back(r[i].expression.c_str());
    unsigned f = 0;
    if (r[i].start_of_match) f |= HS_FLAG_SOM_LEFTMOST;
    if (r[i].multiline) f |= HS_FLAG_MULTILINE;
    if (r[i].caseless) f |= HS_FLAG_CASELESS;
    flags.push_back(f);
    ids.push_back(i);
  }
  auto impl = std::make_unique<Impl>();
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(expressions.data(), flags.data(), ids.data(), static_cast<unsigned>(r.size()),
                       HS_MODE_STREAM | HS_MODE_SOM_HORIZON_MEDIUM, nullptr, &impl->db, &err) != HS_SUCCESS) {
    std::string which = err && err->expression >= 0 && static_cast<std::size_t>(err->expression) < r.size()
                            ? r[static_cast<std::size_t>(err->expression)].name
                            : std::string("?");
    std::string msg = fmt::format("content rule {}: {}", which, err ? err->message : "compile failed");
    hs_free_compile_error(err);
    return make_error(ErrorCode::kInvalidArgument, msg);
  }
  if (hs_alloc_scratch(impl->db, &impl->prototype) != HS_SUCCESS) {
    return make_error(ErrorCode::kInvalidArgument, "content pass: cannot allocate Vectorscan scratch");
  }
  return std::unique_ptr<Matcher>(new Matcher(std::move(impl)));
}

std::vector<Match> Matcher::scan(std::string_view data) const {
  std::vector<Match> out;
  Scratch scratch = impl_->clone();
  if (!scratch) return out;
  hs_stream_t* stream = nullptr;
  if (hs_open_stream(impl_->db, 0, &stream) != HS_SUCCESS) return out;
  ScanState st;
  st.out = &out;
  st.chunk = data.data();
  st.chunk_size = data.size();
  hs_scan_stream(stream, data.data(), static_cast<unsigned>(data.size()), 0, scratch.get(), on_match, &st);
  hs_close_stream(stream, scratch.get(), on_match, &st);
  return out;
}

PassResult run_pass(const inventory::Inventory& inv, parallel::Pool& pool) {
  PassResult result;
  auto matcher = Matcher::compile();
  if (!matcher.ok()) {
    result.error = matcher.error().message;
    result.diagnostics.push_back({Diagnostic::Level::kError, "/", result.error});
    return result;
  }
  const Matcher::Impl& m = *matcher.value()->impl_;

  const auto& entries = inv.entries();
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (!e.st.is_regular() || e.hardlink_secondary || e.st.size == 0) continue;
    if (e.st.size > limits::kMaxContentScanFileBytes) {
      ++result.files_skipped;
      continue;
    }
    todo.push_back(i);
  }

  struct Slot {
    std::vector<Match> matches;
    bool truncated = false;
    std::uint64_t bytes = 0;
    std::string error;
  };
  std::vector<Slot> slots(todo.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    Scratch scratch = m.clone();
    std::vector<char> buf(limits::kContentScanChunkBytes);
    for (std::size_t k = next++; k < todo.size(); k = next++) {
      const auto& e = entries[todo[k]];
      Slot& slot = slots[k];
      if (!scratch) {
        slot.error = "cannot allocate Vectorscan scratch";
        continue;
      }
      hs_stream_t* stream = nullptr;
      if (hs_open_stream(m.db, 0, &stream) != HS_SUCCESS) {
        slot.error = "cannot open a Vectorscan stream";
        continue;
      }
      ScanState st;
      st.out = &slot.matches;
      const vfs::Vfs& v = inv.vfs(e.filesystem);
      std::uint64_t offset = 0;
      bool stopped = false;
      while (offset < e.st.size) {
        std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), e.st.size - offset));
        auto r = v.read_raw(e.path, offset, std::span<std::byte>(reinterpret_cast<std::byte*>(buf.data()), want));
        if (!r.ok()) {
          slot.error = r.error().describe();
          break;
        }
        if (*r == 0) break;
        st.chunk = buf.data();
        st.chunk_base = offset;
        st.chunk_size = *r;
        hs_error_t rc = hs_scan_stream(stream, buf.data(), static_cast<unsigned>(*r), 0, scratch.get(), on_match, &st);
        st.lines_before += static_cast<std::uint64_t>(std::count(buf.data(), buf.data() + *r, '\n'));
        offset += *r;
        if (rc == HS_SCAN_TERMINATED) {
          stopped = true;
          break;
        }
      }
      hs_close_stream(stream, stopped ? nullptr : scratch.get(), on_match, &st);
      slot.truncated = st.truncated;
      slot.bytes = offset;
    }
  };
  // One worker per pool thread, each with its own scratch and buffer, taking files in turn.
  pool.for_each(std::min<std::size_t>(pool.size(), todo.size()), [&](std::size_t) { worker(); });

  for (std::size_t k = 0; k < todo.size(); ++k) {
    Slot& s = slots[k];
    const auto& e = entries[todo[k]];
    ++result.files_scanned;
    result.bytes_scanned += s.bytes;
    if (!s.error.empty()) {
      result.diagnostics.push_back(
          {Diagnostic::Level::kWarning, inv.display_path(e), "content pass could not read the file: " + s.error});
    }
    if (s.truncated) {
      result.diagnostics.push_back(
          {Diagnostic::Level::kNote, inv.display_path(e),
           fmt::format("content pass kept the first {} matches of this file", limits::kMaxContentMatchesPerFile)});
    }
    if (s.matches.empty()) continue;
    std::stable_sort(s.matches.begin(), s.matches.end(), [](const Match& a, const Match& b) {
      return a.start != b.start ? a.start < b.start : a.rule < b.rule;
    });
    result.files.push_back({todo[k], std::move(s.matches), s.truncated});
  }
  if (result.files_skipped) {
    result.diagnostics.push_back({Diagnostic::Level::kNote, "/",
                                  fmt::format("content pass skipped {} files larger than {} MiB", result.files_skipped,
                                              limits::kMaxContentScanFileBytes >> 20)});
  }
  return result;
}

}  // namespace fwcert::evidence::content
