package journal

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"
)

// LockFile is the lock's name inside state_dir.
const LockFile = "lock"

// Lock is the exclusive lock an apply holds on a root's state_dir.
type Lock struct {
	f *os.File
	d *Dir
}

// Lock takes the lock in state_dir (creating state_dir), waiting up to
// timeout for another holder to release it. The lock is an flock on an open
// file: the kernel drops it when the process dies.
func (d *Dir) Lock(timeout time.Duration) (*Lock, error) {
	p := path.Join(d.rel, LockFile)
	f, err := d.openStateFile(LockFile, "lock file", os.O_RDWR|os.O_CREATE)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	wait := 10 * time.Millisecond
	for {
		err := tryLock(f)
		if err == nil {
			break
		}
		if !errors.Is(err, errLocked) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", p, err)
		}
		if !time.Now().Before(deadline) {
			holder, _ := io.ReadAll(io.LimitReader(f, 512))
			f.Close()
			return nil, &LockError{Path: p, Holder: strings.TrimSpace(string(holder))}
		}
		time.Sleep(wait)
		if wait < 200*time.Millisecond {
			wait *= 2
		}
	}
	// Say who holds it, for the message another apply prints.
	a := CurrentActor()
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "pid %d, user %s, host %s, since %s", a.PID, a.User, a.Host, time.Now().UTC().Format(time.RFC3339))
	}
	d.setHeld(true)
	return &Lock{f: f, d: d}, nil
}

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.d.setHeld(false)
	_ = l.f.Truncate(0)
	err := l.f.Close()
	l.f = nil
	return err
}

var errLocked = errors.New("locked")
