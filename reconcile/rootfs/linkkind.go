package rootfs

import (
	"errors"

	"github.com/linksdev/links/manifest"
)

// On Windows a symlink is a file link or a directory link from birth
// (CreateSymbolicLinkW's SYMBOLIC_LINK_FLAG_DIRECTORY): a directory
// reached through a file link cannot be opened as one, nor a file through
// a directory link. The two decisions below are pure so that every
// platform's tests check them; only symlink_windows.go acts on them.

// SymlinkDirFlag says whether the link is made a directory link: when the
// manifest says kind: dir (the only way to know for a dangling target),
// or when the target is a folder now. A kind: file link to a folder is a
// conflict at plan time; should the target have become a folder since,
// the link follows what is there.
func SymlinkDirFlag(kind manifest.Kind, targetIsDir bool) bool {
	return kind == manifest.KindDir || targetIsDir
}

// SymlinkThroughRoot says whether os.Root.Symlink makes the link wanted:
// it sets the directory flag exactly when the link text is relative and
// resolves to a folder inside root, so it serves every file link and
// those directory links; any other directory link (a folder outside
// root, or a dangling target declared kind: dir) is made by path with
// the flag.
func SymlinkThroughRoot(dirFlag, folderInsideRoot bool) bool {
	return !dirFlag || folderInsideRoot
}

// ErrDirLinkInTheWay is wrapped in FS.Rename's error where the entry to be
// replaced is a directory link, which the system does not replace by a
// rename (Windows: a directory symlink is a directory to
// FileRenameInformation and MoveFileEx). An update then moves the old
// link aside first (change.go, update).
var ErrDirLinkInTheWay = errors.New("a directory link is in the way, which a rename does not replace")
