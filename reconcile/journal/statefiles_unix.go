//go:build unix

package journal

import "golang.org/x/sys/unix"

// noFollow makes an open fail on a final symlink instead of following it.
const noFollow = unix.O_NOFOLLOW
