package docs_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestMigratingFromStow runs migrating-from-stow.md as the script it says
// it is: every sh block, in order, in an empty home folder, against the
// real GNU Stow (Debian's package; .ci/trees.sh installs it) and the
// links built from this checkout. The blocks check their own outcome
// (test -L, links plan --detailed-exitcode, links verify).
func TestMigratingFromStow(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the page is a POSIX shell script")
	}
	stow, err := exec.LookPath("stow")
	if err != nil {
		t.Skip("GNU stow is not installed (apt-get install stow; .ci/trees.sh does), so the migration page cannot be run")
	}
	data, err := os.ReadFile("migrating-from-stow.md")
	if err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	n := 0
	for _, b := range blocks(string(data)) {
		if b.info == "sh" {
			script.WriteString("echo '+ migrating-from-stow.md:" + strconv.Itoa(b.line) + "'\n")
			script.WriteString(b.body)
			n++
		}
	}
	if n < 4 {
		t.Fatalf("found %d sh blocks in migrating-from-stow.md, want the whole migration (at least 4)", n)
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "links"), "./cmd/links")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/links: %v\n%s", err, out)
	}
	home := t.TempDir()
	cmd := exec.Command("bash", "-c", script.String())
	cmd.Dir = home
	cmd.Env = []string{
		"HOME=" + home,
		"PATH=" + bin + string(os.PathListSeparator) + filepath.Dir(stow) + string(os.PathListSeparator) + "/usr/bin:/bin",
		"LANG=C.UTF-8",
		"NO_COLOR=1",
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the migration script failed: %v\n%s", err, out)
	}
	// What the page shows happening, happened.
	for _, want := range []string{
		"Imported 5 symlinks (3 trees) into links.yaml.",
		"No changes. 5 links in " + home + " match the manifest.",
		"is a symlink into this tree's own source dotfiles/tmux (a folder GNU Stow folded",
		"conflicts, as expected",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
