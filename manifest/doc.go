// Package manifest loads links.yaml into a typed, fully resolved [Manifest].
//
// Load reads the document into a yaml.Node tree (never through yaml.v3's
// reflective decoder, which is quadratic on large mappings): documents
// written in the plain part of YAML manifests use are read by fastYAML,
// held by fuzzing to yaml.v3's tree, and everything else by yaml.v3; large
// manifests are parsed in chunks on every CPU (chunk.go). It converts the
// node tree to plain values itself — rejecting duplicate keys, merge keys,
// non-string keys, unsupported tags and alias expansions larger than the
// document — validates the result against the JSON Schema in package
// schema, and then applies the rules a schema cannot say: variable
// expansion, root and ~ resolution, dest confinement under root, duplicate
// dests, glob syntax.
//
// [Encode] is Load's inverse for what links import writes: a [Document]
// (root, the default strategy, links and tree entries) as YAML that Load
// reads back as declared, quoting what YAML would read otherwise.
//
// Every problem is reported, sorted by position, as an [*Error] of the form
// FILE:LINE:COL: PATH: MESSAGE inside an [ErrorList]. The package never
// touches the filesystem except to read the manifest in [Load]; the caller
// provides the environment and home folder through [Options].
package manifest
