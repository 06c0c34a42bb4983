//go:build !unix

package main

import (
	"errors"
	"os"
	"time"
)

func usage(ps *os.ProcessState) (cpu time.Duration, maxRSS int64) {
	return ps.UserTime() + ps.SystemTime(), 0
}

func selfCPU() time.Duration { return 0 }

func syncAll() {}

func setNice(n int) (restore func(), err error) { return func() {}, errors.New("--nice needs Unix") }

const niceScope = ""
