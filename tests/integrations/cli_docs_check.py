#!/usr/bin/env python3
"""Checks the generated man page and completion scripts against the binary's --help.

The command line is read from `fwcert [SUBCOMMAND...] --help` (CLI11 prints every subcommand,
positional and option there), independently of the generator behind `fwcert man` and
`fwcert completion`, so an option the generator drops or gets wrong fails here.

usage: cli_docs_check.py man FWCERT RENDERED_MAN_TEXT
       cli_docs_check.py bash-cases FWCERT      (prints a bash script of completion checks)
       cli_docs_check.py zsh FWCERT ZSH_SCRIPT
"""

import re
import subprocess
import sys


def run_help(fwcert, path):
    out = subprocess.run([fwcert, *path, "--help"], capture_output=True, text=True, check=True)
    return out.stdout


def parse_entries(lines, start):
    """The entries of one --help section beginning after lines[start]: (head, description)."""
    entries = []
    i = start + 1
    while i < len(lines) and lines[i].strip():
        line = lines[i]
        if line.startswith("  ") and not line.startswith("   "):
            m = re.match(r"  (\S.*?)( {2,})(\S.*)$", line)
            if m:
                entries.append([m.group(1), m.group(3)])
            else:
                entries.append([line.strip(), ""])
        elif entries:  # a description on the line after a long head
            entries[-1][1] = (entries[-1][1] + " " + line.strip()).strip()
        i += 1
    return entries


def parse_head(head):
    """'-o,--output FILE' -> (['-o', '--output'], 'FILE', []); choices from TEXT:{a,b}."""
    names_part, _, type_part = head.partition(" ")
    names = [re.sub(r"\{.*\}$", "", n) for n in names_part.split(",")]
    choices = []
    m = re.search(r":\{([^}]*)\}", type_part)
    if m:
        choices = m.group(1).split(",")
    return names, type_part, choices


def walk(fwcert):
    """Every command: {'path': [...], 'description', 'options': [...], 'positionals': [...],
    'subcommands': [(name, description)]}, and the root help's free-text footer."""
    commands = []
    footer = ""

    def visit(path, description):
        nonlocal footer
        text = run_help(fwcert, path)
        lines = text.split("\n")
        cmd = {"path": path, "description": description, "options": [], "positionals": [], "subcommands": []}
        usage = [line[len("Usage: "):] for line in lines if line.startswith("Usage: ")]
        cmd["usage"] = usage[0] if usage else "?"
        for i, line in enumerate(lines):
            if line == "Options:":
                for head, desc in parse_entries(lines, i):
                    names, type_part, choices = parse_head(head)
                    cmd["options"].append({"names": names, "type": type_part, "choices": choices, "description": desc})
            elif line == "Positionals:":
                for head, desc in parse_entries(lines, i):
                    names, type_part, choices = parse_head(head)
                    cmd["positionals"].append({"names": names, "choices": choices, "description": desc})
            elif line == "Subcommands:":
                cmd["subcommands"] = [(h, d) for h, d in parse_entries(lines, i)]
        if not path:
            # After the last list section: the free text (Targets, Exit codes, ...).
            last = max(i for i, line in enumerate(lines) if line in ("Options:", "Subcommands:"))
            j = last + 1
            while j < len(lines) and lines[j].strip():
                j += 1
            footer = "\n".join(lines[j:])
        commands.append(cmd)
        for name, desc in cmd["subcommands"]:
            visit(path + [name], desc)

    visit([], "")
    if len(commands) < 8:
        sys.exit(f"FAIL: only {len(commands)} commands found in --help: the help parser is broken")
    return commands, footer


def norm(s):
    return " ".join(s.split())


def check_man(fwcert, rendered_path):
    commands, footer = walk(fwcert)
    text = open(rendered_path, encoding="utf-8", errors="replace").read()
    lines = text.split("\n")
    fails = []
    # Top-level sections start in column 0, subsections in column 3.
    sections, current = {}, None
    for line in lines:
        if re.match(r"^[A-Z][A-Z ]+$", line):
            current = line.strip()
        elif re.match(r"^   \S", line) and current and current.startswith("SUBCOMMANDS"):
            current = "SUBCOMMANDS/" + line.strip()
        if current:
            sections.setdefault(current, []).append(line)
    blocks = {k: norm("\n".join(v)) for k, v in sections.items()}
    checked = 0
    for cmd in commands:
        if cmd["path"]:
            # The subsection's heading is the usage line of the subcommand's --help.
            usage = cmd["usage"]
            if "SUBCOMMANDS/" + usage not in blocks:
                fails.append(f"no subsection '{usage}' in the man page")
                continue
            block = blocks["SUBCOMMANDS/" + usage]
            if norm(cmd["description"]) not in block:
                fails.append(f"{usage}: its description is not in its subsection")
        else:
            usage = "fwcert"
            block = blocks.get("OPTIONS", "")
        for opt in cmd["options"] + cmd["positionals"]:
            for word in opt["names"] + opt["choices"]:
                if not re.search(r"(^|[\s,{|\[])" + re.escape(word) + r"($|[\s,}|\].=])", block):
                    fails.append(f"{usage}: '{word}' is not in its section of the man page")
            if norm(opt["description"]) not in block:
                fails.append(f"{usage}: the description of {opt['names'][0]} differs from --help")
            checked += 1
        for name, _ in cmd["subcommands"] if cmd["path"] else []:  # the root's: a subsection each
            if name not in block:
                fails.append(f"{usage}: subcommand {name} is not in its section")
    # The free text of --help (targets, exit codes, environment, examples) is in the man page:
    # a term list entry by entry, anything else as one run of text.
    whole = norm(text)
    footer_sections = re.split(r"^(\S[^\n]*):$", footer, flags=re.M)
    for title, body in zip(footer_sections[1::2], footer_sections[2::2]):
        body_lines = [line.strip() for line in body.split("\n") if line.strip()]
        terms = [re.match(r"^(\S+)\s{2,}(.*)$", line) for line in body_lines]
        if body_lines and all(terms):
            for m in terms:
                if not re.search(re.escape(m.group(1)) + r" " + re.escape(norm(m.group(2))), whole):
                    fails.append(f"--help's {title} entry '{m.group(0)}' is not in the man page")
        elif norm(" ".join(body_lines)) not in whole:
            fails.append(f"--help's {title} text is not in the man page")
        checked += 1
    for f in fails:
        print("FAIL:", f, file=sys.stderr)
    if not fails:
        print(f"man page: {len(commands)} commands, {checked} options and positionals match --help")
    return 1 if fails else 0


def bash_cases(fwcert):
    """A bash script: for every command, `CMD -<TAB>` offers all its options, `CMD <TAB>` exactly
    its subcommands, and `CMD --opt <TAB>` (and --opt=<TAB>) exactly the option's choices."""
    commands, _ = walk(fwcert)
    out = []
    for cmd in commands:
        line = " ".join(["fwcert"] + cmd["path"]) + " "
        opts = [n for o in cmd["options"] for n in o["names"]]
        out.append(f"expect_all {q(' '.join(opts))} {q(line + '-')}")
        if cmd["subcommands"]:
            out.append(f"expect_exactly {q(' '.join(s for s, _ in cmd['subcommands']))} {q(line)}")
        for o in cmd["options"]:
            if o["choices"]:
                for n in o["names"]:
                    out.append(f"expect_exactly {q(' '.join(o['choices']))} {q(line + n + ' ')}")
                    if n.startswith("--"):
                        out.append(f"expect_exactly {q(' '.join(o['choices']))} {q(line + n + '=')}")
        for p in cmd["positionals"][:1]:
            if p["choices"]:
                out.append(f"expect_exactly {q(' '.join(p['choices']))} {q(line)}")
    print("\n".join(out))
    return 0


def q(s):
    return "'" + s.replace("'", "'\\''") + "'"


def check_zsh(fwcert, script_path):
    commands, _ = walk(fwcert)
    script = open(script_path, encoding="utf-8").read()
    fails = []
    for cmd in commands:
        fn = "_" + "_".join(["fwcert"] + cmd["path"]).replace("-", "_")
        m = re.search(r"^" + re.escape(fn) + r"\(\) \{\n(.*?)^\}", script, re.S | re.M)
        if not m:
            fails.append(f"no function {fn}")
            continue
        body = m.group(1)
        for o in cmd["options"]:
            for n in o["names"]:
                if not re.search(r"[\s,{'()*]" + re.escape(n) + r"[=+\['},\s)]", body):
                    fails.append(f"{fn}: option {n} missing")
            if o["choices"] and "(" + " ".join(o["choices"]) + ")" not in body:
                fails.append(f"{fn}: choices of {o['names'][-1]} missing")
        for s, _ in cmd["subcommands"]:
            if "'" + s + ":" not in body:
                fails.append(f"{fn}: subcommand {s} missing")
    for f in fails:
        print("FAIL:", f, file=sys.stderr)
    if not fails:
        print(f"zsh script: every option and subcommand of {len(commands)} commands is in its function")
    return 1 if fails else 0


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "man":
        sys.exit(check_man(sys.argv[2], sys.argv[3]))
    if mode == "bash-cases":
        sys.exit(bash_cases(sys.argv[2]))
    if mode == "zsh":
        sys.exit(check_zsh(sys.argv[2], sys.argv[3]))
    sys.exit(f"unknown mode {mode}")
