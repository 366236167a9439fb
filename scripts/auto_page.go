package scripts

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/playwright-community/playwright-go"
)

// auto.login's footwork: where it starts, which frame holds the form, and how it sees that a
// submit was answered.

// start goes to opts.URL, or to the portal's URL when the page has no web page yet (a fresh
// run's tab is about:blank: scanning it would find nothing and wait for nothing).
func (a *autoAPI) start(c *call, target string) error {
	s := a.s
	if target == "" {
		if isWebURL(s.page.URL()) {
			return nil
		}
		if target = s.portal.URL; target == "" {
			msg := "the page is blank and the portal has no URL: give auto.login({url: ...}) or set the portal's URL"
			return c.failMsg(errors.New(msg), msg)
		}
	}
	c.relabel(fmt.Sprintf("auto.login({url: %q})", target))
	if err := s.refused(c); err != nil {
		return err
	}
	abs, err := s.navigationURL(target)
	if err != nil {
		return c.failMsg(err, err.Error())
	}
	resp, err := await(s, func() (playwright.Response, error) {
		return s.page.Goto(abs, playwright.PageGotoOptions{Timeout: ms(c.timeout), WaitUntil: playwright.WaitUntilStateLoad})
	})
	if rerr := s.refused(c); rerr != nil {
		return rerr
	}
	return c.gotoError(err, resp) // unreachable portals get their failure kind
}

func isWebURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https")
}

// scanFrames runs auto_scan.js in the page and then in its iframes (sign-in widgets often live
// in one), and returns what the first frame with a login field holds, remembering that frame
// for filling. Without any field it reports the main frame's scan (its message, its signs of a
// signed-in page).
func (a *autoAPI) scanFrames() (scan, error) {
	s := a.s
	main := s.page.MainFrame()
	frames := append([]playwright.Frame{main}, s.page.Frames()...)
	var first scan
	var firstErr error
	for i, fr := range frames {
		if i > 0 && (fr == main || fr.IsDetached() || !isWebURL(fr.URL())) {
			continue
		}
		var f scan
		res, err := await(s, func() (any, error) { return fr.Evaluate(autoScanJS) })
		if err == nil {
			err = remarshal(res, &f)
		}
		if i == 0 {
			first, firstErr = f, err
		}
		if err == nil && f.any() {
			a.frame = fr
			return f, nil
		}
	}
	a.frame = main
	return first, firstErr
}

// loc is a marked field (or button) in the frame of the last scan.
func (a *autoAPI) loc(what string) playwright.Locator {
	if a.frame == nil {
		a.frame = a.s.page.MainFrame()
	}
	return a.frame.Locator(marked(what))
}

// mark tags the scanned document and notes the URL before anything is filled, so that a new
// document (the answer to a classic form post, or a form that submits itself) is told apart
// from the same one with a changed form.
func (a *autoAPI) mark() {
	fr := a.frame
	a.url = a.s.page.URL()
	_, _ = await(a.s, func() (any, error) {
		return fr.Evaluate(`() => { window.__billhoundScanned = true; return true; }`)
	})
}

// answered waits until the page reacts to a submit: another document, another URL, a field
// that appears or goes away (the code field below the password, the password field gone), or a
// new message; at most d. It does not wait for the submitted field to disappear: portals that
// keep e-mail and password on screen and add the code field below them never remove it.
//
// A message that merely goes away (portals clear their error when a field is typed in) is no
// answer; a new or different one is.
func (a *autoAPI) answered(before scan, d time.Duration) bool {
	s := a.s
	fr := a.frame
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if s.sleep(100*time.Millisecond) != nil {
			return false
		}
		if s.page.URL() != a.url || fr.IsDetached() {
			return true
		}
		same, err := await(s, func() (any, error) {
			return fr.Evaluate(`() => window.__billhoundScanned === true`)
		})
		if err != nil || same != true { // the document went away or was replaced
			return true
		}
		var now scan
		res, err := await(s, func() (any, error) { return fr.Evaluate(autoScanJS) })
		if err != nil || remarshal(res, &now) != nil {
			return true
		}
		if now.User != before.User || now.Password != before.Password || now.OTP != before.OTP ||
			now.Boxes != before.Boxes || (now.Message != "" && now.Message != before.Message) || now.SignedIn != before.SignedIn {
			return true
		}
	}
	return false
}
