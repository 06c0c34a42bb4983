#!/usr/bin/env bash
# Runs one links command for the GitHub Action (action.yml): plan, verify or
# validate. Reads INPUT_* variables (set by action.yml), writes the report
# to $GITHUB_STEP_SUMMARY and the outputs to $GITHUB_OUTPUT, keeps files
# under $RUNNER_TEMP/links. Runs from the workspace so that the file names
# in links' errors (links: FILE:LINE:COL: message) are workspace paths, which
# the problem matcher (links-matcher.json) turns into annotations.
#
# Exit status: links' own, except that plan's exit 2 (changes to make) is 0
# unless INPUT_FAIL_ON_CHANGES is true. verify's exit 2 (drift) fails.
set -euo pipefail

: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: run this from GitHub Actions or set it}"
: "${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY is not set: run this from GitHub Actions or set it}"
: "${RUNNER_TEMP:?RUNNER_TEMP is not set: run this from GitHub Actions or set it}"

command=${INPUT_COMMAND:-plan}
manifest=${INPUT_MANIFEST:-links.yaml}
fail_on_changes=${INPUT_FAIL_ON_CHANGES:-false}
here=$(cd "$(dirname "$0")" && pwd)

fail() { echo "::error title=links action::$*"; exit 1; }

case "$command" in
plan | verify | validate) ;;
*) fail "command: '$command' is not one of plan, verify, validate" ;;
esac
case "$fail_on_changes" in
true | false) ;;
*) fail "fail-on-changes: '$fail_on_changes' must be true or false" ;;
esac

# Global flags: the manifest(s) and the variables (one NAME=VALUE a line).
# validate takes several manifests, one a line; the others take one.
manifests=()
while IFS= read -r line; do
	line=${line%$'\r'}
	[ -n "${line//[[:space:]]/}" ] && manifests+=("$line")
done <<<"$manifest"
[ ${#manifests[@]} -gt 0 ] || fail "manifest: empty; name the manifest file (default links.yaml)"
args=(--no-color)
if [ "$command" != validate ] || [ ${#manifests[@]} -eq 1 ]; then
	[ ${#manifests[@]} -eq 1 ] || fail "manifest: $command takes one manifest, got ${#manifests[@]}"
	args+=(-f "${manifests[0]}")
	manifests=()
fi
while IFS= read -r line; do
	line=${line%$'\r'}
	[ -z "${line//[[:space:]]/}" ] && continue
	case "$line" in
	*=*) args+=(--var "$line") ;;
	*) fail "vars: '$line' is not NAME=VALUE" ;;
	esac
done <<<"${INPUT_VARS:-}"

out="$RUNNER_TEMP/links"
mkdir -p "$out"
report="$out/$command.md"

# links' stderr is kept for the report and then shown in the log, where
# the matcher turns its FILE:LINE:COL lines into annotations.
errfile="$out/$command.stderr"
echo "::add-matcher::$here/links-matcher.json"
code=0
case "$command" in
plan)
	planfile="$out/plan.json"
	rm -f "$planfile"
	links "${args[@]}" plan --detailed-exitcode --out "$planfile" -o markdown >"$report" 2>"$errfile" || code=$?
	cat "$report"
	;;
verify | validate)
	links "${args[@]}" "$command" "${manifests[@]}" >"$out/$command.txt" 2>"$errfile" || code=$?
	cat "$out/$command.txt"
	{
		echo "### links $command"
		echo
		echo '```text'
		cat "$out/$command.txt"
		echo '```'
	} >"$report"
	;;
esac
cat "$errfile" >&2
echo "::remove-matcher owner=links::"

if [ "$code" -eq 1 ]; then
	[ ! -s "$report" ] || echo >>"$report"
	{
		echo "**links $command failed (exit 1)**; the errors are annotated on the manifest:"
		echo
		echo '```text'
		cat "$errfile"
		echo '```'
	} >>"$report"
fi
cat "$report" >>"$GITHUB_STEP_SUMMARY"

has_changes=false
[ "$code" -eq 2 ] && has_changes=true
{
	echo "exitcode=$code"
	echo "has-changes=$has_changes"
	echo "report-file=$report"
	if [ "$command" = plan ] && [ -s "$out/plan.json" ]; then
		echo "plan-file=$out/plan.json"
	else
		echo "plan-file="
	fi
} >>"$GITHUB_OUTPUT"

if [ "$code" -eq 2 ] && [ "$command" = plan ] && [ "$fail_on_changes" = false ]; then
	exit 0
fi
exit "$code"
