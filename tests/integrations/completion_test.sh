#!/usr/bin/env bash
# The bash and zsh completions generated from the CLI definition: both parse (bash -n, zsh -n),
# both are what the binary prints now, the zsh functions name every option and subcommand of
# every --help, and the bash function really completes, with and without bash-completion's
# _init_completion: subcommands at every level, every option of every command, the choices of
# every option that has them (--opt VALUE and --opt=VALUE), files for paths, directories for
# DIR. A real interactive zsh (on a pseudo-terminal) completes the same command lines to the same
# words with the zsh script. A script missing one option fails.
# usage: completion_test.sh FWCERT_BINARY BASH_SCRIPT ZSH_SCRIPT SOURCE_DIR
set -u
bin=$(realpath "$1"); bash_script=$(realpath "$2"); zsh_script=$(realpath "$3"); src=$(realpath "$4")
check="$src/tests/integrations/cli_docs_check.py"
tmp=$(mktemp -d); trap '[ -n "${KEEP_TMP-}" ] || rm -rf "$tmp"' EXIT
fail=0
for f in "$bash_script" "$zsh_script"; do [ -s "$f" ] || { echo "FAIL: no completion script $f" >&2; exit 1; }; done

bash -n "$bash_script" || { echo "FAIL: bash -n $bash_script" >&2; fail=1; }
if command -v zsh >/dev/null; then
  zsh -n "$zsh_script" || { echo "FAIL: zsh -n $zsh_script" >&2; fail=1; }
else
  echo "FAIL: zsh is not installed (scripts/install-deps.sh installs it)" >&2; fail=1
fi
cmp -s "$bash_script" <("$bin" completion bash) || { echo "FAIL: $bash_script is not what '$bin completion bash' prints" >&2; fail=1; }
cmp -s "$zsh_script" <("$bin" completion zsh) || { echo "FAIL: $zsh_script is not what '$bin completion zsh' prints" >&2; fail=1; }
python3 "$check" zsh "$bin" "$zsh_script" || fail=1

cases=$(python3 "$check" bash-cases "$bin") || { echo "FAIL: could not read the CLI from --help" >&2; exit 1; }
mkdir -p "$tmp/work/rootfs.d" "$tmp/work/catalog.d"
touch "$tmp/work/firmware.img" "$tmp/work/fleet.yaml"

# Runs the completion checks in a fresh bash: $1 is "fallback" or "bash-completion" (the bash
# function completes), "lines" (print each command line to complete) or "zsh" (the words zsh
# offered for each line, from the file $ZSH_HITS, are checked instead).
run_bash() {
  (cd "$tmp/work" && bash --norc --noprofile -c '
    set -f
    mode=$1 script=$2 cases=$3
    if [ "$mode" = bash-completion ]; then
      source /usr/share/bash-completion/bash_completion || exit 3
      declare -F _init_completion >/dev/null || exit 3
    fi
    if [ "$mode" = zsh ]; then
      declare -A zsh_hits
      tab=$(printf "\t")
      while IFS=$tab read -r l h; do zsh_hits[$l]=$h; done <"$ZSH_HITS"
    else
      source "$script"
    fi
    # As bash would call the function for this command line with the cursor at its end: the
    # line split into words at blanks, "=" a word of its own (COMP_WORDBREAKS).
    complete_line() {
      if [ "$mode" = lines ]; then printf "%s\n" "$1" >&3; COMPREPLY=(); return; fi
      if [ "$mode" = zsh ]; then COMPREPLY=(${zsh_hits[$1]-"(not completed)"}); return; fi
      local -a w=()
      local word
      for word in $1; do
        while [[ $word == *=* ]]; do
          [[ -n ${word%%=*} ]] && w+=("${word%%=*}")
          w+=("=")
          word=${word#*=}
        done
        [[ -n $word ]] && w+=("$word")
      done
      [[ $1 == *" " ]] && w+=("")
      COMP_WORDS=("${w[@]}")
      COMP_CWORD=$((${#w[@]} - 1))
      COMP_LINE=$1
      COMP_POINT=${#1}
      COMPREPLY=()
      _fwcert fwcert "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    }
    fail=0 n=0
    expect_all() {  # WANTED LINE: every wanted word is offered
      complete_line "$2"; n=$((n + 1))
      local w
      for w in $1; do
        [[ " ${COMPREPLY[*]} " == *" $w "* ]] || { echo "FAIL ($mode): \"$2<TAB>\" does not offer $w (got: ${COMPREPLY[*]})" >&2; fail=1; }
      done
    }
    expect_exactly() {  # WANTED LINE: exactly the wanted words are offered
      complete_line "$2"; n=$((n + 1))
      local got want
      got=$(printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " ")
      want=$(printf "%s\n" $1 | sort | tr "\n" " ")
      [[ $got == "$want" ]] || { echo "FAIL ($mode): \"$2<TAB>\" offers [$got], expected [$want]" >&2; fail=1; }
    }
    expect_exactly "scan" "fwcert sc"
    expect_exactly "--format" "fwcert scan --fo"
    expect_all "json sarif" "fwcert scan --format "
    expect_exactly "json junit" "fwcert scan image.bin --format j"
    expect_exactly "json" "fwcert scan --format=js"
    expect_exactly "critical" "fwcert scan --fail-on c"
    expect_exactly "import-endoflife" "fwcert data im"
    expect_exactly "--retrieved" "fwcert data import-endoflife --ret"
    expect_exactly "bash" "fwcert completion b"
    # paths: files and directories for TARGET and -o, only directories for DIR values
    expect_exactly "firmware.img" "fwcert scan fi"
    expect_exactly "firmware.img" "fwcert scan --strict fi"
    expect_exactly "fleet.yaml" "fwcert scan image.bin -o fl"
    expect_exactly "fleet.yaml" "fwcert scan --manifest fl"
    expect_exactly "rootfs.d" "fwcert scan r"
    expect_exactly "catalog.d" "fwcert checks --catalog c"
    expect_exactly "" "fwcert checks --catalog f"
    # a value is not a subcommand or a positional: the option after it still completes
    expect_exactly "--format" "fwcert scan --profile avs --form"
    expect_exactly "--format" "fwcert scan --profile=avs --form"
    expect_exactly "" "fwcert scan --threads "
    eval "$cases"
    [ "$mode" = lines ] && exit 0
    echo "$mode: $n completions as expected"
    exit $fail
  ' _ "$1" "$2" "$cases")
}
run_bash fallback "$bash_script" || fail=1
if [ -f /usr/share/bash-completion/bash_completion ]; then
  run_bash bash-completion "$bash_script" || fail=1
else
  echo "FAIL: bash-completion is not installed (scripts/install-deps.sh installs it)" >&2; fail=1
fi
# The same command lines completed by a real interactive zsh with the zsh script in its fpath.
if command -v zsh >/dev/null; then
  mkdir -p "$tmp/fpath" && cp "$zsh_script" "$tmp/fpath/_fwcert"
  run_bash lines "$bash_script" 3>"$tmp/lines" >/dev/null 2>&1
  (cd "$tmp/work" && timeout 120 zsh -f "$src/tests/integrations/zsh_complete.zsh" "$tmp/fpath") <"$tmp/lines" >"$tmp/zsh_hits" ||
    { echo "FAIL: zsh did not complete" >&2; fail=1; }
  export ZSH_HITS="$tmp/zsh_hits"
  run_bash zsh "$bash_script" || fail=1
fi

# The checks can fail: a script without --strict is caught by both.
grep -v -- "--strict" "$zsh_script" >"$tmp/broken_zsh"
python3 "$check" zsh "$bin" "$tmp/broken_zsh" 2>/dev/null && { echo "FAIL: a zsh script without --strict passed" >&2; fail=1; }
sed 's/ --strict / /' "$bash_script" >"$tmp/broken.bash"
cmp -s "$bash_script" "$tmp/broken.bash" && { echo "FAIL: could not remove --strict from a copy of the bash script" >&2; fail=1; }
run_bash fallback "$tmp/broken.bash" >/dev/null 2>"$tmp/broken.err" && { echo "FAIL: a bash script without --strict passed" >&2; fail=1; }
grep -q -- '--strict' "$tmp/broken.err" || { echo "FAIL: the bash check did not name --strict" >&2; fail=1; }

[ $fail -eq 0 ] && echo "completions match the CLI definition"
exit $fail
