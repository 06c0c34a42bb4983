// Package reconcile is what acts on a manifest's dests through its
// confined root: it observes the dests a manifest declares, applies plans
// (apply.go: prepare, make the changes, finish; each change in change.go,
// unfolds in unfold.go, a killed apply's leftovers in leftovers.go),
// verifies trees and plans rollbacks. Beside it, reconcile/journal keeps
// state_dir (the journal, the state file, the lock, the backups),
// reconcile/scan walks any folder for links' health, and
// reconcile/importer writes a manifest for the links a folder holds.
//
// Guarantees, and their limits:
//
//   - Confinement. Every write goes through a directory handle opened
//     beneath the manifest's root with os.Root, and then through *at system
//     calls on single names in that directory. A parent folder that is a
//     symlink leading out of root is refused before anything is written, and
//     swapping a folder for such a symlink while apply runs cannot redirect
//     a write: the handle keeps pointing at the folder that was checked.
//   - Atomic switches. A symlink, file or directory at a dest is replaced
//     by making the new link under a temporary name in the same folder and
//     swapping the two with renameat2(RENAME_EXCHANGE) where the kernel and
//     filesystem support it (Linux: ext4, xfs, btrfs, tmpfs): readers see
//     the old entry or the new one, never nothing.
//   - Nothing is lost, whatever runs beside links. No system call of an
//     apply destroys what sits at a dest: the entry is first moved aside
//     atomically (exchanged out, or renamed to a free temporary name) and
//     then looked at (change.go). Only the entry the plan was made against
//     (same link text; for a file or folder the same device, inode, size
//     and mtime) is disposed of as planned: an old link unlinked, a file or
//     folder renamed (never copied, never deleted) to
//     state_dir/backups/<apply-id>/<dest>, or deleted where the manifest
//     says backup: false. Anything else, written there while links worked,
//     goes back to the dest, and the change fails as stale; if the dest
//     changed yet again it is kept under backups/<apply-id>/raced/. A link
//     that displaced a file or folder gives it back from its backup when
//     the manifest stops declaring it. Backups must be on the same
//     filesystem as the dest; otherwise the change fails and is undone.
//   - Journal. Each mutation is written to state_dir/journal.jsonl as an
//     intent, fsynced, before it is made, and marked done or failed after.
//     Every touched folder is flushed before apply reports success: a
//     fsync each, or one syncfs for those on root's filesystem when it is
//     ext2/3/4 without a journal, where a folder's fsync leaves the new
//     links' inodes unwritten (docs/reliability.md). A
//     change the journal's failure stopped is reported not made, with its
//     error; a write cut short by a full disk is taken back; 1 MiB past the
//     journal's end is kept allocated (fallocate KEEP_SIZE) so the records
//     that close a failed apply fit on a full disk.
//   - Leftovers. Temporary names contain ".links-tmp." and are journaled in
//     the intent before they are used. The next apply looks only at the
//     names the journal gives for mutations never recorded done (a killed
//     apply, or a change that failed half-way), and cleans each only while
//     it is what the intent says: a temporary link is unlinked, a displaced
//     or restored entry moved to the backup the intent named (so a rollback
//     of the killed apply finds it). A name no intent gave, even one that
//     looks like links' own, is never touched.
//
// Every check-then-act in the package, and why it is safe (issue 14):
//
//   - create: symlinkat, which fails if anything appeared (no check first).
//   - update, replace, rollback's restore, delete that gives back: exchange,
//     then look at what came out (settle); a mismatch is put back.
//   - delete: rename to a free temporary name (RENAME_NOREPLACE), look,
//     unlink only the planned link, else rename back (RENAME_NOREPLACE).
//   - the re-check before each change (recheck) only gives an early, clear
//     stale message; the guarantee is the look after the move.
//   - backups: moves with RENAME_NOREPLACE into state_dir, which the lock
//     keeps to one apply; an existing backup path is never replaced.
//   - leftover cleaning: journaled intent, then a look just before the
//     unlink or the no-replace move.
//   - backups prune: renames backups/<id> to a temporary name in backups/,
//     then removes that; only real folders named as backups are removed,
//     under the lock. The user asked for it; a backup that a managed link
//     gives back is kept unless --include-held.
//   - state file: written under a temporary name in state_dir (exactly
//     .state.json.links-tmp.<8 hex>, links' own folder) and renamed over
//     state.json; a leftover temporary state file of that exact name is
//     removed by the next write. It is read once per lock hold: a plan
//     and the apply after it, under one hold, use the same bytes (no
//     other links process can write it meanwhile; a hand edit during the
//     hold is not seen until the next one), forgotten when the hold ends
//     or links replaces the file.
//
// Without RENAME_EXCHANGE (NFS, 9p, FUSE without rename2: EINVAL; seccomp
// or old kernels: ENOSYS; macOS, Windows) the fallbacks leave these
// windows, each tested by TestIntruderBetweenEveryOperation:
//
//   - update: the new link is renamed over the old one (atomic for
//     readers); an entry written at the dest between the re-check and that
//     rename is replaced, and lost. Where the rename cannot replace the
//     old link (a directory link on Windows), the old link is moved aside
//     to its journaled free name, looked at, the new one moved in without
//     replacing, and the old one unlinked: the dest is missing for a
//     moment, nothing is replaced.
//   - replace of a file: it is hard-linked into its backup, then the link
//     renamed over it; an entry written between the two is lost. Where hard
//     links fail, and for folders, the entry is moved aside to a free name,
//     looked at, and the link renamed in: nothing is lost, but the dest is
//     missing for a moment.
//   - delete: the same as on Linux (a rename to a free name needs no
//     exchange); RENAME_NOREPLACE itself falls back to a look, then rename,
//     a window only against a writer guessing links' random name.
//   - restore of a folder: the link is moved aside, looked at, and the
//     folder moved in: the dest is missing for a moment.
//   - unfold (a folder link that becomes a folder of links, unfold.go):
//     the folder is built aside as on Linux, then the link moved aside,
//     looked at, and the folder moved in: the dest is missing for a
//     moment, nothing is lost.
//
// Rename is not atomic on NFS with several clients.
//
// # Platforms
//
// The exchange is renameat2(RENAME_EXCHANGE) on Linux and renameatx_np
// with RENAME_SWAP on macOS (RENAME_EXCL for moves that must not
// replace), where the volume supports them (APFS, HFS+; not SMB, FAT or
// exFAT, which answer ENOTSUP). Other Unix systems and Windows have none
// and take the fallbacks above. Linux builds with the links_portable tag
// take them too, with the other !linux code (no folder listings,
// package scan's os.ReadDir lister): CI runs the whole suite that way
// once.
//
// Windows: a rename replaces a file or a file symlink atomically
// (FileRenameInformation with ReplaceIfExists, as MoveFileEx with
// MOVEFILE_REPLACE_EXISTING); a directory symlink is a directory there
// and a rename does not replace it, so retargeting one takes the
// move-aside order of the update above. A move that must not replace is
// one FileRenameInformation without ReplaceIfExists (no look first). A
// link is a directory link when the manifest says kind: dir or its
// target is a folder. FlushFileBuffers needs a handle opened for writing, so a
// folder's handle is reopened with write access and flushed; where
// Windows refuses (no write access, a filesystem that cannot), NTFS's
// metadata log keeps each create or rename whole, and the last ones
// before a crash may be lost. The lock is LockFileEx. docs/platforms.md
// says what is tested on each platform.
package reconcile
