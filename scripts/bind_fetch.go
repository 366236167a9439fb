package scripts

import (
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/dop251/goja"
)

// fetchOptions are page.fetch's opts.
type fetchOptions struct {
	Method  string
	Headers map[string]string
	Body    goja.Value
	Timeout float64
}

// fetchResponse is what page.fetch returns. The body is on disk (streamed there under the size
// cap before the call returns); text() and json() read it when asked.
type fetchResponse struct {
	Status  int
	OK      bool
	URL     string
	Headers map[string]string

	s     *session
	body  *spooled
	label string
}

// Fetch sends an HTTP request with the browser context's cookies and user agent: requests carry
// the login's cookies and Set-Cookie answers go back to the browser.
func (p *pageAPI) Fetch(urlV, optsV goja.Value) (*fetchResponse, error) {
	s := p.s
	raw, err := argString(urlV, "the URL")
	c := p.begin("fetch", raw)
	defer c.end()
	if err != nil {
		return nil, c.failMsg(err, err.Error())
	}
	opts := fetchOptions{Method: "GET"}
	if err := s.decodeOptions(optsV, &opts, "opts"); err != nil {
		return nil, c.failMsg(err, err.Error())
	}
	abs, err := s.resolve(raw)
	if err != nil {
		return nil, c.failMsg(err, err.Error())
	}
	if opts.Timeout > 0 {
		c.timeout = s.budget(time.Duration(opts.Timeout * float64(time.Millisecond)))
	}
	req := httpRequest{method: strings.ToUpper(opts.Method), url: abs, header: opts.Headers,
		what: "the response", timeout: c.timeout, errorOK: true}
	if !missing(opts.Body) {
		if _, isObj := opts.Body.(*goja.Object); isObj {
			js, err := s.jsonStringify(goja.Undefined(), opts.Body)
			if err != nil {
				return nil, c.failf(err, "opts.body cannot be sent as JSON")
			}
			req.body = js.String()
			if !hasHeader(opts.Headers, "content-type") {
				h := map[string]string{"content-type": "application/json"}
				for k, v := range opts.Headers {
					h[k] = v
				}
				req.header = h
			}
		} else {
			req.body = opts.Body.String()
		}
	}
	res, err := s.httpDo(req)
	if err != nil {
		return nil, c.fail(err)
	}
	r := &fetchResponse{
		Status:  res.status,
		OK:      res.status >= 200 && res.status < 300,
		URL:     res.url,
		Headers: lowerHeaders(res.header),
		s:       s,
		body:    res.body,
		label:   c.label,
	}
	// A loop of fetches must not fill the disk until the run ends: the body goes when the
	// script drops the response.
	files, path := s.files, res.body.path
	runtime.SetFinalizer(r, func(*fetchResponse) { files.remove(path) })
	return r, nil
}

// lowerHeaders gives response headers as Playwright did: lower-case names, repeated values
// joined by ", " (Set-Cookie by newlines).
func lowerHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		k = strings.ToLower(k)
		sep := ", "
		if k == "set-cookie" {
			sep = "\n"
		}
		out[k] = strings.Join(vs, sep)
	}
	return out
}

func (r *fetchResponse) Text() (string, error) {
	data, err := os.ReadFile(r.body.path)
	if err != nil {
		c := &call{s: r.s, label: r.label + ".text()", noURL: true}
		return "", c.failf(err, "the response body is gone (%v)", err)
	}
	return string(data), nil
}

func (r *fetchResponse) JSON() (goja.Value, error) {
	text, err := r.Text()
	if err != nil {
		return nil, err
	}
	v, err := r.s.jsonParse(goja.Undefined(), r.s.rt.ToValue(text))
	if err != nil {
		c := &call{s: r.s, label: r.label + ".json", noURL: true}
		c.label += "()"
		msg := "the response is not JSON"
		if ex, ok := err.(*goja.Exception); ok {
			msg += " (" + ex.Value().String() + ")"
		}
		return nil, c.failMsg(err, msg)
	}
	return v, nil
}

func hasHeader(h map[string]string, name string) bool {
	for k := range h {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}
