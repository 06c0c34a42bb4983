#!/usr/bin/env bash
# Makes a file:// Go module proxy that serves this checkout's HEAD as
# github.com/linksdev/links@VERSION, for testing go install without the
# network:
#
#   packaging/goproxy.sh DIR VERSION     prints the GOPROXY value to use
#
# The value lists DIR, then the local module cache (which has the
# dependencies after `go mod download`, run here). Use it with GOSUMDB=off:
# the checksum database is a network service.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: packaging/goproxy.sh DIR VERSION" >&2; exit 1; }
proxy=$(mkdir -p "$1" && cd "$1" && pwd)
version=$2
cd "$(dirname "$0")/.."
mod=$(go list -m)

go mod download >&2 # the dependencies, into the module cache the proxy reads
dir="$proxy/$mod/@v"
mkdir -p "$dir"
echo "$version" >>"$dir/list"
printf '{"Version":"%s","Time":"%s"}\n' "$version" "$(TZ=UTC git log -1 --date=iso-strict-local --format=%cd | sed 's/+00:00$/Z/')" >"$dir/$version.info"
git show HEAD:go.mod >"$dir/$version.mod"
# A module zip holds the module's files under MODULE@VERSION/, and not the
# nested modules (folders with their own go.mod).
nested=()
while IFS= read -r m; do
	[ "$m" = go.mod ] || nested+=(":(exclude)$(dirname "$m")")
done < <(git ls-files '*go.mod')
git archive --format=zip --prefix="$mod@$version/" -o "$dir/$version.zip" HEAD -- . "${nested[@]}"
echo "file://$proxy,file://$(go env GOMODCACHE)/cache/download"
