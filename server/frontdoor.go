package server

import (
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Body limits: every request gets maxJSON unless its route is listed here. Uploads (multipart)
// are accepted only on the upload routes, with their own limit.
const (
	maxJSON     = 64 << 10
	maxJSONText = "64 KB"
	maxPortal   = 1 << 20 // a portal carries its script (at most 512 KB)
	maxImage    = 25 << 20
)

var (
	largeJSONRoutes = map[string]int64{"POST /api/portals": maxPortal, "PUT /api/portals/:id": maxPortal}
	uploadRoutes    = map[string]int64{"PUT /api/portals/:id/totp": maxImage, "POST /api/import": maxImage, "PUT /api/handoff/:token/image": maxImage}
	// formRoutes also take form posts: SMS forwarder apps on phones send them (the route is
	// authenticated by its own token, never by the session cookie).
	formRoutes = map[string]bool{"POST /api/inbox/sms": true}
)

// limitBody refuses a body over its route's limit: at once when Content-Length says so, and
// when the reader passes the limit otherwise (chunked bodies). Either way the answer is a 413
// naming the limit, whatever the handler made of the cut-off body.
func limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		route := req.Method + " " + c.Path()
		limit, text := int64(maxJSON), maxJSONText
		if n, ok := largeJSONRoutes[route]; ok {
			limit, text = n, "1 MB"
		}
		if n, ok := uploadRoutes[route]; ok && strings.HasPrefix(req.Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
			limit, text = n, maxUploadText
		}
		if err := checkContentType(req, route); err != nil {
			return err
		}
		tooLarge := &apiError{Status: http.StatusRequestEntityTooLarge, Message: "the request body is larger than " + text + "; send less"}
		if req.ContentLength > limit {
			return tooLarge
		}
		lb := &limitedBody{r: req.Body, left: limit}
		req.Body = lb
		err := next(c)
		if lb.over {
			return tooLarge
		}
		return err
	}
}

// checkContentType: a body is JSON (or an upload on an upload route). A form post or text/plain
// never reaches a handler, so no handler has to guess what it got.
func checkContentType(req *http.Request, route string) error {
	if req.ContentLength == 0 || req.Method == http.MethodGet || req.Method == http.MethodHead {
		return nil
	}
	ct := req.Header.Get(echo.HeaderContentType)
	if strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return nil
	}
	if _, ok := uploadRoutes[route]; ok && strings.HasPrefix(ct, echo.MIMEMultipartForm) {
		return nil
	}
	if formRoutes[route] && (strings.HasPrefix(ct, echo.MIMEApplicationForm) || strings.HasPrefix(ct, echo.MIMEMultipartForm) || strings.HasPrefix(ct, echo.MIMETextPlain)) {
		return nil
	}
	return &apiError{Status: http.StatusUnsupportedMediaType, Message: "send the request body as JSON with Content-Type: application/json"}
}

type limitedBody struct {
	r    io.ReadCloser
	left int64
	over bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// Read one byte more to tell "exactly at the limit" from "over it".
		var one [1]byte
		if n, _ := b.r.Read(one[:]); n > 0 {
			b.over = true
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.r.Close() }

// sameOrigin refuses state-changing requests (POST, PUT, PATCH, DELETE) that a browser sends on
// behalf of another origin, including another port of the same host (which shares billhound's
// cookies). Browsers say where a request comes from in Sec-Fetch-Site (all current ones) or
// Origin; only "same-origin" (or "none": typed by the user) and an Origin equal to the Host
// pass. A request with neither header is not from a browser page (curl, scripts) and carries no
// cookie a browser would add on its own, so it passes and meets the session check as usual.
func sameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	cop := http.NewCrossOriginProtection()
	return func(c echo.Context) error {
		// A bearer token without cookies is no CSRF risk: a browser never adds the header by
		// itself, so the request was written by whoever holds the token.
		if r := c.Request(); bearerToken(r) != "" && r.Header.Get("Cookie") == "" {
			return next(c)
		}
		if err := cop.Check(c.Request()); err != nil {
			return &apiError{Status: http.StatusForbidden, Message: "this request came from another site or port and was refused; " +
				"use billhound's own pages (behind a proxy, keep the Host header the browser sent)"}
		}
		return next(c)
	}
}
