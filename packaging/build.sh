#!/usr/bin/env bash
# Builds the .deb and .rpm of links with nfpm (a Go tool pinned in
# packaging/tools/nfpm/go.mod), version-stamped:
#
#   packaging/build.sh VERSION [ARCH...]     e.g. packaging/build.sh 1.2.3 amd64 arm64
#
# VERSION is a semantic version, with or without the leading v (1.2.3,
# v1.2.3, 1.2.3-rc.1). ARCH is a Go architecture (default: this machine's).
# The binary is built with CGO_ENABLED=0 -trimpath and stamped with
# -X main.version=vVERSION -X main.revision=<git HEAD>; `links --version`
# prints both. Output: packaging/dist/ (or $OUT): linksdev-links_VERSION-1_ARCH.deb
# and linksdev-links-VERSION-1.ARCH.rpm (nfpm's names).
#
# Environment: OUT (output folder), MAINTAINER ("Name <email>"),
# SOURCE_DATE_EPOCH (file times; default: HEAD's commit time, so two builds
# of one commit give the same files). The copyright file carries LICENSE
# when the repository has one (it has none yet, so no licence is stated).
set -euo pipefail

usage() { echo "usage: packaging/build.sh VERSION [ARCH...]   (e.g. 1.2.3 amd64 arm64)" >&2; exit 1; }
[ $# -ge 1 ] || usage
version=${1#v}
shift
if ! [[ $version =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$ ]]; then
	echo "packaging/build.sh: version '$version' is not a semantic version such as 1.2.3 or 1.2.3-rc.1" >&2
	exit 1
fi
cd "$(dirname "$0")/.."
repo=$(pwd)
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=("$(go env GOARCH)")

out=${OUT:-$repo/packaging/dist}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

revision=$(git rev-parse HEAD 2>/dev/null || echo "")
if [ -n "$revision" ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	revision="$revision-modified"
fi
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

export SOURCE_DATE_EPOCH=$epoch
export MAINTAINER=${MAINTAINER:-"links maintainers <links@linksdev.invalid>"}
export VERSION=$version

ldflags="-s -w -X main.version=v$version -X main.revision=$revision"

# Architecture-independent files, made with a binary for this machine.
common="$work/common"
mkdir -p "$common/completions"
CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$work/host-links" ./cmd/links
"$work/host-links" completion bash >"$common/completions/links.bash"
# Installed as _linksdev_links (see nfpm.yaml): its function takes that name
# too, so that loading it never replaces zsh's _links, which completes links2.
"$work/host-links" completion zsh | sed 's/\<_links\>/_linksdev_links/g' >"$common/completions/_links"
if grep -q '\<_links\>' "$common/completions/_links" || ! grep -q '^_linksdev_links()' "$common/completions/_links"; then
	echo "packaging/build.sh: links completion zsh changed shape: cannot rename its function _links to _linksdev_links" >&2
	exit 1
fi
"$work/host-links" completion fish >"$common/completions/links.fish"

man=docs/links.1
if [ ! -f "$man" ]; then
	echo "packaging/build.sh: $man is missing: the man page is generated from the command definitions (see docs/)" >&2
	exit 1
fi
gzip -9n <"$man" >"$common/links.1.gz"

date_rfc2822=$(LC_ALL=C date -u -d "@$epoch" -R)
{
	echo "linksdev-links ($(echo "$version" | tr - '~')-1) unstable; urgency=medium"
	echo
	echo "  * links $version${revision:+ (commit $revision)}."
	echo "    Release notes: https://github.com/linksdev/links/releases"
	echo
	echo " -- $MAINTAINER  $date_rfc2822"
} | gzip -9n >"$common/changelog.gz"

{
	echo "links, packaged as linksdev-links"
	echo "Source: https://github.com/linksdev/links"
	echo
	if [ -f LICENSE ]; then
		cat LICENSE
	else
		echo "Copyright (C) $(date -u -d "@$epoch" +%Y) The links authors."
		echo
		echo "The repository does not state a licence yet; this package is"
		echo "distributed under the terms the links authors give at the"
		echo "source address above."
	fi
} >"$common/copyright"

# Where lintian's rules do not fit, and why (docs/install.md, "Names and
# paths"):
cat >"$common/lintian-overrides" <<'OVERRIDES'
# Go links its programs statically.
linksdev-links: statically-linked-binary [usr/bin/links]
# Built outside the Debian archive: there is no bug an upload closes.
linksdev-links: initial-upload-closes-no-bugs
OVERRIDES

nfpm=(go tool -modfile="$repo/packaging/tools/nfpm/go.mod" nfpm)
for arch in "${archs[@]}"; do
	case "$arch" in
	amd64 | arm64 | 386 | arm | ppc64le | s390x | riscv64) ;;
	*) echo "packaging/build.sh: architecture '$arch' is not one this script packages (amd64, arm64, 386, arm, ppc64le, s390x, riscv64)" >&2; exit 1 ;;
	esac
	export STAGE="$work/stage-$arch" ARCH=$arch
	cp -r "$common" "$STAGE"
	if [ "$(go env GOOS)/$(go env GOARCH)" = "linux/$arch" ]; then
		cp "$work/host-links" "$STAGE/links" # the same build
	else
		CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$STAGE/links" ./cmd/links
	fi
	for packager in deb rpm; do
		"${nfpm[@]}" package --config packaging/nfpm.yaml --packager "$packager" --target "$out/"
	done
done
ls -1 "$out"
