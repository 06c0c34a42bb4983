#!/usr/bin/env bash
# Tests the GitLab CI templates (links.gitlab-ci.yml) with gitlab-ci-local
# 4.60.1 (from npm; later releases need a newer Node than Debian's), jobs run
# by its shell executor on this machine: a project includes the template and
# extends .links-plan, .links-verify and .links-validate. links is installed
# the template's way, go install ...@VERSION, from a file:// GOPROXY made from
# this checkout (packaging/goproxy.sh): no network. Checks the Terraform
# report ({create, update, delete}), the markdown artifact, and the jobs'
# exit status on changes, drift and a bad manifest.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=v1.2.3
fail() { echo "ci/gitlab/test.sh: FAIL: $*" >&2; exit 1; }
step() { echo "== gitlab: $*"; }

# npm builds its dependency re2 from source (no prebuilt download here):
# minutes, so the install is kept in ~/.cache for the next run.
gcl_version=4.60.1
gcl=${GITLAB_CI_LOCAL:-}
if [ -z "$gcl" ]; then
	prefix=${GITLAB_CI_LOCAL_PREFIX:-$HOME/.cache/links-ci/gitlab-ci-local-$gcl_version}
	if [ ! -x "$prefix/node_modules/.bin/gitlab-ci-local" ]; then
		command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
		npm install --no-audit --no-fund --prefix "$prefix" "gitlab-ci-local@$gcl_version" >/dev/null
	fi
	gcl="$prefix/node_modules/.bin/gitlab-ci-local"
fi
[ "$("$gcl" --version)" = "$gcl_version" ] || fail "gitlab-ci-local is $("$gcl" --version), want $gcl_version"
need=()
for t in jq rsync; do command -v $t >/dev/null || need+=("$t"); done
if [ ${#need[@]} -gt 0 ]; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
goproxy=$(packaging/goproxy.sh "$work/proxy" "$version")

proj="$work/project"
mkdir -p "$proj/deploy/releases/a" "$proj/deploy/releases/b" "$proj/deploy/shared"
cp ci/gitlab/links.gitlab-ci.yml "$proj/"
cat >"$proj/deploy/links.yaml" <<'YAML'
version: 1
vars:
  release: a
links:
  current:
    dest: current
    target: releases/${release}
  config:
    dest: config.yaml
    target: shared/config.yaml
    replace: file
YAML
echo 'port: 80' >"$proj/deploy/shared/config.yaml"
echo 'port: 8080' >"$proj/deploy/config.yaml" # a file in the way: a replace
cat >"$proj/.gitlab-ci.yml" <<'YAML'
include:
  - local: links.gitlab-ci.yml

stages: [test]

links-plan:
  extends: .links-plan
  rules:
    - when: always
  variables:
    LINKS_MANIFEST: deploy/links.yaml
    LINKS_VARS: release=b

links-verify:
  extends: .links-verify
  variables:
    LINKS_MANIFEST: deploy/links.yaml

links-validate:
  extends: .links-validate
  variables:
    LINKS_MANIFEST: deploy/links.yaml bad/links.yaml
YAML
git -C "$proj" init -q
git -C "$proj" -c user.name=test -c user.email=test@example.com add -A
git -C "$proj" -c user.name=test -c user.email=test@example.com commit -qm init

gl() {
	(cd "$proj" && "$gcl" --force-shell-executor --json-schema-validation \
		--variable "LINKS_VERSION=$version" --variable "GOPROXY=$goproxy" \
		--variable GOSUMDB=off --variable GOFLAGS=-modcacherw --variable GOTOOLCHAIN=local \
		--variable "GOPATH=$work/gopath" "$@") >"$work/log" 2>&1
}

step "links-plan: changes are not a failure; report and markdown"
gl links-plan || { cat "$work/log"; fail "links-plan failed"; }
grep -q "links version $version," "$work/log" || { cat "$work/log"; fail "links-plan did not go install links@$version"; }
grep -q 'links plan exited 2' "$work/log" || { cat "$work/log"; fail "plan did not report changes (exit 2)"; }
report="$proj/links-report.json"
[ -f "$report" ] || { ls -la "$proj"; cat "$work/log"; fail "no links-report.json"; }
got=$(jq -c . "$report")
echo "report: $got"
# 1 create (current) + 1 replace (config.yaml: delete the file, create the link).
[ "$got" = '{"create":2,"update":0,"delete":1}' ] || fail "Terraform report: $got"
grep -q '^\*\*Plan: 1 to create, 0 to update, 1 to replace, 0 to delete.\*\*$' "$proj/links-plan.md" || fail "links-plan.md: $(cat "$proj/links-plan.md")"
grep -q 'releases/b' "$proj/links-plan.md" || fail "LINKS_VARS not passed"
[ "$(jq -r '.summary.replace' "$proj/links-plan.json")" = 1 ] || fail "links-plan.json"

step "links-verify: drift fails the job"
if gl links-verify; then cat "$work/log"; fail "links-verify passed on an unapplied manifest"; fi
grep -q 'missing' "$work/log" || { cat "$work/log"; fail "verify did not report the missing link"; }

step "apply; links-verify passes"
links_bin="$proj/.links-bin/links" # where the template's go install put it
[ -x "$links_bin" ] || fail "no $links_bin"
(cd "$proj" && "$links_bin" -f deploy/links.yaml --var release=a apply --auto-approve >/dev/null)
gl links-verify || { cat "$work/log"; fail "links-verify failed after apply"; }

step "links-validate: a bad manifest fails with FILE:LINE:COL"
mkdir -p "$proj/bad"
printf 'version: 1\nlinks:\n  x:\n    dest: x\n    target: y\n    strategy: sideways\n' >"$proj/bad/links.yaml"
if gl links-validate; then cat "$work/log"; fail "links-validate passed a bad manifest"; fi
grep -q 'links: bad/links.yaml:6:15: ' "$work/log" || { cat "$work/log"; fail "no FILE:LINE:COL for bad/links.yaml"; }
echo "ci/gitlab/test.sh: PASS"
