package plan

import "path"

// BackupsDir is the folder in state_dir that holds displaced entries, one
// folder per apply.
const BackupsDir = "backups"

// BackupPath is where apply id moves what it displaces from dest:
// state_dir/backups/<id>/<dest>, relative to root. Entries apply finds
// rather than displaces (a killed apply's leftovers, what appeared at a
// dest while it worked) go under a subfolder of the same apply's backups:
// BackupPath(stateDir, id, "recovered/"+where) and "raced/"+where.
func BackupPath(stateDir, id, dest string) string {
	return path.Join(stateDir, BackupsDir, id, dest)
}
