// Package reconcile is the only package that reads or writes the disk: it
// observes the dests a manifest declares, applies plans, verifies trees, and
// keeps the lock, the journal and the backups under state_dir.
//
// Guarantees, and their limits:
//
//   - Confinement. Every write goes through a directory handle opened
//     beneath the manifest's root with os.Root, and then through *at system
//     calls on single names in that directory. A parent folder that is a
//     symlink leading out of root is refused before anything is written, and
//     swapping a folder for such a symlink while apply runs cannot redirect
//     a write: the handle keeps pointing at the folder that was checked.
//   - Atomic switches. An existing symlink is replaced by making a temporary
//     link in the same folder and renaming it over the old one; readers see
//     the old link or the new one, never nothing. A file or directory is
//     displaced with renameat2(RENAME_EXCHANGE) where the kernel and
//     filesystem support it (Linux: ext4, xfs, btrfs, tmpfs), so the link
//     takes its place in one step. Elsewhere (NFS, FUSE, macOS, Windows) a
//     displaced file is first hard-linked into the backup and then replaced
//     by rename (still atomic); a displaced directory is moved to the backup
//     and the link renamed in after it, which leaves a short window where the
//     path is missing. Rename is not atomic on NFS with several clients.
//   - Nothing is lost. A displaced file or directory is renamed (never
//     copied, never deleted) to state_dir/backups/<apply-id>/<dest>, unless
//     the manifest says backup: false. Backups must be on the same
//     filesystem as the dest; otherwise the change fails and is undone.
//   - Journal. Each mutation is written to state_dir/journal.jsonl as an
//     intent, fsynced, before it is made, and marked done or failed after.
//     Every touched folder is fsynced before apply reports success.
//   - Leftovers. Temporary names contain ".links-tmp."; the next apply
//     removes temporary symlinks a killed run left and moves any displaced
//     entry found under such a name into the backups.//
// # Platforms
//
// The exchange that displaces an entry in one step is renameat2 with
// RENAME_EXCHANGE on Linux and renameatx_np with RENAME_SWAP on macOS
// (APFS and HFS+; RENAME_EXCL likewise for moves that must not replace).
// Where it is missing (other Unix systems; Linux on NFS, 9p or FUSE
// without rename flags; macOS volumes such as SMB, FAT or exFAT; Windows;
// builds with the links_portable tag, which CI uses to run the whole
// suite through this path on Linux), apply falls back: a displaced file
// is hard-linked into the backup and then replaced by rename, which stays
// atomic; a folder, or a file where hard links fail, is first moved aside
// under a temporary name and the link renamed in after it. Between those
// two renames the dest does not exist: a reader sees "not found", never a
// wrong entry, and nothing is lost (the entry waits under a temporary
// name beside the dest; see Leftovers). A move that must not replace checks first
// and then renames; only another writer inside state_dir could slip in
// between, and the lock keeps those out.
//
// Windows: a rename replaces a file or a file symlink atomically
// (FileRenameInformation with ReplaceIfExists, as MoveFileEx with
// MOVEFILE_REPLACE_EXISTING); a directory symlink is a directory there
// and a rename does not replace it, so retargeting one fails and changes
// nothing. Folder fsync: FlushFileBuffers needs
// a handle opened for writing, so the folder's handle is reopened with
// write access and flushed; where Windows refuses (no write access, a
// filesystem that cannot), NTFS's metadata log is what keeps a create or
// rename whole, and the last ones before a crash may be lost. The lock is
// LockFileEx. docs/platforms.md says what is tested on each platform.

package reconcile
