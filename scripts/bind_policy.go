package scripts

import (
	"net/url"
	"strings"
)

// A script reaches the web and nothing else of this machine (package netpolicy). The browser
// context enforces that for everything Chromium loads; the bindings check the URLs they are
// given before asking the browser, and fail the script's next call when the browser refused
// something on its own (a link, redirect, frame or popup of the page), so no attempt passes
// silently.

// refused returns the refusal the browser recorded since the script's last call (or during
// this one) as c's error, or nil. Calls check it before they act and, when they may navigate,
// after.
func (s *session) refused(c *call) error {
	if err := s.policy.Take(); err != nil {
		return c.failMsg(err, "blocked: "+err.Error())
	}
	return nil
}

// navigationURL resolves raw against the portal's URL (the context's BaseURL, as Playwright
// would) and checks it. The checked URL is the one to load, so the browser gets nothing else.
func (s *session) navigationURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "about:blank" {
		return raw, nil
	}
	abs := raw
	if u, err := url.Parse(raw); err == nil && !u.IsAbs() {
		if base, err := url.Parse(s.portal.URL); err == nil && base.IsAbs() {
			abs = base.ResolveReference(u).String()
		}
	}
	if err := s.policy.CheckURL(abs); err != nil {
		return "", err
	}
	return abs, nil
}
