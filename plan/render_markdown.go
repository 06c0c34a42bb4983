package plan

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes the plan for a pull-request comment: a summary line,
// a warning when anything is displaced or deleted, a table of changes and
// conflicts, and the full list folded in <details>.
func WriteMarkdown(w io.Writer, p *Plan) error {
	bw := &errWriter{w: w}
	s := p.Summary()
	bw.printf("### links plan for %s\n\n", mdSpan(p.Manifest))
	bw.printf("**%s**\n\n", SummaryLine(s))
	if s.Conflict > 0 {
		bw.printf("> [!CAUTION]\n> %d %s: nothing can be applied until every conflict is resolved.\n\n", s.Conflict, pluralize(s.Conflict, "conflict", "conflicts"))
	}
	if s.Replace+s.Delete > 0 {
		var parts []string
		backedUp, deleted := 0, 0
		for _, c := range p.Changes {
			if c.Action == Replace {
				if c.Backup != "" {
					backedUp++
				} else {
					deleted++
				}
			}
		}
		if backedUp > 0 {
			parts = append(parts, fmt.Sprintf("%d %s displaced and moved to %s", backedUp, pluralize(backedUp, "file or folder is", "files or folders are"), mdSpan(p.StateDir+"/backups/")))
		}
		if deleted > 0 {
			parts = append(parts, fmt.Sprintf("%d displaced %s **deleted** (`backup: false`)", deleted, pluralize(deleted, "entry is", "entries are")))
		}
		if s.Delete > 0 {
			parts = append(parts, fmt.Sprintf("%d %s no longer declared %s **deleted**", s.Delete, pluralize(s.Delete, "link", "links"), pluralize(s.Delete, "is", "are")))
		}
		bw.printf("> [!WARNING]\n> %s.\n\n", strings.Join(parts, "; "))
	}
	for _, w := range p.Warnings {
		bw.printf("> [!NOTE]\n> %s\n\n", mdCell(w))
	}
	if s.Changed() || s.Conflict > 0 {
		mdTables(bw, p, func(c *Change) bool { return c.Action != Noop })
	}
	bw.printf("<details><summary>All %s (%d unchanged)</summary>\n\n", countEntries(len(p.Changes)), s.Noop)
	mdTables(bw, p, func(*Change) bool { return true })
	bw.printf("</details>\n")
	return bw.err
}

const mdHeader = "| | Action | Dest | Before | After | Note |\n|---|---|---|---|---|---|\n"

// mdTables writes the changes keep selects: those of no tree in one table,
// then each tree's under a line naming it, with its counts.
func mdTables(bw *errWriter, p *Plan, keep func(c *Change) bool) {
	plain, trees := p.treeGroups(keep)
	if len(plain) > 0 || len(trees) == 0 {
		bw.printf(mdHeader)
		for _, i := range plain {
			mdRow(bw, &p.Changes[i])
		}
		bw.printf("\n")
	}
	for _, name := range p.treeOrder(trees) {
		bw.printf("**%s**\n\n", mdCell(treeHeader(p.tree(name), name)))
		bw.printf(mdHeader)
		for _, i := range trees[name] {
			mdRow(bw, &p.Changes[i])
		}
		bw.printf("\n")
	}
}

func countEntries(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}

func mdRow(bw *errWriter, c *Change) {
	note := mdCell(c.Reason)
	if c.Backup != "" {
		note = strings.TrimSpace(note + " backup: " + mdSpan(c.Backup))
	}
	if c.Restore != "" {
		note = strings.TrimSpace(note + " restored from " + mdSpan(c.Restore))
	}
	bw.printf("| %s | %s | %s | %s | %s | %s |\n", mdEmoji(c.Action), c.Action, mdSpan(c.Dest), mdState(c.Before), mdState(c.After), note)
}

func mdEmoji(a Action) string {
	switch a {
	case Create:
		return "🟢"
	case Update:
		return "🟡"
	case Replace:
		return "🟠"
	case Delete:
		return "🔴"
	case Conflict:
		return "⛔"
	}
	return "⚪"
}

func mdState(s State) string {
	if s.Type == TypeSymlink {
		return "→ " + mdSpan(s.Link)
	}
	return s.Type
}

// mdSpan writes s as a code span that shows it as it is, in a table cell
// too: fenced by one backtick more than the longest run of backticks in
// s (CommonMark), padded with a space when s begins or ends with one, |
// escaped (GFM tables) and line breaks written as \n and \r.
func mdSpan(s string) string {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	body := mdCodeReplacer.Replace(s)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		body = " " + body + " "
	}
	return fence + body + fence
}

// mdCell makes s safe in a table cell outside code spans.
func mdCell(s string) string { return mdCellReplacer.Replace(s) }

// Built once: a Replacer is costly to make and safe to share.
var (
	mdCodeReplacer = strings.NewReplacer("|", "\\|", "\n", "\\n", "\r", "\\r")
	mdCellReplacer = strings.NewReplacer("|", "\\|", "\n", " ", "\r", " ")
)
