//go:build windows

package reconcile

import "errors"

func mkfifo(p string) error { return errors.New("no FIFOs on Windows") }
