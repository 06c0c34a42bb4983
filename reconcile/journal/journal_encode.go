package journal

import (
	"strconv"
	"time"

	"github.com/linksdev/links/plan"
)

// appendRecord appends rec as one JSON object, the same document
// encoding/json makes of a Record (field order, omitempty), without its
// reflection: an apply of 100,000 links writes 200,000 records, and
// json.Marshal spent ~0.3 s of CPU on them. Strings are escaped only where
// JSON requires it (encoding/json also escapes <, > and &; both read back
// the same). TestAppendRecordMatchesEncodingJSON and FuzzAppendRecord
// hold it to encoding/json.
func appendRecord(b []byte, rec *Record) []byte {
	b = appendMember(b, `{"apply_id":`, rec.ApplyID)
	b = appendMember(b, `,"time":`, rec.Time)
	return appendRecordRest(b, rec)
}

// appendRecordAt is appendRecord of rec with its Time set to t, formatted
// in UTC as RFC 3339 with as many fractional digits as needed, in place
// (not a string per record).
func appendRecordAt(b []byte, rec *Record, t time.Time) []byte {
	b = appendMember(b, `{"apply_id":`, rec.ApplyID)
	b = append(b, `,"time":"`...)
	b = t.UTC().AppendFormat(b, time.RFC3339Nano) // nothing in it to escape
	b = append(b, '"')
	return appendRecordRest(b, rec)
}

// appendRecordRest appends the fields after the time.
func appendRecordRest(b []byte, rec *Record) []byte {
	b = appendMember(b, `,"status":`, string(rec.Status))
	if a := rec.Actor; a != nil {
		b = appendMember(b, `,"actor":{"user":`, a.User)
		b = appendMember(b, `,"uid":`, a.UID)
		b = appendMember(b, `,"host":`, a.Host)
		b = append(b, `,"pid":`...)
		b = strconv.AppendInt(b, int64(a.PID), 10)
		b = append(b, '}')
	}
	b = appendField(b, "manifest", rec.Manifest)
	b = appendField(b, "manifest_key", rec.ManifestKey)
	b = appendField(b, "rollback_of", rec.RollbackOf)
	b = appendField(b, "name", rec.Name)
	b = appendField(b, "dest", rec.Dest)
	b = appendField(b, "action", rec.Action)
	b = appendStateField(b, "before", rec.Before)
	b = appendStateField(b, "after", rec.After)
	b = appendField(b, "backup", rec.Backup)
	b = appendField(b, "temp", rec.Temp)
	if rec.Staged {
		b = append(b, `,"staged":true`...)
	}
	b = appendField(b, "error", rec.Error)
	if s := rec.Summary; s != nil {
		for i, f := range [...]struct {
			key string
			n   int
		}{{"create", s.Create}, {"update", s.Update}, {"replace", s.Replace}, {"delete", s.Delete}, {"noop", s.Noop}, {"conflict", s.Conflict}} {
			if i == 0 {
				b = append(b, `,"summary":{`...)
			} else {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = append(b, f.key...)
			b = append(b, `":`...)
			b = strconv.AppendInt(b, int64(f.n), 10)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendMember appends key as given, with its punctuation (`,"name":`),
// then value as a JSON string.
func appendMember(b []byte, key, value string) []byte {
	return appendJSONString(append(b, key...), value)
}

// appendField appends ,"key":"value" unless value is empty (omitempty).
func appendField(b []byte, key, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendJSONString(b, value)
}

func appendStateField(b []byte, key string, s *plan.State) []byte {
	if s == nil {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = appendMember(b, `":{"type":`, s.Type)
	b = appendField(b, "link", s.Link)
	b = appendField(b, "identity", s.Identity)
	return append(b, '}')
}

// EncodedSize is how many bytes Encode makes of rec, stamped with this
// apply's id, when none of its strings needs escaping (more when one
// does): the size to give a buffer that will hold many records, so that it
// is allocated once rather than grown (each size it grows through is fresh
// memory). The time counts at its longest.
func (j *Writer) EncodedSize(rec Record) int {
	n := len(`{"apply_id":"","time":"","status":""}`+"\n") + len(j.id) + len("2006-01-02T15:04:05.999999999Z") + len(rec.Status)
	if a := rec.Actor; a != nil {
		n += len(`,"actor":{"user":"","uid":"","host":"","pid":}`) + len(a.User) + len(a.UID) + len(a.Host) + len(strconv.Itoa(a.PID))
	}
	field := func(key, value string) int {
		if value == "" {
			return 0
		}
		return len(`,"":""`) + len(key) + len(value)
	}
	state := func(key string, s *plan.State) int {
		if s == nil {
			return 0
		}
		return len(`,"":{"type":""}`) + len(key) + len(s.Type) + field("link", s.Link) + field("identity", s.Identity)
	}
	n += field("manifest", rec.Manifest) + field("manifest_key", rec.ManifestKey) + field("rollback_of", rec.RollbackOf) +
		field("name", rec.Name) + field("dest", rec.Dest) + field("action", rec.Action) +
		state("before", rec.Before) + state("after", rec.After) +
		field("backup", rec.Backup) + field("temp", rec.Temp) + field("error", rec.Error)
	if rec.Staged {
		n += len(`,"staged":true`)
	}
	if s := rec.Summary; s != nil {
		n += len(`,"summary":{"create":,"update":,"replace":,"delete":,"noop":,"conflict":}`)
		for _, c := range []int{s.Create, s.Update, s.Replace, s.Delete, s.Noop, s.Conflict} {
			n += len(strconv.Itoa(c))
		}
	}
	return n
}
