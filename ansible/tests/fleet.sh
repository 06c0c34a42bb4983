#!/usr/bin/env bash
# The linksdev.links collection against a real fleet on this machine: three
# sshd on 127.0.0.2, .3 and .4 port 2222, each in its own mount namespace
# where its own folder is bind-mounted at one common path (so every host has
# its own files at the same path) and /usr/local/bin is an overlay with its
# own upper layer (so the install role writes each host's copy, never this
# machine's). Root login with a key made here; host keys made here and
# pinned in a known_hosts made with ssh-keyscan.
#
# Each namespace also has what the become and noexec tests need, seen only
# there: a non-root login user (copies of /etc/passwd, /etc/group and
# /etc/shadow with the user added, and a /etc/sudoers.d with a NOPASSWD
# drop-in for it, bind-mounted over the originals), a folder owned by root
# with its own manifest, and a tmpfs mounted noexec. This machine's own
# /etc is never written; the user and the drop-in end with the namespaces,
# and their files with the scratch folder.
#
# Needs root, ansible-core, openssh-server and openssh-client, sudo, go
# (.ci/ansible.sh installs them). Every process it starts is stopped by PID
# on exit.
#
#   ansible/tests/fleet.sh              # the test (about a minute)
#   FLEET_FIGURES=1 ansible/tests/fleet.sh   # then the timings for docs/performance.md
#   FLEET_FIGURES_ONLY=1 ...            # the timings without the test
#   FLEET_KEEP=1 ...                    # keep the scratch folder
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
tests=$repo/ansible/tests
T=$(mktemp -d /tmp/links-fleet.XXXXXX)
hosts=(h2 h3 h4)
declare -A addr=([h2]=127.0.0.2 [h3]=127.0.0.3 [h4]=127.0.0.4)
declare -A sshd_pid=()
app=$T/srv/app # the common path; each host sees its own folder here
sys=$T/srv/sys # a folder owned by root, for the become test
noexec=$T/noexec # a tmpfs mounted noexec in each host's namespace
fleet_user=linksfleet # the non-root login user, only in the hosts' namespaces
fleet_home=$T/srv/home/$fleet_user
links_version=v0.1.0

start=$SECONDS
say() { printf '\n== [%ds] %s\n' "$((SECONDS - start))" "$*"; }
fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

cleanup() {
	local rc=$?
	# Close ansible's persistent SSH connections first, so the sessions'
	# sshd processes end, then stop each listener and what is left of its
	# sessions, by PID.
	for s in "$T"/cp/*; do
		[ -S "$s" ] && ssh -o ControlPath="$s" -O exit dummy >/dev/null 2>&1 || true
	done
	for h in "${!sshd_pid[@]}"; do
		local pid=${sshd_pid[$h]} kids
		kids=$(pgrep -P "$pid" || true)
		kill "$pid" 2>/dev/null || true
		for k in $kids; do kill "$k" 2>/dev/null || true; done
		wait "$pid" 2>/dev/null || true
	done
	if [ "$rc" -ne 0 ] || [ -n "${FLEET_KEEP:-}" ]; then
		echo "scratch folder kept: $T" >&2
	else
		rm -rf "$T"
	fi
	exit "$rc"
}
trap cleanup EXIT

for a in "${addr[@]}"; do
	if ss -Hltn "src $a:2222" | grep -q .; then fail "$a:2222 is already in use"; fi
done
command -v sudo >/dev/null && [ -d /etc/sudoers.d ] || fail "the become test needs sudo and /etc/sudoers.d (apt-get install sudo)"
! getent passwd "$fleet_user" >/dev/null || fail "user $fleet_user exists on this machine; the test adds its own, in the hosts' namespaces only"
# A uid and gid free on this machine, so that the files the user makes on
# the hosts belong to no one here.
fleet_uid=2900
while getent passwd "$fleet_uid" >/dev/null || getent group "$fleet_uid" >/dev/null; do fleet_uid=$((fleet_uid + 1)); done

say "build links $links_version and the collection"
goos=$(go env GOOS) goarch=$(go env GOARCH)
mkdir -p "$T/dist"
(cd "$repo" && go build -ldflags "-X main.version=$links_version" -o "$T/dist/links_${goos}_${goarch}" ./cmd/links)
ansible-galaxy collection build "$repo/ansible/linksdev/links" --output-path "$T/build" >/dev/null
tarball=$(ls "$T"/build/linksdev-links-*.tar.gz)
export ANSIBLE_COLLECTIONS_PATH=$T/collections ANSIBLE_HOME=$T/ansible-home ANSIBLE_CONFIG=$T/ansible.cfg
ansible-galaxy collection install "$tarball" -p "$T/collections" >/dev/null
[ -f "$T/collections/ansible_collections/linksdev/links/plugins/modules/manifest.py" ] || fail "collection not installed from $tarball"

say "unit tests of the modules' pure parts"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$T/collections /usr/bin/python3 -m unittest discover -s "$tests/unit" 2>"$T/out" || fail "unit tests: $(cat "$T/out")"
tail -1 "$T/out"

say "ansible-doc shows both modules and the role"
ansible-doc linksdev.links.manifest >"$T/doc.txt"
grep -q 'links plan --out FILE' "$T/doc.txt" || fail "ansible-doc linksdev.links.manifest: no description"
grep -q 'lock_timeout' "$T/doc.txt" || fail "ansible-doc linksdev.links.manifest: no options"
grep -q 'apply_id' "$T/doc.txt" || fail "ansible-doc linksdev.links.manifest: no return values"
ansible-doc linksdev.links.manifest_info | grep -q 'wrong_target' || fail "ansible-doc linksdev.links.manifest_info"
ansible-doc -t role linksdev.links.install | grep -q 'links_install_src' || fail "ansible-doc -t role linksdev.links.install"
ansible-doc -l linksdev.links | grep -q 'linksdev.links.manifest_info' || fail "ansible-doc -l linksdev.links"

say "three hosts on loopback"
mkdir -p "$T/ssh" "$T/cp" "$T/remote_tmp" "$T/local_tmp" "$T/srv" "$noexec" /run/sshd
# The non-root user must reach its home and the authorized_keys under $T
# (sshd reads them as the user): let others through $T, not list it.
chmod 0711 "$T"
# Without PAM, sshd refuses every login to an account whose password is
# locked ("!" in /etc/shadow, as on some images); PAM does not, for a key.
use_pam=no
case "$(getent shadow root | cut -d: -f2)" in
'!'*)
	use_pam=yes
	echo "root's password is locked: the test's sshd use PAM (UsePAM no refuses a locked account)"
	;;
esac
ssh-keygen -q -t ed25519 -N '' -C links-fleet -f "$T/ssh/id_ed25519"
cp "$T/ssh/id_ed25519.pub" "$T/ssh/authorized_keys"
chmod 0755 "$T/ssh" && chmod 0644 "$T/ssh/authorized_keys"
for h in "${hosts[@]}"; do
	H=$T/hosts/$h
	mkdir -p "$H/srv/app/releases/r1" "$H/srv/app/releases/r2" "$H/srv/app/shared" "$H/usr-local-bin/upper" "$H/usr-local-bin/work"
	echo "r1 on $h" >"$H/srv/app/releases/r1/index.html"
	echo "r2 on $h" >"$H/srv/app/releases/r2/index.html"
	echo "name: $h" >"$H/srv/app/shared/app.yaml"
	echo "welcome to $h" >"$H/srv/app/shared/motd"
	cp "$tests/fleet/links-v1.yaml" "$H/srv/app/links.yaml"
	# The root-owned folder the become test applies a manifest in.
	mkdir -p "$H/srv/sys/releases/r1" "$H/srv/sys/shared"
	echo "r1 on $h" >"$H/srv/sys/releases/r1/index.html"
	echo "name: $h" >"$H/srv/sys/shared/app.yaml"
	cp "$tests/fleet/links-v1.yaml" "$H/srv/sys/links.yaml"
	# The non-root user and its NOPASSWD sudo, for this host's namespace.
	mkdir -p "$H/etc" "$H/srv/home/$fleet_user/.ansible/tmp"
	chown -R "$fleet_uid:$fleet_uid" "$H/srv/home/$fleet_user"
	chmod 0700 "$H/srv/home/$fleet_user"
	cp -p /etc/passwd /etc/group /etc/shadow "$H/etc/"
	echo "$fleet_user:x:$fleet_uid:$fleet_uid:links fleet test:$fleet_home:/bin/sh" >>"$H/etc/passwd"
	echo "$fleet_user:x:$fleet_uid:" >>"$H/etc/group"
	echo "$fleet_user:*:$(($(date +%s) / 86400)):0:99999:7:::" >>"$H/etc/shadow"
	cp -a /etc/sudoers.d "$H/etc/sudoers.d"
	echo "$fleet_user ALL=(ALL:ALL) NOPASSWD: ALL" >"$H/etc/sudoers.d/links-fleet-test"
	chmod 0440 "$H/etc/sudoers.d/links-fleet-test"
	ssh-keygen -q -t ed25519 -N '' -f "$H/ssh_host_ed25519_key"
	cat >"$H/sshd_config" <<EOF
ListenAddress ${addr[$h]}
Port 2222
HostKey $H/ssh_host_ed25519_key
PidFile none
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile $T/ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM $use_pam
StrictModes no
Subsystem sftp internal-sftp
EOF
	# unshare execs sh, which execs sshd: the PID recorded is sshd's. The
	# mounts are private to the namespace: nothing here reaches this
	# machine's own mount table.
	unshare --mount --propagation private sh -c '
		set -e
		mount --bind "$1/srv" "$2"
		mount -t overlay overlay -o "lowerdir=/usr/local/bin,upperdir=$1/usr-local-bin/upper,workdir=$1/usr-local-bin/work" /usr/local/bin
		for f in passwd group shadow sudoers.d; do mount --bind "$1/etc/$f" "/etc/$f"; done
		mount -t tmpfs -o noexec,nosuid,nodev,mode=0755,size=64m links-fleet-noexec "$3"
		mkdir -m 0700 "$3/ansible"
		exec /usr/sbin/sshd -D -e -f "$1/sshd_config"' sh "$H" "$T/srv" "$noexec" 2>"$H/sshd.log" &
	sshd_pid[$h]=$!
done
for h in "${hosts[@]}"; do
	for _ in $(seq 50); do
		ss -Hltn "src ${addr[$h]}:2222" | grep -q . && break
		kill -0 "${sshd_pid[$h]}" 2>/dev/null || fail "sshd for $h exited: $(cat "$T/hosts/$h/sshd.log")"
		sleep 0.1
	done
	ssh-keyscan -p 2222 -t ed25519 "${addr[$h]}" >>"$T/ssh/known_hosts" 2>/dev/null
done
[ "$(wc -l <"$T/ssh/known_hosts")" -eq 3 ] || fail "ssh-keyscan found $(wc -l <"$T/ssh/known_hosts") of 3 host keys"

cat >"$T/inventory.ini" <<EOF
[fleet]
h2 ansible_host=127.0.0.2
h3 ansible_host=127.0.0.3
h4 ansible_host=127.0.0.4

[fleet:vars]
ansible_port=2222
ansible_user=root
ansible_ssh_private_key_file=$T/ssh/id_ed25519
ansible_python_interpreter=/usr/bin/python3
app_dir=$app
EOF
cat >"$T/ansible.cfg" <<EOF
[defaults]
inventory = $T/inventory.ini
remote_tmp = $T/remote_tmp
local_tmp = $T/local_tmp
host_key_checking = True
retry_files_enabled = False
forks = 5

[ssh_connection]
pipelining = True
control_path_dir = $T/cp
ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=$T/ssh/known_hosts -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes
EOF

# Each host really has its own files at the common path.
ansible fleet -o -m ansible.builtin.command -a "cat $app/shared/app.yaml" >"$T/out" || fail "ansible fleet: $(cat "$T/out")"
for h in "${hosts[@]}"; do grep -q "^$h | CHANGED | rc=0 | (stdout) name: $h\$" "$T/out" || fail "$h does not see its own folder: $(cat "$T/out")"; done

# play PLAYBOOK [ARGS...]: runs it, output in $T/out, exit code in $rc.
play() {
	local pb=$1
	shift
	set +e
	ansible-playbook "$tests/playbooks/$pb" -e "dist=$T/dist links_version=$links_version" "$@" >"$T/out" 2>&1
	rc=$?
	set -e
}
# recap HOST OK CHANGED FAILED: the PLAY RECAP line of HOST in $T/out.
recap() {
	grep -Eq "^$1 +: ok=$2 +changed=$3 +unreachable=0 +failed=$4 " "$T/out" ||
		fail "expected $1 ok=$2 changed=$3 failed=$4 in:
$(cat "$T/out")"
}
expect_rc() {
	[ "$rc" -eq "$1" ] || fail "ansible-playbook exited $rc, not $1:
$(cat "$T/out")"
}
# link HOST DEST: the link text of DEST on HOST, or "-" when it is not a symlink.
link() { readlink "$T/hosts/$1/srv/app/$2" || echo -; }
# syslink HOST DEST: the same in the root-owned folder.
syslink() { readlink "$T/hosts/$1/srv/sys/$2" || echo -; }
# snapshot: every entry under the hosts' folders and the remote tmp, with
# type, size, mtime and link text (overlayfs's private work folders aside).
snapshot() { find "$T/hosts" "$T/remote_tmp" -path '*/usr-local-bin/work' -prune -o -printf '%p %y %s %T@ %l\n' | sort; }

say "install role: sends the binary to each host once"
machine_links=$(ls -l /usr/local/bin/links 2>&1 || true)
play install.yml
expect_rc 0
for h in "${hosts[@]}"; do
	recap "$h" 10 1 0 # the copy
	cmp "$T/hosts/$h/usr-local-bin/upper/links" "$T/dist/links_${goos}_${goarch}" || fail "$h: its /usr/local/bin/links is not the build"
done
[ "$(ls -l /usr/local/bin/links 2>&1 || true)" = "$machine_links" ] || fail "the install role wrote this machine's /usr/local/bin/links"
play install.yml
expect_rc 0
for h in "${hosts[@]}"; do recap "$h" 10 0 0; done

if [ -n "${FLEET_FIGURES_ONLY:-}" ]; then
	play apply.yml
	expect_rc 0
	. "$tests/figures.sh"
	exit 0
fi

say "check mode: changed on every host, nothing written anywhere"
snapshot >"$T/before"
play check.yml --check --diff
expect_rc 0
snapshot >"$T/after"
diff -u "$T/before" "$T/after" || fail "check mode wrote the entries above"
for h in "${hosts[@]}"; do
	recap "$h" 2 1 0
	[ ! -e "$T/hosts/$h/srv/app/.links" ] || fail "$h: check mode made the state_dir"
done
[ "$(grep -c '^+symlink -> releases/r1$' "$T/out")" -eq 3 ] || fail "check --diff: no diff for each host:
$(cat "$T/out")"

say "apply: changed on every host"
play apply.yml
expect_rc 0
for h in "${hosts[@]}"; do
	recap "$h" 2 1 0
	[ "$(link "$h" current)" = releases/r1 ] || fail "$h: current -> $(link "$h" current)"
	[ "$(link "$h" etc/app.yaml)" = ../shared/app.yaml ] || fail "$h: etc/app.yaml -> $(link "$h" etc/app.yaml)"
done

say "apply again: changed=false everywhere, no journal entry"
journal_lines=$(cat "$T"/hosts/*/srv/app/.links/journal.jsonl | wc -l)
play apply.yml
expect_rc 0
for h in "${hosts[@]}"; do recap "$h" 2 0 0; done
[ "$(cat "$T"/hosts/*/srv/app/.links/journal.jsonl | wc -l)" -eq "$journal_lines" ] || fail "a run with nothing to change wrote the journal"

say "rollout of a new link: h3 has a file in the way and fails; h2 and h4 apply"
echo "h3's own motd" >"$T/hosts/h3/srv/app/etc/motd"
play rollout.yml -e "new_manifest=$tests/fleet/links-v2.yaml"
expect_rc 2
recap h2 3 2 0
recap h4 3 2 0
recap h3 1 1 1
grep -q 'fatal: \[h3\]: FAILED!.*1 conflict, nothing was changed on this host:\\n  etc/motd (motd): a regular file is in the way' "$T/out" ||
	fail "h3's failure does not name the conflict:
$(cat "$T/out")"
[ "$(cat "$T/hosts/h3/srv/app/etc/motd")" = "h3's own motd" ] || fail "h3's motd was touched"
for h in h2 h4; do [ "$(link "$h" etc/motd)" = ../shared/motd ] || fail "$h: etc/motd -> $(link "$h" etc/motd)"; done

say "h3's owner moves the file aside; the rollout converges"
mv "$T/hosts/h3/srv/app/etc/motd" "$T/hosts/h3/srv/app/etc/motd.local"
play rollout.yml -e "new_manifest=$tests/fleet/links-v2.yaml"
expect_rc 0
recap h2 3 0 0
recap h3 3 1 0
recap h4 3 0 0
[ "$(link h3 etc/motd)" = ../shared/motd ] || fail "h3: etc/motd -> $(link h3 etc/motd)"

say "release switch r1 -> r2 with --diff"
play apply.yml --diff -e '{"links_vars": {"release": "r2"}}'
expect_rc 0
for h in "${hosts[@]}"; do
	recap "$h" 2 1 0
	[ "$(link "$h" current)" = releases/r2 ] || fail "$h: current -> $(link "$h" current)"
done
[ "$(grep -c '^+++ after: current (live, update)$' "$T/out")" -eq 3 ] &&
	[ "$(grep -c '^-symlink -> releases/r1$' "$T/out")" -eq 3 ] &&
	[ "$(grep -c '^+symlink -> releases/r2$' "$T/out")" -eq 3 ] || fail "--diff does not show the switch on each host:
$(cat "$T/out")"

say "verify with manifest_info: ok on r2; drift on r1 is data, not a failure"
play verify.yml -e release=r2 -e expect_ok=true
expect_rc 0
for h in "${hosts[@]}"; do recap "$h" 2 0 0; done
play verify.yml -e release=r1 -e expect_ok=false
expect_rc 0
for h in "${hosts[@]}"; do recap "$h" 2 0 0; done

say "rollback by a task: back on r1"
play rollback.yml
expect_rc 0
for h in "${hosts[@]}"; do
	recap "$h" 4 1 0
	[ "$(link "$h" current)" = releases/r1 ] || fail "$h: current -> $(link "$h" current) after rollback"
done

say "a binary too old for the collection, and bad arguments"
mkdir -p "$T/fake"
# Stand-ins for older releases: one that predates `links version` (this is
# what such a binary prints), one that reports an older version.
printf '#!/bin/sh\necho "links: unknown command \\"$1\\"" >&2\nexit 1\n' >"$T/fake/no-version"
printf '#!/bin/sh\necho %s\n' "'{\"format_version\": 1, \"version\": \"v0.0.9\", \"revision\": \"\", \"go\": \"go1.22.0\", \"platform\": \"linux/amd64\"}'" >"$T/fake/v0.0.9"
chmod +x "$T/fake/no-version" "$T/fake/v0.0.9"
adhoc() {
	set +e
	ansible h2 -o -m "$1" -a "$2" >"$T/out" 2>&1
	rc=$?
	set -e
	[ "$rc" -eq 2 ] || fail "ansible h2 -m $1 -a '$2' exited $rc, not 2: $(cat "$T/out")"
	grep -q -- "$3" "$T/out" || fail "ansible h2 -m $1 -a '$2' does not say '$3': $(cat "$T/out")"
}
adhoc linksdev.links.manifest "manifest=$app/links.yaml links_path=$T/fake/no-version" 'is too old for the linksdev.links collection: it has no `links version` command'
adhoc linksdev.links.manifest_info "manifest=$app/links.yaml links_path=$T/fake/v0.0.9" 'is links v0.0.9, too old for the linksdev.links collection (it needs v0.1.0 or newer)'
adhoc linksdev.links.manifest "manifest=links.yaml" "manifest 'links.yaml' is not an absolute path"
adhoc linksdev.links.manifest "manifest=$app/links.yaml lock_timeout=soon" "argument 'lock_timeout' is of type <class 'str'> and we were unable to convert to int"
adhoc linksdev.links.manifest "manifest=$app/links.yaml vars=relase=r2" 'no variable \\"relase\\" is declared under vars:'
adhoc linksdev.links.manifest "manifest=$app/links.yaml vars={\"release\":[\"r2\"]}" 'vars: release must be a string, number or boolean, not list'
[ "$(link h2 current)" = releases/r1 ] || fail "a refused run changed h2"

say "become: the non-root login applies a root-owned manifest with become, and only with it"
as_user=(-e "ansible_user=$fleet_user" -e "ansible_remote_tmp=$fleet_home/.ansible/tmp" -e "fleet_user=$fleet_user sys_dir=$sys")
for h in "${hosts[@]}"; do
	[ "$(stat -c %U:%a "$T/hosts/$h/srv/sys")" = root:755 ] || fail "$h: $sys is not root's"
done
play become.yml "${as_user[@]}" -e use_become=false
expect_rc 2
for h in "${hosts[@]}"; do
	recap "$h" 2 0 1
	[ "$(syslink "$h" current)" = - ] && [ ! -e "$T/hosts/$h/srv/sys/etc" ] && [ ! -e "$T/hosts/$h/srv/sys/.links" ] ||
		fail "$h: the run without become wrote in $sys: $(ls -la "$T/hosts/$h/srv/sys")"
	# links refuses in its plan (a conflict on each link, nothing changed),
	# naming the permission error and the fix.
	grep "^fatal: \\[$h\\]: FAILED!" "$T/out" | grep -qF '"msg": "2 conflicts, nothing was changed on this host:\n  current (live): cannot write in state_dir .links (permission denied, at .): apply keeps its lock, journal and backups there; run links as a user who may write there' ||
		fail "$h: without become, the task does not fail with the permission error:
$(cat "$T/out")"
done
grep -m1 '^fatal: \[h2\]' "$T/out" | grep -o '"msg": "[^"]*"' || true
play become.yml "${as_user[@]}" -e use_become=true
expect_rc 0
for h in "${hosts[@]}"; do
	recap "$h" 4 1 0
	[ "$(syslink "$h" current)" = releases/r1 ] || fail "$h: $sys/current -> $(syslink "$h" current)"
	[ "$(syslink "$h" etc/app.yaml)" = ../shared/app.yaml ] || fail "$h: $sys/etc/app.yaml -> $(syslink "$h" etc/app.yaml)"
	for e in current etc etc/app.yaml .links; do
		[ "$(stat -c %u "$T/hosts/$h/srv/sys/$e")" = 0 ] || fail "$h: $sys/$e is owned by uid $(stat -c %u "$T/hosts/$h/srv/sys/$e"), not root"
	done
done

say "noexec remote tmp: the modules run with ansible_remote_tmp on a noexec tmpfs"
# Without pipelining (and with the remote files kept, to look at them) the
# module file is sent into the remote tmp and run from there by python; with
# pipelining it comes on stdin, and the plan file is still written there.
ANSIBLE_PIPELINING=False ANSIBLE_KEEP_REMOTE_FILES=1 play noexec.yml -e "ansible_remote_tmp=$noexec/ansible release=r2"
expect_rc 0
for h in "${hosts[@]}"; do
	recap "$h" 5 1 0
	[ "$(link "$h" current)" = releases/r2 ] || fail "$h: current -> $(link "$h" current) after the noexec run"
done
# What is in the noexec tmp now, on each host: its mount options, the probe
# script the play could not run, and the module file and plan it kept.
ansible fleet -o -m ansible.builtin.shell -a "findmnt -n -o FSTYPE,OPTIONS --target $noexec/ansible; $noexec/ansible/probe.sh 2>&1; echo probe exit \$?; find $noexec/ansible -name AnsiballZ_manifest.py -o -name 'links-plan-*.json'" >"$T/out" 2>&1 ||
	fail "look in $noexec: $(cat "$T/out")"
grep '^h2 |' "$T/out"
for h in "${hosts[@]}"; do
	grep "^$h |" "$T/out" | grep -q "(stdout) tmpfs  *[^ ]*noexec.*Permission denied.*probe exit 126" ||
		fail "$h: $noexec is not mounted noexec: $(cat "$T/out")"
	grep "^$h |" "$T/out" | grep -q "$noexec/ansible/ansible-tmp-[^/]*/AnsiballZ_manifest.py" &&
		grep "^$h |" "$T/out" | grep -q "$noexec/ansible/ansible-tmp-[^/]*/links-plan-[^/]*\.json" ||
		fail "$h: the module file and its plan are not in the noexec tmp: $(cat "$T/out")"
done
[ ! -e "$noexec/ansible" ] || fail "the noexec tmpfs is not private to the hosts' namespaces"
play noexec.yml -e "ansible_remote_tmp=$noexec/ansible release=r1"
expect_rc 0
for h in "${hosts[@]}"; do
	recap "$h" 5 1 0
	[ "$(link "$h" current)" = releases/r1 ] || fail "$h: current -> $(link "$h" current) after the pipelined noexec run"
done

if [ -n "${FLEET_FIGURES:-}" ]; then
	# shellcheck source=figures.sh
	. "$tests/figures.sh"
fi
say "PASS: the fleet test"
