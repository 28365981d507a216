#include "cli/commands.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "analyzers/analyzer.hpp"
#include "analyzers/services/declared.hpp"
#include "assess/assess.hpp"
#include "catalog/catalog.hpp"
#include "cli/cli_docs.hpp"
#include "cli/data_command.hpp"
#include "cli/progress.hpp"
#include "cli/report_output.hpp"
#include "core/date.hpp"
#include "fwcert/scan.hpp"
#include "report/json/json_writer.hpp"
#include "report/text/text_writer.hpp"
#include "scan/target.hpp"

namespace fwcert::cli {

namespace {

constexpr const char* kDescription =
    "fwcert checks a firmware image against published device-security requirements\n"
    "(Amazon AVS first) and shows the evidence for every verdict.\n";

/// The free-text part of --help, also the man page's TARGETS, EXIT STATUS, ENVIRONMENT,
/// EXAMPLES, FILES and SEE ALSO.
std::vector<DocSection> doc_sections() {
  std::vector<DocSection> s;
  s.push_back({"Targets",
               "TARGETS",
               "a directory (extracted rootfs, or / for the live host), a tar, cpio, zip or ISO 9660, a squashfs, "
               "ext2/3/4, EROFS, UBI, UBIFS, JFFS2, cramfs or FAT image, an Android sparse, boot, vbmeta or super "
               "image, a U-Boot uImage or FIT, any of these compressed with gzip, xz, lzma, zstd, bzip2 or lz4 (the "
               "report names the chain: gzip > ext4), or a raw flash dump holding them at some offsets (fwcert facts "
               "--layout prints its map). Images inside the target (an initramfs cpio.gz, a squashfs, a UBI volume) "
               "are scanned too, two levels deep; their paths are shown as outer!inner/path. A target from which "
               "nothing can be read is exit 2, never a pass. Nothing is executed, mounted or unpacked to disk; no "
               "root is needed.",
               {},
               {}});
  s.push_back({"Exit codes",
               "EXIT STATUS",
               "",
               {{std::to_string(kExitOk), "nothing at or above --fail-on failed"},
                {std::to_string(kExitFindings), "at least one failing finding at or above --fail-on"},
                {std::to_string(kExitUsage), "usage error, or the target could not be read at all"},
                {std::to_string(kExitPartial), "--strict was given and the target could only partly be read"}},
               {}});
  s.push_back({"Environment",
               "ENVIRONMENT",
               "",
               {{"NO_COLOR", "when set (to anything), no colour in the terminal output"}},
               {}});
  s.push_back(
      {"Examples",
       "EXAMPLES",
       "",
       {},
       {"fwcert scan rootfs.squashfs", "fwcert scan image.bin --format json -o report.json --fail-on critical",
        "fwcert scan image.bin --format sarif -o fwcert.sarif", "fwcert checks", "fwcert requirements --profile avs",
        "fwcert scan image.bin --profile etsi-303645 --manifest product.yaml --waivers waivers.yaml \\",
        "    --assessment-date 2026-03-01 --format json -o report.json", "fwcert explain net-ssh-config",
        "fwcert facts rootfs.tar.gz --analyzer accounts --format json"}});
  s.push_back({"Files",
               "FILES",
               "The check catalog and the judging data are built into the binary; nothing is read from the file "
               "system except the target and the files named on the command line.",
               {},
               {},
               false});
  s.push_back({"See also",
               "SEE ALSO",
               "/usr/share/doc/fwcert/usage.md, /usr/share/doc/fwcert/integrations.md, "
               "/usr/share/doc/fwcert/checks.md",
               {},
               {},
               false});
  return s;
}

/// The man page's date: SOURCE_DATE_EPOCH when set (reproducible package builds), else today.
std::string man_date() {
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch && *epoch) {
    char* end = nullptr;
    const long long secs = std::strtoll(epoch, &end, 10);
    std::tm tm{};
    const std::time_t t = static_cast<std::time_t>(secs);
    if (end && *end == '\0' && secs >= 0 && gmtime_r(&t, &tm)) {
      return format_date({tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1), static_cast<unsigned>(tm.tm_mday)});
    }
  }
  return format_date(today_utc());
}

bool want_color(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

/// Writes `text` to `path`, or to stdout when path is empty or "-".
bool emit(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return true;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    fmt::print(stderr, "fwcert: cannot write {}\n", path);
    return false;
  }
  out << text;
  out.close();
  if (!out) {
    fmt::print(stderr, "fwcert: error writing {}\n", path);
    return false;
  }
  return true;
}

Result<catalog::Catalog> load_catalog(const std::string& dir) {
  return dir.empty() ? catalog::load_builtin() : catalog::load_directory(dir);
}

struct ScanArgs {
  std::string target;
  std::string format = "text";
  std::string output;
  std::string fail_on;  ///< empty: the profile's gate
  std::string color = "auto";
  bool strict = false;
  bool no_nested = false;
  bool one_fs = true;
  bool show_passing = false;
  bool quiet = false;
  unsigned threads = 0;
  std::vector<std::string> only;
  std::vector<std::string> skip;
  std::string catalog_dir;
  std::string profile = "avs";
  bool fail_on_given = false;
  std::string assessment_date;
  std::string manifest;
  std::string waivers;
  std::string services;
};

void add_scan_options(CLI::App* cmd, ScanArgs& a) {
  cmd->add_option("TARGET", a.target, "Directory, image file, archive or raw firmware blob")
      ->required()
      ->type_name("PATH");
  cmd->add_option("--profile", a.profile, "Requirement set to judge against")->capture_default_str();
  cmd->add_flag("--no-nested", a.no_nested, "Do not open images and archives found inside the target");
  cmd->add_flag("--one-file-system,!--no-one-file-system,!--cross-filesystems", a.one_fs,
                "For a directory target, stay on the target's filesystem: do not descend into /proc, /sys, "
                "/dev or other mounts (default on; --no-one-file-system turns it off)");
  cmd->add_option("--threads", a.threads, "Analyzer threads (0 = one per core)")->capture_default_str();
  // One value per occurrence, so `--only elf firmware.img` leaves the target alone.
  cmd->add_option("--only", a.only, "Run only these analyzers (comma-separated)")
      ->type_name("ANALYZER")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--skip", a.skip, "Do not run these analyzers (comma-separated)")
      ->type_name("ANALYZER")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--catalog", a.catalog_dir,
                  "Directory with checks.yaml and requirement sets to use instead of the built-in catalog")
      ->type_name("DIR");
  cmd->add_option("--assessment-date", a.assessment_date,
                  "Judge dates (end of life, support period, waiver expiry) at this day, YYYY-MM-DD "
                  "(default: today, UTC); set it to make a report reproducible")
      ->type_name("DATE")
      ->check([](const std::string& v) {
        return parse_date(v) ? std::string() : "expected a real day in the form YYYY-MM-DD, got '" + v + "'";
      });
  cmd->add_option("--manifest", a.manifest,
                  "Product manifest (YAML) with the evidence for process requirements (docs/manifest.md)")
      ->type_name("FILE");
  cmd->add_option("--waivers", a.waivers, "Waivers file (YAML): findings accepted on purpose (docs/waivers.md)")
      ->type_name("FILE");
  cmd->add_option("--services", a.services,
                  "Declared network services (YAML `network_services` list; a product manifest works too): any "
                  "other network-facing service fails net-listeners (docs/services.md)")
      ->type_name("FILE");
}

ScanOptions to_options(const ScanArgs& a) {
  ScanOptions o = ScanOptions::ci();
  o.profile = a.profile;
  o.nested = !a.no_nested;
  o.one_file_system = a.one_fs;
  o.threads = a.threads;
  o.only_analyzers = a.only;
  o.skip_analyzers = a.skip;
  o.catalog_dir = a.catalog_dir;
  o.assessment_date = a.assessment_date;
  o.manifest_path = a.manifest;
  o.waivers_path = a.waivers;
  o.services_path = a.services;
  if (!a.fail_on.empty()) o.fail_on = parse_severity(a.fail_on);
  return o;
}

int do_scan(const ScanArgs& a) {
  if (auto sev = parse_severity(a.fail_on.empty() ? "high" : a.fail_on); !sev || *sev == Severity::kInfo) {
    fmt::print(stderr, "fwcert: --fail-on must be one of critical, high, medium, low\n");
    return kExitUsage;
  }
  const ReportFormat* format = find_report_format(a.format);
  if (!format) {
    fmt::print(stderr, "fwcert: unknown report format '{}'\n", a.format);
    return kExitUsage;
  }
  if (!a.services.empty()) {
    if (auto declared = analyzers::services::load_declared_services(a.services); !declared) {
      fmt::print(stderr, "fwcert: --services: {}\n", declared.error().describe());
      return kExitUsage;
    }
  }
  ScanOptions options = to_options(a);
  // On a terminal, a long scan shows how far it has come: on stderr, erased when done.
  ProgressBar bar(progress_wanted(a.quiet), STDERR_FILENO);
  if (progress_wanted(a.quiet)) options.progress = [&bar](const ScanProgress& p) { bar.update(p); };
  auto report = scan(a.target, options);
  bar.finish();
  if (!report) {
    fmt::print(stderr, "fwcert: {}\n", report.error().describe());
    return kExitUsage;
  }
  const WriterOptions writer{report::TextOptions{want_color(a.color), a.show_passing}};
  if (!emit(a.output, format->write(*report, writer))) return kExitUsage;
  // A machine report written to a file still leaves the text summary on stdout.
  if (format->name != "text" && !a.output.empty() && a.output != "-") {
    std::string summary = report::to_text(*report, writer.text);
    std::fwrite(summary.data(), 1, summary.size(), stdout);
  }
  if (a.strict && report->target.partial) return kExitPartial;
  // The gate (--fail-on, else the profile's) was applied once, in the report's summary.
  return report->summary.gated ? kExitFindings : kExitOk;
}

/// The check reference (docs/checks.md is this output; a test keeps them equal).
std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string checks_markdown(const catalog::Catalog& cat) {
  std::string out =
      "# Check reference\n\n"
      "Generated from `catalog/checks.yaml` by `fwcert checks --format markdown`; do not edit by hand.\n"
      "Checks without an analyzer are not implemented yet: requirements that depend on them are\n"
      "`inconclusive`, never `met`.\n";
  std::string area;
  for (const auto& c : cat.checks) {
    if (c.area != area) {
      area = c.area;
      out += fmt::format("\n## {}\n", area.empty() ? "other" : area);
    }
    std::string modes, refs;
    for (const auto& m : c.modes) modes += (modes.empty() ? "" : ", ") + m;
    for (const auto& r : c.references) refs += (refs.empty() ? "" : "; ") + r;
    out += fmt::format("\n### `{}`\n\n{}\n\n", c.id, c.title);
    out += fmt::format("- severity: {}\n- modes: {}\n- implemented by: {}\n", to_string(c.severity),
                       modes.empty() ? "-" : modes,
                       c.analyzer.empty() ? "not implemented yet" : "`" + c.analyzer + "` analyzer");
    if (!refs.empty()) out += fmt::format("- references: {}\n", refs);
    if (!c.rationale.empty()) out += fmt::format("\n**Why.** {}\n", trimmed(c.rationale));
    if (!c.logic.empty()) out += fmt::format("\n**Logic.** {}\n", trimmed(c.logic));
    if (!c.remediation.empty()) out += fmt::format("\n**Fix.** {}\n", trimmed(c.remediation));
  }
  return out;
}

int do_checks(const std::string& format, const std::string& catalog_dir) {
  auto cat = load_catalog(catalog_dir);
  if (!cat) {
    fmt::print(stderr, "fwcert: {}\n", cat.error().describe());
    return kExitUsage;
  }
  if (format == "json") {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const auto& c : cat->checks) {
      j.push_back({{"id", c.id},
                   {"title", c.title},
                   {"severity", to_string(c.severity)},
                   {"area", c.area},
                   {"modes", c.modes},
                   {"analyzer", c.analyzer},
                   {"implemented", !c.analyzer.empty()}});
    }
    fmt::print("{}\n", j.dump(2));
    return kExitOk;
  }
  if (format == "markdown") {
    fmt::print("{}", checks_markdown(*cat));
    return kExitOk;
  }
  std::size_t implemented = 0;
  for (const auto& c : cat->checks) {
    implemented += !c.analyzer.empty();
    fmt::print("{:<32} {:<9} {}{}\n", c.id, to_string(c.severity), c.title,
               c.analyzer.empty() ? "  [not implemented yet]" : "");
  }
  fmt::print("\n{} checks, {} implemented in this version\n", cat->checks.size(), implemented);
  return kExitOk;
}

int do_requirements(const std::string& profile, const std::string& format, const std::string& catalog_dir) {
  auto cat = load_catalog(catalog_dir);
  if (!cat) {
    fmt::print(stderr, "fwcert: {}\n", cat.error().describe());
    return kExitUsage;
  }
  auto chosen = assess::resolve_profile(*cat, profile);
  if (!chosen) {
    fmt::print(stderr, "fwcert: {}\n", chosen.error().describe());
    return kExitUsage;
  }
  const catalog::RequirementSet selected = catalog::select(*cat->find_set(chosen->set), *chosen);
  const auto* set = &selected;
  if (format == "json") {
    nlohmann::ordered_json j;
    j["profile"] = chosen->id;
    j["id"] = set->id;
    j["title"] = set->title;
    j["source"] = set->source;
    j["gate"] = to_string(set->gate);
    nlohmann::ordered_json reqs = nlohmann::ordered_json::array();
    for (const auto& r : set->requirements) {
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
    fmt::print("{}\n", j.dump(2));
    return kExitOk;
  }
  fmt::print("{} ({}; profile {}, {} requirements, exit code gate {})\n{}\n\n", set->title, set->id, chosen->id,
             set->requirements.size(), to_string(chosen->gate), set->source);
  for (const auto& r : set->requirements) {
    std::string modes;
    for (const auto& m : r.modes) modes += (modes.empty() ? "" : ",") + m;
    fmt::print("{:<22} {:<10} {}{}{}\n", r.id, r.level, r.title,
               r.verification_level ? fmt::format("  [L{}]", r.verification_level) : "",
               r.unverified ? "  [UNVERIFIED]" : "");
    if (!r.checks.empty()) {
      std::string checks;
      for (const auto& c : r.checks) checks += (checks.empty() ? "" : ", ") + c;
      fmt::print("{:<33} checks: {}\n", "", checks);
    }
    if (!r.attestation.empty()) fmt::print("{:<33} attestation: {}\n", "", r.attestation);
    if (!modes.empty()) fmt::print("{:<33} evidence from: {}\n", "", modes);
  }
  return kExitOk;
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

int do_explain(const std::string& id, const std::string& format, const std::string& catalog_dir) {
  auto cat = load_catalog(catalog_dir);
  if (!cat) {
    fmt::print(stderr, "fwcert: {}\n", cat.error().describe());
    return kExitUsage;
  }
  const catalog::CheckDef* c = cat->find_check(id);
  if (!c) {
    auto close = catalog::suggest_checks(*cat, id);
    std::string hint;
    for (const auto& s : close) hint += (hint.empty() ? "; did you mean " : " or ") + s;
    fmt::print(stderr, "fwcert: unknown check '{}'{}{} (fwcert checks lists them all)\n", id, hint,
               close.empty() ? "" : "?");
    return kExitUsage;
  }
  const auto cited = citing(*cat, c->id);
  if (format == "json") {
    nlohmann::ordered_json j;
    j["id"] = c->id;
    j["title"] = c->title;
    j["severity"] = to_string(c->severity);
    j["area"] = c->area;
    j["modes"] = c->modes;
    j["analyzer"] = c->analyzer;
    j["implemented"] = !c->analyzer.empty();
    j["rationale"] = c->rationale;
    j["logic"] = c->logic;
    j["remediation"] = c->remediation;
    j["references"] = c->references;
    nlohmann::ordered_json req = nlohmann::ordered_json::object();
    for (const auto& [set, ids] : cited) req[set] = ids;
    j["requirements"] = std::move(req);
    fmt::print("{}\n", j.dump(2));
    return kExitOk;
  }
  std::string modes, refs;
  for (const auto& m : c->modes) modes += (modes.empty() ? "" : ", ") + m;
  for (const auto& r : c->references) refs += (refs.empty() ? "" : "; ") + r;
  std::string out = fmt::format("{}: {}\n\n", c->id, c->title);
  out += fmt::format("  severity     {}\n  area         {}\n  modes        {}\n  implemented  {}\n",
                     to_string(c->severity), c->area.empty() ? "-" : c->area, modes.empty() ? "-" : modes,
                     c->analyzer.empty() ? "not yet (requirements citing it stay inconclusive)"
                                         : "by the " + c->analyzer + " analyzer");
  auto section = [&](const char* name, const std::string& text) {
    if (!text.empty()) out += fmt::format("\n{}\n  {}\n", name, trimmed(text));
  };
  section("Why", c->rationale);
  section("Logic and the evidence it reads", c->logic);
  section("How to fix", c->remediation);
  if (!refs.empty()) out += fmt::format("\nReferences\n  {}\n", refs);
  out += "\nCited by\n";
  if (cited.empty()) out += "  no requirement set\n";
  for (const auto& [set, ids] : cited) {
    std::string list;
    for (const auto& r : ids) list += (list.empty() ? "" : ", ") + r;
    out += fmt::format("  {}: {}\n", set, list);
  }
  fmt::print("{}", out);
  return kExitOk;
}

/// `fwcert facts --layout`: the target's partition map, without running the analyzers.
int do_layout(const ScanArgs& a) {
  ScanOptions o = to_options(a);
  TargetInfo info;
  info.path = a.target;
  auto inv = scanning::open_target(a.target, o, info);
  if (!inv) {
    fmt::print(stderr, "fwcert: {}\n", inv.error().describe());
    return kExitUsage;
  }
  if (a.format == "json") return emit(a.output, report::layout_to_json(info)) ? kExitOk : kExitUsage;
  std::string text = fmt::format("{} ({}{})\n", a.target, info.format, info.partial ? ", partial" : "");
  if (info.layout.empty()) text += "  a directory: no layout\n";
  for (const auto& r : info.layout) {
    text += fmt::format("  {:#010x}  {:>12}  {}{}\n", r.offset, r.length, r.format,
                        r.read ? "" : "  (not read: " + r.note + ")");
  }
  return emit(a.output, text) ? kExitOk : kExitUsage;
}

int do_facts(const ScanArgs& a, const std::vector<std::string>& analyzers_wanted) {
  ScanOptions o = to_options(a);
  o.collect_facts = true;
  if (!analyzers_wanted.empty()) o.only_analyzers = analyzers_wanted;
  auto report = scan(a.target, o);
  if (!report) {
    fmt::print(stderr, "fwcert: {}\n", report.error().describe());
    return kExitUsage;
  }
  if (a.format == "json") return emit(a.output, report::facts_to_json(*report)) ? kExitOk : kExitUsage;
  std::string text;
  for (const auto& f : report->facts) {
    std::string value = std::visit(
        [](const auto& v) -> std::string {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, bool>) {
            return v ? "true" : "false";
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            return std::to_string(v);
          } else if constexpr (std::is_same_v<T, std::string>) {
            return v;
          } else {
            std::string s;
            for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
            return "[" + s + "]";
          }
        },
        f.value);
    text += fmt::format("{:<10} {:<40} {:<28} {}\n", f.analyzer, f.subject, f.name, value);
  }
  return emit(a.output, text) ? kExitOk : kExitUsage;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{kDescription, "fwcert"};
  const auto sections = doc_sections();
  app.footer(help_footer(sections));
  app.set_version_flag("--version", std::string("fwcert ") + version());
  app.require_subcommand(1);

  ScanArgs scan_args;
  auto* scan_cmd = app.add_subcommand("scan", "Scan a target and report findings and requirement verdicts");
  add_scan_options(scan_cmd, scan_args);
  std::vector<std::string> scan_formats;
  for (const auto& f : report_formats()) scan_formats.emplace_back(f.name);
  scan_cmd
      ->add_option("--format", scan_args.format,
                   "Report format: " + report_formats_help() + "; with -o the text summary still goes to stdout")
      ->check(CLI::IsMember(scan_formats))
      ->capture_default_str();
  scan_cmd->add_option("-o,--output", scan_args.output, "Write the report to this file (default: stdout)")
      ->type_name("FILE");
  scan_cmd
      ->add_option("--fail-on", scan_args.fail_on,
                   "Lowest severity of a failing, unwaived finding that makes the exit code 1 (default: the "
                   "profile's gate; high for avs)")
      ->check(CLI::IsMember({"critical", "high", "medium", "low"}));
  scan_cmd->add_flag("--strict", scan_args.strict, "Exit 3 when the target could only partly be read");
  scan_cmd->add_flag("--show-passing", scan_args.show_passing, "List passing findings in the text summary too");
  scan_cmd->add_flag("-q,--quiet", scan_args.quiet,
                     "No progress bar (otherwise drawn on stderr when it is a terminal, NO_COLOR is unset and the "
                     "scan takes more than 0.3 s)");
  scan_cmd->add_option("--color", scan_args.color, "Colour in the text summary")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();

  std::string checks_format = "text";
  std::string checks_catalog;
  auto* checks_cmd = app.add_subcommand("checks", "List every check with its id, severity and title");
  checks_cmd->add_option("--format", checks_format, "Output format (markdown is the check reference in docs/checks.md)")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  checks_cmd->add_option("--catalog", checks_catalog, "Catalog directory to list instead of the built-in one")
      ->type_name("DIR");

  std::string req_profile = "avs";
  std::string req_format = "text";
  std::string req_catalog;
  auto* req_cmd =
      app.add_subcommand("requirements", "List a requirement set and the checks that give evidence for each item");
  req_cmd->add_option("--profile", req_profile, "Profile: avs, etsi-303645, isvs-l1, isvs-l2, or a profile file")
      ->capture_default_str();
  req_cmd->add_option("--format", req_format, "Output format")->check(CLI::IsMember({"text", "json"}));
  req_cmd->add_option("--catalog", req_catalog, "Catalog directory to use instead of the built-in one")
      ->type_name("DIR");

  ScanArgs facts_args;
  facts_args.format = "json";
  std::vector<std::string> facts_analyzers;
  auto* facts_cmd = app.add_subcommand("facts", "Dump the typed facts analyzers recorded about a target");
  add_scan_options(facts_cmd, facts_args);
  facts_cmd->add_option("--analyzer", facts_analyzers, "Only this analyzer's facts (repeatable)")
      ->type_name("ANALYZER");
  bool facts_layout = false;
  facts_cmd->add_flag("--layout", facts_layout,
                      "Only the target's layout: each filesystem and container found and at which offset (the "
                      "partition map of a raw flash dump); the analyzers do not run");
  facts_cmd->add_option("--format", facts_args.format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  facts_cmd->add_option("-o,--output", facts_args.output, "Write to this file (default: stdout)")->type_name("FILE");

  auto* analyzers_cmd = app.add_subcommand("analyzers", "List the analyzers and the checks each implements");

  std::string explain_id;
  std::string explain_format = "text";
  std::string explain_catalog;
  auto* explain_cmd = app.add_subcommand(
      "explain", "Explain a check: why it matters, its logic and evidence, how to fix it, which requirements cite it");
  explain_cmd->add_option("CHECK-ID", explain_id, "Check id (fwcert checks lists them)")
      ->required()
      ->type_name("CHECK");
  explain_cmd->add_option("--format", explain_format, "Output format")->check(CLI::IsMember({"text", "json"}));
  explain_cmd->add_option("--catalog", explain_catalog, "Catalog directory to use instead of the built-in one")
      ->type_name("DIR");

  DataArgs data_args;
  auto* data_cmd = add_data_command(app, data_args);

  // Rendered from the definition above, so neither can miss a subcommand or an option.
  std::string completion_shell;
  std::string completion_output;
  auto* completion_cmd = app.add_subcommand(
      "completion", "Print the shell completion script for bash or zsh, generated from this command line");
  completion_cmd->add_option("SHELL", completion_shell, "Shell to complete for")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  completion_cmd->add_option("-o,--output", completion_output, "Write to this file (default: stdout)")
      ->type_name("FILE");
  std::string man_output;
  auto* man_cmd = app.add_subcommand(
      "man", "Print the fwcert(1) manual page in roff (dated SOURCE_DATE_EPOCH when set, else today)");
  man_cmd->add_option("-o,--output", man_output, "Write to this file (default: stdout)")->type_name("FILE");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (*scan_cmd) return do_scan(scan_args);
  if (*checks_cmd) return do_checks(checks_format, checks_catalog);
  if (*req_cmd) return do_requirements(req_profile, req_format, req_catalog);
  if (*facts_cmd) return facts_layout ? do_layout(facts_args) : do_facts(facts_args, facts_analyzers);
  if (*explain_cmd) return do_explain(explain_id, explain_format, explain_catalog);
  if (*data_cmd) return run_data_command(data_args);
  if (*completion_cmd) {
    const std::string script = completion_shell == "bash" ? bash_completion(app) : zsh_completion(app);
    return emit(completion_output, script) ? kExitOk : kExitUsage;
  }
  if (*man_cmd) {
    ManPageInfo info{"judge device firmware against security requirements", std::string("fwcert ") + version(),
                     man_date(), sections};
    return emit(man_output, man_page(app, info)) ? kExitOk : kExitUsage;
  }
  if (*analyzers_cmd) {
    for (const auto& a : analyzers::registry()) {
      std::string checks;
      for (auto c : a.checks) checks += (checks.empty() ? "" : ", ") + std::string(c);
      fmt::print("{:<12} {}\n{:<12} checks: {}\n", a.id, a.description, "", checks);
    }
    return kExitOk;
  }
  return kExitUsage;
}

}  // namespace fwcert::cli
