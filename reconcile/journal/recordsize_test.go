package journal

import "testing"

// TestRecordSizeCovers: recordSize is at least the encoded length of a
// record whose strings need no escaping, with and without a backup.
func TestRecordSizeCovers(t *testing.T) {
	for _, o := range []Owned{
		{Manifest: "links.yaml", Name: "l", Link: "t", ApplyID: "20261206T210536Z-647072"},
		{Manifest: "/srv/links.yaml", Name: "bashrc", Link: "../dotfiles/bashrc", ApplyID: "20261206T210536Z-647072",
			Backup: ".links/backups/20261206T210536Z-647072/.bashrc", BackupType: "file", BackupIdentity: "2049:1234:56:1733500000000000000"},
		{},
	} {
		for _, d := range []string{"a", "r0/l/d00/f000000"} {
			one := EncodeSorted(0, func(yield func(string, Owned) bool) { yield(d, o) })
			two := EncodeSorted(0, func(yield func(string, Owned) bool) { yield(d, o); yield(d+"x", o) })
			per := len(two) - len(one) // one record and its separator
			if got := recordSize(d+"x", o); got < per {
				t.Errorf("recordSize(%q, %+v) = %d, encoded %d bytes", d+"x", o, got, per)
			}
		}
	}
}
