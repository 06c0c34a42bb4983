#!/usr/bin/env bash
# CI for the Ansible collection (ansible/linksdev/links): build it, check
# ansible-doc, and run the fleet test (three sshd on loopback; see
# ansible/tests/fleet.sh). Installs what it needs with apt (Go comes from
# the rest of CI). Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== ansible: apt-get install what the fleet test needs"
export DEBIAN_FRONTEND=noninteractive
# ansible-core (ansible, ansible-playbook, ansible-galaxy, ansible-doc; pulls
# python3), openssh-server (sshd), openssh-client (ssh, ssh-keygen,
# ssh-keyscan), sudo (the become test), iproute2 (ss), procps (pgrep),
# util-linux (unshare, findmnt), mount (mount).
pkgs=(ansible-core openssh-server openssh-client sudo iproute2 procps util-linux mount)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "installing: ${missing[*]}"
	# The test starts its own sshd on loopback only. Keep the package's
	# service from starting one on every address while it installs
	# (invoke-rc.d and deb-systemd-invoke honour policy-rc.d), and take the
	# policy away again however the install ends.
	added_policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		added_policy=1
	fi
	# Wait for another apt or dpkg run (unattended-upgrades, ...) rather
	# than fail on its lock.
	apt-get -o DPkg::Lock::Timeout=300 update -qq
	apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	if [ -n "$added_policy" ]; then
		rm -f /usr/sbin/policy-rc.d
		trap - EXIT
	fi
fi

echo "== ansible: the fleet test"
bash ansible/tests/fleet.sh
