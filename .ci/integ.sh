#!/usr/bin/env bash
# CI for where users meet links (docs/install.md, docs/ci.md): the GitHub
# Action, the pre-commit hooks, the GitLab CI templates, go install through a
# local module proxy, and the .deb and .rpm. Runs as root on a Debian
# machine; installs what the tests need. Each test is a script that can also
# be run alone.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== integ: tools from Debian"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	shellcheck jq rsync git pre-commit lintian rpm man-db bash-completion zsh fish >/dev/null
# Node.js and npm (for gitlab-ci-local) come with this kind of machine;
# Debian's only where there are none (they would clash with another build).
command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null

start=$SECONDS
for t in ci/github/test.sh ci/pre-commit/test.sh ci/gitlab/test.sh packaging/go-install-test.sh packaging/test.sh; do
	echo "== integ: $t"
	t0=$SECONDS
	bash "$t"
	echo "== integ: $t passed in $((SECONDS - t0)) s"
done
echo "== integ: all passed in $((SECONDS - start)) s"
