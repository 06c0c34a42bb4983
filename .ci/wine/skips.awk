# Why each skipped test skipped, from `go test -v` output: the last
# message a test logged (its t.Skip reason, or a testscript script's
# "skip 'reason'" line) before its --- SKIP line.
/^=== (RUN|CONT|NAME) / { cur = $3; next }
/^ *> .*skip '/ { r = $0; sub(/.*skip '/, "", r); sub(/'.*/, "", r); msg[cur] = r; next }
/^ +[A-Za-z0-9_]+\.go:[0-9]+: / { r = $0; sub(/^ +[A-Za-z0-9_]+\.go:[0-9]+: /, "", r); msg[cur] = r; next }
/^ *--- SKIP: / { print (($3 in msg) ? msg[$3] : "(reason not shown)") }
