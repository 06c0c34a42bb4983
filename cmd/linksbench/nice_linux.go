package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// setNice sets the scheduling priority of every thread of this process, so
// that the tools it starts inherit it whichever thread forks them: on
// Linux the nice value is per thread, and setpriority(PRIO_PROCESS, 0)
// changes the calling thread's only. Threads the runtime starts later are
// cloned from these and inherit it. A negative value needs privileges.
//
// With autogroup scheduling (kernel.sched_autogroup_enabled), the CPU is
// first shared between sessions and nice only ranks tasks within one, so
// it also sets this session's autogroup nice (the whole session, the
// shell that started linksbench included); restore puts that back.
func setNice(n int) (restore func(), err error) {
	restore = func() {}
	if b, err := os.ReadFile("/proc/self/autogroup"); err == nil {
		// "/autogroup-9 nice 0"
		var old int
		if i := strings.LastIndex(string(b), " nice "); i >= 0 {
			old, _ = strconv.Atoi(strings.TrimSpace(string(b[i+len(" nice "):])))
		}
		if err := os.WriteFile("/proc/self/autogroup", []byte(strconv.Itoa(n)), 0); err != nil {
			return restore, fmt.Errorf("autogroup: %w", err)
		}
		restore = func() { os.WriteFile("/proc/self/autogroup", []byte(strconv.Itoa(old)), 0) }
	}
	for range 2 { // again, for threads started meanwhile
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return restore, err
		}
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, n); err != nil && err != syscall.ESRCH {
				return restore, err
			}
		}
	}
	return restore, nil
}

const niceScope = "every thread, the tools started, and this session's autogroup"
