#!/usr/bin/env bash
# Tests the packages on this machine (Debian, as root; installs what it
# needs with apt-get): builds them with packaging/build.sh, checks the .deb
# with lintian (no errors), installs it with dpkg -i, checks links
# --version, man -w links, the bash, zsh and fish completions, that the links
# web browser's package and this one refuse each other instead of
# overwriting, that links2's completions stay the browser's, and dpkg -r;
# then installs the .rpm into a scratch rpm database (rpm --root) and
# erases it.
set -euo pipefail
cd "$(dirname "$0")/.."
version=1.2.3
pkg=linksdev-links
bc=/usr/share/bash-completion/completions

fail() { echo "packaging/test.sh: FAIL: $*" >&2; exit 1; }
step() { echo "== packaging: $*"; }

[ "$(id -u)" = 0 ] || fail "run as root (it installs packages)"
need=()
for t in lintian:lintian rpm:rpm man:man-db zsh:zsh fish:fish; do
	command -v "${t%%:*}" >/dev/null || need+=("${t#*:}")
done
[ -f /usr/share/bash-completion/bash_completion ] || need+=(bash-completion)
if [ ${#need[@]} -gt 0 ]; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
installed() { dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q ' installed$'; }
if installed "$pkg" || installed links; then
	fail "$pkg or the links browser is installed already: this test installs and removes both; remove them first"
fi

work=$(mktemp -d)
cleanup() {
	dpkg -P "$pkg" >/dev/null 2>&1 || true
	dpkg -P links >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

step "build $version"
OUT="$work/dist" packaging/build.sh "$version" >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "packaging/build.sh"; }
deb=$(echo "$work"/dist/*.deb)
rpmfile=$(echo "$work"/dist/*.rpm)
{ [ -f "$deb" ] && [ -f "$rpmfile" ]; } || fail "build.sh made no .deb and .rpm: $(ls "$work/dist")"

step "lintian"
lintian --tag-display-limit 0 "$deb" 2>&1 | grep -v 'running with root privileges' | tee "$work/lintian.txt" || true
if grep -q '^E:' "$work/lintian.txt"; then fail "lintian reports errors"; fi

step "the links web browser's package and $pkg refuse each other"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq links >/dev/null 2>&1 ||
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq links >/dev/null; }
browser=$(find /var/cache/apt/archives -name "links_*.deb" | head -1)
[ -n "$browser" ] || { (cd "$work" && apt-get download links >/dev/null 2>&1) && browser=$(echo "$work"/links_*.deb); }
if dpkg -i "$deb" >"$work/dpkg.txt" 2>&1; then fail "dpkg -i $pkg succeeded with the links browser installed"; fi
grep -q 'conflicting packages' "$work/dpkg.txt" || { cat "$work/dpkg.txt"; fail "dpkg -i did not refuse for the conflict"; }
/usr/bin/links -version | grep -q '^Links' || fail "the browser's /usr/bin/links changed"
dpkg -r links >/dev/null

step "dpkg -i"
dpkg -i "$deb" >/dev/null
[ "$(dpkg-query -W -f '${Status}' "$pkg")" = "install ok installed" ] || fail "$pkg not installed"
if dpkg -i "$browser" >"$work/dpkg.txt" 2>&1; then fail "the links browser installed over $pkg"; fi
grep -q 'conflicting packages' "$work/dpkg.txt" || { cat "$work/dpkg.txt"; fail "dpkg -i links did not refuse for the conflict"; }

step "links --version"
got=$(links --version)
echo "$got"
[[ $got == "links version v$version, revision $(git rev-parse HEAD)"* ]] || fail "links --version: $got"

step "man -w links"
[ "$(man -w links)" = /usr/share/man/man1/links.1.gz ] || fail "man -w links: $(man -w links)"
MANWIDTH=80 man links 2>/dev/null | grep -q 'links' || fail "man links shows nothing"

step "bash completion (loaded by bash-completion)"
out=$(bash -c '
	source /usr/share/bash-completion/bash_completion
	_completion_loader links
	complete -p links
	COMP_WORDS=(links pl); COMP_CWORD=1; COMP_LINE="links pl"; COMP_POINT=8
	_links_completion links pl links
	echo "candidates: ${COMPREPLY[*]}"
	_completion_loader links2
	complete -p links2
	complete -p links 2>&1 || true
	_completion_loader links
	complete -p links
')
echo "$out"
[ "$(echo "$out" | sed -n 1p)" = "complete -F _links_completion links" ] || fail "bash-completion did not load this package's completion for links"
echo "$out" | grep -qx 'candidates: plan' || fail "bash completion of 'links pl' is not plan"
echo "$out" | grep -qx 'complete -F _links links2' || fail "links2 lost the browser's bash completion"
[ "$(echo "$out" | tail -1)" = "complete -F _links_completion links" ] || fail "after links2, links did not get this package's completion back"
[ -f $bc/links.browser ] || fail "bash-completion's links completion was not kept as links.browser"

step "zsh completion"
zhome=$(mktemp -d -p "$work")
out=$(HOME=$zhome ZDOTDIR=$zhome zsh -fc '
	autoload -Uz compinit && compinit -u -d $HOME/.zcompdump
	print "links=$_comps[links] links2=$_comps[links2]"
	print -r -- $^fpath/$_comps[links](N)')
echo "$out"
[ "$(echo "$out" | sed -n 1p)" = "links=_linksdev_links links2=_links" ] || fail "zsh: links is not completed by this package's _linksdev_links, or links2 lost zsh's _links"
[ "$(echo "$out" | sed -n 2p)" = /usr/share/zsh/vendor-completions/_linksdev_links ] || fail "zsh found _linksdev_links elsewhere"

step "fish completion"
out=$(HOME=$zhome fish -c 'complete -C"links pl"')
echo "$out"
echo "$out" | grep -q '^plan' || fail "fish: 'links pl' does not complete to plan"

step "dpkg -r"
dpkg -r "$pkg" >/dev/null
[ ! -e /usr/bin/links ] || fail "/usr/bin/links left after dpkg -r"
{ [ ! -e $bc/links.browser ] && [ -f $bc/links ] && [ -L $bc/links2 ]; } || fail "bash-completion's links and links2 not given back"
dpkg-divert --list | grep -q "$pkg" && fail "diversions left after dpkg -r"
[ "$(dpkg -S $bc/links | cut -d: -f1)" = bash-completion ] || fail "$bc/links is not bash-completion's again"

step "rpm --root: install, query, erase"
root="$work/rpmroot"
mkdir -p "$root"
rpm --root "$root" --initdb
rpm --root "$root" -i "$rpmfile" 2>&1 | grep -v -e 'use Alien' -e 'know what you are doing' || true
rpm --root "$root" -q "$pkg" || fail "rpm -q $pkg"
rpm -qp --conflicts "$rpmfile" | grep -qx links || fail "the .rpm does not conflict with links"
for f in /usr/bin/links /usr/share/man/man1/links.1.gz /etc/bash_completion.d/links \
	/usr/share/zsh/site-functions/_linksdev_links /usr/share/fish/vendor_completions.d/links.fish; do
	[ -f "$root$f" ] || fail "rpm: $f not installed"
done
"$root/usr/bin/links" --version | grep -q "^links version v$version," || fail "rpm's links --version"
rpm --root "$root" -e "$pkg" 2>&1 | grep -v -e 'use Alien' -e 'know what you are doing' || true
[ ! -e "$root/usr/bin/links" ] || fail "rpm -e left /usr/bin/links"
echo "packaging/test.sh: PASS"
