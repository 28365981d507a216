#pragma once
// `fwcert db ...`: the offline vulnerability database (import downloaded OSV, CVE 5, KEV and
// EPSS files; show what is loaded and how old it is).

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace fwcert::cli {

struct DbArgs {
  CLI::App* import_cmd = nullptr;
  CLI::App* status_cmd = nullptr;
  std::vector<std::string> paths;
  std::string db;  ///< empty: the default file
};

/// Adds the `db` subcommand and its own subcommands to `app`.
CLI::App* add_db_command(CLI::App& app, DbArgs& a);

/// Runs whichever `db` subcommand was given; returns the exit code.
int run_db_command(const DbArgs& a);

}  // namespace fwcert::cli
