#!/usr/bin/env bash
# Times links scan against find -xtype l on one tree of 1,000,100 entries
# with 100,000 symlinks, in one run: builds links, builds the tree once
# (reused afterwards), warms the cache, alternates the commands RUNS times
# (default 5) and prints the medians and their ratio.
#
#   scripts/bench-scan.sh [DIR]     # DIR default: $TMPDIR/links-bench-scan
#
# The tree takes about 1 GB of inodes' worth of metadata and a minute to
# build. A rebuild (-rebuild) moves the old tree aside instead of deleting
# it (ext4 here is slow to create after a mass delete; PLATFORM-NOTES
# "Benchmarking"): delete DIR.old.* yourself after the run.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-${TMPDIR:-/tmp}/links-bench-scan}
bin=$(mktemp -d)/links
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/links
go run ./scripts/benchscan -links "$bin" -dir "$dir" -runs "${RUNS:-5}" ${REBUILD:+-rebuild}
