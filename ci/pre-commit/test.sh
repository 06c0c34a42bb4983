#!/usr/bin/env bash
# Tests .pre-commit-hooks.yaml with Debian's pre-commit, as a user would use
# it: a project whose .pre-commit-config.yaml names a clone of this
# repository (repo: PATH, rev: SHA of HEAD). links-validate (language:
# golang; pre-commit builds links with go install) and links-validate-system
# (the links on PATH) must pass on good manifests, fail on a bad one naming
# FILE:LINE:COL, and leave files that are not links.yaml/links.yml alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
fail() { echo "ci/pre-commit/test.sh: FAIL: $*" >&2; exit 1; }
step() { echo "== pre-commit: $*"; }

command -v pre-commit >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pre-commit >/dev/null; }
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache" GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.com GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.com

# The hooks as committed: a clone of HEAD.
git clone -q "$repo" "$work/hooks"
rev=$(git -C "$work/hooks" rev-parse HEAD)
git -C "$work/hooks" show HEAD:.pre-commit-hooks.yaml >/dev/null || fail ".pre-commit-hooks.yaml is not committed at HEAD"

proj="$work/project"
mkdir -p "$proj/app/releases/a" "$proj/other"
git init -q "$proj"
cat >"$proj/links.yaml" <<'YAML'
version: 1
links:
  current:
    dest: app/current
    target: app/releases/a
YAML
cat >"$proj/app/links.yml" <<'YAML'
version: 1
links:
  current:
    dest: current
    target: releases/a
YAML
cp "$proj/app/links.yml" "$work/good-app.yml"
# Not a manifest by name: never checked, though it would not validate.
printf 'version: 7\n' >"$proj/other/settings.yaml"
printf 'version: 7\n' >"$proj/other/links.yaml.example"

config() {
	cat >"$proj/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $work/hooks
    rev: $rev
    hooks:
      - id: $1
YAML
}

run() { (cd "$proj" && git add -A && pre-commit run --all-files --color never) >"$work/out" 2>&1; }

mkdir -p "$work/bin"
go build -o "$work/bin/links" ./cmd/links
for hook in links-validate links-validate-system; do
	if [ "$hook" = links-validate-system ]; then export PATH="$work/bin:$PATH"; fi
	step "$hook: good manifests pass"
	cp "$work/good-app.yml" "$proj/app/links.yml"
	config "$hook"
	run || { cat "$work/out"; fail "$hook failed on good manifests"; }
	cat "$work/out"
	grep -q '^links validate.*Passed$' "$work/out" || fail "$hook did not run"

	step "$hook: a bad manifest fails with FILE:LINE:COL"
	cat >"$proj/app/links.yml" <<'YAML'
version: 1
links:
  current:
    dest: current
    taget: releases/a
YAML
	if run; then cat "$work/out"; fail "$hook passed a bad manifest"; fi
	cat "$work/out"
	grep -q '^links validate.*Failed$' "$work/out" || fail "$hook: no Failed line"
	grep -q '^links: app/links.yml:5:5: links.current.taget: unknown key "taget"' "$work/out" || fail "$hook: no FILE:LINE:COL for app/links.yml"
	grep -q 'other/' "$work/out" && fail "$hook looked at other/"
done
[ -n "$(find "$PRE_COMMIT_HOME" -path '*/golangenv-*/bin/links' -type f -perm -u+x)" ] || fail "links-validate did not build links with go install (language: golang)"
echo "ci/pre-commit/test.sh: PASS"
