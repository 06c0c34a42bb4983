package scan

// Kind is what an entry is, as far as links care: what lstat says of it,
// or what a folder's listing says.
type Kind uint8

const (
	KindMissing Kind = iota // nothing there
	KindFile                // anything that is neither a folder nor a symlink
	KindDir                 // a folder
	KindLink                // a symlink
	KindUnknown             // a listing that does not say (d_type DT_UNKNOWN): lstat tells
)
