package main

import (
	"embed"
	"io/fs"
)

// The SPA is built by Vite into frontend/dist/spa (not committed). frontend/dist/README.md is
// committed, so this embed always has a folder and `go build` works without Node; the server
// then shows a "UI not built" page.
//
//go:embed all:frontend/dist
var dist embed.FS

// webUI returns the built SPA, or nil when it was not built.
func webUI() fs.FS {
	ui, err := fs.Sub(dist, "frontend/dist/spa")
	if err != nil {
		return nil
	}
	if _, err := fs.Stat(ui, "index.html"); err != nil {
		return nil
	}
	return ui
}
