package main

import (
	"flag"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite testscript golden files (cmp) from actual output")

// TestMain lets testscript scripts run `links` in-process: the test binary
// re-executes itself as the command.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"links": func() { os.Exit(Main(os.Args[1:])) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: each is a
// txtar archive of files plus commands, run in a fresh temporary folder.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// readlink PATH TEXT: PATH is a symlink whose text is TEXT.
			"readlink": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: readlink PATH TEXT")
				}
				got, err := os.Readlink(ts.MkAbs(args[0]))
				if neg {
					if err == nil && got == args[1] {
						ts.Fatalf("%s -> %s, want anything else", args[0], got)
					}
					return
				}
				ts.Check(err)
				if got != args[1] {
					ts.Fatalf("%s -> %s, want %s", args[0], got, args[1])
				}
			},
			// symlink TEXT PATH: make a symlink, like ln -s.
			"symlink": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: symlink TEXT PATH")
				}
				ts.Check(os.Symlink(args[0], ts.MkAbs(args[1])))
			},
		},
		Setup: func(e *testscript.Env) error {
			e.Setenv("NO_COLOR", "")
			e.Setenv("HOME", e.WorkDir+"/home")
			return nil
		},
	})
}
