package scripts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/netpolicy"
)

// httpResult is an answer of the Go HTTP client with its body on disk.
type httpResult struct {
	status int
	url    string // after redirects
	header http.Header
	body   *spooled // nil when the body was not read (an error status of a download)
}

// httpRequest is one request of download(url) or page.fetch.
type httpRequest struct {
	method  string
	url     string
	header  map[string]string
	body    string
	what    string        // "the download", "the response": names the body in the size error
	timeout time.Duration // the whole exchange, body included
	errorOK bool          // read the body of 4xx/5xx answers too (page.fetch)
}

// httpDo sends r with the browser context's cookies and user agent and streams the answer's body
// to disk under the size cap. It does not go through Playwright's request API because that
// returns bodies whole, in memory. The session's netpolicy applies to the URL, every redirect
// and every address dialed; cookies the server sets go back into the browser context, so the
// script's session stays shared with the page.
func (s *session) httpDo(r httpRequest) (*httpResult, error) {
	if err := s.policy.CheckURL(r.url); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(s.ctx, r.timeout)
	defer cancel()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		return nil, fmt.Errorf("cannot send this request: %v", err)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	if req.Header.Get("User-Agent") == "" {
		if ua, err := await(s, func() (any, error) { return s.page.Evaluate("navigator.userAgent") }); err == nil {
			if str, ok := ua.(string); ok {
				req.Header.Set("User-Agent", str)
			}
		}
	}
	tr := s.transport()
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Jar: &contextJar{bctx: s.page.Context()}, CheckRedirect: s.checkRedirect}
	resp, err := client.Do(req)
	if err != nil {
		return nil, s.httpError(ctx, err, r.timeout)
	}
	defer resp.Body.Close()
	res := &httpResult{status: resp.StatusCode, url: resp.Request.URL.String(), header: resp.Header}
	if resp.StatusCode >= 400 && !r.errorOK {
		return res, nil
	}
	if resp.ContentLength > s.files.max {
		return nil, s.files.tooLarge(r.what) // refused before a byte is read
	}
	res.body, err = s.files.spool(resp.Body, r.what)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, err
		}
		return nil, s.httpError(ctx, err, r.timeout)
	}
	return res, nil
}

// transport dials through the netpolicy (the address actually dialed, after DNS) and never
// through a proxy from the environment, which would hide the real target from that check.
func (s *session) transport() *http.Transport {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: s.policy.Control}
	return &http.Transport{
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: 0, // the request's context bounds the whole exchange
		MaxIdleConns:          4,
	}
}

// checkRedirect applies the netpolicy to every hop (a redirect to file: or to billhound itself
// is refused) and stops redirect loops like a browser does.
func (s *session) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 20 {
		return errors.New("stopped after 20 redirects")
	}
	return s.policy.CheckURL(req.URL.String())
}

// httpError makes a sentence of a failed exchange: a policy refusal, the call's timeout, or the
// network error without Go's `Get "url":` prefix.
func (s *session) httpError(ctx context.Context, err error, timeout time.Duration) error {
	var pe *netpolicy.Error
	switch {
	case errors.As(err, &pe):
		return pe
	case ctx.Err() != nil && s.ctx.Err() == nil:
		return fmt.Errorf("%w: timed out after %s", playwright.ErrTimeout, fmtDuration(timeout))
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err
}

// contextJar is an http.CookieJar backed by a browser context: requests carry the cookies the
// browser has for their URL, and cookies the server sets are added to the browser.
type contextJar struct {
	bctx playwright.BrowserContext
}

func (j *contextJar) Cookies(u *url.URL) []*http.Cookie {
	cs, err := j.bctx.Cookies(u.String())
	if err != nil {
		return nil
	}
	out := make([]*http.Cookie, 0, len(cs))
	for _, c := range cs {
		out = append(out, &http.Cookie{Name: c.Name, Value: c.Value})
	}
	return out
}

func (j *contextJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	add := make([]playwright.OptionalCookie, 0, len(cookies))
	for _, c := range cookies {
		if oc, ok := browserCookie(u, c, time.Now()); ok {
			add = append(add, oc)
		}
	}
	if len(add) > 0 {
		_ = j.bctx.AddCookies(add)
	}
}

// browserCookie converts a Set-Cookie of the answer to u into a browser cookie. A Domain that u's
// host does not belong to is ignored, as a browser would.
func browserCookie(u *url.URL, c *http.Cookie, now time.Time) (playwright.OptionalCookie, bool) {
	host := strings.ToLower(u.Hostname())
	domain := host // host-only: no leading dot
	if d := strings.TrimPrefix(strings.ToLower(c.Domain), "."); d != "" {
		if host != d && !strings.HasSuffix(host, "."+d) {
			return playwright.OptionalCookie{}, false
		}
		domain = "." + d
	}
	path := c.Path
	if !strings.HasPrefix(path, "/") {
		path = defaultCookiePath(u.Path)
	}
	oc := playwright.OptionalCookie{
		Name: c.Name, Value: c.Value, Domain: &domain, Path: &path,
		HttpOnly: playwright.Bool(c.HttpOnly), Secure: playwright.Bool(c.Secure),
	}
	switch {
	case c.MaxAge < 0: // Max-Age=0: delete now
		oc.Expires = playwright.Float(1)
	case c.MaxAge > 0:
		oc.Expires = playwright.Float(float64(now.Unix() + int64(c.MaxAge)))
	case !c.Expires.IsZero():
		oc.Expires = playwright.Float(float64(max(c.Expires.Unix(), 1)))
	}
	switch c.SameSite {
	case http.SameSiteStrictMode:
		oc.SameSite = playwright.SameSiteAttributeStrict
	case http.SameSiteLaxMode:
		oc.SameSite = playwright.SameSiteAttributeLax
	case http.SameSiteNoneMode:
		oc.SameSite = playwright.SameSiteAttributeNone
	}
	return oc, true
}

// defaultCookiePath is RFC 6265's default-path: the request path up to its last slash.
func defaultCookiePath(p string) string {
	i := strings.LastIndex(p, "/")
	if i <= 0 {
		return "/"
	}
	return p[:i]
}
