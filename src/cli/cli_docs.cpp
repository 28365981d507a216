#include "cli/cli_docs.hpp"

#include <fmt/format.h>

#include <string_view>

namespace fwcert::cli {

namespace {

/// What an option's value (or a positional) completes to.
enum class ValueKind {
  kNone,   ///< nothing to offer (a number, a date, an id)
  kWords,  ///< one of `choices`
  kFiles,  ///< a file or directory name (type TEXT, FILE or PATH)
  kDirs,   ///< a directory name (type DIR)
};

/// One option or positional of one command, as the CLI11 definition has it.
struct OptionDoc {
  std::vector<std::string> names;  ///< "-o", "--output"; for a positional its name ("TARGET")
  bool positional = false;
  bool takes_value = false;
  bool repeatable = false;
  bool required = false;
  std::string type;                  ///< the value's name in --help: TEXT, UINT, FILE, ...
  std::vector<std::string> choices;  ///< from an IsMember check
  std::string default_value;         ///< only when --help shows one
  std::string description;
  ValueKind kind = ValueKind::kNone;
};

/// One command: the program itself or a subcommand at any depth.
struct CommandDoc {
  std::vector<std::string> path;  ///< {"fwcert", "data", "rules"}
  std::string description;
  std::vector<OptionDoc> options;                                ///< in definition order, --help first
  std::vector<OptionDoc> positionals;                            ///< in order
  std::vector<std::pair<std::string, std::string>> subcommands;  ///< name, description
  bool subcommand_required = false;

  std::string joined(std::string_view sep = " ") const {
    std::string s;
    for (const auto& p : path) s += (s.empty() ? "" : std::string(sep)) + p;
    return s;
  }
  /// The usage line CLI11 prints, without the "Usage: ".
  std::string usage() const {
    std::string u = joined();
    if (!options.empty()) u += " [OPTIONS]";
    for (const auto& p : positionals) {
      // a positional taking many values reads "PATH..." as in CLI11's own usage line
      const std::string name = p.names[0] + (p.repeatable ? "..." : "");
      u += " " + (p.required ? name : "[" + name + "]");
    }
    if (!subcommands.empty()) u += subcommand_required ? " SUBCOMMAND" : " [SUBCOMMAND]";
    return u;
  }
};

OptionDoc describe_option(const CLI::Option& opt) {
  OptionDoc d;
  d.positional = opt.get_positional() && !opt.nonpositional();
  if (d.positional) {
    d.names.push_back(opt.get_name(true));
  } else {
    for (const auto& s : opt.get_snames()) d.names.push_back("-" + s);
    for (const auto& l : opt.get_lnames()) d.names.push_back("--" + l);
  }
  // A flag expects no value; a vector option expects "..." (CLI11's --help shows it so).
  d.takes_value = opt.get_expected_max() > 0;
  d.repeatable = d.takes_value && opt.get_expected_max() >= CLI::detail::expected_max_vector_size;
  d.required = opt.get_required();
  d.description = opt.get_description();
  if (d.takes_value) {
    // get_type_name() is "TEXT" or, with a check, "TEXT:{a,b,c}" (IsMember's description).
    const std::string full = opt.get_type_name();
    const auto colon = full.find(':');
    d.type = full.substr(0, colon);
    if (colon != std::string::npos && full.size() > colon + 2 && full[colon + 1] == '{' && full.back() == '}') {
      std::string_view set(full);
      set = set.substr(colon + 2, set.size() - colon - 3);
      while (!set.empty()) {
        const auto comma = set.find(',');
        d.choices.emplace_back(set.substr(0, comma));
        if (comma == std::string_view::npos) break;
        set.remove_prefix(comma + 1);
      }
    }
    d.default_value = opt.get_default_str();
    if (!d.choices.empty()) {
      d.kind = ValueKind::kWords;
    } else if (d.type == "DIR") {
      d.kind = ValueKind::kDirs;
    } else if (d.type == "TEXT" || d.type == "FILE" || d.type == "PATH") {
      d.kind = ValueKind::kFiles;
    }
  }
  return d;
}

void describe_command(const CLI::App& app, std::vector<std::string> path, std::vector<CommandDoc>& out) {
  CommandDoc c;
  c.path = std::move(path);
  c.description = app.get_description();
  c.subcommand_required = app.get_require_subcommand_min() > 0;
  for (const CLI::Option* o : app.get_options()) {
    OptionDoc d = describe_option(*o);
    (d.positional ? c.positionals : c.options).push_back(std::move(d));
  }
  auto subs = app.get_subcommands([](const CLI::App*) { return true; });
  for (const CLI::App* s : subs) c.subcommands.emplace_back(s->get_name(), s->get_description());
  const auto me = out.size();
  out.push_back(std::move(c));
  for (const CLI::App* s : subs) {
    auto sub_path = out[me].path;
    sub_path.push_back(s->get_name());
    describe_command(*s, std::move(sub_path), out);
  }
}

/// Every command of `app`, the program first, then depth first in definition order.
std::vector<CommandDoc> describe(const CLI::App& app) {
  std::vector<CommandDoc> out;
  describe_command(app, {app.get_name()}, out);
  return out;
}

std::string trim_newlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  while (!s.empty() && s.front() == '\n') s.erase(s.begin());
  return s;
}

std::string wrap(const std::string& text, std::size_t width, const std::string& indent) {
  std::string out, line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(pos, end - pos);
    pos = end + 1;
    if (word.empty()) continue;
    if (!line.empty() && indent.size() + line.size() + 1 + word.size() > width) {
      out += indent + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out += indent + line + "\n";
  return out;
}

// ---- roff ----

/// Text for roff: backslashes escaped, every hyphen of a word that starts with one (an option
/// name, "-o") written \- so it renders and searches as the ASCII character, and a line that
/// would start with a control character protected.
std::string roff(std::string_view s) {
  std::string out;
  bool word_start = true, dashed_word = false;
  for (char c : s) {
    if (word_start) dashed_word = c == '-';
    word_start = c == ' ' || c == '(' || c == '\n' || c == '|' || c == '[' || c == '=';
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-' && dashed_word) {
      out += "\\-";
    } else if (c == '"') {
      out += "\\(dq";
    } else {
      out += c;
    }
    if (c == '\n') dashed_word = false;
  }
  std::string fixed;
  bool line_start = true;
  for (char c : out) {
    if (line_start && (c == '.' || c == '\'')) fixed += "\\&";
    fixed += c;
    line_start = c == '\n';
  }
  return fixed;
}

/// A name that is always code: every hyphen is \-.
std::string roff_code(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '-') {
      out += "\\-";
    } else if (c == '\\') {
      out += "\\e";
    } else {
      out += c;
    }
  }
  return out;
}

std::string roff_value(const OptionDoc& o) {
  if (!o.choices.empty()) {
    std::string v;
    for (const auto& c : o.choices) v += (v.empty() ? "" : "|") + ("\\fB" + roff_code(c) + "\\fR");
    return "{" + v + "}";
  }
  return "\\fI" + roff_code(o.type) + "\\fR";
}

std::string man_option(const OptionDoc& o) {
  std::string head;
  if (o.positional) {
    head = "\\fI" + roff_code(o.names[0]) + "\\fR";
  } else {
    for (const auto& n : o.names) {
      head += (head.empty() ? "" : ", ") + ("\\fB" + roff_code(n) + "\\fR");
      if (o.takes_value) head += " " + roff_value(o);
    }
    if (o.repeatable) head += " ...";
  }
  std::string body = roff(o.description);
  if (o.positional && !o.choices.empty()) {
    std::string v;
    for (const auto& c : o.choices) v += (v.empty() ? "" : ", ") + ("\\fB" + roff_code(c) + "\\fR");
    body += "\n.br\nOne of " + v + ".";
  }
  if (!o.default_value.empty()) body += "\n.br\nDefault: \\fB" + roff_code(o.default_value) + "\\fR.";
  if (o.required && !o.positional) body += "\n.br\nRequired.";
  return ".TP\n" + head + "\n" + body + "\n";
}

std::string man_section(const DocSection& s) {
  std::string out = ".SH " + s.man_title + "\n";
  if (!s.text.empty()) out += roff(s.text) + "\n";
  for (const auto& e : s.entries) out += ".TP\n.B " + roff_code(e.term) + "\n" + roff(e.text) + "\n";
  if (!s.examples.empty()) {
    out += ".PP\n.nf\n.RS 4\n";
    for (const auto& x : s.examples) out += roff_code(x) + "\n";
    out += ".RE\n.fi\n";
  }
  return out;
}

// ---- shell ----

/// `s` in single quotes for sh, bash and zsh.
std::string sh_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : std::string(sep)) + x;
  return s;
}

std::string bash_kind(const OptionDoc& o) {
  switch (o.kind) {
    case ValueKind::kWords:
      return "words " + join(o.choices, " ");
    case ValueKind::kFiles:
      return "files";
    case ValueKind::kDirs:
      return "dirs";
    case ValueKind::kNone:
      break;
  }
  return "none";
}

/// A description for zsh's _arguments brackets and _describe: one line, ] and \ escaped.
std::string zsh_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') c = ' ';
    if (c == ']' || c == '[' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

/// A description for _describe's "name:description" entries: one line.
std::string zsh_describe_text(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = c == '\n' ? ' ' : c;
  return out;
}

std::string zsh_action(const OptionDoc& o) {
  std::string message = o.type.empty() ? o.names[0] : o.type;
  for (auto& c : message) c = c == ':' ? ' ' : c;
  switch (o.kind) {
    case ValueKind::kWords:
      return ":" + message + ":(" + join(o.choices, " ") + ")";
    case ValueKind::kFiles:
      return ":" + message + ":_files";
    case ValueKind::kDirs:
      return ":" + message + ":_path_files -/";
    case ValueKind::kNone:
      break;
  }
  return ":" + message + ": ";
}

std::string zsh_function_name(const CommandDoc& c) {
  std::string name = "_" + c.joined("_");
  for (auto& ch : name) ch = (ch == '-' ? '_' : ch);
  return name;
}

std::string zsh_option_spec(const OptionDoc& o) {
  const std::string desc = "[" + zsh_text(o.description) + "]";
  std::string action = o.takes_value ? zsh_action(o) : "";
  // --help and --version end the command line: nothing may follow them.
  const bool terminal =
      o.names.size() <= 2 && !o.takes_value && (o.names.back() == "--help" || o.names.back() == "--version");
  auto spelled = [&](const std::string& n) {
    if (!o.takes_value) return n;
    return n + (n.rfind("--", 0) == 0 ? "=" : "+");
  };
  std::string exclusion;
  if (terminal) {
    exclusion = "(- *)";
  } else if (!o.repeatable) {
    exclusion = "(" + join(o.names, " ") + ")";
  }
  const std::string star = o.repeatable ? "*" : "";
  if (o.names.size() == 1) return sh_quote(exclusion + star + spelled(o.names[0]) + desc + action);
  std::vector<std::string> spellings;
  for (const auto& n : o.names) spellings.push_back(spelled(n));
  return sh_quote(exclusion) + (star.empty() ? "" : sh_quote(star)) + "{" + join(spellings, ",") + "}" +
         sh_quote(desc + action);
}

}  // namespace

std::string help_footer(const std::vector<DocSection>& sections) {
  std::string out;
  for (const auto& s : sections) {
    if (!s.in_help) continue;
    out += "\n" + s.title + ":\n";
    if (!s.text.empty()) out += wrap(s.text, 92, "  ");
    std::size_t width = 0;
    for (const auto& e : s.entries) width = std::max(width, e.term.size());
    for (const auto& e : s.entries) out += fmt::format("  {:<{}}  {}\n", e.term, width, e.text);
    for (const auto& x : s.examples) out += "  " + x + "\n";
  }
  return out;
}

std::string man_page(const CLI::App& app, const ManPageInfo& info) {
  const auto commands = describe(app);
  const CommandDoc& root = commands.front();
  const std::string name = root.path[0];
  std::string upper = name;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));

  std::string out = fmt::format(
      ".\\\" Generated by `{} man` from the command-line definition; do not edit.\n"
      ".TH {} 1 \"{}\" \"{}\" \"User Commands\"\n"
      ".nh\n.ad l\n",
      name, upper, info.date, roff(info.version));
  out += ".SH NAME\n" + roff_code(name) + " \\- " + roff(info.summary) + "\n";

  out += ".SH SYNOPSIS\n";
  bool first = true;
  for (const auto& c : commands) {
    if (c.subcommand_required && &c != &root) continue;  // `fwcert data` alone does not run
    std::string rest = c.usage().substr(c.joined().size());
    out += (first ? "" : ".br\n") + (".B " + roff_code(c.joined()) + "\n");
    if (!rest.empty()) out += roff(rest.substr(1)) + "\n";
    first = false;
  }

  out += ".SH DESCRIPTION\n";
  std::string description = trim_newlines(root.description);
  for (auto& ch : description) ch = ch == '\n' ? ' ' : ch;
  out += roff(description) + "\n";
  out += ".PP\nEach subcommand below has its own options; " + roff_code(name) +
         " \\fISUBCOMMAND\\fR \\fB\\-\\-help\\fR " + "prints the same text as its section here.\n";

  out += ".SH OPTIONS\n";
  for (const auto& o : root.options) out += man_option(o);

  out += ".SH SUBCOMMANDS\n";
  for (std::size_t i = 1; i < commands.size(); ++i) {
    const auto& c = commands[i];
    out += ".SS \"" + roff_code(c.usage()) + "\"\n";
    out += roff(trim_newlines(c.description)) + "\n";
    for (const auto& p : c.positionals) out += man_option(p);
    for (const auto& o : c.options) out += man_option(o);
    if (!c.subcommands.empty()) {
      out += ".PP\nSubcommands:\n";
      for (const auto& [sub, desc] : c.subcommands) {
        out += ".TP\n.B " + roff_code(c.joined() + " " + sub) + "\n" + roff(desc) + "\n";
      }
    }
  }
  for (const auto& s : info.sections) out += man_section(s);
  return out;
}

std::string bash_completion(const CLI::App& app) {
  const auto commands = describe(app);
  const std::string name = commands.front().path[0];
  const std::string fn = "_" + name;
  std::string out = fmt::format(
      "# bash completion for {0}; generated by `{0} completion bash` from the command-line definition, do not\n"
      "# edit. Load it with `source <({0} completion bash)` or install it as\n"
      "# /usr/share/bash-completion/completions/{0}.\n\n",
      name);

  // The commands: their subcommands, options and positionals.
  out += fn + "_command() {\n  case $1 in\n";
  for (const auto& c : commands) {
    std::vector<std::string> subs, opts, pos;
    for (const auto& [sub, desc] : c.subcommands) subs.push_back(sub);
    for (const auto& o : c.options) opts.insert(opts.end(), o.names.begin(), o.names.end());
    for (const auto& p : c.positionals) pos.push_back(sh_quote(bash_kind(p)));
    out += fmt::format("    {})\n      subs={}\n      opts={}\n      pos=({})\n      ;;\n", sh_quote(c.joined()),
                       sh_quote(join(subs, " ")), sh_quote(join(opts, " ")), join(pos, " "));
  }
  out += "    *)\n      subs='' opts='' pos=()\n      ;;\n  esac\n}\n\n";

  // What each option's value completes to; options without a value are not listed.
  out += fn + "_value_kind() {\n  kind=\n  case \"$1|$2\" in\n";
  for (const auto& c : commands) {
    for (const auto& o : c.options) {
      if (!o.takes_value) continue;
      std::vector<std::string> patterns;
      for (const auto& n : o.names) patterns.push_back(sh_quote(c.joined() + "|" + n));
      out += fmt::format("    {}) kind={} ;;\n", join(patterns, " | "), sh_quote(bash_kind(o)));
    }
  }
  out += "  esac\n}\n\n";

  out += fn +
         "_reply() {\n"
         "  local IFS=$'\\n'\n"
         "  case $1 in\n"
         "    words\\ *)\n"
         "      IFS=$' \\t\\n'\n"
         "      COMPREPLY=($(compgen -W \"${1#words }\" -- \"$2\"))\n"
         "      ;;\n"
         "    files)\n"
         "      compopt -o filenames 2>/dev/null\n"
         "      COMPREPLY=($(compgen -f -- \"$2\"))\n"
         "      ;;\n"
         "    dirs)\n"
         "      compopt -o filenames 2>/dev/null\n"
         "      COMPREPLY=($(compgen -d -- \"$2\"))\n"
         "      ;;\n"
         "    *) COMPREPLY=() ;;\n"
         "  esac\n"
         "}\n\n";

  out += fn + "() {\n" +
         "  local cur prev words cword split=false\n"
         "  if declare -F _init_completion >/dev/null 2>&1; then\n"
         "    _init_completion -s || return\n"
         "  else\n"
         "    # Without bash-completion: --opt=value arrives as the words --opt, = and value.\n"
         "    words=(\"${COMP_WORDS[@]}\")\n"
         "    cword=$COMP_CWORD\n"
         "    cur=${words[cword]}\n"
         "    prev=${words[cword - 1]}\n"
         "    if [[ $cur == = ]]; then\n"
         "      cur=\n"
         "    elif [[ $prev == = ]] && ((cword > 1)); then\n"
         "      prev=${words[cword - 2]}\n"
         "    fi\n"
         "  fi\n"
         "  local cmd=" +
         sh_quote(name) +
         " npos=0 i w kind subs opts pos\n"
         "  for ((i = 1; i < cword; i++)); do\n"
         "    w=${words[i]}\n"
         "    case $w in\n"
         "      --*=*) continue ;;\n"
         "      -*)\n"
         "        " +
         fn +
         "_value_kind \"$cmd\" \"$w\"\n"
         "        if [[ -n $kind ]]; then\n"
         "          if [[ ${words[i + 1]-} == = ]]; then ((i += 2)); else ((i += 1)); fi\n"
         "        fi\n"
         "        continue\n"
         "        ;;\n"
         "    esac\n"
         "    " +
         fn +
         "_command \"$cmd\"\n"
         "    if [[ \" $subs \" == *\" $w \"* ]]; then\n"
         "      cmd=\"$cmd $w\"\n"
         "      npos=0\n"
         "    else\n"
         "      ((npos += 1))\n"
         "    fi\n"
         "  done\n"
         "  if [[ $prev == -* ]]; then\n"
         "    " +
         fn +
         "_value_kind \"$cmd\" \"$prev\"\n"
         "    if [[ -n $kind ]]; then\n"
         "      " +
         fn +
         "_reply \"$kind\" \"$cur\"\n"
         "      return\n"
         "    fi\n"
         "  fi\n"
         "  " +
         fn +
         "_command \"$cmd\"\n"
         "  if [[ $cur == -* ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
         "  elif [[ -n $subs ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
         "  else\n"
         "    " +
         fn +
         "_reply \"${pos[npos]-none}\" \"$cur\"\n"
         "  fi\n"
         "}\n\n"
         "complete -F " +
         fn + " " + name + "\n";
  return out;
}

std::string zsh_completion(const CLI::App& app) {
  const auto commands = describe(app);
  const std::string name = commands.front().path[0];
  std::string out = fmt::format(
      "#compdef {0}\n"
      "# zsh completion for {0}; generated by `{0} completion zsh` from the command-line definition, do not\n"
      "# edit. Install it as _{0} in a directory of $fpath, or load it with\n"
      "# `source <({0} completion zsh)` after compinit.\n\n",
      name);
  for (const auto& c : commands) {
    out += zsh_function_name(c) + "() {\n";
    std::vector<std::string> specs;
    for (const auto& o : c.options) specs.push_back(zsh_option_spec(o));
    for (std::size_t i = 0; i < c.positionals.size(); ++i) {
      const auto& p = c.positionals[i];
      specs.push_back(sh_quote(std::to_string(i + 1) + zsh_action(p)));
    }
    if (!c.subcommands.empty()) {
      out += "  local curcontext=$curcontext state line ret=1\n  local -a subcommands=(\n";
      for (const auto& [sub, desc] : c.subcommands)
        out += "    " + sh_quote(sub + ":" + zsh_describe_text(desc)) + "\n";
      out += "  )\n";
      specs.push_back(sh_quote("1: :->subcommand"));
      specs.push_back(sh_quote("*:: :->argument"));
      out += "  _arguments -C -s -S \\\n";
      for (std::size_t i = 0; i < specs.size(); ++i) {
        out += "    " + specs[i] + (i + 1 < specs.size() ? " \\\n" : " && ret=0\n");
      }
      out +=
          "  case $state in\n"
          "    subcommand)\n"
          "      _describe -t commands " +
          sh_quote(c.joined() + " subcommand") +
          " subcommands && ret=0\n"
          "      ;;\n"
          "    argument)\n"
          "      curcontext=\"${curcontext%:*:*}:" +
          c.joined("-") +
          "-$words[1]:\"\n"
          "      case $words[1] in\n";
      for (const auto& [sub, desc] : c.subcommands) {
        auto sub_path = c.path;
        sub_path.push_back(sub);
        CommandDoc child;
        child.path = sub_path;
        out += "        " + sub + ") " + zsh_function_name(child) + " && ret=0 ;;\n";
      }
      out += "      esac\n      ;;\n  esac\n  return ret\n}\n\n";
    } else {
      out += "  _arguments -s -S";
      for (const auto& s : specs) out += " \\\n    " + s;
      out += "\n}\n\n";
    }
  }
  out += fmt::format(
      "if [[ $funcstack[1] == _{0} ]]; then\n"
      "  _{0} \"$@\"\n"
      "else\n"
      "  compdef _{0} {0}\n"
      "fi\n",
      name);
  return out;
}

}  // namespace fwcert::cli
