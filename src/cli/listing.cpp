#include "cli/listing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "analyzers/analyzer.hpp"
#include "assess/assess.hpp"
#include "catalog/catalog.hpp"
#include "cli/commands.hpp"
#include "scan/pipeline.hpp"
#include "vulns/checks.hpp"

namespace fwcert::cli {

namespace {

/// What a listing renders: the catalog, the profile `requirements` chose with its selection of
/// requirements, the check `explain` explains. A listing reads only what it needs.
struct Listed {
  const catalog::Catalog* catalog = nullptr;
  const catalog::Profile* profile = nullptr;
  const catalog::RequirementSet* set = nullptr;
  const catalog::CheckDef* check = nullptr;
};

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

/// `items` joined with `separator`.
std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

std::string checks_text(const Listed& in) {
  std::string out;
  std::size_t implemented = 0;
  for (const auto& c : in.catalog->checks) {
    implemented += !c.analyzer.empty();
    out += fmt::format("{:<32} {:<9} {}{}\n", c.id, to_string(c.severity), c.title,
                       c.analyzer.empty() ? "  [not implemented yet]" : "");
  }
  out += fmt::format("\n{} checks, {} implemented in this version\n", in.catalog->checks.size(), implemented);
  return out;
}

/// A check as `checks` lists it in JSON; `explain` adds the rest.
nlohmann::ordered_json check_json(const catalog::CheckDef& c) {
  return {{"id", c.id},       {"title", c.title},       {"severity", to_string(c.severity)}, {"area", c.area},
          {"modes", c.modes}, {"analyzer", c.analyzer}, {"implemented", !c.analyzer.empty()}};
}

std::string checks_json(const Listed& in) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  for (const auto& c : in.catalog->checks) j.push_back(check_json(c));
  return j.dump(2) + "\n";
}

/// The check reference (docs/checks.md is this output; a test keeps them equal).
std::string checks_markdown(const Listed& in) {
  std::string out =
      "# Check reference\n\n"
      "Generated from `catalog/checks.yaml` by `fwcert checks --format markdown`; do not edit by hand.\n"
      "Checks without an analyzer are not implemented yet: requirements that depend on them are\n"
      "`inconclusive`, never `met`.\n";
  std::string area;
  for (const auto& c : in.catalog->checks) {
    if (c.area != area) {
      area = c.area;
      out += fmt::format("\n## {}\n", area.empty() ? "other" : area);
    }
    const std::string modes = joined(c.modes, ", ");
    const std::string refs = joined(c.references, "; ");
    out += fmt::format("\n### `{}`\n\n{}\n\n", c.id, c.title);
    out += fmt::format("- severity: {}\n- modes: {}\n- implemented by: {}\n", to_string(c.severity),
                       modes.empty() ? "-" : modes,
                       c.analyzer.empty()                           ? "not implemented yet"
                       : c.analyzer == analyzers::kManifestProducer ? "the product manifest (assessment stage)"
                       : c.analyzer == vulns::kVulnsProducer        ? "the vulnerability database (matching stage)"
                                                                    : "`" + c.analyzer + "` analyzer");
    if (!refs.empty()) out += fmt::format("- references: {}\n", refs);
    if (!c.rationale.empty()) out += fmt::format("\n**Why.** {}\n", trimmed(c.rationale));
    if (!c.logic.empty()) out += fmt::format("\n**Logic.** {}\n", trimmed(c.logic));
    if (!c.remediation.empty()) out += fmt::format("\n**Fix.** {}\n", trimmed(c.remediation));
  }
  return out;
}

std::string requirements_text(const Listed& in) {
  const catalog::RequirementSet& set = *in.set;
  std::string out = fmt::format("{} ({}; profile {}, {} requirements, exit code gate {})\n{}\n\n", set.title, set.id,
                                in.profile->id, set.requirements.size(), to_string(in.profile->gate), set.source);
  for (const auto& r : set.requirements) {
    const std::string modes = joined(r.modes, ",");
    out += fmt::format("{:<22} {:<10} {}{}{}\n", r.id, r.level, r.title,
                       r.verification_level ? fmt::format("  [L{}]", r.verification_level) : "",
                       r.unverified ? "  [UNVERIFIED]" : "");
    if (!r.checks.empty()) out += fmt::format("{:<33} checks: {}\n", "", joined(r.checks, ", "));
    if (!r.attestation.empty()) out += fmt::format("{:<33} attestation: {}\n", "", r.attestation);
    if (!modes.empty()) out += fmt::format("{:<33} evidence from: {}\n", "", modes);
  }
  return out;
}

std::string requirements_json(const Listed& in) {
  const catalog::RequirementSet& set = *in.set;
  nlohmann::ordered_json j;
  j["profile"] = in.profile->id;
  j["id"] = set.id;
  j["title"] = set.title;
  j["source"] = set.source;
  j["gate"] = to_string(set.gate);
  nlohmann::ordered_json reqs = nlohmann::ordered_json::array();
  for (const auto& r : set.requirements) {
    reqs.push_back({{"id", r.id},
                    {"title", r.title},
                    {"level", r.level},
                    {"subject", r.subject},
                    {"text", r.text},
                    {"modes", r.modes},
                    {"checks", r.checks},
                    {"attestation", r.attestation},
                    {"unverified", r.unverified},
                    {"verification_level", r.verification_level}});
  }
  j["requirements"] = std::move(reqs);
  return j.dump(2) + "\n";
}

std::string analyzers_text(const Listed&) {
  std::string out;
  for (const auto& a : analyzers::registry()) {
    std::string checks;
    for (auto c : a.checks) checks += (checks.empty() ? "" : ", ") + std::string(c);
    out += fmt::format("{:<12} {}\n{:<12} checks: {}\n", a.id, a.description, "", checks);
  }
  return out;
}

/// Every requirement, in every set, that cites `check`: "set: id, id".
std::vector<std::pair<std::string, std::vector<std::string>>> citing(const catalog::Catalog& cat,
                                                                     const std::string& check) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& s : cat.sets) {
    std::vector<std::string> ids;
    for (const auto& r : s.requirements) {
      if (std::find(r.checks.begin(), r.checks.end(), check) != r.checks.end()) ids.push_back(r.id);
    }
    if (!ids.empty()) out.emplace_back(s.id, std::move(ids));
  }
  return out;
}

std::string explain_text(const Listed& in) {
  const catalog::CheckDef& c = *in.check;
  const std::string modes = joined(c.modes, ", ");
  const std::string refs = joined(c.references, "; ");
  std::string out = fmt::format("{}: {}\n\n", c.id, c.title);
  out += fmt::format(
      "  severity     {}\n  area         {}\n  modes        {}\n  implemented  {}\n", to_string(c.severity),
      c.area.empty() ? "-" : c.area, modes.empty() ? "-" : modes,
      c.analyzer.empty()                           ? "not yet (requirements citing it stay inconclusive)"
      : c.analyzer == analyzers::kManifestProducer ? "from the product manifest (--manifest), by the assessment stage"
      : c.analyzer == vulns::kVulnsProducer        ? "from the vulnerability database (--db), by the matching stage"
                                                   : "by the " + c.analyzer + " analyzer");
  auto section = [&](const char* name, const std::string& text) {
    if (!text.empty()) out += fmt::format("\n{}\n  {}\n", name, trimmed(text));
  };
  section("Why", c.rationale);
  section("Logic and the evidence it reads", c.logic);
  section("How to fix", c.remediation);
  if (!refs.empty()) out += fmt::format("\nReferences\n  {}\n", refs);
  out += "\nCited by\n";
  const auto cited = citing(*in.catalog, c.id);
  if (cited.empty()) out += "  no requirement set\n";
  for (const auto& [set, ids] : cited) out += fmt::format("  {}: {}\n", set, joined(ids, ", "));
  return out;
}

std::string explain_json(const Listed& in) {
  const catalog::CheckDef& c = *in.check;
  nlohmann::ordered_json j = check_json(c);
  j["rationale"] = c.rationale;
  j["logic"] = c.logic;
  j["remediation"] = c.remediation;
  j["references"] = c.references;
  nlohmann::ordered_json req = nlohmann::ordered_json::object();
  for (const auto& [set, ids] : citing(*in.catalog, c.id)) req[set] = ids;
  j["requirements"] = std::move(req);
  return j.dump(2) + "\n";
}

/// Every format of every listing, in the order --format lists them.
struct Format {
  Listing listing;
  std::string_view name;
  std::string (*render)(const Listed&);
};

constexpr Format kFormats[] = {
    {Listing::kChecks, "text", checks_text},
    {Listing::kChecks, "json", checks_json},
    {Listing::kChecks, "markdown", checks_markdown},
    {Listing::kRequirements, "text", requirements_text},
    {Listing::kRequirements, "json", requirements_json},
    {Listing::kAnalyzers, "text", analyzers_text},
    {Listing::kExplain, "text", explain_text},
    {Listing::kExplain, "json", explain_json},
};

int fail(const Error& e) {
  fmt::print(stderr, "fwcert: {}\n", e.describe());
  return kExitUsage;
}

int print(const Format& format, const Listed& in) {
  const std::string out = format.render(in);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace

std::vector<std::string> listing_formats(Listing listing) {
  std::vector<std::string> out;
  for (const Format& f : kFormats) {
    if (f.listing == listing) out.emplace_back(f.name);
  }
  return out;
}

int run_listing(Listing listing, const ListingArgs& args) {
  const auto* format = std::find_if(std::begin(kFormats), std::end(kFormats),
                                    [&](const Format& f) { return f.listing == listing && f.name == args.format; });
  assert(format != std::end(kFormats) && "the command line admits only the formats of kFormats");
  if (listing == Listing::kAnalyzers) return print(*format, Listed{});
  auto cat = scanning::load_catalog(args.catalog_dir);
  if (!cat) return fail(cat.error());
  Listed in{&*cat};
  if (listing == Listing::kExplain) {
    in.check = cat->find_check(args.check);
    if (!in.check) {
      auto close = catalog::suggest_checks(*cat, args.check);
      std::string hint;
      for (const auto& s : close) hint += (hint.empty() ? "; did you mean " : " or ") + s;
      fmt::print(stderr, "fwcert: unknown check '{}'{}{} (fwcert checks lists them all)\n", args.check, hint,
                 close.empty() ? "" : "?");
      return kExitUsage;
    }
  }
  std::optional<catalog::Profile> profile;
  std::optional<catalog::RequirementSet> selected;
  if (listing == Listing::kRequirements) {
    auto chosen = assess::resolve_profile(*cat, args.profile);
    if (!chosen) return fail(chosen.error());
    profile = std::move(*chosen);
    selected = catalog::select(*cat->find_set(profile->set), *profile);
    in.profile = &*profile;
    in.set = &*selected;
  }
  return print(*format, in);
}

}  // namespace fwcert::cli
