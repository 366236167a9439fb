package scripts

import (
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/playwright-community/playwright-go"
)

// fetchOptions are page.fetch's opts.
type fetchOptions struct {
	Method  string
	Headers map[string]string
	Body    goja.Value
	Timeout float64
}

// fetchResponse is what page.fetch returns. The body is read before the call returns, so text()
// and json() do not block.
type fetchResponse struct {
	Status  int
	OK      bool
	URL     string
	Headers map[string]string

	s     *session
	body  []byte
	label string
}

// Fetch sends an HTTP request through the browser context's request API, which shares the
// context's cookie jar: requests carry the login's cookies and Set-Cookie answers update it.
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
	req := playwright.APIRequestContextFetchOptions{
		Method:           playwright.String(strings.ToUpper(opts.Method)),
		Headers:          opts.Headers,
		Timeout:          ms(c.timeout),
		FailOnStatusCode: playwright.Bool(false),
	}
	if !missing(opts.Body) {
		if _, isObj := opts.Body.(*goja.Object); isObj {
			js, err := s.jsonStringify(goja.Undefined(), opts.Body)
			if err != nil {
				return nil, c.failf(err, "opts.body cannot be sent as JSON")
			}
			req.Data = js.String()
			if !hasHeader(opts.Headers, "content-type") {
				h := map[string]string{"content-type": "application/json"}
				for k, v := range opts.Headers {
					h[k] = v
				}
				req.Headers = h
			}
		} else {
			req.Data = opts.Body.String()
		}
	}
	resp, err := await(s, func() (playwright.APIResponse, error) {
		return s.page.Request().Fetch(abs, req)
	})
	if err != nil {
		return nil, c.fail(err)
	}
	defer func() { _ = resp.Dispose() }()
	body, err := await(s, resp.Body)
	if err != nil {
		return nil, c.fail(err)
	}
	return &fetchResponse{
		Status:  resp.Status(),
		OK:      resp.Ok(),
		URL:     resp.URL(),
		Headers: resp.Headers(),
		s:       s,
		body:    body,
		label:   c.label,
	}, nil
}

func (r *fetchResponse) Text() string {
	return string(r.body)
}

func (r *fetchResponse) JSON() (goja.Value, error) {
	v, err := r.s.jsonParse(goja.Undefined(), r.s.rt.ToValue(string(r.body)))
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
