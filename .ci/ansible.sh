#!/usr/bin/env bash
# CI for the Ansible collection (ansible/linksdev/links): build it, check
# ansible-doc, and run the fleet test (three sshd on loopback; see
# ansible/tests/fleet.sh). Installs what it needs with apt. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== ansible: apt-get install ansible-core openssh-server"
export DEBIAN_FRONTEND=noninteractive
pkgs=(ansible-core openssh-server openssh-client iproute2 procps util-linux mount)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	# The test starts its own sshd on loopback only. Keep the package's
	# service from starting one on every address while it installs
	# (invoke-rc.d and deb-systemd-invoke honour policy-rc.d).
	added_policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		added_policy=1
	fi
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	if [ -n "$added_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
fi

echo "== ansible: the fleet test"
bash ansible/tests/fleet.sh
