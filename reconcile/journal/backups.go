package journal

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/linksdev/links/plan"
)

// BackupsDir is the folder in state_dir that holds displaced entries, one
// folder per apply: state_dir/backups/<apply-id>/<dest> (plan.BackupPath).
const BackupsDir = plan.BackupsDir

// Backup is one apply's backup folder.
type Backup struct {
	// ApplyID is the folder's name: the apply that displaced its entries.
	ApplyID string
	// Path is the folder, relative to root.
	Path string
	// Time is when the backup was made: the apply's start in the journal,
	// else the time in its id, else the folder's modification time.
	Time time.Time
	// Entries counts the displaced files and folders the journal records
	// in it that are still there; -1 when the journal names none.
	Entries int
	// Files counts everything in it that is not a folder; Size adds up
	// the regular files' sizes in bytes.
	Files int
	Size  int64
	// InUse: the newest apply in the journal made or refers to it, or
	// the newest that changed links does (when newer ones only cleaned a
	// killed run's leftovers); it is never pruned (rollback needs it).
	InUse bool
	// Known: its name is an apply id or the journal refers to it. A
	// folder links does not recognise is listed but never pruned.
	Known bool
	// Holds lists the dests of managed links that displaced an entry now
	// in this backup: deleting such a link gives the entry back, so the
	// backup is pruned only when the user asks for it by name
	// (PruneOptions.IncludeHeld).
	Holds []string
}

// backupsPath is state_dir/backups, relative to root.
func (d *Dir) backupsPath() string { return path.Join(d.rel, BackupsDir) }

// checkBackupsDir makes sure state_dir/backups is a real folder: links
// reads and prunes only there, never through a symlink someone put in its
// place. ok is false if it does not exist.
func (d *Dir) checkBackupsDir() (ok bool, err error) {
	bdir := d.backupsPath()
	fi, err := d.root.Lstat(bdir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("backups folder %s: %w", bdir, bare(err))
	case fi.Mode()&fs.ModeSymlink != 0:
		return false, fmt.Errorf("backups folder %s is a symlink; links manages backups only in a real folder, so it leaves this one alone", bdir)
	case !fi.IsDir():
		return false, fmt.Errorf("backups folder %s is not a folder", bdir)
	}
	return true, nil
}

// readBackupsDir lists state_dir/backups (its path, and nil entries when
// it is missing).
func (d *Dir) readBackupsDir() (string, []fs.DirEntry, error) {
	ok, err := d.checkBackupsDir()
	if !ok || err != nil {
		return "", nil, err
	}
	bdir := d.backupsPath()
	f, err := d.root.Open(bdir)
	if err != nil {
		return "", nil, fmt.Errorf("read backups folder %s: %w", bdir, bare(err))
	}
	ents, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return "", nil, fmt.Errorf("read backups folder %s: %w", bdir, bare(err))
	}
	if ents == nil {
		ents = []fs.DirEntry{}
	}
	return bdir, ents, nil
}

// Backups lists the backup folders in state_dir/backups, newest first,
// with what the journal h says about them (h may be empty). It reads
// only; a missing backups folder is an empty list. Symlinks in the
// folder are never followed.
func (d *Dir) Backups(h *History) ([]Backup, error) {
	bdir, ents, err := d.readBackupsDir()
	if ents == nil || err != nil {
		return nil, err
	}

	facts := d.backupFacts(h, bdir+"/")
	var out []Backup
	for _, e := range ents {
		name := e.Name()
		if !e.IsDir() || strings.Contains(name, TempMarker) {
			continue // a symlink or file is not a backup; a half-pruned folder is cleaned by prune
		}
		out = append(out, d.backup(bdir, e, facts))
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.After(out[j].Time)
		}
		return out[i].ApplyID > out[j].ApplyID
	})
	return out, nil
}

// measure counts the non-folders under dir and adds up the regular files'
// sizes, without following symlinks. Unreadable parts are left out.
func (d *Dir) measure(dir string) (files int, size int64) {
	_ = fs.WalkDir(d.root.FS(), dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() && p != dir {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		files++
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				size += fi.Size()
			}
		}
		return nil
	})
	return files, size
}

// PruneOptions choose the backups PruneCandidates picks.
type PruneOptions struct {
	// OlderThan, when positive, picks the backups made more than this long
	// before Now.
	OlderThan time.Duration
	// Keep, when zero or more, picks the backups beyond the Keep newest
	// (counting every backup links recognises, in use or not).
	Keep int
	// Now is the time ages are measured from.
	Now time.Time
	// IncludeHeld also picks backups that managed links will give back
	// (Backup.Holds); without it they are kept.
	IncludeHeld bool
}

// PruneCandidates returns the backups of list (newest first, as Backups
// returns it) that opts pick: with both rules set, only those both pick
// (Keep keeps the newest whatever their age). A backup in use by the
// newest apply, or one links does not recognise, is never picked. With
// neither rule set nothing is picked.
func PruneCandidates(list []Backup, opts PruneOptions) []Backup {
	if opts.OlderThan <= 0 && opts.Keep < 0 {
		return nil
	}
	var out []Backup
	rank := 0
	for _, b := range list {
		if !b.Known {
			continue
		}
		rank++
		if b.InUse || len(b.Holds) > 0 && !opts.IncludeHeld {
			continue
		}
		if opts.OlderThan > 0 && opts.Now.Sub(b.Time) <= opts.OlderThan {
			continue
		}
		if opts.Keep >= 0 && rank <= opts.Keep {
			continue
		}
		out = append(out, b)
	}
	return out
}

// validBackupName reports whether id can be a backup folder's name.
func validBackupName(id string) bool {
	return id != "" && id != "." && id != ".." && !strings.ContainsAny(id, `/\`) && !strings.Contains(id, TempMarker)
}

// RemoveBackup deletes the backup folder state_dir/backups/<id> and all it
// holds. The caller holds the lock. Only a real folder directly in a real
// state_dir/backups is removed; a symlink is refused, never followed.
// The folder is first renamed to a temporary name, so a removal cut short
// never leaves a partial backup under the apply's id; the next prune
// finishes it (RemoveBackupLeftovers).
func (d *Dir) RemoveBackup(id string) error {
	if !validBackupName(id) {
		return fmt.Errorf("%q is not a backup folder name", id)
	}
	bdir := d.backupsPath()
	ok, err := d.checkBackupsDir()
	if err != nil {
		return err
	}
	p := path.Join(bdir, id)
	if !ok {
		return fmt.Errorf("remove backup %s: %w", p, fs.ErrNotExist)
	}
	fi, err := d.root.Lstat(p)
	if err != nil {
		return fmt.Errorf("remove backup %s: %w", p, bare(err))
	}
	if !fi.IsDir() || fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("remove backup %s: not a folder; links removes only backup folders", p)
	}
	trash := path.Join(bdir, TempName(id))
	if err := d.root.Rename(p, trash); err != nil {
		return fmt.Errorf("remove backup %s: %w", p, bare(err))
	}
	if err := d.root.RemoveAll(trash); err != nil {
		return fmt.Errorf("remove backup %s: %w (what is left is at %s; the next links backups prune removes it)", p, bare(err), trash)
	}
	if err := d.syncDir(bdir); err != nil {
		return fmt.Errorf("fsync %s: %w", bdir, err)
	}
	return nil
}

// RemoveBackupLeftovers deletes what a RemoveBackup cut short left in
// state_dir/backups (folders named .<id>.links-tmp.<random>) and returns
// their paths. The caller holds the lock.
func (d *Dir) RemoveBackupLeftovers() ([]string, error) {
	bdir, ents, err := d.readBackupsDir()
	if ents == nil || err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range ents {
		name := e.Name()
		if !e.IsDir() || !strings.HasPrefix(name, ".") || !strings.Contains(name, TempMarker) {
			continue
		}
		p := path.Join(bdir, name)
		if err := d.root.RemoveAll(p); err != nil {
			return removed, fmt.Errorf("remove %s: %w", p, bare(err))
		}
		removed = append(removed, p)
	}
	if len(removed) > 0 {
		if err := d.syncDir(bdir); err != nil {
			return removed, fmt.Errorf("fsync %s: %w", bdir, err)
		}
	}
	return removed, nil
}

// backupFacts is what the journal and the state file say of the backup
// folders (by apply id).
type backupFacts struct {
	starts  map[string]time.Time       // when each apply ran
	entries map[string]map[string]bool // the backup paths each apply made
	inUse   map[string]bool            // used by the newest apply, or the newest that changed links
	holds   map[string][]string        // the managed links that will give them back
}

// backupFacts reads h and the state file for the backups whose paths
// start with prefix (state_dir/backups/).
func (d *Dir) backupFacts(h *History, prefix string) backupFacts {
	f := backupFacts{starts: map[string]time.Time{}, entries: map[string]map[string]bool{}, inUse: map[string]bool{}, holds: map[string][]string{}}
	folderOf := func(p string) string {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			return ""
		}
		id, _, _ := strings.Cut(rest, "/")
		return id
	}
	if h == nil {
		h = &History{}
	}
	for _, a := range h.Applies {
		f.starts[a.ID] = a.Start
		for _, s := range a.Steps {
			if id := folderOf(s.Backup); id != "" && s.Status == StepDone {
				if f.entries[id] == nil {
					f.entries[id] = map[string]bool{}
				}
				f.entries[id][s.Backup] = true
			}
		}
	}
	// The newest apply, and the newest that changed links (what links
	// rollback undoes by default; the newest may only have cleaned a
	// killed run's leftovers).
	last := h.LastChange()
	for i := len(h.Applies) - 1; i >= 0; i-- {
		a := h.Applies[i]
		f.inUse[a.ID] = true
		for _, s := range a.Steps {
			if id := folderOf(s.Backup); id != "" {
				f.inUse[id] = true
			}
		}
		if a == last {
			break
		}
	}
	if owned, err := d.ReadState(); err == nil {
		for dest, o := range owned.Links {
			if id := folderOf(o.Backup); id != "" {
				f.holds[id] = append(f.holds[id], dest)
			}
		}
	}
	return f
}

// backup describes the backup folder e of bdir.
func (d *Dir) backup(bdir string, e fs.DirEntry, f backupFacts) Backup {
	name := e.Name()
	b := Backup{ApplyID: name, Path: path.Join(bdir, name), Entries: -1, InUse: f.inUse[name], Holds: f.holds[name]}
	sort.Strings(b.Holds)
	_, journaled := f.starts[name]
	idTime, isID := plan.IDTime(name)
	b.Known = journaled || f.entries[name] != nil || isID
	switch t := f.starts[name]; {
	case !t.IsZero():
		b.Time = t
	case isID:
		b.Time = idTime
	}
	if b.Time.IsZero() {
		if fi, err := e.Info(); err == nil {
			b.Time = fi.ModTime()
		}
	}
	if es := f.entries[name]; es != nil {
		b.Entries = 0
		for p := range es {
			if _, err := d.root.Lstat(p); err == nil {
				b.Entries++
			}
		}
	}
	b.Files, b.Size = d.measure(b.Path)
	return b
}
