// Fuzz target for the U-Boot environment readers: stored blobs in both layouts, environment
// text, the default-environment search in binaries, legacy uImage and boot-script headers,
// fw_env.config and the command splitter. Every variable must come from the input and every
// offset and line must lie inside it.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "formats/uboot/env.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fu = fwcert::formats::uboot;
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::size_t lines = 1;
  for (char c : in) lines += c == '\n';

  for (bool redundant : {false, true}) {
    auto env = fu::parse_env_blob(bytes, redundant);
    for (const auto& v : env.vars) {
      if (v.name.empty() || v.offset >= size || v.name.size() + v.value.size() > size) std::abort();
    }
  }
  (void)fu::detect_env_blob(bytes);
  auto text = fu::parse_env_text(in);
  for (const auto& v : text.vars) {
    if (v.name.empty() || v.line == 0 || v.line > lines) std::abort();
  }
  if (auto d = fu::find_default_env(bytes)) {
    if (!d->find("bootcmd")) std::abort();
    for (const auto& v : d->vars) {
      if (v.offset >= size || in.compare(v.offset, v.name.size(), v.name) != 0) std::abort();
    }
  }
  if (auto h = fu::parse_legacy_header(bytes)) (void)h->type_name();
  if (auto s = fu::script_text(bytes)) {
    if (s->size() > size) std::abort();
  }
  auto cfg = fu::parse_fw_env_config(in);
  if (cfg.locations.size() > 2) std::abort();
  for (const auto& c : fu::split_commands(in)) {
    if (c.empty()) std::abort();
  }
  return 0;
}
