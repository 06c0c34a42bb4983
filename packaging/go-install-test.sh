#!/usr/bin/env bash
# Tests `go install github.com/linksdev/links/cmd/links@VERSION` without
# the network: serves this checkout's HEAD as module version VERSION from a
# file:// GOPROXY (a module zip made with git archive), the dependencies from
# the local module cache, into an empty GOPATH; then checks that links
# --version prints VERSION, for @VERSION and for @latest, directly and through
# the GitHub Action's install.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
version=v1.2.3
mod=github.com/linksdev/links
fail() { echo "packaging/go-install-test.sh: FAIL: $*" >&2; exit 1; }
step() { echo "== go install: $*"; }

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

step "module proxy with $mod@$version (HEAD $(git rev-parse --short HEAD))"
# Nothing from the network: this proxy, then the module cache's copies. No
# checksum database either (sum.golang.org is a network service): the
# dependencies' hashes are compared with go.sum below instead.
GOPROXY=$(packaging/goproxy.sh "$work/proxy" "$version")
export GOPROXY GOSUMDB=off GOFLAGS=-modcacherw GOTOOLCHAIN=local
export GOPATH="$work/gopath" GOMODCACHE="$work/gopath/pkg/mod"

for v in "$version" latest; do
	step "go install $mod/cmd/links@$v"
	rm -rf "${work:?}/bin"
	(cd "$work" && GOBIN="$work/bin" go install "$mod/cmd/links@$v")
	got=$("$work/bin/links" --version)
	echo "$got"
	[[ $got == "links version $version, "* ]] || fail "links --version after go install @$v: $got"
	# Every dependency built in is the one go.sum names.
	n=0
	while read -r kind path ver sum; do
		[ "$kind" = dep ] || continue
		grep -qxF "$path $ver $sum" "$repo/go.sum" || fail "$path $ver $sum is not in go.sum"
		n=$((n + 1))
	done < <(go version -m "$work/bin/links")
	[ "$n" -gt 0 ] || fail "go version -m lists no dependencies"
	go version -m "$work/bin/links" | grep -q "^[[:space:]]*mod[[:space:]]*${mod}[[:space:]]*${version}" || fail "go version -m: main module is not $mod $version"
done

step "the GitHub Action's install.sh with version: $version"
export RUNNER_TEMP="$work/runner" GITHUB_PATH="$work/github-path"
mkdir -p "$RUNNER_TEMP"
got=$(cd "$work" && LINKS_VERSION=$version "$repo/ci/github/install.sh")
echo "$got"
[[ $got == "links version $version, "* ]] || fail "install.sh: $got"
[ "$(cat "$GITHUB_PATH")" = "$RUNNER_TEMP/links-bin" ] || fail "install.sh GITHUB_PATH: $(cat "$GITHUB_PATH")"
echo "packaging/go-install-test.sh: PASS"
