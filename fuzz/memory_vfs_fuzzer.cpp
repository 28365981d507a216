// Fuzzes path confinement: the input builds an in-memory tree (directories, files, symlinks
// with arbitrary targets, hard links), then the inventory walks it and arbitrary paths are
// resolved. Whatever the bytes, resolution must end inside the root in canonical form, and
// nothing may crash or loop.
//
// Input: lines "<op> <path> [<arg>]" with op d (dir), f (file, arg = content), s (symlink,
// arg = target), h (hard link, arg = existing path), r (resolve path; arg "l" = lstat form).

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/inventory.hpp"
#include "vfs/memory_vfs.hpp"

namespace {

bool is_canonical(const std::string& p) {
  if (p.empty() || p[0] != '/') return false;
  if (p == "/") return true;
  if (p.back() == '/') return false;
  std::size_t i = 1;
  while (i <= p.size()) {
    std::size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    std::string_view comp(p.data() + i, j - i);
    if (comp.empty() || comp == "." || comp == "..") return false;
    i = j + 1;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fwcert;
  if (size > 64 * 1024) return 0;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto mem = std::make_shared<vfs::MemoryVfs>();
  std::vector<std::pair<std::string, bool>> queries;
  std::size_t pos = 0;
  int ops = 0;
  while (pos < input.size() && ops++ < 2000) {
    std::size_t eol = input.find('\n', pos);
    if (eol == std::string_view::npos) eol = input.size();
    std::string_view line = input.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.size() < 3 || line[1] != ' ') continue;
    std::string_view rest = line.substr(2);
    std::size_t sp = rest.find(' ');
    std::string path(rest.substr(0, sp));
    std::string arg(sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1));
    switch (line[0]) {
      case 'd':
        (void)mem->add_dir(path);
        break;
      case 'f':
        (void)mem->add_file(path, arg);
        break;
      case 's':
        (void)mem->add_symlink(path, arg);
        break;
      case 'h':
        (void)mem->add_hardlink(path, arg);
        break;
      case 'r':
        queries.emplace_back(path, arg == "l");
        break;
      default:
        break;
    }
  }
  for (const auto& [path, lstat_form] : queries) {
    auto r = mem->resolve(path, !lstat_form);
    if (r.ok()) {
      if (!is_canonical(*r)) std::abort();
      if (!lstat_form && !mem->lstat_raw(*r).ok()) std::abort();
    }
    auto content = mem->read_file(path, 1 << 16);
    (void)content;
  }
  inventory::Inventory inv;
  std::vector<Diagnostic> diags;
  inv.add_filesystem({"", "memory", 0, "", 0, mem});
  inv.walk(0, diags);
  inv.finish();
  for (const auto& e : inv.entries()) {
    if (!is_canonical(e.path)) std::abort();
  }
  return 0;
}
