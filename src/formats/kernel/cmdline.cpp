#include "formats/kernel/cmdline.hpp"

#include <algorithm>

#include "core/limits.hpp"
#include "core/text.hpp"

namespace fwcert::formats::kernel {

std::vector<CmdlineParam> split_cmdline(std::string_view line) {
  std::vector<CmdlineParam> out;
  // The kernel separates parameters at any isspace() character, a newline included.
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  std::size_t i = 0;
  while (i < line.size() && out.size() < 4096) {
    while (i < line.size() && space(line[i])) ++i;
    if (i >= line.size()) break;
    std::string token;
    bool quoted = false;
    for (; i < line.size() && (quoted || !space(line[i])); ++i) {
      if (line[i] == '"') {
        quoted = !quoted;
        continue;
      }
      token.push_back(line[i]);
    }
    CmdlineParam p;
    auto eq = token.find('=');
    p.name = token.substr(0, eq);
    if (eq != std::string::npos) {
      p.value = token.substr(eq + 1);
      p.has_value = true;
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<FoundCmdline> cmdlines_in_file(std::string_view name, std::string_view file, const std::string& shown) {
  std::vector<FoundCmdline> out;
  // cmdline.txt (Raspberry Pi), and /cmdline: the command line of an Android boot image or
  // a FIT's /chosen, which the container backends expose as a file.
  if (name == "cmdline.txt" || name == "cmdline") {
    auto nl = file.find('\n');
    out.push_back({shown, 1, std::string(text::trim(file.substr(0, nl)))});
    return out;
  }
  for (auto [line_no, raw] : text::lines(file)) {
    std::string_view line = text::trim(raw);
    if (line.empty() || line.front() == '#') continue;
    std::string low = text::lower(line.substr(0, std::min<std::size_t>(line.size(), 64)));
    if (name.starts_with("extlinux") || name == "syslinux.cfg" || name == "pxelinux.cfg") {
      if (low.starts_with("append ")) out.push_back({shown, line_no, std::string(text::trim(line.substr(7)))});
    } else if (name == "grub.cfg") {
      // "linux /vmlinuz-x root=... ro quiet": the arguments follow the image path.
      for (std::string_view kw : {"linux", "linux16", "linuxefi"}) {
        if (!low.starts_with(kw) || low.size() <= kw.size() || (low[kw.size()] != ' ' && low[kw.size()] != '\t'))
          continue;
        std::string_view rest = text::trim(line.substr(kw.size()));
        auto sp = rest.find_first_of(" \t");
        out.push_back(
            {shown, line_no, sp == std::string_view::npos ? std::string() : std::string(text::trim(rest.substr(sp)))});
      }
    } else if (name == "grub") {  // /etc/default/grub
      for (std::string_view kw : {"GRUB_CMDLINE_LINUX=", "GRUB_CMDLINE_LINUX_DEFAULT="}) {
        if (line.starts_with(kw)) out.push_back({shown, line_no, std::string(text::unquote(line.substr(kw.size())))});
      }
    } else {
      // U-Boot environment text (uEnv.txt, fw_env defaults) and boot scripts (boot.cmd).
      std::string_view l = line;
      if (l.starts_with("setenv ")) {
        l = text::trim(l.substr(7));
        if (l.starts_with("bootargs "))
          out.push_back({shown, line_no, std::string(text::unquote(text::trim(l.substr(9))))});
      } else if (l.starts_with("bootargs=")) {
        out.push_back({shown, line_no, std::string(text::unquote(l.substr(9)))});
      }
    }
  }
  return out;
}

bool is_boot_config_file(std::string_view name, std::string_view path) {
  return name == "cmdline.txt" || path == "/cmdline" || name == "grub.cfg" || name.starts_with("extlinux") ||
         name == "syslinux.cfg" || name == "uEnv.txt" || name == "boot.cmd" ||
         (name == "grub" && path == "/etc/default/grub");
}

}  // namespace fwcert::formats::kernel
