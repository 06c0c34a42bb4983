#!/usr/bin/env bash
# Tests the GitHub Action offline: actionlint (pinned in
# packaging/tools/actionlint/go.mod, with shellcheck) on action.yml, the
# example workflows and a workflow that uses the action from this checkout;
# then install.sh and run.sh as the runner runs them, with GITHUB_* and
# RUNNER_TEMP pointed at temporary files, on real manifests; and the problem
# matcher's regexp (read from links-matcher.json, applied with node as the
# runner applies it) on real links validate stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
fail() { echo "ci/github/test.sh: FAIL: $*" >&2; exit 1; }
step() { echo "== github action: $*"; }

command -v shellcheck >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; }
command -v node >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step "actionlint"
# actionlint checks a local action's inputs and outputs only inside a
# project (a folder with .github/workflows): make one with this action.
proj="$work/project"
mkdir -p "$proj/.github/workflows" "$proj/ci"
git init -q "$proj"
cp action.yml "$proj/"
cp -r ci/github "$proj/ci/"
cp ci/github/testdata/uses-local-action.yml examples/ci/github/*.yml "$proj/.github/workflows/"
actionlint=$(cd packaging/tools/actionlint && go build -o "$work/actionlint" github.com/rhysd/actionlint/cmd/actionlint && echo "$work/actionlint")
(cd "$proj" && "$actionlint" -shellcheck shellcheck) || fail "actionlint"
# The check is real: an input action.yml does not declare is an error.
sed 's/fail-on-changes: "false"/no-such-input: x/' ci/github/testdata/uses-local-action.yml >"$proj/.github/workflows/uses-local-action.yml"
if (cd "$proj" && "$actionlint" .github/workflows/uses-local-action.yml >"$work/al.txt" 2>&1); then fail "actionlint accepted an undeclared input"; fi
grep -q 'input "no-such-input" is not defined in action' "$work/al.txt" || { cat "$work/al.txt"; fail "actionlint did not read action.yml"; }
shellcheck ci/github/*.sh || fail "shellcheck"

# A fresh runner: its temp folder, its files, the workspace.
runner() {
	export RUNNER_TEMP="$work/runner-temp" GITHUB_OUTPUT="$work/output" GITHUB_STEP_SUMMARY="$work/summary" GITHUB_PATH="$work/path"
	rm -rf "$RUNNER_TEMP" && mkdir -p "$RUNNER_TEMP"
	: >"$GITHUB_OUTPUT" && : >"$GITHUB_STEP_SUMMARY" && : >"$GITHUB_PATH"
}
output() { sed -n "s/^$1=//p" "$GITHUB_OUTPUT" | tail -1; }

step "install.sh: build the action's own checkout, stamped with its ref"
runner
GITHUB_ACTION_PATH=$repo GITHUB_ACTION_REF=v7.8.9 LINKS_VERSION='' ci/github/install.sh >"$work/install.txt"
bin=$(cat "$GITHUB_PATH")
[ "$bin" = "$RUNNER_TEMP/links-bin" ] || fail "GITHUB_PATH: $bin"
grep -q '^links version v7.8.9,' "$work/install.txt" || { cat "$work/install.txt"; fail "install.sh did not stamp the ref"; }
mkdir -p "$work/bin" && cp "$bin/links" "$work/bin/"
export PATH="$work/bin:$PATH"
runner
if LINKS_VERSION='-x' ci/github/install.sh >"$work/install.txt" 2>&1; then fail "install.sh took version -x"; fi
grep -q '::error' "$work/install.txt" || fail "install.sh: no ::error for a bad version"
LINKS_VERSION=path ci/github/install.sh | grep -q '^links version v7.8.9,' || fail "install.sh version: path"

# The workspace: a manifest in a subfolder, run from the workspace root.
ws="$work/ws"
mkdir -p "$ws/deploy/releases/2026-02-01" "$ws/deploy/releases/2026-02-07"
cat >"$ws/deploy/links.yaml" <<'YAML'
version: 1
vars:
  release: "2026-02-01"
links:
  current:
    dest: current
    target: releases/${release}
YAML
cd "$ws"

step "run.sh plan: changes are reported, not a failure"
runner
INPUT_COMMAND=plan INPUT_MANIFEST=deploy/links.yaml "$repo/ci/github/run.sh" >"$work/log" || fail "plan with changes failed (exit $?)"
[ "$(output exitcode)" = 2 ] || fail "exitcode $(output exitcode), want 2"
[ "$(output has-changes)" = true ] || fail "has-changes $(output has-changes)"
plan=$(output plan-file)
[ "$plan" = "$RUNNER_TEMP/links/plan.json" ] || fail "plan-file: $plan"
[ "$(jq -r '.summary.create' "$plan")" = 1 ] || fail "plan file: $(cat "$plan")"
grep -q '^\*\*Plan: 1 to create, 0 to update, 0 to replace, 0 to delete.\*\*$' "$GITHUB_STEP_SUMMARY" || { cat "$GITHUB_STEP_SUMMARY"; fail "no plan in the step summary"; }
cmp -s "$(output report-file)" "$GITHUB_STEP_SUMMARY" || fail "report-file is not the summary"
grep -q "^::add-matcher::$repo/ci/github/links-matcher.json$" "$work/log" || fail "matcher not added"
grep -q '^::remove-matcher owner=links::$' "$work/log" || fail "matcher not removed"

step "run.sh plan with fail-on-changes: exit 2"
runner
code=0
INPUT_COMMAND=plan INPUT_MANIFEST=deploy/links.yaml INPUT_FAIL_ON_CHANGES=true "$repo/ci/github/run.sh" >/dev/null || code=$?
[ "$code" = 2 ] || fail "fail-on-changes: exit $code, want 2"

step "run.sh plan with vars; apply the plan file; plan again: no changes"
runner
INPUT_COMMAND=plan INPUT_MANIFEST=deploy/links.yaml INPUT_VARS=$'release=2026-02-07\n' "$repo/ci/github/run.sh" >/dev/null
grep -q 'releases/2026-02-07' "$GITHUB_STEP_SUMMARY" || fail "vars not passed: $(cat "$GITHUB_STEP_SUMMARY")"
links -f deploy/links.yaml --var release=2026-02-07 apply "$(output plan-file)" >/dev/null
[ "$(readlink deploy/current)" = releases/2026-02-07 ] || fail "apply of plan-file: $(readlink deploy/current)"
runner
INPUT_COMMAND=plan INPUT_MANIFEST=deploy/links.yaml INPUT_VARS='release=2026-02-07' "$repo/ci/github/run.sh" >/dev/null
[ "$(output exitcode)/$(output has-changes)" = 0/false ] || fail "in sync: $(output exitcode)/$(output has-changes)"

step "run.sh verify: in sync passes, drift fails"
runner
INPUT_COMMAND=verify INPUT_MANIFEST=deploy/links.yaml INPUT_VARS='release=2026-02-07' "$repo/ci/github/run.sh" >/dev/null || fail "verify in sync failed"
{ [ "$(output exitcode)" = 0 ] && [ -z "$(output plan-file)" ]; } || fail "verify outputs"
grep -q '^### links verify$' "$GITHUB_STEP_SUMMARY" || fail "verify summary"
runner
code=0
INPUT_COMMAND=verify INPUT_MANIFEST=deploy/links.yaml "$repo/ci/github/run.sh" >/dev/null || code=$?
{ [ "$code" = 2 ] && [ "$(output exitcode)" = 2 ] && [ "$(output has-changes)" = true ]; } || fail "verify on drift: exit $code"

step "run.sh validate: a bad manifest fails, its errors match the problem matcher"
mkdir -p bad
cat >bad/links.yaml <<'YAML'
version: 1
links:
  current:
    dest: current
    tarket: releases/a
YAML
runner
code=0
INPUT_COMMAND=validate INPUT_MANIFEST=$'deploy/links.yaml\nbad/links.yaml' "$repo/ci/github/run.sh" >"$work/log" 2>"$work/stderr" || code=$?
{ [ "$code" = 1 ] && [ "$(output exitcode)" = 1 ]; } || fail "validate of a bad manifest: exit $code"
cat "$work/stderr"
grep -q '^\*\*links validate failed (exit 1)\*\*' "$GITHUB_STEP_SUMMARY" || fail "validate failure not in the summary"
grep -q '^links: bad/links.yaml:5:5: ' "$(output report-file)" || fail "the errors are not in the report"
# The runner applies each pattern's regexp (JavaScript syntax) to each line.
node - "$repo/ci/github/links-matcher.json" "$work/stderr" >"$work/annotations" <<'JS'
const fs = require("fs");
const [matcherFile, logFile] = process.argv.slice(2);
const m = JSON.parse(fs.readFileSync(matcherFile, "utf8")).problemMatcher[0];
const p = m.pattern[0];
const re = new RegExp(p.regexp);
for (const line of fs.readFileSync(logFile, "utf8").split("\n")) {
  const g = re.exec(line);
  if (g) console.log([m.owner, m.severity, g[p.file], g[p.line], g[p.column], g[p.message]].join("|"));
}
JS
cat "$work/annotations"
want='links|error|bad/links.yaml|3|3|links.current: missing required key "target"; add target: (what the link points to)'
grep -qxF "$want" "$work/annotations" || fail "no annotation: $want"
grep -q '^links|error|bad/links.yaml|5|5|links.current.tarket: unknown key "tarket"' "$work/annotations" || fail "no annotation for tarket"
[ "$(wc -l <"$work/annotations")" = 2 ] || fail "want exactly 2 annotations (the summary line 'is not valid' must not match)"

step "run.sh plan of a bad manifest: exit 1, the errors in the report for the PR comment"
runner
code=0
INPUT_COMMAND=plan INPUT_MANIFEST=bad/links.yaml "$repo/ci/github/run.sh" >/dev/null 2>"$work/stderr" || code=$?
{ [ "$code" = 1 ] && [ "$(output exitcode)" = 1 ] && [ -z "$(output plan-file)" ]; } || fail "plan of a bad manifest: exit $code"
grep -q '^links: bad/links.yaml:3:3: ' "$work/stderr" || fail "plan's errors not on stderr"
grep -q '^links: bad/links.yaml:3:3: ' "$(output report-file)" || fail "plan's errors not in the report"
cmp -s "$(output report-file)" "$GITHUB_STEP_SUMMARY" || fail "report-file is not the summary"

step "run.sh refuses bad inputs"
runner
if INPUT_COMMAND=apply "$repo/ci/github/run.sh" >"$work/log" 2>&1; then fail "command: apply accepted"; fi
grep -q "^::error title=links action::command: 'apply' is not one of plan, verify, validate" "$work/log" || fail "no ::error for command apply"
if INPUT_COMMAND=plan INPUT_MANIFEST=$'a.yaml\nb.yaml' "$repo/ci/github/run.sh" >"$work/log" 2>&1; then fail "plan of two manifests accepted"; fi
if INPUT_COMMAND=plan INPUT_VARS='novalue' "$repo/ci/github/run.sh" >"$work/log" 2>&1; then fail "vars without = accepted"; fi
echo "ci/github/test.sh: PASS"
