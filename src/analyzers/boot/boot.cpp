#include "analyzers/boot/boot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "analyzers/boot/common.hpp"
#include "core/limits.hpp"
#include "core/text.hpp"

namespace fwcert::analyzers::boot {

namespace {

using text::lower;

constexpr std::string_view kChecks[] = {
    "boot-uboot-fit-required-key", "boot-uboot-legacy-disabled", "boot-uboot-no-external-boot",
    "boot-uboot-console-locked",   "boot-rootfs-dm-verity",      "boot-android-avb",
    "boot-kernel-module-signing",  "boot-kernel-lockdown",       "boot-ima-appraisal",
    "boot-anti-rollback",          "boot-production-keys",
};

std::span<const std::byte> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

/// Usage strings of U-Boot commands (the second field of U_BOOT_CMD, always compiled in) that
/// read or write memory, download code, or write flash.
struct CommandUsage {
  const char* command;
  const char* usage;
};
constexpr CommandUsage kCommandUsages[] = {
    {"md", "memory display"},
    {"mw", "memory write (fill)"},
    {"mm", "memory modify (auto-incrementing address)"},
    {"nm", "memory modify (constant address)"},
    {"cp", "memory copy"},
    {"go", "start application at address 'addr'"},
    {"loadb", "load binary file over serial line (kermit mode)"},
    {"loadx", "load binary file over serial line (xmodem mode)"},
    {"loady", "load binary file over serial line (ymodem mode)"},
    {"tftpboot", "load file via network using TFTP protocol"},
    {"tftpboot", "boot image via network using TFTP protocol"},
    {"sf", "SPI flash sub-system"},
    {"mmc", "MMC sub system"},
    {"fdt", "flattened device tree utility commands"},
    {"setexpr", "set environment variable as the result of eval expression"},
};

void examine_uboot_binary(const std::string& shown, const std::string& bytes, Collected& c, Output& out) {
  UbootBinary b;
  b.path = shown;
  std::string_view all = bytes;
  b.legacy_image = all.find("from Legacy Image at") != std::string_view::npos;
  b.fit_signature = all.find("key-name-hint") != std::string_view::npos &&
                    (all.find("rsa2048") != std::string_view::npos || all.find("ecdsa256") != std::string_view::npos);
  b.autoboot_anykey = all.find("Hit any key to stop autoboot") != std::string_view::npos;
  b.autoboot_keyed = all.find("bootstopkey") != std::string_view::npos;
  for (const auto& u : kCommandUsages) {
    if (all.find(u.usage) != std::string_view::npos) b.commands.insert(u.command);
  }
  if (auto v = all.find("U-Boot 20"); v != std::string_view::npos) {
    auto end = all.find_first_of(std::string_view("\0\n", 2), v);
    b.version = std::string(all.substr(v, std::min<std::size_t>(end - v, 80)));
  }
  if (auto env = formats::uboot::find_default_env(as_bytes(bytes))) {
    FoundEnv f;
    f.source = FoundEnv::Source::kDefault;
    f.path = shown;
    f.env = std::move(*env);
    c.envs.push_back(std::move(f));
  }
  // The control DTB is appended to u-boot.bin (u-boot-nodtb.bin + u-boot.dtb).
  for (std::uint64_t off : formats::fit::find_fdts(as_bytes(bytes))) {
    auto t = formats::fit::parse(as_bytes(bytes).subspan(static_cast<std::size_t>(off)));
    if (!t.ok()) continue;
    if (t->is_fit) {
      c.fits.push_back({shown, off, std::move(*t)});
    } else {
      c.control_dtbs.push_back({shown, off, std::move(*t)});
    }
  }
  out.facts.push_back({"boot", shown, "uboot.legacy_image", b.legacy_image, at(shown, 0, "\"from Legacy Image at\"")});
  out.facts.push_back({"boot", shown, "uboot.fit_signature", b.fit_signature, at(shown, 0, "key-name-hint, rsa2048")});
  c.binaries.push_back(std::move(b));
}

void examine_tree(const std::string& shown, const std::string& bytes, Collected& c, Output& out) {
  auto t = formats::fit::parse(as_bytes(bytes));
  if (!t.ok()) {
    out.diagnostics.push_back({Diagnostic::Level::kWarning, shown, t.error().describe()});
    return;
  }
  if (t->truncated) {
    out.diagnostics.push_back({Diagnostic::Level::kWarning, shown,
                               fmt::format("more than {} nodes; the rest was not read", limits::kMaxFdtNodes)});
  }
  if (t->is_fit) {
    c.fits.push_back({shown, 0, std::move(*t)});
  } else if (t->has_signature_node) {
    c.control_dtbs.push_back({shown, 0, std::move(*t)});
  }
}

/// Adds an environment unless the same copy was already found (by name and by fw_env.config).
void add_env(Collected& c, FoundEnv f) {
  for (const auto& e : c.envs) {
    if (e.path == f.path && e.base == f.base && e.source == f.source) return;
  }
  c.envs.push_back(std::move(f));
}

void add_env_diagnostics(const std::string& shown, const formats::uboot::Environment& env, Output& out) {
  for (std::size_t i = 0; i < env.diagnostics.size() && i < 10; ++i) {
    out.diagnostics.push_back({Diagnostic::Level::kNote, shown, env.diagnostics[i]});
  }
}

/// The environment copies /etc/fw_env.config names, where they are files in the image.
void read_fw_env(const inventory::Inventory& inv, std::uint32_t fsid, const std::string& config_path, Collected& c,
                 Output& out) {
  const vfs::Vfs& v = inv.vfs(fsid);
  auto text = v.read_file(config_path, limits::kMaxConfigFileBytes);
  if (!text.ok()) return;
  std::string shown = inv.display_path(fsid, config_path);
  c.fw_env_config = shown;
  auto cfg = formats::uboot::parse_fw_env_config(text.value());
  for (const auto& d : cfg.diagnostics) out.diagnostics.push_back({Diagnostic::Level::kNote, shown, d});
  bool redundant = cfg.locations.size() == 2;
  for (const auto& loc : cfg.locations) {
    out.facts.push_back({"boot", shown, "uboot.fw_env.location",
                         fmt::format("{} offset {:#x} size {:#x}", loc.device, loc.offset, loc.env_size),
                         at(shown, loc.line, loc.device)});
    auto st = v.stat(loc.device);
    if (!st.ok() || !st->is_regular()) continue;  // an MTD or block device of the running unit
    if (loc.env_size == 0 || loc.env_size > limits::kMaxUbootEnvBytes) {
      out.diagnostics.push_back({Diagnostic::Level::kWarning, shown,
                                 fmt::format("line {}: environment size {} is outside 1..{}", loc.line, loc.env_size,
                                             limits::kMaxUbootEnvBytes)});
      continue;
    }
    std::string blob(static_cast<std::size_t>(loc.env_size), '\0');
    auto n =
        v.read(loc.device, loc.offset, std::span<std::byte>(reinterpret_cast<std::byte*>(blob.data()), blob.size()));
    if (!n.ok() || n.value() != blob.size()) {
      out.diagnostics.push_back({Diagnostic::Level::kWarning, inv.display_path(fsid, loc.device),
                                 fmt::format("the environment named by {}:{} is cut short", shown, loc.line)});
      continue;
    }
    auto env = formats::uboot::parse_env_blob(as_bytes(blob), redundant);
    std::string where = inv.display_path(fsid, loc.device);
    if (!env.crc_ok) {
      out.diagnostics.push_back(
          {Diagnostic::Level::kWarning, where,
           fmt::format("environment at offset {:#x} has a bad CRC; U-Boot would ignore it", loc.offset)});
      continue;
    }
    add_env(c, {FoundEnv::Source::kStored, where, loc.offset, std::move(env), {}});
  }
}

bool is_uboot_name(std::string_view lname) { return lname.starts_with("u-boot") || lname.starts_with("uboot"); }

Collected collect(const Context& ctx, Output& out) {
  Collected c;
  const auto& inv = ctx.inventory;
  std::size_t artefacts = 0;
  for (const auto& e : inv.entries()) {
    if (e.hardlink_secondary) continue;
    std::string_view name = vfs::base_name(e.path);
    std::string lname = lower(name);
    const auto& fs = inv.filesystems().at(e.filesystem);
    if (!fs.vfs) continue;
    std::string shown = inv.display_path(e);
    if (name == "fw_setenv") c.fw_setenv.push_back(shown);
    if (!e.st.is_regular()) continue;
    auto read = [&](std::uint64_t max) -> std::optional<std::string> {
      if (e.st.size > max) {
        out.diagnostics.push_back(
            {Diagnostic::Level::kNote, shown, fmt::format("larger than {} bytes; not read for boot evidence", max)});
        return std::nullopt;
      }
      if (artefacts++ >= 4096) return std::nullopt;
      auto r = fs.vfs->read_file(e.path, max);
      if (!r.ok()) {
        out.diagnostics.push_back({Diagnostic::Level::kWarning, shown, r.error().describe()});
        return std::nullopt;
      }
      return std::move(r.value());
    };

    if (e.path == "/etc/fw_env.config") {
      read_fw_env(inv, e.filesystem, e.path, c, out);
      continue;
    }
    if (name == "build.prop" && !c.android) {
      if (auto t = read(limits::kMaxConfigFileBytes)) {
        c.android = true;
        c.build_prop = shown;
        for (auto [no, line] : text::lines(*t, text::kNoLineLimit)) {
          auto eq = line.find('=');
          if (line.starts_with("ro.build.") && eq != std::string_view::npos && c.build_props.size() < 256) {
            c.build_props.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
          }
        }
      }
      continue;
    }
    bool env_name = lname.ends_with(".env") || lname.starts_with("uboot-env") || lname.starts_with("u-boot-env");
    if (is_uboot_name(lname) && env_name) {
      // A stored environment (mkenvimage output) when its CRC matches; text otherwise.
      if (auto t = read(limits::kMaxUbootEnvBytes)) {
        if (auto env = formats::uboot::detect_env_blob(as_bytes(*t))) {
          add_env(c, {FoundEnv::Source::kStored, shown, 0, std::move(*env), {}});
        } else if (e.kind == inventory::Kind::kText) {
          auto text_env = formats::uboot::parse_env_text(*t);
          add_env_diagnostics(shown, text_env, out);
          add_env(c, {FoundEnv::Source::kText, shown, 0, std::move(text_env), {}});
        } else {
          out.diagnostics.push_back(
              {Diagnostic::Level::kWarning, shown, "named like a U-Boot environment but its CRC matches no layout"});
        }
      }
      continue;
    }
    if (e.kind == inventory::Kind::kText) {
      if (lname == "uenv.txt" || lname.starts_with("u-boot-initial-env")) {
        if (auto t = read(limits::kMaxUbootEnvBytes)) {
          auto env = formats::uboot::parse_env_text(*t);
          add_env_diagnostics(shown, env, out);
          auto src = lname.starts_with("u-boot-initial-env") ? FoundEnv::Source::kDefault : FoundEnv::Source::kText;
          c.envs.push_back({src, shown, 0, std::move(env), {}});
        }
      } else if (lname == "boot.cmd") {
        if (auto t = read(limits::kMaxUbootEnvBytes)) c.envs.push_back({FoundEnv::Source::kScript, shown, 0, {}, *t});
      } else if ((lname == "u-boot.config" || lname == "uboot.config" ||
                  (lname == ".config" && e.path.find("u-boot") != std::string::npos)) &&
                 !c.uboot_config) {
        if (auto t = read(limits::kMaxConfigFileBytes); t && formats::kernel::looks_like_kconfig(*t)) {
          c.uboot_config = formats::kernel::parse_kconfig(*t);
          c.uboot_config_path = shown;
        }
      }
      continue;
    }
    if (e.kind == inventory::Kind::kDeviceTree) {
      if (auto t = read(limits::kMaxBootArtefactBytes)) examine_tree(shown, *t, c, out);
      continue;
    }
    if (e.kind == inventory::Kind::kKernelImage && e.kind_detail == "uimage") {
      auto t = read(limits::kMaxBootArtefactBytes);
      if (!t) continue;
      if (auto script = formats::uboot::script_text(as_bytes(*t))) {
        c.envs.push_back({FoundEnv::Source::kScript, shown, 64, {}, *script});
      } else if (auto h = formats::uboot::parse_legacy_header(as_bytes(*t))) {
        if (is_uboot_name(lname)) {
          examine_uboot_binary(shown, *t, c, out);
        } else {
          c.legacy.push_back({shown, *h});
        }
      }
      continue;
    }
    if (e.kind != inventory::Kind::kBinary && e.kind != inventory::Kind::kElf) continue;
    if (is_uboot_name(lname)) {
      if (auto t = read(limits::kMaxBootArtefactBytes)) examine_uboot_binary(shown, *t, c, out);
    } else if (lname.find("vbmeta") != std::string::npos || lname.ends_with(".img")) {
      std::byte head[4];
      auto n = fs.vfs->read(e.path, 0, head);
      if (!n.ok() || n.value() != 4 || std::string_view(reinterpret_cast<const char*>(head), 4) != "AVB0") continue;
      if (auto t = read(limits::kMaxVbmetaBytes)) {
        if (auto m = formats::avb::parse(as_bytes(*t))) {
          for (const auto& d : m->diagnostics) out.diagnostics.push_back({Diagnostic::Level::kWarning, shown, d});
          c.vbmetas.push_back({shown, std::move(*m)});
        }
      }
    }
  }
  return c;
}

}  // namespace

const char* to_string(FoundEnv::Source s) {
  switch (s) {
    case FoundEnv::Source::kDefault:
      return "default environment";
    case FoundEnv::Source::kStored:
      return "stored environment";
    case FoundEnv::Source::kText:
      return "environment text";
    case FoundEnv::Source::kScript:
      return "boot script";
  }
  return "environment";
}

const MergedVar* MergedEnv::find(std::string_view name) const {
  for (const auto& [n, v] : vars) {
    if (n == name) return &v;
  }
  return nullptr;
}

MergedEnv merge(const Collected& c) {
  MergedEnv m;
  auto put = [&](const FoundEnv& f) {
    for (const auto& v : f.env.vars) {
      auto it = std::find_if(m.vars.begin(), m.vars.end(), [&](const auto& p) { return p.first == v.name; });
      MergedVar mv{v.value, &f, &v};
      if (it == m.vars.end()) {
        m.vars.emplace_back(v.name, mv);
      } else {
        it->second = mv;
      }
    }
  };
  bool stored = std::any_of(c.envs.begin(), c.envs.end(),
                            [](const FoundEnv& f) { return f.source == FoundEnv::Source::kStored; });
  // A valid stored environment replaces the compiled-in default entirely.
  for (auto src : {stored ? FoundEnv::Source::kStored : FoundEnv::Source::kDefault, FoundEnv::Source::kText}) {
    for (const auto& f : c.envs) {
      if (f.source == src) put(f);
    }
  }
  return m;
}

Evidence var_evidence(const std::string& name, const MergedVar& v, std::string expected) {
  Evidence e = at(v.from->path, v.var->line, name + "=" + v.value, std::move(expected));
  if (!v.var->line) e.offset = v.from->base + v.var->offset;
  e.observed += fmt::format(" ({})", to_string(v.from->source));
  return e;
}

std::span<const std::string_view> checks() { return kChecks; }

Output run(const Context& ctx) {
  Output out;
  Collected c = collect(ctx, out);
  check_uboot_env(c, out);
  check_fit(c, out);
  check_integrity(ctx, c, out);
  return out;
}

}  // namespace fwcert::analyzers::boot
