#!/usr/bin/env zsh
# Completes command lines in a real interactive zsh (on a pseudo-terminal, compinit from FPATH_DIR)
# and prints, for each line read from stdin, the line, a tab, and the words the completion system
# offered (sorted, space-separated). compadd is wrapped to report the words it is given.
# usage: zsh -f zsh_complete.zsh FPATH_DIR < LINES
zmodload zsh/zpty || exit 3
fp=$1
zpty z zsh -f -i || exit 3
zpty -w z "PS1='' PS2='' RPS1=''; fpath=(${(q)fp} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "zstyle ':completion:*' list-grouped false; zstyle ':completion:*' insert-tab false"
# The markers are typed split ("@@""HIT") so that the terminal's echo of these lines never matches.
zpty -w z 'compadd() { local -a __got; builtin compadd -A __got "$@"; local h; for h in $__got; do print -r -- "@@""HIT $h"; done; builtin compadd "$@" }'
zpty -w z 'integer __n=0; __complete() { zle complete-word; print -r -- "@@""END$((++__n))"; }; zle -N __complete; bindkey "^I" __complete'
integer n=0
while IFS= read -r line; do
  (( ++n ))
  zpty -w -n z $'\C-u'"$line"$'\t'
  out=
  zpty -r -m z out "*@@END$n*" || { print -u2 "zsh did not complete '$line'"; exit 1; }
  hits=$(print -r -- "$out" | tr -d '\r' | grep -o '@@HIT [^[:cntrl:]]*' | sed 's/^@@HIT //' | sort -u | tr '\n' ' ')
  print -r -- "$line"$'\t'"${hits% }"
done
zpty -d z
