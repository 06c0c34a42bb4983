#!/usr/bin/env bash
# CI for the command line: shell completion in real bash (with Debian's
# bash-completion), zsh and fish; the man page rendered by man without a
# warning; the generated docs in sync; version stamping; and the
# test-only dependencies kept out of the binary.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== install bash-completion, zsh, fish, man-db"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends bash-completion zsh fish man-db >/dev/null

echo "== completion in the real shells, man page, CLI reference, commands.md, version stamping"
# LINKS_REQUIRE_SHELLS=1: a missing shell fails the completion scripts
# instead of skipping them.
LINKS_REQUIRE_SHELLS=1 go test -count=1 ./cmd/links \
	-run 'TestScripts/(completion.*|version|init|verify_prometheus|help_texts|color)$|TestManPage|TestCLIReference|TestCommandsDocumented|TestVersionStamps|Prometheus'

echo "== man --warnings -l docs/links.1"
warnings=$(MANWIDTH=80 man --warnings -E UTF-8 -l docs/links.1 2>&1 >/dev/null)
if [ -n "$warnings" ]; then echo "$warnings"; exit 1; fi

echo "== test-only dependencies are not linked into links"
if go list -deps ./cmd/links | grep -E '^(github\.com/prometheus/|google\.golang\.org/protobuf)'; then
	echo "the packages above are linked into links; they are meant for tests only"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/links" ./cmd/links
if go version -m "$tmp/links" | grep -E 'prometheus|protobuf'; then
	echo "go version -m lists the modules above in the binary"
	exit 1
fi
