// Command links keeps symbolic links in the state a committed YAML manifest
// declares.
//
// Usage:
//
//	links [global flags] COMMAND [flags] [args]
//
// Commands:
//
//	init       print (or --write) a commented starter manifest
//	validate   check manifests against their schema and rules; touches no file
//	schema     print the manifest's JSON Schema
//	plan       show what apply would change (--out FILE, --detailed-exitcode)
//	apply      make the changes (PLANFILE, --auto-approve, --lock-timeout D)
//	verify     check every declared link exists, has its text, and resolves
//	rollback   undo an apply (default: the last), backups included
//	log        list past applies from the journal, or show one
//	backups    list backups of displaced files and folders; prune old ones
//	scan       report every symlink under paths: ok, broken, loop, escapes
//	import     print a manifest declaring the symlinks found
//	version    print the version, revision, Go version and platform
//	completion print a completion script for bash, zsh or fish
//
// Global flags (before or after the command):
//
//	-f, --file PATH        the manifest (default links.yaml, or $LINKS_FILE)
//	-o, --output FORMAT    text, json, markdown or prometheus (default text);
//	                       a format the command does not write is an error
//	--var NAME=VALUE       override a declared variable (repeatable)
//	--color WHEN           auto, always or never (NO_COLOR, CLICOLOR_FORCE)
//	--no-color             no colour (--color never)
//	-C DIR                 run as if started in DIR
//	--version              print the version
//
// docs/commands.md explains each command; docs/cli.md and the man page
// docs/links.1 are generated from these definitions (docgen_test.go).
//
// Exit codes: 0 success or nothing to do; 1 error, conflict or refusal;
// 2 changes to make (plan --detailed-exitcode), drift (verify), findings (scan).
//
// Main runs the command in-process and returns its exit code; it never calls
// os.Exit, so tests drive it directly.
package main
