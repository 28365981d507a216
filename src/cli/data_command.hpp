#pragma once
// `fwcert data ...`: maintenance of the data fwcert judges with (end-of-life tables) and its
// generated reference (the kernel, command-line and sysctl rules).

#include <CLI/CLI.hpp>
#include <string>

namespace fwcert::cli {

struct DataArgs {
  CLI::App* import_cmd = nullptr;
  CLI::App* rules_cmd = nullptr;
  CLI::App* eol_cmd = nullptr;
  std::string input_dir;
  std::string output_dir;
  std::string commit;
  std::string retrieved;
  std::string license;
  std::string format = "text";
  std::string product;
};

/// Adds the `data` subcommand and its own subcommands to `app`.
CLI::App* add_data_command(CLI::App& app, DataArgs& a);

/// Runs whichever `data` subcommand was given; returns the exit code.
int run_data_command(const DataArgs& a);

}  // namespace fwcert::cli
