# bash completion for fwcert. Generated at completion time from fwcert's own --help (the CLI
# definition), so it cannot drift from the binary: subcommands from `fwcert --help`, options
# from `fwcert <subcommand> --help`.
_fwcert() {
  local cur prev words cword
  _init_completion 2>/dev/null || { cur=${COMP_WORDS[COMP_CWORD]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
  local sub="" i
  for ((i = 1; i < cword; i++)); do
    [[ ${words[i]} != -* ]] && { sub=${words[i]}; break; }
  done
  if [[ -z $sub ]]; then
    local subs
    subs=$(fwcert --help 2>/dev/null | awk '/^Subcommands:/{f=1;next} f&&/^  [a-z]/{print $1} f&&/^$/{f=0}')
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "--help --version" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    fi
    return
  fi
  if [[ $cur == -* ]]; then
    local opts
    opts=$(fwcert "$sub" --help 2>/dev/null | grep -oE -- '(^|[ ,])--?[A-Za-z][A-Za-z0-9-]*' | tr -d ' ,' | sort -u)
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _fwcert fwcert
