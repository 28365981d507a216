#include "cli/data_command.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "analyzers/kernel/rules_doc.hpp"
#include "cli/commands.hpp"
#include "endoflife/endoflife.hpp"
#include "endoflife/import.hpp"

namespace fwcert::cli {

namespace {

int do_import(const DataArgs& a) {
  endoflife::ImportOptions o;
  o.input_dir = a.input_dir;
  o.output_dir = a.output_dir;
  if (o.output_dir.empty()) {
    // A developer refreshes the tables of the source tree they stand in.
    std::error_code ec;
    if (!std::filesystem::exists("catalog/checks.yaml", ec) || !std::filesystem::is_directory("data", ec)) {
      fmt::print(stderr,
                 "fwcert: not in an fwcert source tree (no catalog/checks.yaml here): give -o DIR for the tables\n");
      return kExitUsage;
    }
    o.output_dir = "data/endoflife";
  }
  o.commit = a.commit;
  o.retrieved = a.retrieved;
  o.license = a.license;
  auto r = endoflife::import_directory(o);
  if (!r.ok()) {
    fmt::print(stderr, "fwcert: {}\n", r.error().describe());
    return kExitUsage;
  }
  for (const auto& w : r->written) fmt::print("wrote {}\n", w);
  fmt::print("{} products, {} release cycles, upstream commit {}, retrieved {}\n", endoflife::known_products().size(),
             r->cycles, r->commit, r->retrieved);
  return kExitOk;
}

int do_endoflife(const DataArgs& a) {
  auto snap = endoflife::snapshot();
  fmt::print("end-of-life data retrieved {} (endoflife.date commit {})\n", snap.retrieved, snap.commit);
  for (auto id : endoflife::known_products()) {
    if (!a.product.empty() && a.product != id) continue;
    const auto* p = endoflife::builtin(id);
    if (!p) continue;
    fmt::print("\n{} ({})\n", p->title, p->id);
    for (const auto& c : p->cycles) {
      fmt::print("  {:<8} {:<4} eol {:<22} {}\n", c.cycle, c.lts ? "LTS" : "", endoflife::eol_text(c),
                 c.codename.empty() ? c.latest : c.codename);
    }
  }
  return kExitOk;
}

}  // namespace

CLI::App* add_data_command(CLI::App& app, DataArgs& a) {
  auto* data = app.add_subcommand("data", "Refresh the data fwcert judges with, and print its rule reference");
  data->require_subcommand(1);
  a.import_cmd = data->add_subcommand(
      "import-endoflife",
      "Build data/endoflife/ from endoflife.date product files (a checkout's products/ folder); rebuild fwcert "
      "afterwards to embed them");
  a.import_cmd->add_option("DIR", a.input_dir, "Folder with linux-kernel.md, debian.md, ... (and SOURCES.md, LICENSE)")
      ->required()
      ->type_name("DIR");
  // The optional inputs of import-endoflife, in the order --help lists them.
  struct ImportOption {
    const char* flags;
    std::string DataArgs::*value;
    const char* help;
    const char* type_name;
  };
  for (const ImportOption& o : {
           ImportOption{"-o,--output", &DataArgs::output_dir,
                        "Where to write the tables (default: data/endoflife of the source tree you are in)", "DIR"},
           ImportOption{"--commit", &DataArgs::commit,
                        "Upstream commit of the files (default: read from DIR/SOURCES.md)", "COMMIT"},
           ImportOption{"--retrieved", &DataArgs::retrieved,
                        "Day the files were taken, YYYY-MM-DD (default: read from DIR/SOURCES.md)", "DATE"},
           ImportOption{"--license", &DataArgs::license,
                        "The data's licence file (default: DIR/LICENSE or DIR/../LICENSE)", "FILE"},
       }) {
    a.import_cmd->add_option(o.flags, a.*o.value, o.help)->type_name(o.type_name);
  }

  a.rules_cmd = data->add_subcommand(
      "rules", "Every kernel configuration, command-line and sysctl rule with its reason (docs/kernel-rules.md)");
  a.rules_cmd->add_option("--format", a.format, "Output format")
      ->check(CLI::IsMember({"text", "markdown"}))
      ->capture_default_str();

  a.eol_cmd = data->add_subcommand("endoflife", "Print the built-in end-of-life tables and their retrieval day");
  a.eol_cmd->add_option("PRODUCT", a.product, "Only this product (linux-kernel, debian, openssl, ...)")
      ->type_name("PRODUCT");
  return data;
}

int run_data_command(const DataArgs& a) {
  if (a.import_cmd && *a.import_cmd) return do_import(a);
  if (a.eol_cmd && *a.eol_cmd) return do_endoflife(a);
  if (a.rules_cmd && *a.rules_cmd) {
    fmt::print("{}", a.format == "markdown" ? analyzers::kernel::rules_markdown() : analyzers::kernel::rules_text());
    return kExitOk;
  }
  return kExitUsage;
}

}  // namespace fwcert::cli
