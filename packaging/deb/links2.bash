# bash completion for links2, the web browser (package links2), installed by
# linksdev-links in place of bash-completion's completions/links2, which it
# diverts while installed (see its preinst). The browser's script registers
# itself for links too: give links back to linksdev-links' completion, which
# bash-completion loads again on the next links <TAB>.
browser=/usr/share/bash-completion/completions/links.browser
# shellcheck source=/dev/null
if [[ -f $browser ]] && . "$browser"; then
    complete -r links 2>/dev/null
fi
unset browser
