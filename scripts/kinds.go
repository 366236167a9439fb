package scripts

import (
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/dop251/goja"
	"github.com/playwright-community/playwright-go"

	"billhound/browser"
	"billhound/failure"
)

// This file is where the engine recognises why a call failed (see package failure): a page that
// cannot be reached, an element that is not there, and the `fail` global through which scripts
// name a kind themselves.

// failKind fails the call with a message and gives its cause the kind k.
func (c *call) failKind(k failure.Kind, cause error, msg string) error {
	if cause == nil {
		cause = errors.New(msg)
	}
	return c.failMsg(failure.Wrap(k, cause), msg)
}

// changed fails a call whose element is missing (or never shows): the portal changed its page.
func (c *call) changed(cause error, format string, args ...any) error {
	return c.failKind(failure.PortalChanged, cause, fmt.Sprintf(format, args...))
}

// unreachableCodes are Chromium's network errors that mean the portal could not be reached,
// not that the script asked for something wrong.
var unreachableCodes = []string{
	"ERR_NAME_NOT_RESOLVED", "ERR_NAME_RESOLUTION_FAILED", "ERR_CONNECTION_REFUSED",
	"ERR_CONNECTION_RESET", "ERR_CONNECTION_CLOSED", "ERR_CONNECTION_TIMED_OUT",
	"ERR_ADDRESS_UNREACHABLE", "ERR_INTERNET_DISCONNECTED", "ERR_TIMED_OUT", "ERR_EMPTY_RESPONSE",
	"ERR_SSL_PROTOCOL_ERROR", "ERR_NETWORK_CHANGED",
}

// gotoError explains a navigation that failed (err) or that the server answered with a 5xx
// (resp). A portal that does not answer is "unreachable" and worth a retry later.
func (c *call) gotoError(err error, resp playwright.Response) error {
	if err == nil {
		if resp != nil && resp.Status() >= 500 {
			st := resp.Status()
			if why := resp.Headers()[strings.ToLower(browser.UnreachableHeader)]; why != "" {
				return c.failKind(failure.Unreachable, nil, "the portal could not be reached ("+why+"): check its URL, or try again later")
			}
			return c.failKind(failure.Unreachable, nil, fmt.Sprintf("the portal answered %d %s (a server error: try again later)", st, http.StatusText(st)))
		}
		return nil
	}
	if c.s.ctx.Err() != nil {
		return c.fail(err)
	}
	if isTimeout(err) {
		return c.failKind(failure.Unreachable, err, "the page did not finish loading within "+fmtDuration(c.timeout))
	}
	msg := err.Error()
	for _, code := range unreachableCodes {
		if strings.Contains(msg, "net::"+code) {
			return c.failKind(failure.Unreachable, err, describe(err, c.timeout))
		}
	}
	return c.fail(err)
}

// kindRecorder is implemented by hosts that keep the kind a script raised with fail.*(): the
// runner uses it when the script caught that error and threw another one.
type kindRecorder interface {
	RaisedKind(k failure.Kind, message string)
}

// failAPI is the JS `fail` object: fail.credentials("...") and its siblings throw an Error of
// that kind. The kind is recorded here, in the server, so it holds whatever the sandboxed script
// does with the error afterwards.
type failAPI struct {
	s *session
}

func (f *failAPI) raise(k failure.Kind, msgV goja.Value) error {
	msg := ""
	if !missing(msgV) {
		msg = strings.TrimSpace(msgV.String())
	}
	if msg == "" {
		msg = failure.Describe(k).Title
	}
	msg = f.s.redact(msg)
	if kr, ok := f.s.host.(kindRecorder); ok {
		kr.RaisedKind(k, msg)
	}
	return failure.New(k, msg)
}

func (f *failAPI) Credentials(msg goja.Value) error { return f.raise(failure.Credentials, msg) }
func (f *failAPI) CodeRejected(msg goja.Value) error {
	return f.raise(failure.CodeRejected, msg)
}
func (f *failAPI) CodeUnavailable(msg goja.Value) error {
	return f.raise(failure.CodeUnavailable, msg)
}
func (f *failAPI) Captcha(msg goja.Value) error      { return f.raise(failure.Captcha, msg) }
func (f *failAPI) ActionNeeded(msg goja.Value) error { return f.raise(failure.ActionNeeded, msg) }
func (f *failAPI) PortalChanged(msg goja.Value) error {
	return f.raise(failure.PortalChanged, msg)
}
func (f *failAPI) Timeout(msg goja.Value) error     { return f.raise(failure.Timeout, msg) }
func (f *failAPI) Unreachable(msg goja.Value) error { return f.raise(failure.Unreachable, msg) }
func (f *failAPI) ScriptError(msg goja.Value) error { return f.raise(failure.ScriptError, msg) }

//go:embed inspect.js
var inspectJS string

// PageState is what a failed run's page shows, for the runner to tell a wrong password or a
// captcha from a script that broke.
type PageState struct {
	Captcha  bool   `json:"captcha"`  // a reCAPTCHA, hCaptcha or Turnstile frame or widget
	Password bool   `json:"password"` // a visible password field (the login form came back)
	OTP      bool   `json:"otp"`      // a visible one-time-code field
	Message  string `json:"message"`  // the page's error or alert text, if any
}

// InspectPage looks at the page once (it never waits).
func InspectPage(page playwright.Page) (PageState, error) {
	var st PageState
	res, err := page.Evaluate(inspectJS)
	if err != nil {
		return st, err
	}
	return st, remarshal(res, &st)
}
