//go:build windows

package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"golang.org/x/sys/windows"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/scan"
)

// symbolicLinkFlagAllowUnprivilegedCreate is CreateSymbolicLinkW's
// SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE (Windows 10 1703 and later):
// with Developer Mode on, a user without SeCreateSymbolicLinkPrivilege may
// create symlinks, but only when the call asks for it with this flag.
const symbolicLinkFlagAllowUnprivilegedCreate = 0x2

// symlink creates dir/name with the link text.
//
// Windows records in a symlink whether it points to a directory
// (SYMBOLIC_LINK_FLAG_DIRECTORY); a directory reached through a file link
// cannot be opened as one. The link is a directory link when the
// manifest says kind: dir or the target is a folder now (SymlinkDirFlag,
// linkkind.go). os.Root.Symlink, which creates the link relative to the
// folder's handle (confined like every other operation), sets that flag
// only for a relative text that resolves to a directory inside root. So:
//
//   - A directory link whose target is a folder outside root or does not
//     exist yet (kind: dir, allow_dangling), and any link when
//     os.Root.Symlink is refused for want of the privilege, is created by
//     path with CreateSymbolicLinkW, asking for unprivileged creation
//     (Developer Mode) and the directory flag where wanted. Then the link
//     is looked up again through root: if it is not there (a parent
//     folder was swapped while apply ran, or the system reported success
//     and made nothing, as Wine 8 does), the change fails.
//   - A dangling target without kind: dir becomes a file link.
//   - Without the privilege and without Developer Mode, the error says
//     what to enable.
func (f *FS) symlink(text, dir, name string, kind manifest.Kind) error {
	p := path.Join(dir, name)
	isDir, inside := f.targetIsDir(text, dir)
	dirFlag := SymlinkDirFlag(kind, isDir)
	if SymlinkThroughRoot(dirFlag, isDir && inside) {
		err := f.root.Symlink(text, p)
		if !errors.Is(err, windows.ERROR_PRIVILEGE_NOT_HELD) {
			return err
		}
	}
	return f.symlinkByPath(text, dir, name, dirFlag)
}

// targetIsDir follows the link text from dir (a read, as os.Symlink does
// to choose the flag) and says whether it reaches a directory, and whether
// what it reaches is inside root.
func (f *FS) targetIsDir(text, dir string) (isDir, inside bool) {
	t := filepath.FromSlash(text)
	full := t
	if !filepath.IsAbs(t) && filepath.VolumeName(t) == "" && (t == "" || !os.IsPathSeparator(t[0])) {
		if fi, err := f.root.Stat(path.Join(dir, filepath.ToSlash(t))); err == nil {
			return fi.IsDir(), true
		}
		full = filepath.Join(f.root.Name(), filepath.FromSlash(dir), t)
	}
	fi, err := os.Stat(full)
	return err == nil && fi.IsDir(), false
}

func (f *FS) symlinkByPath(text, dir, name string, isDir bool) error {
	p := path.Join(dir, name)
	full := filepath.Join(f.root.Name(), filepath.FromSlash(p))
	link, err := windows.UTF16PtrFromString(full)
	if err != nil {
		return scan.PathErr("symlink", p, err)
	}
	target, err := windows.UTF16PtrFromString(filepath.FromSlash(text))
	if err != nil {
		return scan.PathErr("symlink", p, err)
	}
	var flags uint32
	if isDir {
		flags = windows.SYMBOLIC_LINK_FLAG_DIRECTORY
	}
	err = windows.CreateSymbolicLink(link, target, flags|symbolicLinkFlagAllowUnprivilegedCreate)
	if err == windows.ERROR_INVALID_PARAMETER {
		// Windows before 10 1703 does not know the unprivileged flag.
		err = windows.CreateSymbolicLink(link, target, flags)
	}
	if err != nil {
		return symlinkError(p, err)
	}
	st, err := f.Lstat(dir, name)
	if err != nil || st.Type != plan.TypeSymlink || st.Link != filepath.FromSlash(text) {
		return fmt.Errorf("symlink %s: created by path, but no such link is found beneath root (a parent folder changed while apply ran, or the system made nothing)", p)
	}
	return nil
}

// symlinkError names the error and, where the privilege is missing, says
// what to enable.
func symlinkError(p string, err error) error {
	if errors.Is(err, windows.ERROR_PRIVILEGE_NOT_HELD) {
		return fmt.Errorf("symlink %s: %w (creating symlinks on Windows needs Developer Mode: Settings > System > For developers > Developer Mode; or run links from an elevated prompt)", p, err)
	}
	return scan.PathErr("symlink", p, err)
}
