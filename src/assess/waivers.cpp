#include "assess/waivers.hpp"

#include <fmt/format.h>
#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "assess/yaml.hpp"

namespace fwcert::assess {

Result<std::vector<Waiver>> parse_waivers(const std::string& text, const std::string& name,
                                          const catalog::Catalog& catalog) {
  auto doc = catalog::parse_yaml_document({name, text});
  if (!doc) return doc.error();
  std::vector<Waiver> out;
  try {
    const YAML::Node root = *doc;
    if (!root.IsMap() || !root["waivers"].IsDefined()) {
      return make_error(ErrorCode::kParse, "a waivers file is a mapping with a 'waivers' list", name);
    }
    for (const auto& kv : root) {
      if (!kv.first.IsScalar() || kv.first.Scalar() != "waivers") {
        return yaml_error(name, kv.first, "unknown key (a waivers file has only 'waivers')");
      }
    }
    const YAML::Node list = root["waivers"];
    if (!list.IsSequence()) return yaml_error(name, list, "'waivers' must be a list");
    static constexpr const char* kFields[] = {"check", "subject", "justification", "owner", "expires"};
    for (const auto& n : list) {
      if (!n.IsMap())
        return yaml_error(name, n, "each waiver must be a mapping (check, subject, justification, owner, expires)");
      std::set<std::string> seen;
      for (const auto& kv : n) {
        const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
        if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields)) {
          return yaml_error(
              name, kv.first,
              fmt::format("unknown field '{}' (expected check, subject, justification, owner, expires)", key));
        }
        if (!seen.insert(key).second) return yaml_error(name, kv.first, fmt::format("field '{}' given twice", key));
      }
      std::string values[5];
      for (int i = 0; i < 5; ++i) {
        const YAML::Node v = n[kFields[i]];
        if (!v.IsDefined()) return yaml_error(name, n, fmt::format("missing required field '{}'", kFields[i]));
        if (!v.IsScalar() || v.Scalar().find_first_not_of(" \t\r\n") == std::string::npos) {
          return yaml_error(name, v, fmt::format("'{}' must be a non-empty string", kFields[i]));
        }
        values[i] = v.Scalar();
      }
      Waiver w;
      w.id = fmt::format("{}:{}", name, n.Mark().line + 1);
      w.check = values[0];
      w.subject = values[1];
      w.justification = values[2];
      w.owner = values[3];
      if (!catalog.find_check(w.check)) {
        auto close = catalog::suggest_checks(catalog, w.check);
        std::string hint;
        for (const auto& c : close) hint += (hint.empty() ? " (did you mean " : ", ") + c;
        if (!hint.empty()) hint += "?)";
        return yaml_error(name, n["check"], fmt::format("unknown check '{}'{}", w.check, hint));
      }
      auto expires = parse_date(values[4]);
      if (!expires)
        return yaml_error(name, n["expires"], fmt::format("'expires' must be a date YYYY-MM-DD, got '{}'", values[4]));
      w.expires = *expires;
      out.push_back(std::move(w));
    }
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kParse, e.msg, name);
  }
  return out;
}

std::vector<WaiverResult> apply_waivers(const std::vector<Waiver>& waivers, const CivilDate& day,
                                        std::vector<Finding>& findings) {
  std::vector<WaiverResult> out;
  out.reserve(waivers.size());
  for (const auto& w : waivers) {
    WaiverResult r{.id = w.id,
                   .check = w.check,
                   .subject = w.subject,
                   .justification = w.justification,
                   .owner = w.owner,
                   .expires = format_date(w.expires)};
    const bool expired = day > w.expires;
    for (auto& f : findings) {
      if (f.check != w.check || (f.status != Status::kFail && f.status != Status::kWarn)) continue;
      if (::fnmatch(w.subject.c_str(), f.subject.c_str(), 0) != 0) continue;
      if (expired) {
        ++r.matched;
        continue;
      }
      if (f.waiver) continue;  // an earlier waiver took it
      f.waiver = AppliedWaiver{w.id, w.justification, w.owner, r.expires};
      ++r.matched;
    }
    r.state = expired ? WaiverResult::State::kExpired
                      : (r.matched ? WaiverResult::State::kApplied : WaiverResult::State::kUnused);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace fwcert::assess
