# Timings for ansible/linksdev/links/docs/performance.md. Sourced by
# fleet.sh when FLEET_FIGURES=1, once its fleet is up and its test passed
# (uses $T, $app, $tests, play, fail, say). Prints a table to
# $T/figures.md and stdout; never fails on a timing.

runs=${FIGURE_RUNS:-5}
fig=$T/figures.md

# wall CMD...: seconds the command took (it must succeed).
wall() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >"$T/out" 2>&1 || fail "$* failed: $(cat "$T/out")"
	t1=$(date +%s.%N)
	calc "$t1 - $t0"
}
# median CMD...: the median wall time of $runs runs.
median() {
	local i
	for i in $(seq "$runs"); do wall "$@"; done | sort -n | awk '{a[NR]=$1} END {printf "%.2f", (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
}
calc() { awk "BEGIN { print $1 }"; }
row() { printf '| %s | %s |\n' "$1" "$2" | tee -a "$fig"; }

say "figures: one-task play against ansible -m ping ($runs runs each, median)"
{
	echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start;"
	echo "$(ansible --version 2>/dev/null | sed -n 1p | tr -d '[]'), pipelining on, ControlPersist on, forks 5."
	echo
	echo "| what | median wall time (s) |"
	echo "|---|---|"
} | tee "$fig"
# tasks.yml with N copies of one task: the slope between 1 and 11 copies is
# the cost of one more task, without ansible-playbook's own start-up.
tasks() {
	local name=$1 n=$2 body=$3 i
	{
		echo "- hosts: fleet"
		echo "  gather_facts: false"
		echo "  tasks:"
		for i in $(seq "$n"); do printf '    - %s\n' "$body"; done
	} >"$T/$name-$n.yml"
}
for n in 1 11; do
	tasks ping "$n" 'ansible.builtin.ping:'
	tasks manifest "$n" 'linksdev.links.manifest: {manifest: "{{ app_dir }}/links.yaml"}'
	tasks info "$n" 'linksdev.links.manifest_info: {manifest: "{{ app_dir }}/links.yaml"}'
done
ansible fleet -m ansible.builtin.ping >/dev/null # warm the SSH connections
row "ansible fleet -m ping (3 hosts)" "$(median ansible fleet -m ansible.builtin.ping)"
for t in ping manifest info; do
	one=$(median ansible-playbook "$T/$t-1.yml")
	row "one-task play over 3 hosts: $t" "$one"
	if [ "$t" != info ]; then
		eleven=$(median ansible-playbook "$T/$t-11.yml")
		row "one more $t task over 3 hosts: (11-task play - 1-task play) / 10" "$(calc "($eleven - $one) / 10" | xargs printf '%.2f')"
	fi
done
row "one-task play over 3 hosts: manifest in check mode" "$(median ansible-playbook --check "$T/manifest-1.yml")"

say "figures: 10,000 links on one host, module against a file state=link loop"
big=$T/hosts/h2/srv/big # h2's folder; h2 sees it at $T/srv/big
mkdir -p "$big/data"
(
	cd "$big/data"
	seq -f '%05g' 0 9999 | xargs touch
)
{
	echo "version: 1"
	echo "links:"
	seq -f '%05g' 0 9999 | awk '{printf "  l%s:\n    dest: links/%s\n    target: data/%s\n", $1, $1, $1}'
} >"$big/links.yaml"
cat >"$T/big.yml" <<EOF
- hosts: h2
  gather_facts: false
  tasks:
    - linksdev.links.manifest:
        manifest: "$T/srv/big/links.yaml"
EOF
sample=${FIGURE_SAMPLE:-200}
cat >"$T/loop.yml" <<EOF
- hosts: h2
  gather_facts: false
  tasks:
    - ansible.builtin.file:
        src: "../data/{{ '%05d' % item }}"
        dest: "$T/srv/big/loop/{{ '%05d' % item }}"
        state: link
      loop: "{{ range(0, $sample) | list }}"
EOF
mkdir -p "$big/loop"
empty=$(median ansible-playbook -l h2 "$T/ping-1.yml") # start-up and one task on h2
create=$(wall ansible-playbook "$T/big.yml")
[ "$(find "$big/links" -type l | wc -l)" -eq 10000 ] || fail "the module did not make 10,000 links"
again=$(median ansible-playbook "$T/big.yml")
checked=$(median ansible-playbook --check "$T/big.yml")
loop=$(wall ansible-playbook "$T/loop.yml")
[ "$(find "$big/loop" -type l | wc -l)" -eq "$sample" ] || fail "the loop did not make $sample links"
per=$(calc "($loop - $empty) / $sample")
{
	echo
	echo "| 10,000 links on one host | wall time (s) |"
	echo "|---|---|"
	printf '| linksdev.links.manifest, creating all 10,000 (one run) | %.1f |\n' "$create"
	printf '| linksdev.links.manifest, nothing to change (median) | %.1f |\n' "$again"
	printf '| linksdev.links.manifest, check mode (median) | %.1f |\n' "$checked"
	printf '| ansible.builtin.file state=link loop, %d items, measured (one run) | %.1f |\n' "$sample" "$loop"
	printf '| the loop per item, (measured - one-task play %.2f s) / %d | %.3f |\n' "$empty" "$sample" "$per"
	printf '| the loop for 10,000 items, **extrapolated** from the %d-item sample | %.0f |\n' "$sample" "$(calc "$empty + 10000 * $per")"
} | tee -a "$fig"

