#include "assess/declared_services.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <set>

#include "catalog/catalog.hpp"

namespace fwcert::assess {

namespace {

std::string where(const std::string& file, const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  return m.line >= 0 ? fmt::format("{}:{}:{}", file, m.line + 1, m.column + 1) : file;
}

Error bad(const std::string& file, const YAML::Node& n, std::string message) {
  return make_error(ErrorCode::kParse, std::move(message), where(file, n));
}

/// A scalar's text, or an error naming the key.
Result<std::string> scalar(const std::string& file, const YAML::Node& map, const char* key) {
  YAML::Node n = map[key];
  if (!n.IsDefined()) return bad(file, map, fmt::format("'{}' is missing", key));
  if (!n.IsScalar()) return bad(file, n, fmt::format("'{}' must be a single value", key));
  return n.Scalar();
}

}  // namespace

Result<std::vector<DeclaredService>> parse_declared_services(const YAML::Node& list, const std::string& file) {
  std::vector<DeclaredService> out;
  if (!list.IsDefined() || list.IsNull()) return out;
  if (!list.IsSequence()) return bad(file, list, "'network_services' must be a list");
  for (const auto& n : list) {
    if (!n.IsMap()) return bad(file, n, "each declared service must be a mapping (name, reason, port, protocol)");
    std::set<std::string> keys;
    for (const auto& kv : n) {
      const std::string key = kv.first.as<std::string>("");
      if (key != "name" && key != "reason" && key != "port" && key != "protocol") {
        return bad(file, kv.first, fmt::format("unknown key '{}' (expected name, reason, port, protocol)", key));
      }
      if (!keys.insert(key).second) return bad(file, kv.first, fmt::format("key '{}' given twice", key));
    }
    DeclaredService d;
    d.line = static_cast<std::size_t>(n.Mark().line + 1);
    auto name = scalar(file, n, "name");
    if (!name) return name.error();
    if (name->empty()) return bad(file, n["name"], "'name' must not be empty");
    d.name = *name;
    if (!n["reason"].IsDefined()) return bad(file, n, fmt::format("service '{}' needs a reason", d.name));
    auto reason = scalar(file, n, "reason");
    if (!reason) return reason.error();
    if (reason->find_first_not_of(" \t\r\n") == std::string::npos) {
      return bad(file, n["reason"], fmt::format("service '{}' needs a reason", d.name));
    }
    d.reason = *reason;
    if (n["port"].IsDefined()) {
      auto text = scalar(file, n, "port");
      if (!text) return text.error();
      unsigned value = 0;
      auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
      if (ec != std::errc{} || end != text->data() + text->size() || value == 0 || value > 65535) {
        return bad(file, n["port"], fmt::format("port '{}' is not a number from 1 to 65535", *text));
      }
      d.port = static_cast<std::uint16_t>(value);
    }
    if (n["protocol"].IsDefined()) {
      auto proto = scalar(file, n, "protocol");
      if (!proto) return proto.error();
      if (*proto != "tcp" && *proto != "udp") {
        return bad(file, n["protocol"], fmt::format("protocol '{}' must be tcp or udp", *proto));
      }
      d.protocol = *proto;
    }
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::vector<DeclaredService>> load_declared_services(const std::string& path) {
  auto file = catalog::read_user_file(path);
  if (!file) return file.error();
  auto doc = catalog::parse_yaml_document(*file);
  if (!doc) return doc.error();
  if (!doc->IsMap()) return bad(path, *doc, "expected a mapping with a 'network_services' list");
  if (!(*doc)["network_services"].IsDefined()) {
    return make_error(ErrorCode::kParse, "no 'network_services' list", path);
  }
  return parse_declared_services((*doc)["network_services"], path);
}

bool declared_name_matches(const DeclaredService& d, const std::string& service_name, const std::string& program) {
  auto strip = [](std::string_view s) {
    for (std::string_view suffix : {".service", ".socket"}) {
      if (s.ends_with(suffix)) return s.substr(0, s.size() - suffix.size());
    }
    return s;
  };
  std::string_view declared = strip(d.name);
  if (declared == strip(service_name)) return true;
  auto slash = program.rfind('/');
  std::string_view base =
      slash == std::string::npos ? std::string_view(program) : std::string_view(program).substr(slash + 1);
  return !base.empty() && declared == base;
}

}  // namespace fwcert::assess
