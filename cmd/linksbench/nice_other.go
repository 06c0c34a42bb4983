//go:build unix && !linux

package main

import "syscall"

// setNice sets this process's scheduling priority, inherited by the tools
// it starts. A negative value needs privileges.
func setNice(n int) (restore func(), err error) {
	return func() {}, syscall.Setpriority(syscall.PRIO_PROCESS, 0, n)
}

const niceScope = "the process and the tools started"
