#include "evidence/kernel.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/limits.hpp"
#include "endoflife/endoflife.hpp"

namespace fwcert::evidence {

using namespace formats::kernel;

namespace {

bool is_kernel_name(std::string_view name) {
  return name.starts_with("vmlinux") || name.starts_with("vmlinuz") || name == "Image" || name == "Image.gz" ||
         name == "Image.xz" || name == "Image.zst" || name == "Image.lz4" || name == "zImage" || name == "bzImage" ||
         name == "uImage" || (name.starts_with("kernel") && name.size() <= 16);
}

void add_config(KernelEvidence& f, std::string path, std::string how, std::uint64_t offset, int rank,
                std::string_view text, std::vector<Diagnostic>& diags) {
  if (!looks_like_kconfig(text)) return;
  FoundConfig c{std::move(path), std::move(how), offset, rank, parse_kconfig(text)};
  for (const auto& d : c.config.diagnostics) {
    if (c.config.diagnostics.size() > 20 && &d != &c.config.diagnostics.front()) break;
    diags.push_back(
        {Diagnostic::Level::kNote, c.path, d.line ? fmt::format("line {}: {}", d.line, d.message) : d.message});
  }
  if (!c.config.version.empty()) {
    if (auto v = parse_kernel_release(c.config.version)) {
      f.versions.push_back({*v, c.path, "configuration header", "", 2});
    }
  }
  f.configs.push_back(std::move(c));
}

/// Looks for the banner and IKCONFIG in bytes; true when the configuration was found.
bool search_bytes(KernelEvidence& f, const std::string& path, std::string_view bytes, const std::string& where,
                  int rank, std::vector<Diagnostic>& diags) {
  if (auto b = find_version_banner(bytes)) {
    f.versions.push_back({b->version, path, "version banner" + where, b->line, rank});
  }
  if (auto ik = find_ikconfig(bytes)) {
    if (!ik->error.empty()) {
      diags.push_back({Diagnostic::Level::kWarning, path, ik->error + where});
      return false;
    }
    std::size_t before = f.configs.size();
    add_config(f, path, "embedded (IKCONFIG)" + where, ik->offset, 0, ik->text, diags);
    return f.configs.size() > before;
  }
  return false;
}

void examine_kernel_image(const vfs::Vfs& v, const std::string& path, const std::string& shown, KernelEvidence& f,
                          std::vector<Diagnostic>& diags) {
  auto st = v.stat(path);
  if (!st.ok() || st->size > limits::kMaxKernelImageBytes) {
    if (st.ok()) {
      diags.push_back({Diagnostic::Level::kNote, shown,
                       fmt::format("kernel image larger than {} bytes was not read", limits::kMaxKernelImageBytes)});
    }
    return;
  }
  auto bytes = v.read_file(path, limits::kMaxKernelImageBytes);
  if (!bytes.ok()) {
    diags.push_back({Diagnostic::Level::kWarning, shown, bytes.error().describe()});
    return;
  }
  std::size_t versions_before = f.versions.size();
  bool have_config = search_bytes(f, shown, bytes.value(), "", 0, diags);
  if (have_config && f.versions.size() > versions_before) return;
  // A compressed kernel: the banner and configuration are inside the payload.
  if (auto p = decompress_kernel_payload(bytes.value())) {
    std::string where = fmt::format(" in the {} payload at offset {}", p->method, p->offset);
    if (have_config) {
      if (auto b = find_version_banner(p->data))
        f.versions.push_back({b->version, shown, "version banner" + where, b->line, 0});
    } else {
      search_bytes(f, shown, p->data, where, 0, diags);
    }
  }
}

/// Command lines of the boot configuration files (extlinux, grub, cmdline.txt, U-Boot text).
std::vector<FoundCmdline> file_cmdlines(const inventory::Inventory& inv) {
  std::vector<FoundCmdline> found;
  for (const auto& e : inv.entries()) {
    if (!e.st.is_regular() || e.hardlink_secondary || e.kind != inventory::Kind::kText) continue;
    std::string_view name = vfs::base_name(e.path);
    if (!formats::kernel::is_boot_config_file(name, e.path)) continue;
    const auto& fs = inv.filesystems().at(e.filesystem);
    if (!fs.vfs) continue;
    auto text = fs.vfs->read_file(e.path, limits::kMaxConfigFileBytes);
    if (!text.ok()) continue;
    auto got = formats::kernel::cmdlines_in_file(name, text.value(), inv.display_path(e));
    found.insert(found.end(), got.begin(), got.end());
  }
  return found;
}

}  // namespace

KernelEvidence collect_kernel(const inventory::Inventory& inv) {
  KernelEvidence f;
  std::vector<Diagnostic>& diags = f.diagnostics;
  for (const auto& e : inv.entries()) {
    if (!e.st.is_regular() || e.hardlink_secondary) continue;
    const auto& fs = inv.filesystems().at(e.filesystem);
    if (!fs.vfs) continue;
    std::string_view name = vfs::base_name(e.path);
    std::string shown = inv.display_path(e);
    bool in_boot = e.path.starts_with("/boot/");

    if (in_boot && name.starts_with("config") && e.kind == inventory::Kind::kText) {
      auto text = fs.vfs->read_file(e.path, limits::kMaxConfigFileBytes);
      if (text.ok()) add_config(f, shown, "file", 0, 1, text.value(), diags);
      continue;
    }
    if ((name == "config.gz" || name.ends_with(".config.gz")) && e.kind == inventory::Kind::kCompressed) {
      if (f.examined++ >= limits::kMaxKernelCandidates) continue;
      auto raw = fs.vfs->read_file(e.path, limits::kMaxConfigFileBytes);
      std::string error;
      if (!raw.ok()) continue;
      if (auto text = gunzip(raw.value(), limits::kMaxConfigFileBytes, &error)) {
        add_config(f, shown, "config.gz", 0, 1, *text, diags);
      } else {
        diags.push_back({Diagnostic::Level::kWarning, shown, error});
      }
      continue;
    }
    bool kernel_like =
        e.kind == inventory::Kind::kKernelImage ||
        (is_kernel_name(name) && (e.kind == inventory::Kind::kElf || e.kind == inventory::Kind::kCompressed ||
                                  e.kind == inventory::Kind::kBinary));
    if (kernel_like) {
      if (f.examined++ >= limits::kMaxKernelCandidates) continue;
      examine_kernel_image(*fs.vfs, e.path, shown, f, diags);
    }
  }
  // /lib/modules/<release>/ of every filesystem.
  for (std::uint32_t i = 0; i < inv.filesystems().size(); ++i) {
    if (!inv.filesystems()[i].vfs) continue;
    auto dir = inv.vfs(i).readdir("/lib/modules");
    if (!dir.ok()) continue;
    for (const auto& d : dir.value()) {
      if (d.type != vfs::FileType::kDirectory) continue;
      if (auto v = parse_kernel_release(d.name)) {
        f.versions.push_back({*v, inv.display_path(i, "/lib/modules/" + d.name), "modules directory", "", 3});
      }
    }
  }
  std::stable_sort(f.configs.begin(), f.configs.end(), [](const auto& a, const auto& b) { return a.rank < b.rank; });
  std::stable_sort(f.versions.begin(), f.versions.end(), [](const auto& a, const auto& b) { return a.rank < b.rank; });
  f.file_cmdlines = file_cmdlines(inv);
  f.cmdlines = f.file_cmdlines;
  if (const FoundConfig* c = f.config()) {
    if (const auto* v = c->config.find("CMDLINE"); v && v->is_set && !v->value.empty()) {
      f.cmdlines.push_back({c->path, v->line, v->value});
    }
  }
  return f;
}

std::optional<CivilDate> kernel_branch_eol(const KernelVersion& version) {
  const auto* table = endoflife::builtin("linux-kernel");
  if (!table) return std::nullopt;
  const endoflife::Cycle* c = table->find(fmt::format("{}.{}", version.major, version.minor));
  if (!c || !c->eol) return std::nullopt;
  return *c->eol;
}

}  // namespace fwcert::evidence
