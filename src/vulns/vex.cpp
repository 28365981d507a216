#include "vulns/vex.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "core/limits.hpp"
#include "core/text.hpp"
#include "vulns/limits.hpp"
#include "vulns/records.hpp"

namespace fwcert::vulns {

namespace {

using Json = nlohmann::json;

std::string str(const Json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Error damaged(const std::string& name, std::string message) {
  return make_error(ErrorCode::kCorrupt, std::move(message), name);
}

/// CycloneDX analysis states in the four VEX states.
std::string cyclonedx_state(std::string_view s) {
  if (s == "not_affected" || s == "false_positive") return "not_affected";
  if (s == "resolved" || s == "resolved_with_pedigree") return "fixed";
  if (s == "in_triage") return "under_investigation";
  if (s == "exploitable") return "affected";
  return {};
}

/// "pkg:type/ns/name@version?q#f" without its qualifiers and subpath; `versionless` drops "@version" too.
std::string purl_core(std::string_view purl, bool versionless) {
  auto cut = purl.find_first_of("?#");
  std::string_view p = purl.substr(0, cut);
  if (versionless) {
    if (auto at = p.rfind('@'); at != std::string_view::npos) p = p.substr(0, at);
  }
  return std::string(p);
}

bool product_matches(std::string_view product, const Component& c) {
  // a BOM-Link (urn:cdx:serial/version#bom-ref) names the ref after '#'
  if (product.starts_with("urn:cdx:")) {
    auto hash = product.find('#');
    if (hash == std::string_view::npos) return false;
    product = product.substr(hash + 1);
  }
  if (product == c.ref) return true;
  if (c.purl.empty() || !product.starts_with("pkg:")) return false;
  if (product == c.purl) return true;
  const bool has_version = purl_core(product, false) != purl_core(product, true);
  return has_version ? purl_core(product, false) == purl_core(c.purl, false)
                     : purl_core(product, true) == purl_core(c.purl, true);
}

}  // namespace

Result<std::vector<VexStatement>> parse_vex(std::string_view json_text, const std::string& name) {
  if (json_text.size() > limits::kMaxVulnRecordBytes) {
    return make_error(ErrorCode::kLimitExceeded, fmt::format("larger than {} bytes", limits::kMaxVulnRecordBytes),
                      name);
  }
  if (!json_depth_within(json_text, limits::kMaxVulnJsonDepth)) {
    return make_error(ErrorCode::kLimitExceeded, "JSON nested too deep", name);
  }
  try {
    const Json j = Json::parse(json_text.begin(), json_text.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return damaged(name, "not a JSON object");
    std::vector<VexStatement> out;
    auto room = [&]() { return out.size() < limits::kMaxVexStatements; };
    if (str(j, "bomFormat") == "CycloneDX") {
      auto vit = j.find("vulnerabilities");
      if (vit == j.end() || !vit->is_array()) return damaged(name, "CycloneDX VEX without `vulnerabilities`");
      for (const auto& v : *vit) {
        VexStatement s;
        s.source = name;
        s.vulnerability = str(v, "id");
        if (s.vulnerability.empty()) return damaged(name, "a CycloneDX vulnerability without an `id`");
        const Json analysis = v.is_object() && v.contains("analysis") ? v["analysis"] : Json::object();
        s.state = cyclonedx_state(str(analysis, "state"));
        if (s.state.empty()) continue;  // no analysis: a finding, not a statement
        s.justification = str(analysis, "justification");
        if (s.justification.empty()) s.justification = str(analysis, "detail");
        if (v.contains("affects") && v["affects"].is_array()) {
          for (const auto& a : v["affects"]) {
            if (auto ref = str(a, "ref"); !ref.empty()) s.products.push_back(ref);
          }
        }
        if (!room()) return make_error(ErrorCode::kLimitExceeded, "too many VEX statements", name);
        out.push_back(std::move(s));
      }
      return out;
    }
    auto sit = j.find("statements");
    const std::string context = str(j, "@context");
    if (sit != j.end() && sit->is_array() && (context.find("openvex") != std::string::npos || context.empty())) {
      for (const auto& st : *sit) {
        if (!st.is_object()) return damaged(name, "an OpenVEX statement is not an object");
        VexStatement s;
        s.source = name;
        const auto vul = st.find("vulnerability");
        if (vul != st.end() && vul->is_object()) {
          s.vulnerability = str(*vul, "name");
          if (s.vulnerability.empty()) s.vulnerability = str(*vul, "@id");
        } else if (vul != st.end() && vul->is_string()) {
          s.vulnerability = vul->get<std::string>();  // OpenVEX before 0.2
        }
        if (s.vulnerability.empty()) return damaged(name, "an OpenVEX statement without a vulnerability name");
        s.state = str(st, "status");
        if (s.state != "not_affected" && s.state != "fixed" && s.state != "under_investigation" &&
            s.state != "affected") {
          return damaged(name, fmt::format("{}: unknown OpenVEX status '{}'", s.vulnerability, s.state));
        }
        s.justification = str(st, "justification");
        if (s.justification.empty()) s.justification = str(st, "impact_statement");
        if (st.contains("products") && st["products"].is_array()) {
          for (const auto& p : st["products"]) {
            if (p.is_string()) {
              s.products.push_back(p.get<std::string>());
            } else if (p.is_object()) {
              if (auto id = str(p, "@id"); !id.empty()) s.products.push_back(id);
              if (p.contains("identifiers") && p["identifiers"].is_object()) {
                if (auto purl = str(p["identifiers"], "purl"); !purl.empty()) s.products.push_back(purl);
              }
            }
          }
        }
        if (!room()) return make_error(ErrorCode::kLimitExceeded, "too many VEX statements", name);
        out.push_back(std::move(s));
      }
      return out;
    }
    return damaged(name, "neither a CycloneDX VEX (bomFormat CycloneDX) nor an OpenVEX document (statements)");
  } catch (const std::exception& e) {
    return damaged(name, fmt::format("unreadable VEX: {}", e.what()));
  }
}

Result<std::vector<VexStatement>> load_vex(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return make_error(ErrorCode::kNotFound, "cannot read the VEX file: " + ec.message(), path);
  if (size > limits::kMaxVulnRecordBytes) {
    return make_error(ErrorCode::kLimitExceeded, fmt::format("larger than {} bytes", limits::kMaxVulnRecordBytes),
                      path);
  }
  std::ifstream in(path, std::ios::binary);
  std::string text(size, '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (!in && !in.eof()) return make_error(ErrorCode::kIo, "cannot read the VEX file", path);
  return parse_vex(text, path);
}

void apply_vex(const std::vector<VexStatement>& statements, const std::vector<Component>& components,
               std::vector<Vulnerability>& vulnerabilities) {
  std::map<std::string, const Component*> by_ref;
  for (const auto& c : components) by_ref[c.ref] = &c;
  for (auto& v : vulnerabilities) {
    auto cit = by_ref.find(v.component);
    const Component* c = cit == by_ref.end() ? nullptr : cit->second;
    for (const auto& s : statements) {
      bool names = text::iequals(s.vulnerability, v.id);
      for (const auto& a : v.aliases) names |= text::iequals(s.vulnerability, a);
      if (!names) continue;
      bool applies = s.products.empty();
      for (const auto& p : s.products) applies |= c ? product_matches(p, *c) : p == v.component;
      if (!applies) continue;
      v.vex_state = s.state;
      v.vex_justification = s.justification;
    }
  }
}

bool is_suppressed(const Vulnerability& v) { return v.vex_state == "not_affected" || v.vex_state == "fixed"; }

}  // namespace fwcert::vulns
