#pragma once
// Directory listings as the image backends keep them: each directory's entries sorted by name
// for binary search, cached per directory within limits::kMaxCachedDirectoryEntries, and
// walked from the root to find the entry a canonical path names.
//
// An entry type is any struct with `std::string name`; to_dir_entries() also wants
// `FileType type`.

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/limits.hpp"
#include "fwcert/result.hpp"
#include "vfs/vfs.hpp"

namespace fwcert::vfs {

/// Sorts a directory's entries by name and drops repeated names: a duplicate is damage, and
/// the first one wins so lookups are deterministic.
template <class Entry>
void sort_by_name(std::vector<Entry>& list) {
  std::stable_sort(list.begin(), list.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  list.erase(std::unique(list.begin(), list.end(), [](const Entry& a, const Entry& b) { return a.name == b.name; }),
             list.end());
}

/// The entry called `name` in a listing sorted by name, or nullptr.
template <class Entry>
const Entry* find_by_name(std::span<const Entry> list, std::string_view name) {
  auto it =
      std::lower_bound(list.begin(), list.end(), name, [](const Entry& e, std::string_view n) { return e.name < n; });
  return it == list.end() || it->name != name ? nullptr : &*it;
}

/// A listing as readdir_raw() returns it.
template <class Entry>
std::vector<DirEntry> to_dir_entries(std::span<const Entry> list) {
  std::vector<DirEntry> out;
  out.reserve(list.size());
  for (const Entry& e : list) out.push_back({e.name, e.type});
  return out;
}

/// Listings read on demand, keyed by directory identity. Caching one that takes the total past
/// limits::kMaxCachedDirectoryEntries empties the cache first: a huge tree costs re-reads,
/// never unbounded memory. A listing stays valid until the next add().
template <class Key, class Entry>
class ListingCache {
 public:
  /// The cached listing of `dir`, or nullptr.
  const std::vector<Entry>* find(const Key& dir) const {
    auto it = listings_.find(dir);
    return it == listings_.end() ? nullptr : &it->second;
  }

  /// Caches `list` (sorted by name) as the listing of `dir`.
  std::span<const Entry> add(const Key& dir, std::vector<Entry> list) {
    entries_ += list.size();
    if (entries_ > limits::kMaxCachedDirectoryEntries) {
      listings_.clear();
      entries_ = list.size();
    }
    return listings_.emplace(dir, std::move(list)).first->second;
  }

 private:
  std::unordered_map<Key, std::vector<Entry>> listings_;
  std::size_t entries_ = 0;
};

/// Finds what a canonical path names by walking listings from the root directory `root`.
/// For each component, `list_of(dir, dir_path)` gives the listing (sorted by name) of the
/// directory the walk is in, and `enter(entry, path, is_last)` checks the entry named by the
/// component at `path` and gives what it leads to, the next directory or the result. A name
/// missing from its listing is kNotFound at the path up to it.
template <class Node, class ListOf, class Enter>
Result<Node> walk_listings(const std::string& canonical, Node root, ListOf&& list_of, Enter&& enter) {
  Node node = root;
  std::string walked = "/";
  std::size_t i = 1;
  while (i < canonical.size()) {
    std::size_t j = canonical.find('/', i);
    if (j == std::string::npos) j = canonical.size();
    const std::string_view name(canonical.data() + i, j - i);
    auto list = list_of(node, walked);
    if (!list) return list.error();
    walked = canonical.substr(0, j);
    const auto* entry = find_by_name(std::span(*list), name);
    if (!entry) return make_error(ErrorCode::kNotFound, "no such file", walked);
    auto next = enter(*entry, walked, j == canonical.size());
    if (!next) return next.error();
    node = *next;
    i = j + 1;
  }
  return node;
}

}  // namespace fwcert::vfs
