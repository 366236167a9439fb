package server

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

const notBuiltPage = `<!doctype html><meta charset="utf-8"><title>billhound</title>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto">
<h1>billhound</h1><p>The web UI was not built into this binary. Build it with <code>make build</code>
(needs Node.js), or use the JSON API under <code>/api</code> and the command line.</p></body>`

// serveUI serves the embedded SPA; unknown paths get index.html so client-side routes load.
func (s *Server) serveUI(c echo.Context) error {
	ui := s.deps.UI
	if ui == nil {
		return c.HTML(http.StatusOK, notBuiltPage)
	}
	name := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
	if name == "" {
		name = "index.html"
	}
	if st, err := fs.Stat(ui, name); err != nil || st.IsDir() {
		name = "index.html"
	}
	if _, err := fs.Stat(ui, name); err != nil {
		return c.HTML(http.StatusOK, notBuiltPage)
	}
	h := c.Response().Header()
	if strings.HasPrefix(name, "assets/") {
		h.Set("Cache-Control", "public, max-age=31536000, immutable") // Vite names assets by content hash
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeFileFS(c.Response(), c.Request(), ui, name)
	return nil
}
