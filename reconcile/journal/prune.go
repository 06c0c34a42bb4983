package journal

import "time"

// A Pruning is a prune of backups in progress: the lock is held (no apply
// moves entries into the backups, no rollback takes them out), and the
// backups are listed from the journal read again under it (an apply may
// have finished since, and its backups are now the ones in use).
type Pruning struct {
	d    *Dir
	lock *Lock
	// All are the backups there are, newest first; Remove those opts
	// picked (PruneCandidates).
	All, Remove []Backup
}

// StartPrune takes the lock, waiting up to timeout, and picks the backups
// to remove. The caller shows them, asks, and calls Finish; Close
// releases the lock either way.
func (d *Dir) StartPrune(timeout time.Duration, opts PruneOptions) (*Pruning, error) {
	lock, err := d.Lock(timeout)
	if err != nil {
		return nil, err
	}
	p := &Pruning{d: d, lock: lock}
	h, err := d.ReadJournal()
	if err == nil {
		p.All, err = d.Backups(h)
	}
	if err != nil {
		lock.Unlock()
		return nil, err
	}
	p.Remove = PruneCandidates(p.All, opts)
	return p, nil
}

// Finish removes what an interrupted prune left (calling leftover with
// each path), then each backup of Remove in turn (calling removed after
// each), stopping at the first that cannot be removed.
func (p *Pruning) Finish(leftover func(path string), removed func(Backup)) error {
	left, err := p.d.RemoveBackupLeftovers()
	for _, l := range left {
		leftover(l)
	}
	if err != nil {
		return err
	}
	for _, b := range p.Remove {
		if err := p.d.RemoveBackup(b.ApplyID); err != nil {
			return err
		}
		removed(b)
	}
	return nil
}

// Close releases the lock.
func (p *Pruning) Close() error { return p.lock.Unlock() }
