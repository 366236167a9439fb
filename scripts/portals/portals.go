// Package portals holds the portal scripts that ship inside the binary, as plain .js files
// users can read, copy and edit in the UI.
package portals

import (
	"embed"
	"io/fs"
	"sort"

	"billhound/scripts"
)

//go:embed *.js
var files embed.FS

// Bundled is one shipped script with its parsed header.
type Bundled struct {
	File   string         `json:"file"`
	Header scripts.Header `json:"-"`
	Source string         `json:"source"`
}

// List returns every bundled script whose header parses, by file name.
func List() ([]Bundled, error) {
	names, err := fs.Glob(files, "*.js")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]Bundled, 0, len(names))
	for _, n := range names {
		src, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		h, err := scripts.ParseHeader(string(src))
		if err != nil {
			return nil, err
		}
		out = append(out, Bundled{File: n, Header: h, Source: string(src)})
	}
	return out, nil
}

// Source returns the bundled script called file ("demo.js").
func Source(file string) (string, bool) {
	b, err := files.ReadFile(file)
	return string(b), err == nil
}
