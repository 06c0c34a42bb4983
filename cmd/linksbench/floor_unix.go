//go:build unix

package main

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// The raw-syscall floor: the least work any tool must do to create,
// replace or observe the same links, with the same number of workers.
// Folders are opened once and every operation is an *at system call on a
// single name in a folder handle.

// unit is a slice of one folder's links that one worker handles.
type unit struct{ dir, lo, hi int }

// units splits ls into work units: one per folder, or, when there are
// fewer folders than workers (the flat layout), each folder cut in
// workers parts so both workers have work.
func units(ls *linkSet, workers int) []unit {
	var out []unit
	for d, names := range ls.Names {
		parts := 1
		if len(ls.Dirs) < workers {
			parts = workers
		}
		n := len(names)
		for p := range parts {
			lo, hi := p*n/parts, (p+1)*n/parts
			if lo < hi {
				out = append(out, unit{d, lo, hi})
			}
		}
	}
	return out
}

// parallel runs f on every unit with the given number of workers.
func parallel(us []unit, workers int, f func(u unit) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1)) - 1
				if k >= len(us) {
					return
				}
				if err := f(us[k]); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func openDirs(ls *linkSet) ([]int, error) {
	fds := make([]int, len(ls.Dirs))
	for i, d := range ls.Dirs {
		fd, err := unix.Open(d, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			closeDirs(fds[:i])
			return nil, fmt.Errorf("open %s: %w", d, err)
		}
		fds[i] = fd
	}
	return fds, nil
}

func closeDirs(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// syncDirs fsyncs every folder once, with the workers.
func syncDirs(ls *linkSet, fds []int, workers int) error {
	us := make([]unit, len(fds))
	for i := range fds {
		us[i] = unit{dir: i}
	}
	return parallel(us, workers, func(u unit) error {
		if err := unix.Fsync(fds[u.dir]); err != nil {
			return fmt.Errorf("fsync %s: %w", ls.Dirs[u.dir], err)
		}
		return nil
	})
}

// floorCreate makes every link of ls with symlinkat; with fsync, each
// folder is then fsynced once (what a durable apply must do at least).
func floorCreate(ls *linkSet, workers int, fsync bool) error {
	return floorEach(ls, workers, fsync, func(fd int, dir, name, text string) error {
		if err := unix.Symlinkat(text, fd, name); err != nil {
			return fmt.Errorf("symlinkat %s/%s: %w", dir, name, err)
		}
		return nil
	})
}

// floorCreateMkdir is floorCreate into folders it makes: top (whose parent
// exists) and ls's folders, which are top or folders in it, made with
// mkdirat as each worker reaches them; then every folder, top and top's
// parent are fsynced (the new folders' entries too). It is what a tree
// apply does at least: its dest folder and the folders its links go in do
// not exist yet.
func floorCreateMkdir(ls *linkSet, top string, workers int) error {
	if err := unix.Mkdir(top, 0o755); err != nil {
		return fmt.Errorf("mkdir %s: %w", top, err)
	}
	tfd, err := unix.Open(top, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", top, err)
	}
	defer unix.Close(tfd)
	fds := make([]int, len(ls.Dirs))
	var mu sync.Mutex
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, fd := range fds {
			if fd > 0 {
				unix.Close(fd)
			}
		}
	}()
	// open makes folder d (once) and returns its handle.
	open := func(d int) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		if fds[d] > 0 {
			return fds[d], nil
		}
		dir := ls.Dirs[d]
		if dir == top {
			fd, err := unix.Dup(tfd)
			fds[d] = fd
			return fd, err
		}
		name := filepath.Base(dir)
		if filepath.Dir(dir) != top {
			return 0, fmt.Errorf("%s is not a folder in %s", dir, top)
		}
		if err := unix.Mkdirat(tfd, name, 0o755); err != nil {
			return 0, fmt.Errorf("mkdirat %s: %w", dir, err)
		}
		fd, err := unix.Openat(tfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return 0, fmt.Errorf("open %s: %w", dir, err)
		}
		fds[d] = fd
		return fd, nil
	}
	err = parallel(units(ls, workers), workers, func(u unit) error {
		fd, err := open(u.dir)
		if err != nil {
			return err
		}
		names, texts := ls.Names[u.dir], ls.Texts[u.dir]
		for i := u.lo; i < u.hi; i++ {
			if err := unix.Symlinkat(texts[i], fd, names[i]); err != nil {
				return fmt.Errorf("symlinkat %s/%s: %w", ls.Dirs[u.dir], names[i], err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := syncDirs(ls, fds, workers); err != nil {
		return err
	}
	if err := unix.Fsync(tfd); err != nil {
		return fmt.Errorf("fsync %s: %w", top, err)
	}
	pfd, err := unix.Open(filepath.Dir(top), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", filepath.Dir(top), err)
	}
	defer unix.Close(pfd)
	if err := unix.Fsync(pfd); err != nil {
		return fmt.Errorf("fsync %s: %w", filepath.Dir(top), err)
	}
	return nil
}

// floorEach opens every folder of ls and calls link for each of its links
// (the folder's handle and name, the link's name and new text), the links
// spread over workers; with fsync, each folder is then fsynced once.
func floorEach(ls *linkSet, workers int, fsync bool, link func(fd int, dir, name, text string) error) error {
	fds, err := openDirs(ls)
	if err != nil {
		return err
	}
	defer closeDirs(fds)
	err = parallel(units(ls, workers), workers, func(u unit) error {
		fd, names, texts := fds[u.dir], ls.Names[u.dir], ls.Texts[u.dir]
		for i := u.lo; i < u.hi; i++ {
			if err := link(fd, ls.Dirs[u.dir], names[i], texts[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && fsync {
		err = syncDirs(ls, fds, workers)
	}
	return err
}

// floorReplace points every existing link of ls at its new text the
// atomic way: a temporary link in the same folder renamed over the old
// one (renameat), then, with fsync, one fsync per folder.
func floorReplace(ls *linkSet, workers int, fsync bool) error {
	return floorEach(ls, workers, fsync, func(fd int, dir, name, text string) error {
		tmp := "." + name + ".tmp"
		if err := unix.Symlinkat(text, fd, tmp); err != nil {
			return fmt.Errorf("symlinkat %s/%s: %w", dir, tmp, err)
		}
		if err := unix.Renameat(fd, tmp, fd, name); err != nil {
			return fmt.Errorf("renameat %s/%s: %w", dir, name, err)
		}
		return nil
	})
}

// floorObserve reads every link of ls the way a plan must at least:
// fstatat without following, then readlinkat. It checks each is a
// symlink with the expected text, so that a wrong tree cannot pass as fast.
func floorObserve(ls *linkSet, workers int) error {
	fds, err := openDirs(ls)
	if err != nil {
		return err
	}
	defer closeDirs(fds)
	return parallel(units(ls, workers), workers, func(u unit) error {
		fd, names, texts := fds[u.dir], ls.Names[u.dir], ls.Texts[u.dir]
		var st unix.Stat_t
		buf := make([]byte, 4096)
		for i := u.lo; i < u.hi; i++ {
			if err := unix.Fstatat(fd, names[i], &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				return fmt.Errorf("fstatat %s/%s: %w", ls.Dirs[u.dir], names[i], err)
			}
			if st.Mode&unix.S_IFMT != unix.S_IFLNK {
				return fmt.Errorf("%s/%s is not a symlink", ls.Dirs[u.dir], names[i])
			}
			n, err := unix.Readlinkat(fd, names[i], buf)
			if err != nil {
				return fmt.Errorf("readlinkat %s/%s: %w", ls.Dirs[u.dir], names[i], err)
			}
			if string(buf[:n]) != texts[i] {
				return fmt.Errorf("%s/%s: link text %q, want %q", ls.Dirs[u.dir], names[i], buf[:n], texts[i])
			}
		}
		return nil
	})
}

// floorSupported reports whether this platform has the raw floor.
const floorSupported = true
