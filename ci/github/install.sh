#!/usr/bin/env bash
# Installs links for the GitHub Action (action.yml) and puts it on PATH for
# the job's later steps.
#
#   LINKS_VERSION=""        build the action's own checkout ($GITHUB_ACTION_PATH),
#                           stamped with the action's ref ($GITHUB_ACTION_REF)
#   LINKS_VERSION=v1.2.3    go install github.com/linksdev/links/cmd/links@v1.2.3
#                           (also "latest", a branch or a commit: what go install takes)
#   LINKS_VERSION=path      use the links already on PATH (a .deb, an earlier step)
#
# Needs Go 1.21 or newer for the first two (older toolchains fetch the one
# go.mod asks for); writes only under $RUNNER_TEMP and to $GITHUB_PATH.
set -euo pipefail

: "${RUNNER_TEMP:?RUNNER_TEMP is not set: run this from GitHub Actions or set it}"
: "${GITHUB_PATH:?GITHUB_PATH is not set: run this from GitHub Actions or set it}"
version=${LINKS_VERSION:-}
bin="$RUNNER_TEMP/links-bin"

fail() { echo "::error title=links action::$*"; exit 1; }

case "$version" in
path)
	command -v links >/dev/null || fail "version: path, but no links on PATH; install it first (the .deb, go install) or set version"
	links --version
	exit 0
	;;
"")
	src=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: name a version instead}
	ref=${GITHUB_ACTION_REF:-}
	[ -n "$ref" ] || ref=devel
	command -v go >/dev/null || fail "Go is not installed: keep setup-go: true, or set version: path with links on PATH"
	mkdir -p "$bin"
	# The -X variable is the one cmd/links reads for its version.
	(cd "$src" && go build -trimpath -ldflags "-X main.version=$ref" -o "$bin/links" ./cmd/links)
	;;
*)
	case "$version" in
	-* | *[[:space:]]*) fail "version: $version is not a version go install takes (v1.2.3, latest, a commit)" ;;
	esac
	command -v go >/dev/null || fail "Go is not installed: keep setup-go: true, or set version: path with links on PATH"
	mkdir -p "$bin"
	GOBIN="$bin" go install "github.com/linksdev/links/cmd/links@$version"
	;;
esac

echo "$bin" >>"$GITHUB_PATH"
"$bin/links" --version
