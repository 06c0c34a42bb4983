package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

func (s *sys) completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: "Load it for the current shell, or install it where the shell looks:\n\n" +
			"   bash: source <(links completion bash)   (needs the bash-completion package)\n" +
			"         links completion bash > ~/.local/share/bash-completion/completions/links\n" +
			"   zsh:  links completion zsh > \"${fpath[1]}/_links\"   (then compinit)\n" +
			"   fish: links completion fish > ~/.config/fish/completions/links.fish\n\n" +
			"The scripts complete commands, flags, the values of -o, --fail-on, --strategy and\n" +
			"--dangling, manifest files for -f, folders for -C and --root, and apply ids for\n" +
			"links rollback and links log (read from the journal of the manifest -f names).",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return &usageError{msg: "completion takes one argument: bash, zsh or fish"}
			}
			if err := checkOutput(c, c.String("output")); err != nil {
				return err
			}
			script, ok := completionScripts[c.Args().First()]
			if !ok {
				return &usageError{msg: fmt.Sprintf("completion %q: the shells are bash, zsh and fish", c.Args().First())}
			}
			_, err := s.stdout.Write([]byte(script))
			return err
		},
	}
}

// completionScripts ask the binary (links __complete, complete.go) for
// candidates, so that they follow the commands and flags of the very
// binary the shell runs.
var completionScripts = map[string]string{
	"bash": bashCompletion,
	"zsh":  zshCompletion,
	"fish": fishCompletion,
}

const bashCompletion = `# bash completion for links                                -*- shell-script -*-
# Load with: source <(links completion bash)
# or install: links completion bash > ~/.local/share/bash-completion/completions/links
# Uses the bash-completion package's helpers when they are loaded.

_links_completion() {
    local cur words cword
    if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
        # Keep --flag=value and a:b as one word.
        _get_comp_words_by_ref -n =: cur words cword
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
    fi
    COMPREPLY=()
    local out
    out=$("${words[0]}" __complete "${words[@]:1:cword-1}" "$cur" 2>/dev/null) || return
    local directive=${out%%$'\n'*} line
    case $directive in
    :files)
        if declare -F _filedir >/dev/null 2>&1; then _filedir; else
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        fi
        return ;;
    :yaml)
        if declare -F _filedir >/dev/null 2>&1; then _filedir '@(yaml|yml)'; else
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -X '!*.yaml' -- "$cur"; compgen -f -X '!*.yml' -- "$cur"; compgen -d -- "$cur")
        fi
        return ;;
    :dirs)
        if declare -F _filedir >/dev/null 2>&1; then _filedir -d; else
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        fi
        return ;;
    esac
    [[ $out == *$'\n'* ]] || return
    while IFS= read -r line; do
        COMPREPLY+=("${line%%$'\t'*}")
    done <<< "${out#*$'\n'}"
    # Readline replaces only the part of the word after its last = or :
    # (COMP_WORDBREAKS): drop that much of each candidate.
    if [[ $cur == *[=:]* && $COMP_WORDBREAKS == *=* ]]; then
        local head=${cur%"${cur##*[=:]}"} i
        for i in "${!COMPREPLY[@]}"; do
            COMPREPLY[i]=${COMPREPLY[i]#"$head"}
        done
    fi
}

complete -F _links_completion links
`

const zshCompletion = `#compdef links
# zsh completion for links.
# Load with: source <(links completion zsh)
# or install: links completion zsh > "${fpath[1]}/_links"  (then run compinit)

_links() {
    local -a lines cands
    local out directive line
    out=$(${words[1]} __complete "${(@)words[2,CURRENT-1]}" "${words[CURRENT]}" 2>/dev/null) || return 1
    lines=("${(@f)out}")
    directive=${lines[1]}
    case $directive in
    :files) _files; return ;;
    :yaml) _files -g '*.(yaml|yml)(-.)'; return ;;
    :dirs) _files -/; return ;;
    esac
    for line in "${(@)lines[2,-1]}"; do
        [[ -n $line ]] || continue
        if [[ $line == *$'\t'* ]]; then
            cands+=("${${line%%$'\t'*}//:/\\:}:${line#*$'\t'}")
        else
            cands+=("${line//:/\\:}")
        fi
    done
    (( ${#cands} )) || return 1
    _describe -t links-values 'links' cands
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _links "$@"
else
    compdef _links links
fi
`

const fishCompletion = `# fish completion for links.
# Load with: links completion fish | source
# or install: links completion fish > ~/.config/fish/completions/links.fish

function __links_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l out ($tokens[1] __complete $tokens[2..-1] $cur 2>/dev/null)
    or return
    switch "$out[1]"
        case :files
            __fish_complete_path $cur
        case :yaml
            __fish_complete_directories $cur
            for f in $cur*.yaml $cur*.yml
                test -f $f; and echo $f
            end
        case :dirs
            __fish_complete_directories $cur
        case '*'
            printf '%s\n' $out[2..-1]
    end
end

complete -c links -f -a '(__links_complete)'
`
