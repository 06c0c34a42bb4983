package reconcile

import (
	"sort"

	"github.com/linksdev/links/plan"
)

// A schedule is the order in which apply journals and makes a plan's
// changes. Intents are journaled in batches, each made durable before any
// of its changes starts. The changes are made in steps, each finished
// before the next starts:
//
//  1. deletes, one at a time, in plan order (a folder may need to lose a
//     link before something else takes its place);
//  2. the changes that need no other change of the plan (most often all of
//     them), on the workers: each folder's changes on one worker, in plan
//     order (renames in one folder contend for its lock in the kernel);
//  3. the changes whose target goes through another declared link that the
//     plan changes, level by level after the links they need, each level
//     as in 2.
//
// Within a step, each batch holds a slice of every worker's share, so the
// workers go through the batches together, and a worker starts its part
// of the next batch as soon as that batch's intents are durable, without
// waiting for the others to finish theirs. (With a wait at every batch's
// end, a batch of 4,096 links spread over a few folders kept a worker idle
// while the other finished its folders: ~20% of apply's change phase.)
type schedule struct {
	batches [][]int // change indexes, in the order their intents are journaled
	steps   []step
}

// A step is one queue of segments per worker (one queue: no parallelism).
type step [][]segment

// A segment is a worker's part of one batch.
type segment struct {
	batch int
	idx   []int
}

// newSchedule schedules the changes todo (indexes of p.Changes in
// p.Order(), no no-ops) in batches of up to batch intents, on up to
// workers goroutines. A step of fewer than parallelMin changes has one
// queue.
func newSchedule(p *plan.Plan, todo []int, batch, workers int) *schedule {
	var deletes []int
	var levels [][]int
	var inTodo map[string]int // dest -> level, only when some change needs another
	for _, i := range todo {
		if p.Changes[i].Needs != "" {
			inTodo = make(map[string]int, len(todo))
			for _, i := range todo {
				inTodo[p.Changes[i].Dest] = 0
			}
			break
		}
	}
	if inTodo == nil && !hasDelete(p, todo) {
		levels = [][]int{todo} // the common case: one step of them all
	} else {
		deletes, levels = byLevel(p, todo, inTodo)
	}
	s := &schedule{}
	if len(deletes) > 0 {
		s.add([][]int{deletes}, batch)
	}
	for _, idx := range levels {
		if len(idx) == 0 {
			continue
		}
		shares := [][]int{idx}
		if workers > 1 && len(idx) >= parallelMin {
			shares = deal(idx, p, workers)
		}
		s.add(shares, batch)
	}
	return s
}

// scheduleAll orders p's changes (Order), keeps those to make, and
// schedules them, all of what apply's prepare computes beside its reads.
// Most plans have no delete and no change that needs another: their
// changes are made in plan order, in one step, and one pass over them
// finds the changes to make and their folders. (Order, the filter,
// newSchedule's checks and deal each went through every change: five
// passes over 25 MB at 100,000 changes, 5-15 ms before the first change
// could start.) Any other plan takes the general way.
func scheduleAll(p *plan.Plan, batch, workers int) scheduled {
	todo := make([]int, 0, len(p.Changes))
	var runs []dirRun
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Action == plan.Delete || c.Needs != "" {
			todo = todo[:0]
			for _, i := range p.Order() {
				if p.Changes[i].Action != plan.Noop {
					todo = append(todo, i)
				}
			}
			return scheduled{todo, newSchedule(p, todo, batch, workers), findUnfolds(p, todo)}
		}
		if c.Action == plan.Noop {
			continue
		}
		if d, n := c.Dir(), len(runs)-1; n < 0 || runs[n].dir != d {
			runs = append(runs, dirRun{dir: d, lo: len(todo)})
		}
		todo = append(todo, i)
		runs[len(runs)-1].hi = len(todo)
	}
	s := &schedule{}
	if len(todo) > 0 {
		shares := [][]int{todo}
		if workers > 1 && len(todo) >= parallelMin {
			shares = dealRuns(todo, runs, workers)
		}
		s.add(shares, batch)
	}
	return scheduled{todo, s, &unfolds{}}
}

// byLevel sorts todo into the deletes, and the other changes by level:
// 0 for those that need no change of todo, n+1 for those that need one
// of level n (inTodo maps every dest of todo; nil when none needs
// another).
func byLevel(p *plan.Plan, todo []int, inTodo map[string]int) (deletes []int, levels [][]int) {
	for _, i := range todo {
		c := &p.Changes[i]
		if c.Action == plan.Delete {
			deletes = append(deletes, i)
			continue
		}
		level := 0
		if need, ok := inTodo[c.Needs]; ok && c.Needs != "" {
			level = need + 1 // Order puts the link needed first
		}
		if inTodo != nil {
			inTodo[c.Dest] = level
		}
		for len(levels) <= level {
			levels = append(levels, nil)
		}
		levels[level] = append(levels[level], i)
	}
	return deletes, levels
}

func hasDelete(p *plan.Plan, todo []int) bool {
	for _, i := range todo {
		if p.Changes[i].Action == plan.Delete {
			return true
		}
	}
	return false
}

// add appends a step made of one queue per share, cut into as many
// batches as the step's changes fill, each batch taking its slice of every
// share.
func (s *schedule) add(shares [][]int, batch int) {
	n := 0
	for _, sh := range shares {
		n += len(sh)
	}
	rounds := (n + batch - 1) / batch
	st := make(step, len(shares))
	for k := range rounds {
		b := len(s.batches)
		var idx []int
		for w, sh := range shares {
			part := sh[k*len(sh)/rounds : (k+1)*len(sh)/rounds]
			if len(part) == 0 {
				continue
			}
			st[w] = append(st[w], segment{batch: b, idx: part})
			idx = append(idx, part...)
		}
		s.batches = append(s.batches, idx)
	}
	s.steps = append(s.steps, st)
}

// segments counts each batch's segments.
func (s *schedule) segments() []int {
	n := make([]int, len(s.batches))
	for _, st := range s.steps {
		for _, q := range st {
			for _, seg := range q {
				n[seg.batch]++
			}
		}
	}
	return n
}

// deal splits the changes idx between up to workers shares, keeping each
// folder's changes in one share, in idx's order: folders are dealt biggest
// first, each to the least loaded share.
func deal(idx []int, p *plan.Plan, workers int) [][]int {
	return dealRuns(idx, runsOf(idx, p), workers)
}

// A dirRun is idx[lo:hi], changes in one folder next to each other.
type dirRun struct {
	dir    string
	lo, hi int
}

// runsOf cuts idx into runs of one folder (idx is mostly by dest).
func runsOf(idx []int, p *plan.Plan) []dirRun {
	var runs []dirRun
	for k, i := range idx {
		d := p.Changes[i].Dir()
		if n := len(runs) - 1; n < 0 || runs[n].dir != d {
			runs = append(runs, dirRun{dir: d, lo: k})
		}
		runs[len(runs)-1].hi = k + 1
	}
	return runs
}

// dealRuns is deal with idx cut into its runs already.
func dealRuns(idx []int, runs []dirRun, workers int) [][]int {
	byDir := make(map[string][]int, len(runs))
	var dirs []string
	for _, r := range runs {
		group, ok := byDir[r.dir]
		if !ok {
			dirs = append(dirs, r.dir)
			group = idx[r.lo:r.hi:r.hi] // a folder in one run (the rule): no copy
		} else {
			group = append(group, idx[r.lo:r.hi]...)
		}
		byDir[r.dir] = group
	}
	sort.SliceStable(dirs, func(a, b int) bool { return len(byDir[dirs[a]]) > len(byDir[dirs[b]]) })
	shares := make([][]int, workers)
	for w := range shares {
		shares[w] = make([]int, 0, len(idx)/workers+len(idx)/8)
	}
	for _, d := range dirs {
		least := 0
		for w := range shares {
			if len(shares[w]) < len(shares[least]) {
				least = w
			}
		}
		shares[least] = append(shares[least], byDir[d]...)
	}
	out := shares[:0]
	for _, sh := range shares {
		if len(sh) > 0 {
			out = append(out, sh)
		}
	}
	return out
}
