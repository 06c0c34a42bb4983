#!/bin/sh
# links-textfile: write links verify's metrics where node_exporter's
# textfile collector reads them, atomically: into a temporary file in the
# same folder (a name not ending in .prom, which the collector skips),
# then renamed over the old one, so that a scrape never sees half a file.
# Run it from cron or a systemd timer (docs/monitoring.md).
#
#   LINKS_MANIFEST      the manifest to verify (default /srv/app/links.yaml)
#   LINKS_TEXTFILE_DIR  node_exporter's --collector.textfile.directory
#                       (default /var/lib/node_exporter/textfile_collector)
#   LINKS_TEXTFILE      the file's name there (default links.prom; one per
#                       manifest when a host has several)
set -u
manifest=${LINKS_MANIFEST:-/srv/app/links.yaml}
dir=${LINKS_TEXTFILE_DIR:-/var/lib/node_exporter/textfile_collector}
out=$dir/${LINKS_TEXTFILE:-links.prom}

tmp=$(mktemp "$dir/.links-textfile.XXXXXX") || exit 1
links -f "$manifest" verify -o prometheus >"$tmp"
status=$?
case $status in
0 | 2)
	# 0: in sync; 2: drift or broken links. Both are metrics to publish.
	chmod 0644 "$tmp" && mv -f "$tmp" "$out" && exit 0
	rm -f "$tmp"
	exit 1
	;;
*)
	# 1: links could not verify (a bad manifest, an I/O error: its
	# message is on stderr). Keep the last file; its age
	# (node_textfile_mtime_seconds) tells the alert.
	rm -f "$tmp"
	exit "$status"
	;;
esac
