#pragma once
// Everything fwcert says about its own command line besides --help: the man page and the bash
// and zsh completion scripts. All of them are rendered from the CLI11 definition itself (the
// same objects --help prints), so a subcommand or option added there shows up everywhere; the
// free-text sections of --help (targets, exit codes, environment, examples) are data here and
// feed both the --help footer and the man page.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace fwcert::cli {

/// One term of a footer section: an exit code, an environment variable.
struct DocEntry {
  std::string term;
  std::string text;
};

/// A free-text section of --help and of the man page.
struct DocSection {
  std::string title;                  ///< heading in --help ("Exit codes")
  std::string man_title;              ///< section of the man page ("EXIT STATUS")
  std::string text;                   ///< a paragraph, wrapped when rendered
  std::vector<DocEntry> entries;      ///< a term list, after the paragraph
  std::vector<std::string> examples;  ///< command lines, shown as they are
  bool in_help = true;                ///< false: only in the man page (FILES, SEE ALSO)
};

/// The --help footer: every section with in_help, paragraphs wrapped at 92 columns.
std::string help_footer(const std::vector<DocSection>& sections);

/// What the man page says besides the CLI definition.
struct ManPageInfo {
  std::string summary;  ///< the NAME line after "fwcert \-"
  std::string version;  ///< "fwcert 0.1.0"
  std::string date;     ///< YYYY-MM-DD
  std::vector<DocSection> sections;
};

/// fwcert(1) in roff (man macros): NAME, SYNOPSIS (one line per runnable command), DESCRIPTION,
/// OPTIONS, SUBCOMMANDS (one subsection per subcommand, nested ones included, with every
/// positional and option, its values, choices and default), then `info.sections`.
std::string man_page(const CLI::App& app, const ManPageInfo& info);

/// A bash completion script for `app` (function _fwcert, registered with `complete -F`):
/// subcommands at every level, each command's options, option values from their choices, and
/// file or directory names where the option or positional names a path.
std::string bash_completion(const CLI::App& app);

/// A zsh completion script for `app` (#compdef; works from fpath and when sourced): one
/// _arguments function per command with descriptions, choices and file completion.
std::string zsh_completion(const CLI::App& app);

}  // namespace fwcert::cli
