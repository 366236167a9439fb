package scripts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/playwright-community/playwright-go"
)

// Waiting on the page: page.waitFor (an element's state) and page.waitForURL.

// waitForOptions are page.waitFor's opts.
type waitForOptions struct {
	State   string
	Timeout float64
}

func (p *pageAPI) WaitFor(selV, optsV goja.Value) error {
	c, sel, err := p.selectorCall("waitFor", selV)
	defer c.end()
	if err != nil {
		return err
	}
	opts := waitForOptions{State: "visible"}
	if err := p.s.decodeOptions(optsV, &opts, "opts"); err != nil {
		return c.failMsg(err, err.Error())
	}
	var state *playwright.WaitForSelectorState
	switch opts.State {
	case "visible":
		state = playwright.WaitForSelectorStateVisible
	case "hidden":
		state = playwright.WaitForSelectorStateHidden
	case "attached":
		state = playwright.WaitForSelectorStateAttached
	case "detached":
		state = playwright.WaitForSelectorStateDetached
	default:
		err := fmt.Errorf("opts.state must be visible, hidden, attached or detached, not %q", opts.State)
		return c.failMsg(err, err.Error())
	}
	if opts.Timeout > 0 {
		c.timeout = p.s.budget(time.Duration(opts.Timeout * float64(time.Millisecond)))
	}
	loc := p.first(sel)
	err = await0(p.s, func() error {
		return loc.WaitFor(playwright.LocatorWaitForOptions{State: state, Timeout: ms(c.timeout)})
	})
	if err == nil {
		return nil
	}
	if isTimeout(err) {
		within := fmtDuration(c.timeout)
		switch opts.State {
		case "visible":
			if p.s.count(loc) == 0 {
				return c.changed(err, "no element matched within %s", within)
			}
			return c.changed(err, "the element did not become visible within %s", within)
		case "attached":
			return c.changed(err, "no element matched within %s", within)
		case "hidden":
			return c.failf(err, "the element was still visible after %s", within)
		case "detached":
			return c.failf(err, "the element was still there after %s", within)
		}
	}
	return c.fail(err)
}

// urlMatcher returns a test for URLs: "contains part" for a string, the RegExp's own test()
// for a RegExp (run on the runtime's goroutine, so JS semantics hold), and how to show it.
func (s *session) urlMatcher(v goja.Value) (match func(string) bool, shown string, err error) {
	if re, ok := v.(*goja.Object); ok && s.rt.InstanceOf(re, s.regexpCtor) {
		test, ok := goja.AssertFunction(re.Get("test"))
		if !ok {
			return nil, re.String(), errors.New("the RegExp has no test method")
		}
		return func(u string) bool {
			_ = re.Set("lastIndex", 0) // a /g or /y RegExp would otherwise resume mid-string
			r, err := test(re, s.rt.ToValue(u))
			return err == nil && r.ToBoolean()
		}, re.String(), nil
	}
	part, err := argString(v, "the URL part")
	if err != nil {
		return nil, "", err
	}
	return func(u string) bool { return strings.Contains(u, part) }, strconv.Quote(part), nil
}

// waitForURLOptions are page.waitForURL's opts (an addition).
type waitForURLOptions struct {
	Timeout float64
}

// WaitForURL polls the frame's URL (Playwright keeps it current from navigation events) so that a
// JS RegExp can be tested with JS semantics on the runtime's own goroutine.
func (p *pageAPI) WaitForURL(partV, optsV goja.Value) error {
	s := p.s
	match, shown, err := s.urlMatcher(partV)
	c := p.begin("waitForURL")
	c.relabel(p.name + ".waitForURL(" + shown + ")")
	defer c.end()
	if err != nil {
		return c.failMsg(err, err.Error())
	}
	if err := s.refused(c); err != nil {
		return err
	}
	var opts waitForURLOptions
	if err := s.decodeOptions(optsV, &opts, "opts"); err != nil {
		return c.failMsg(err, err.Error())
	}
	if opts.Timeout > 0 {
		c.timeout = s.budget(time.Duration(opts.Timeout * float64(time.Millisecond)))
	}
	deadline := time.Now().Add(c.timeout)
	for !match(p.frame.URL()) {
		if time.Now().After(deadline) {
			return c.failf(playwright.ErrTimeout, "the URL did not match within %s (it is %s)", fmtDuration(c.timeout), p.frame.URL())
		}
		if err := s.sleep(100 * time.Millisecond); err != nil {
			return c.fail(err)
		}
	}
	left := time.Until(deadline)
	if left < time.Millisecond {
		left = time.Millisecond
	}
	err = await0(s, func() error {
		return p.frame.WaitForLoadState(playwright.FrameWaitForLoadStateOptions{State: playwright.LoadStateLoad, Timeout: ms(left)})
	})
	if err != nil {
		if isTimeout(err) {
			return c.failf(err, "the URL matched but the page did not finish loading within %s", fmtDuration(c.timeout))
		}
		return c.fail(err)
	}
	return nil
}
