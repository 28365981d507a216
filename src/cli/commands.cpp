#include "cli/commands.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>

#include "cli/cli_docs.hpp"
#include "cli/data_command.hpp"
#include "cli/db_command.hpp"
#include "cli/listing.hpp"
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
        "fwcert scan image.bin --format sarif -o fwcert.sarif", "fwcert sbom image.bin --format spdx -o sbom.spdx.json",
        "fwcert checks", "fwcert requirements --profile avs",
        "fwcert scan image.bin --profile etsi-303645 --manifest product.yaml --waivers waivers.yaml \\",
        "    --assessment-date 2026-03-01 --format json -o report.json", "fwcert explain net-ssh-config",
        "fwcert facts rootfs.tar.gz --analyzer accounts --format json",
        "fwcert db import all.zip known_exploited_vulnerabilities.json epss_scores-current.csv.gz",
        "fwcert scan image.bin --db vulns.db --vex product.vex.json"}});
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

struct ScanArgs {
  std::string target;
  std::string format = "text";
  std::string output;
  std::string fail_on;  ///< empty: the profile's gate
  std::string color = "auto";
  bool strict = false;
  bool no_nested = false;
  bool show_passing = false;
  bool quiet = false;
  ScanOptions options = ScanOptions::ci();  ///< the options that set it directly
};

void add_scan_options(CLI::App* cmd, ScanArgs& a) {
  cmd->add_option("TARGET", a.target, "Directory, image file, archive or raw firmware blob")
      ->required()
      ->type_name("PATH");
  cmd->add_option("--profile", a.options.profile, "Requirement set to judge against")->capture_default_str();
  cmd->add_flag("--no-nested", a.no_nested, "Do not open images and archives found inside the target");
  cmd->add_flag("--one-file-system,!--no-one-file-system,!--cross-filesystems", a.options.one_file_system,
                "For a directory target, stay on the target's filesystem: do not descend into /proc, /sys, "
                "/dev or other mounts (default on; --no-one-file-system turns it off)");
  cmd->add_option("-j,--jobs,--threads", a.options.threads,
                  "Threads for the whole scan: analyzers, the content pass, ELF parsing and password hashing share "
                  "one pool of this many (0 = one per core)")
      ->capture_default_str();
  // One value per occurrence, so `--only elf firmware.img` leaves the target alone.
  cmd->add_option("--only", a.options.only_analyzers, "Run only these analyzers (comma-separated)")
      ->type_name("ANALYZER")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--skip", a.options.skip_analyzers, "Do not run these analyzers (comma-separated)")
      ->type_name("ANALYZER")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--catalog", a.options.catalog_dir,
                  "Directory with checks.yaml and requirement sets to use instead of the built-in catalog")
      ->type_name("DIR");
  cmd->add_option("--assessment-date", a.options.assessment_date,
                  "Judge dates (end of life, support period, waiver expiry) at this day, YYYY-MM-DD "
                  "(default: today, UTC); set it to make a report reproducible")
      ->type_name("DATE")
      ->check([](const std::string& v) {
        return parse_date(v) ? std::string() : "expected a real day in the form YYYY-MM-DD, got '" + v + "'";
      });
  cmd->add_option("--manifest", a.options.manifest_path,
                  "Product manifest (YAML) with the evidence for process requirements (docs/manifest.md)")
      ->type_name("FILE");
  cmd->add_option("--waivers", a.options.waivers_path,
                  "Waivers file (YAML): findings accepted on purpose (docs/waivers.md)")
      ->type_name("FILE");
  cmd->add_option("--services", a.options.services_path,
                  "Declared network services (YAML `network_services` list; a product manifest works too): any "
                  "other network-facing service fails net-listeners (docs/services.md)")
      ->type_name("FILE");
  cmd->add_option("--db", a.options.vuln_db,
                  "Vulnerability database built by `fwcert db import` (default: $XDG_DATA_HOME/fwcert/vulns.db or "
                  "~/.local/share/fwcert/vulns.db when it exists); without one the vuln-* checks are inconclusive")
      ->type_name("FILE");
  cmd->add_option("--vex", a.options.vex_paths,
                  "CycloneDX VEX or OpenVEX file (repeatable): vulnerabilities it marks not_affected or fixed stay "
                  "in the report, suppressed, and fail no check")
      ->type_name("FILE")
      ->allow_extra_args(false);
  cmd->add_option("--max-db-age", a.options.max_db_age_days,
                  "vuln-db-fresh warns when the vulnerability database was built more than this many days before "
                  "the assessment day")
      ->type_name("DAYS")
      ->capture_default_str();
  cmd->add_option("--epss-threshold", a.options.epss_threshold,
                  "vuln-critical-high fails on a vulnerability whose EPSS probability is at least this (besides "
                  "CVSS >= 7.0)")
      ->type_name("P")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
}

ScanOptions to_options(const ScanArgs& a) {
  ScanOptions o = a.options;
  o.nested = !a.no_nested;
  if (!a.fail_on.empty()) o.fail_on = parse_severity(a.fail_on);
  return o;
}

/// Scans `a.target`; on a terminal a long scan shows how far it has come (on stderr, erased
/// when done). A target that cannot be opened is reported on stderr and gives nullopt.
std::optional<Report> scan_with_progress(const ScanArgs& a, ScanOptions options) {
  ProgressBar bar(progress_wanted(a.quiet), STDERR_FILENO);
  if (progress_wanted(a.quiet)) options.progress = [&bar](const ScanProgress& p) { bar.update(p); };
  auto report = scan(a.target, options);
  bar.finish();
  if (!report) {
    fmt::print(stderr, "fwcert: {}\n", report.error().describe());
    return std::nullopt;
  }
  return std::move(*report);
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
  auto report = scan_with_progress(a, to_options(a));
  if (!report) return kExitUsage;
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

/// `fwcert sbom`: the components of the target as CycloneDX or SPDX. Only the sbom analyzer
/// runs (the components are shared evidence every scan computes); findings gate nothing here.
int do_sbom(const ScanArgs& a) {
  const ReportFormat* format = find_report_format(a.format);
  if (!format || (a.format != "cyclonedx" && a.format != "spdx")) {
    fmt::print(stderr, "fwcert: sbom --format must be cyclonedx or spdx\n");
    return kExitUsage;
  }
  ScanOptions options = to_options(a);
  options.only_analyzers = {"sbom"};
  auto report = scan_with_progress(a, std::move(options));
  if (!report) return kExitUsage;
  if (!emit(a.output, format->write(*report, WriterOptions{}))) return kExitUsage;
  return a.strict && report->target.partial ? kExitPartial : kExitOk;
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

  ListingArgs checks_args;
  auto* checks_cmd = app.add_subcommand("checks", "List every check with its id, severity and title");
  checks_cmd
      ->add_option("--format", checks_args.format, "Output format (markdown is the check reference in docs/checks.md)")
      ->check(CLI::IsMember(listing_formats(Listing::kChecks)));
  checks_cmd->add_option("--catalog", checks_args.catalog_dir, "Catalog directory to list instead of the built-in one")
      ->type_name("DIR");

  ListingArgs req_args;
  auto* req_cmd =
      app.add_subcommand("requirements", "List a requirement set and the checks that give evidence for each item");
  req_cmd->add_option("--profile", req_args.profile, "Profile: avs, etsi-303645, isvs-l1, isvs-l2, or a profile file")
      ->capture_default_str();
  req_cmd->add_option("--format", req_args.format, "Output format")
      ->check(CLI::IsMember(listing_formats(Listing::kRequirements)));
  req_cmd->add_option("--catalog", req_args.catalog_dir, "Catalog directory to use instead of the built-in one")
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

  ScanArgs sbom_args;
  sbom_args.format = "cyclonedx";
  auto* sbom_cmd = app.add_subcommand(
      "sbom",
      "Write the software bill of materials of a target: every package of its dpkg, opkg, apk and rpm databases "
      "(with the files each owns) and, without a database, its operating system (docs/sbom.md)");
  add_scan_options(sbom_cmd, sbom_args);
  sbom_cmd
      ->add_option("--format", sbom_args.format, "SBOM format: cyclonedx (CycloneDX 1.6 JSON) or spdx (SPDX 2.3 JSON)")
      ->check(CLI::IsMember({"cyclonedx", "spdx"}))
      ->capture_default_str();
  sbom_cmd->add_option("-o,--output", sbom_args.output, "Write the SBOM to this file (default: stdout)")
      ->type_name("FILE");
  sbom_cmd->add_flag("--strict", sbom_args.strict, "Exit 3 when the target could only partly be read");
  sbom_cmd->add_flag("-q,--quiet", sbom_args.quiet, "No progress bar");

  auto* analyzers_cmd = app.add_subcommand("analyzers", "List the analyzers and the checks each implements");

  ListingArgs explain_args;
  auto* explain_cmd = app.add_subcommand(
      "explain", "Explain a check: why it matters, its logic and evidence, how to fix it, which requirements cite it");
  explain_cmd->add_option("CHECK-ID", explain_args.check, "Check id (fwcert checks lists them)")
      ->required()
      ->type_name("CHECK");
  explain_cmd->add_option("--format", explain_args.format, "Output format")
      ->check(CLI::IsMember(listing_formats(Listing::kExplain)));
  explain_cmd->add_option("--catalog", explain_args.catalog_dir, "Catalog directory to use instead of the built-in one")
      ->type_name("DIR");

  DataArgs data_args;
  auto* data_cmd = add_data_command(app, data_args);
  DbArgs db_args;
  auto* db_cmd = add_db_command(app, db_args);

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
  if (*checks_cmd) return run_listing(Listing::kChecks, checks_args);
  if (*req_cmd) return run_listing(Listing::kRequirements, req_args);
  if (*facts_cmd) return facts_layout ? do_layout(facts_args) : do_facts(facts_args, facts_analyzers);
  if (*sbom_cmd) return do_sbom(sbom_args);
  if (*explain_cmd) return run_listing(Listing::kExplain, explain_args);
  if (*data_cmd) return run_data_command(data_args);
  if (*db_cmd) return run_db_command(db_args);
  if (*completion_cmd) {
    const std::string script = completion_shell == "bash" ? bash_completion(app) : zsh_completion(app);
    return emit(completion_output, script) ? kExitOk : kExitUsage;
  }
  if (*man_cmd) {
    ManPageInfo info{"judge device firmware against security requirements", std::string("fwcert ") + version(),
                     man_date(), sections};
    return emit(man_output, man_page(app, info)) ? kExitOk : kExitUsage;
  }
  if (*analyzers_cmd) return run_listing(Listing::kAnalyzers, ListingArgs{});
  return kExitUsage;
}

}  // namespace fwcert::cli
