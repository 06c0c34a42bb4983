#!/usr/bin/env bash
# Trees (issue 17): the Stow migration page runs against Debian's real GNU
# stow, which this script installs; then the tree tests, so a skipped stow
# test cannot pass unnoticed here.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== trees: GNU stow for docs/migrating-from-stow.md"
if ! command -v stow >/dev/null; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y --no-install-recommends stow
fi
stow --version | head -1

echo "== trees: the migration page as a script, and the tree tests"
out=$(go test -count=1 -v -run '^TestMigratingFromStow$' ./docs)
echo "$out" | tail -3
if ! grep -q -- '--- PASS: TestMigratingFromStow' <<<"$out"; then
	echo "TestMigratingFromStow did not pass (skipped?)" >&2
	exit 1
fi
go test -count=1 -run 'Tree|Expand|Pattern|Dotfiles' ./manifest ./reconcile
go test -count=1 -run 'TestScripts/^(trees|trees_edges|import_trees)$' ./cmd/links
