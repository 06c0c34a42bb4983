package journal

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestStateRoundTrip: what encodeState writes is valid JSON that
// encoding/json reads to the same value, and the fast decoder reads it
// (not the fallback), for plain and awkward strings alike.
func TestStateRoundTrip(t *testing.T) {
	for _, links := range []map[string]Owned{
		{},
		{"a": {Manifest: "/m/links.yaml", Name: "a", Link: "t/a", ApplyID: "id1"}},
		{
			"a/b":         {Manifest: "/m/links.yaml", Name: "ab", Link: "../t", ApplyID: "id1"},
			"quote\"d":    {Manifest: "/m/links.yaml", Name: `back\slash`, Link: "new\nline", ApplyID: "id2"},
			"ünï/cödé":    {Manifest: "/m/ö.yaml", Name: "<&>", Link: "\u2028\x7f", ApplyID: "id1"},
			"bad\xffutf8": {Manifest: "", Name: "", Link: "\x00", ApplyID: ""},
		},
	} {
		w := &stateWire{FormatVersion: stateFormat, JournalOffset: 4242, Links: links}
		b := encodeState(w)
		var viaJSON stateWire
		if err := json.Unmarshal(b, &viaJSON); err != nil {
			t.Fatalf("encodeState wrote invalid JSON: %v\n%s", err, b)
		}
		fast, ok := decodeStateFast(b, nil)
		if !ok {
			t.Fatalf("fast decoder refused encodeState's own layout:\n%s", b)
		}
		if !reflect.DeepEqual(fast, &viaJSON) {
			t.Errorf("fast decode = %+v, encoding/json = %+v", fast, viaJSON)
		}
		// Invalid UTF-8 is replaced by U+FFFD on the way through JSON; every
		// other string comes back unchanged.
		for d, o := range links {
			if strings.ContainsRune(d, 0xFFFD) || !validUTF8(d) {
				continue
			}
			if got := fast.Links[d]; validUTF8(o.Link) && got.Link != o.Link {
				t.Errorf("%q: link %q, want %q", d, got.Link, o.Link)
			}
		}
		if off, ok := stateHeader(b); !ok || off != 4242 {
			t.Errorf("stateHeader = %d, %v; want 4242, true", off, ok)
		}
	}
}

func validUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// TestStateDecodeOtherLayouts: files not in encodeState's layout (older
// links wrote indented JSON) are read by encoding/json; invalid ones are
// errors, never an empty ownership.
func TestStateDecodeOtherLayouts(t *testing.T) {
	indented := `{
 "format_version": 1,
 "journal_offset": 7,
 "links": {
  "a": {
   "manifest": "/m",
   "name": "a",
   "link": "t",
   "apply_id": "x"
  }
 }
}
`
	for _, tc := range []struct {
		name, in string
		want     *stateWire
		wantErr  bool
	}{
		{name: "indented", in: indented, want: &stateWire{FormatVersion: 1, JournalOffset: 7, Links: map[string]Owned{"a": {Manifest: "/m", Name: "a", Link: "t", ApplyID: "x"}}}},
		{name: "empty links", in: "{\"format_version\":1,\"journal_offset\":0,\"links\":{\n}}\n", want: &stateWire{FormatVersion: 1, Links: map[string]Owned{}}},
		{name: "null links", in: `{"format_version":1,"journal_offset":0,"links":null}`, want: &stateWire{FormatVersion: 1}},
		{name: "truncated", in: "{\"format_version\":1,\"journal_offset\":0,\"links\":{\n\"a\":{\"manifest\":\"/m\",\"na", wantErr: true},
		{name: "trailing comma", in: "{\"format_version\":1,\"journal_offset\":0,\"links\":{\n\"a\":{\"manifest\":\"/m\",\"name\":\"a\",\"link\":\"t\",\"apply_id\":\"x\"},\n}}\n", wantErr: true},
		{name: "garbage after", in: "{\"format_version\":1,\"journal_offset\":0,\"links\":{\n}}\nx", wantErr: true},
		{name: "leading zero", in: "{\"format_version\":01,\"journal_offset\":0,\"links\":{\n}}\n", wantErr: true},
		{name: "control char", in: "{\"format_version\":1,\"journal_offset\":0,\"links\":{\n\"a\x01\":{\"manifest\":\"/m\",\"name\":\"a\",\"link\":\"t\",\"apply_id\":\"x\"}\n}}\n", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeState([]byte(tc.in), nil)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("decodeState accepted %q: %+v", tc.in, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// FuzzDecodeState: whatever the fast decoder accepts, encoding/json
// accepts too and reads to the same value; so the fast path can change
// only speed, never what a state file means.
func FuzzDecodeState(f *testing.F) {
	f.Add(encodeState(&stateWire{FormatVersion: 1, JournalOffset: 9, Links: map[string]Owned{
		"a": {Manifest: "/m", Name: "a", Link: "t", ApplyID: "x"},
		"b": {Manifest: "/m", Name: "b\"", Link: "t\\u", ApplyID: "x"},
	}}))
	f.Add([]byte("{\"format_version\":1,\"journal_offset\":0,\"links\":{\n}}\n"))
	f.Add([]byte("{\"format_version\":1,\"journal_offset\":0,\"links\":{\n\"a\":{\"manifest\":\"\\u00e9\",\"name\":\"\xff\",\"link\":\"t\",\"apply_id\":\"x\"},\n\"a\":{\"manifest\":\"/m\",\"name\":\"a\",\"link\":\"t\",\"apply_id\":\"x\"}\n}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := decodeStateFast(data, nil)
		if !ok {
			return
		}
		var want stateWire
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("fast decoder accepted invalid JSON %q: %v", data, err)
		}
		if want.Links == nil {
			want.Links = map[string]Owned{}
		}
		if !reflect.DeepEqual(fast, &want) {
			t.Fatalf("%q: fast decode %+v, encoding/json %+v", data, fast, want)
		}
		if off, ok := stateHeader(data); ok && fast.FormatVersion == stateFormat && off != fast.JournalOffset {
			t.Fatalf("stateHeader offset %d, decode %d", off, fast.JournalOffset)
		}
	})
}

// TestStateDecodeKeep: with a filter, only the kept dests are decoded, by
// the fast decoder and by the encoding/json fallback alike.
func TestStateDecodeKeep(t *testing.T) {
	links := map[string]Owned{
		"a":    {Manifest: "/m", Name: "a", Link: "t", ApplyID: "x"},
		"b\"q": {Manifest: "/m", Name: "b", Link: "t", ApplyID: "x"},
		"c":    {Manifest: "/m", Name: "c", Link: "t", ApplyID: "x"},
	}
	fast := encodeState(&stateWire{FormatVersion: 1, Links: links})
	indented, err := json.MarshalIndent(&stateWire{FormatVersion: 1, Links: links}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	keep := func(d string) bool { return d != "a" }
	for _, data := range [][]byte{fast, indented} {
		w, err := decodeState(data, keep)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]Owned{"b\"q": links["b\"q"], "c": links["c"]}
		if !reflect.DeepEqual(w.Links, want) {
			t.Errorf("kept %v, want %v", w.Links, want)
		}
	}
}

// BenchmarkDecodeState100k compares, in one run, the hand-written decoder
// with encoding/json on a state file of 100,000 owned links.
func BenchmarkDecodeState100k(b *testing.B) {
	links := make(map[string]Owned, 100_000)
	for i := range 100_000 {
		d := fmt.Sprintf("d%02d/f%06d", i%100, i)
		links[d] = Owned{Manifest: "/srv/app/links.yaml", Name: fmt.Sprintf("l%06d", i), Link: "../t/" + d, ApplyID: "20261123T120000Z-abcdef"}
	}
	data := encodeState(&stateWire{FormatVersion: 1, JournalOffset: 1 << 20, Links: links})
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, ok := decodeStateFast(data, nil); !ok {
				b.Fatal("not decoded")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var w stateWire
			if err := json.Unmarshal(data, &w); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// encodeState writes w in the state file's layout: apply writes the same
// bytes in pieces (stateHead, then EncodeLinks or EncodeIfAllMade); the
// tests write whole files with it.
func encodeState(w *stateWire) []byte {
	return append(stateHead(w.FormatVersion, w.JournalOffset), EncodeLinks(w.Links)...)
}

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
