package manifest

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Listing ahead. A walk lists one folder at a time, and each listing is a
// few system calls (open the folder, getdents until it is empty, close it)
// plus a sort; between listings the walk works on names. So the folders
// the walk will enter are listed ahead of it, on listAhead goroutines,
// while it works on the folders before them: a tree of 10,000 files in
// 100 folders was walked in ~10 ms with one goroutine (docs/performance.md).
//
// The walk still takes every folder in its order and decides everything
// itself: a listing made ahead is only handed over when the walk gets to
// that folder, so the result (members, errors, the first error in walk
// order) is the one walk gives alone. A folder nobody has started listing
// yet when the walk gets there is listed by the walk itself; one queued
// past the queue's room is simply not listed ahead. Folders the walk will
// not enter (skipped, excluded, folded) are never listed ahead.

// listAhead is how many goroutines list folders ahead of a walk.
const listAhead = 2

// aheadQueue is how many folders may wait to be listed ahead.
const aheadQueue = 1024

// ahead lists folders for one walk; nil until the walk has two folders to
// enter (a flat tree never starts it).
type ahead struct {
	list ListFunc
	q    chan *pending
	stop atomic.Bool
	done sync.WaitGroup
}

// pending is one folder's listing, made ahead or by the walk.
type pending struct {
	dir     string
	taken   atomic.Bool   // a goroutine or the walk has started it
	ready   chan struct{} // closed once a goroutine that took it is done
	entries []SourceEntry // sorted by name
	err     error
}

func newAhead(list ListFunc) *ahead {
	a := &ahead{list: list, q: make(chan *pending, aheadQueue)}
	for range listAhead {
		a.done.Add(1)
		go a.run()
	}
	return a
}

func (a *ahead) run() {
	defer a.done.Done()
	for p := range a.q {
		if a.stop.Load() || !p.taken.CompareAndSwap(false, true) {
			continue
		}
		p.entries, p.err = listSorted(a.list, p.dir)
		close(p.ready)
	}
}

// queue asks for dir to be listed ahead; nil when the queue is full.
func (a *ahead) queue(dir string) *pending {
	p := &pending{dir: dir, ready: make(chan struct{})}
	select {
	case a.q <- p:
		return p
	default:
		return nil
	}
}

// take is dir's listing: made ahead, or made now if no goroutine started
// it.
func (p *pending) take(list ListFunc) ([]SourceEntry, error) {
	if p.taken.CompareAndSwap(false, true) {
		return listSorted(list, p.dir)
	}
	<-p.ready
	return p.entries, p.err
}

// close stops the goroutines once they finish the listing at hand, and
// waits for them (the walk is over: what is still queued is not needed).
func (a *ahead) close() {
	a.stop.Store(true)
	close(a.q)
	a.done.Wait()
}

// listSorted lists dir, sorted by name (the walk's order, whatever order
// the filesystem lists it in).
func listSorted(list ListFunc, dir string) ([]SourceEntry, error) {
	entries, err := list(dir)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(entries, func(a, b SourceEntry) int { return strings.Compare(a.Name, b.Name) })
	return entries, nil
}
