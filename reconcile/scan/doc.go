// Package scan tells the health of the symlinks in any folder, with no
// manifest and no root: Scan walks the folders given, never following a
// symlink to a folder while walking, and resolves every link it finds,
// component by component with lstat and readlink, to tell whether it is
// ok, broken, a loop, or escapes the boundary. It is what links scan runs,
// and what links import and verify --scan build on.
//
// Resolver is the resolver Scan uses, shared by its workers; reconcile's
// Observe uses one too, to count the symlinks a target's resolution
// follows. On Linux, Dirent and DirentKind read getdents(2) records, for
// Scan's listings and for reconcile's.
//
// Everything here reads the disk and writes nothing.
package scan
