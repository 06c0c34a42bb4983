// Package schema holds the JSON Schema of the links manifest (links.yaml) and
// validates decoded manifests against it.
//
// The schema is a real draft 2020-12 file, links.schema.json, embedded in
// the binary; `links schema` prints it and editors use it through the
// yaml-language-server modeline. Validate reports every violation (not just
// the first) as a [Violation] carrying a JSON pointer into the document, so
// the manifest package can map each one back to a YAML line and column.
package schema
