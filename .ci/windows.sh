#!/usr/bin/env bash
# CI: the Windows build's tests under Wine, and the whole suite on Linux
# through the portable (non-Linux) implementations. docs/platforms.md says
# what this covers and what it does not.
#
# Under Wine (Debian's wine 8.0):
#   - Go 1.24+ binaries call ProcessPrng from bcryptprimitives.dll at start;
#     Wine 8 lacks it. .ci/wine/bcryptprimitives.c is a stand-in built here
#     with mingw's gcc (it calls RtlGenRandom).
#   - Go 1.26 deletes with NtSetInformationFile(FileDispositionInformationEx),
#     which Wine 8 answers "Invalid function"; Go falls back to the older
#     FileDispositionInfo call only for the statuses it expects, so
#     os.RemoveAll (and with it t.TempDir's cleanup) fails. The test
#     binaries are built with an -overlay of Go's own at_windows.go that
#     takes that fallback always (the path Go uses on FAT32 and old
#     Windows), generated here from the installed Go; nothing is committed.
#   - Wine's CreateSymbolicLinkW returns TRUE and creates nothing: tests
#     that need symlinks probe (internal/symlinktest) and skip with that
#     reason. This script prints, per package, how many ran and skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

echo "== install wine and mingw"
export DEBIAN_FRONTEND=noninteractive
if ! command -v wine >/dev/null || ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
	apt-get update -qq
	apt-get install -y -qq wine wine64 gcc-mingw-w64-x86-64-win32 >/dev/null
fi
wine --version

work=$(mktemp -d)
trap 'wineserver -k >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

echo "== stand-in bcryptprimitives.dll"
x86_64-w64-mingw32-gcc -shared -O2 -o "$work/bcryptprimitives.dll" \
	.ci/wine/bcryptprimitives.c .ci/wine/bcryptprimitives.def -ladvapi32

export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="bcryptprimitives=n"
wineboot -i >/dev/null 2>&1
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"

echo "== overlay: Go's delete always takes its FileDispositionInfo fallback"
at="$(go env GOROOT)/src/internal/syscall/windows/at_windows.go"
mkdir -p "$work/overlay"
sed 's/^\tif TestDeleteatFallback {$/\tif true { \/\/ links CI: Wine 8 lacks FileDispositionInformationEx/' "$at" >"$work/overlay/at_windows.go"
if [ "$(grep -c 'links CI: Wine 8' "$work/overlay/at_windows.go")" != 1 ]; then
	echo "at_windows.go changed shape: the overlay no longer applies; see .ci/windows.sh" >&2
	exit 1
fi
printf '{"Replace":{"%s":"%s"}}\n' "$at" "$work/overlay/at_windows.go" >"$work/overlay.json"

echo "== Windows test binaries under Wine"
failed=0
summary=""
for pkg in $(go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}|{{.Dir}}{{end}}' ./...); do
	path=${pkg%%|*} dir=${pkg#*|}
	name=$(basename "$path")
	exe="$work/$name.test.exe"
	GOOS=windows GOARCH=amd64 go test -c -overlay "$work/overlay.json" -o "$exe" "$path"
	out="$work/$name.out"
	rc=0
	(cd "$dir" && timeout 900 wine "$exe" -test.v -test.count=1) >"$out" 2>&1 || rc=$?
	pass=$(grep -cE '^ *--- PASS' "$out" || true)
	skip=$(grep -cE '^ *--- SKIP' "$out" || true)
	fail=$(grep -cE '^ *--- FAIL' "$out" || true)
	line=$(printf '%-12s %4d passed %4d skipped %3d failed (tests and subtests)' "$name" "$pass" "$skip" "$fail")
	summary+="$line"$'\n'
	if [ "$rc" != 0 ] || [ "$fail" != 0 ]; then
		failed=1
		echo "--- $path under Wine: exit $rc"
		# The failures' own output, not the list of skips after it.
		{ grep -vE '^ *(=== (RUN|PAUSE|CONT|NAME)|--- (PASS|SKIP))' "$out" || true; } | tail -150
	fi
	# Why tests were skipped, most common first.
	reasons=$(awk -f .ci/wine/skips.awk "$out" | sort | uniq -c | sort -rn | sed 's/^/    skipped: /')
	if [ -n "$reasons" ]; then summary+="$reasons"$'\n'; fi
done
echo "== Wine summary"
printf '%s' "$summary"
if [ "$failed" != 0 ]; then
	echo "Windows tests under Wine failed" >&2
	exit 1
fi

echo "== go test -tags links_portable ./... (the !linux implementations, on Linux)"
go test -tags links_portable -count=1 ./...
