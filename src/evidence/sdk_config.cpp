#include "evidence/sdk_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/limits.hpp"
#include "core/text.hpp"

namespace fwcert::evidence {

namespace {

void collect(const nlohmann::json& j, std::string_view key, std::vector<std::string>& out, int depth) {
  if (depth > 64 || out.size() > 1024) return;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == key) {
        if (it->is_string()) out.push_back(it->get<std::string>());
        if (it->is_number() || it->is_boolean()) out.push_back(it->dump());
      }
      collect(*it, key, out, depth + 1);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) collect(v, key, out, depth + 1);
  }
}

}  // namespace

bool is_sdk_config_name(std::string_view name) {
  std::string n = text::lower(name);
  if (!n.ends_with(".json")) return false;
  return n.find("alexaclientsdkconfig") != std::string::npos || n.find("smartscreensdkconfig") != std::string::npos ||
         n.starts_with("aace");
}

SdkConfigs find_sdk_configs(const inventory::Inventory& inv) {
  SdkConfigs found;
  std::vector<SdkConfig>& out = found.configs;
  std::vector<Diagnostic>& diagnostics = found.diagnostics;
  for (const auto& e : inv.entries()) {
    if (!e.st.is_regular() || e.hardlink_secondary) continue;
    auto slash = e.path.rfind('/');
    if (!is_sdk_config_name(std::string_view(e.path).substr(slash + 1))) continue;
    std::string path = inv.display_path(e);
    auto text = inv.vfs(e.filesystem).read_file(e.path, limits::kMaxConfigFileBytes);
    if (!text.ok()) {
      diagnostics.push_back({Diagnostic::Level::kWarning, path, text.error().describe()});
      continue;
    }
    SdkConfig c;
    c.entry = &e;
    c.path = path;
    c.text = std::move(*text);
    c.doc = nlohmann::json::parse(c.text, nullptr, false, /*ignore_comments=*/true);
    if (c.doc.is_discarded() || !c.doc.is_object()) {
      diagnostics.push_back({Diagnostic::Level::kWarning, path, "AVS SDK configuration is not a JSON object"});
      continue;
    }
    out.push_back(std::move(c));
  }
  return found;
}

std::vector<std::string> values_of(const nlohmann::json& doc, std::string_view key) {
  std::vector<std::string> out;
  collect(doc, key, out, 0);
  return out;
}

std::uint64_t line_of_key(std::string_view text, std::string_view key) {
  auto pos = text.find(fmt::format("\"{}\"", key));
  if (pos == std::string_view::npos) return 0;
  return 1 +
         static_cast<std::uint64_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
}

}  // namespace fwcert::evidence
