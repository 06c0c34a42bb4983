package main

import (
	"os"
	"strconv"
	"syscall"
)

// setNice sets the scheduling priority of every thread of this process, so
// that the tools it starts inherit it whichever thread forks them: on
// Linux the nice value is per thread, and setpriority(PRIO_PROCESS, 0)
// changes the calling thread's only. Threads the runtime starts later are
// cloned from these and inherit it. A negative value needs privileges.
func setNice(n int) error {
	for range 2 { // again, for threads started meanwhile
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, n); err != nil && err != syscall.ESRCH {
				return err
			}
		}
	}
	return nil
}
