package scripts

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/playwright-community/playwright-go"

	"billhound/browser"
)

// pageAPI is the JS `page` object, and every page.frame(sel) object: the same methods, on a
// frame instead of the main frame. Selectors are Playwright selectors (CSS by default; "text=…"
// and XPath work too); an action uses the first match.
type pageAPI struct {
	s     *session
	frame playwright.Frame
	name  string // "page", or `page.frame("#x")` in messages
}

func (p *pageAPI) begin(method string, args ...string) *call {
	return p.s.begin(p.name+"."+method, args...)
}

// first is the locator of the first element matching sel.
func (p *pageAPI) first(sel string) playwright.Locator {
	return p.frame.Locator(sel).First()
}

// selectorCall starts a call whose first argument is a selector and validates it.
func (p *pageAPI) selectorCall(method string, selV goja.Value) (*call, string, error) {
	sel, err := argSelector(selV)
	c := p.begin(method, sel)
	if err != nil {
		return c, "", c.failMsg(err, err.Error())
	}
	if err := p.s.refused(c); err != nil {
		return c, "", err
	}
	return c, sel, nil
}

func (p *pageAPI) Goto(urlV goja.Value) error {
	u, err := argString(urlV, "the URL")
	c := p.begin("goto", u)
	defer c.end()
	if err != nil {
		return c.failMsg(err, err.Error())
	}
	if err := p.s.refused(c); err != nil {
		return err
	}
	if u, err = p.s.navigationURL(u); err != nil {
		return c.failMsg(err, err.Error())
	}
	resp, err := await(p.s, func() (playwright.Response, error) {
		return p.frame.Goto(u, playwright.FrameGotoOptions{Timeout: ms(c.timeout), WaitUntil: playwright.WaitUntilStateLoad})
	})
	if rerr := p.s.refused(c); rerr != nil { // a redirect, frame or request of the page; says more than net::ERR_…
		return rerr
	}
	return c.gotoError(err, resp)
}

func (p *pageAPI) Fill(selV, valueV goja.Value) error {
	c, sel, err := p.selectorCall("fill", selV)
	defer c.end()
	if err != nil {
		return err
	}
	c.relabel(hideLast(c.label)) // never the value: it may be a password
	return p.s.fill(c, p.first(sel), valueV)
}

func (p *pageAPI) Type(selV, textV goja.Value) error {
	c, sel, err := p.selectorCall("type", selV)
	defer c.end()
	if err != nil {
		return err
	}
	c.relabel(hideLast(c.label))
	text, err := argString(textV, "the text")
	if err != nil {
		return c.failMsg(err, err.Error())
	}
	loc := p.first(sel)
	err = await0(p.s, func() error {
		return loc.PressSequentially(text, playwright.LocatorPressSequentiallyOptions{Timeout: ms(c.timeout)})
	})
	return p.s.actionError(c, loc, err, needEditable)
}

func (p *pageAPI) Click(selV goja.Value) error {
	c, sel, err := p.selectorCall("click", selV)
	defer c.end()
	if err != nil {
		return err
	}
	return p.s.click(c, p.first(sel))
}

func (p *pageAPI) Press(selV, keyV goja.Value) error {
	c, sel, err := p.selectorCall("press", selV)
	defer c.end()
	if err != nil {
		return err
	}
	key, err := argString(keyV, "the key")
	c.relabel(label(p.name+".press", sel, key))
	if err != nil {
		return c.failMsg(err, err.Error())
	}
	loc := p.first(sel)
	err = await0(p.s, func() error {
		return loc.Press(key, playwright.LocatorPressOptions{Timeout: ms(c.timeout)})
	})
	return p.s.actionError(c, loc, err, needAttached)
}

func (p *pageAPI) Select(selV, valueV goja.Value) error {
	c, sel, err := p.selectorCall("select", selV)
	defer c.end()
	if err != nil {
		return err
	}
	value, err := argString(valueV, "the value")
	c.relabel(label(p.name+".select", sel, value))
	if err != nil {
		return c.failMsg(err, err.Error())
	}
	loc := p.first(sel)
	_, err = await(p.s, func() ([]string, error) {
		return loc.SelectOption(playwright.SelectOptionValues{ValuesOrLabels: &[]string{value}},
			playwright.LocatorSelectOptionOptions{Timeout: ms(c.timeout)})
	})
	if isTimeout(err) && p.s.count(loc) > 0 {
		return c.failf(err, "the <select> had no option with value or label %q within %s", value, fmtDuration(c.timeout))
	}
	return p.s.actionError(c, loc, err, needEnabled)
}

func (p *pageAPI) Check(selV goja.Value) error {
	c, sel, err := p.selectorCall("check", selV)
	defer c.end()
	if err != nil {
		return err
	}
	loc := p.first(sel)
	err = await0(p.s, func() error {
		return loc.Check(playwright.LocatorCheckOptions{Timeout: ms(c.timeout)})
	})
	return p.s.actionError(c, loc, err, needEnabled)
}

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

func (p *pageAPI) Exists(selV goja.Value) (bool, error) {
	c, sel, err := p.selectorCall("exists", selV)
	defer c.end()
	if err != nil {
		return false, err
	}
	n, err := await(p.s, func() (int, error) { return p.frame.Locator(sel).Count() })
	if err != nil {
		return false, c.fail(err)
	}
	return n > 0, nil
}

func (p *pageAPI) Text(selV goja.Value) (string, error) {
	c, sel, err := p.selectorCall("text", selV)
	defer c.end()
	if err != nil {
		return "", err
	}
	return p.s.text(c, p.first(sel))
}

func (p *pageAPI) Attr(selV, nameV goja.Value) (goja.Value, error) {
	c, sel, err := p.selectorCall("attr", selV)
	defer c.end()
	if err != nil {
		return nil, err
	}
	name, err := argString(nameV, "the attribute name")
	c.relabel(label(p.name+".attr", sel, name))
	if err != nil {
		return nil, c.failMsg(err, err.Error())
	}
	return p.s.attr(c, p.first(sel), name)
}

func (p *pageAPI) All(selV goja.Value) (goja.Value, error) {
	c, sel, err := p.selectorCall("all", selV)
	defer c.end()
	if err != nil {
		return nil, err
	}
	return p.s.all(c, p.frame.Locator(sel), fmt.Sprintf("%s.all(%q)", p.name, sel))
}

func (p *pageAPI) URL() string {
	return p.frame.URL()
}

func (p *pageAPI) Content() (string, error) {
	c := p.begin("content")
	defer c.end()
	if err := p.s.refused(c); err != nil {
		return "", err
	}
	html, err := await(p.s, p.frame.Content)
	if err != nil {
		return "", c.fail(err)
	}
	return html, nil
}

// Evaluate runs src in the page. Playwright calls src with arg when it is a function's source,
// and evaluates it as an expression otherwise. The result crosses as JSON.
func (p *pageAPI) Evaluate(srcV, argV goja.Value) (goja.Value, error) {
	src, err := argString(srcV, "the source")
	c := p.begin("evaluate", src)
	defer c.end()
	if err != nil {
		return nil, c.failMsg(err, err.Error())
	}
	if err := p.s.refused(c); err != nil {
		return nil, err
	}
	var arg any
	if !missing(argV) { // through JSON: Playwright takes only plain values (float64, maps, slices)
		js, err := p.s.jsonStringify(goja.Undefined(), argV)
		if err == nil && js != nil && !goja.IsUndefined(js) {
			err = json.Unmarshal([]byte(js.String()), &arg)
		}
		if err != nil {
			return nil, c.failf(err, "the argument cannot be passed to the page as JSON")
		}
	}
	res, err := await(p.s, func() (any, error) { return p.frame.Evaluate(src, arg) })
	if rerr := p.s.refused(c); rerr != nil { // e.g. location = "file:…", or a fetch the browser refused
		return nil, rerr
	}
	if err != nil {
		return nil, c.fail(err)
	}
	if res == nil {
		return goja.Null(), nil
	}
	return p.s.fromJSON(c, res)
}

// fromJSON turns a Go value (from Playwright) into plain JS values via JSON.
func (s *session) fromJSON(c *call, v any) (goja.Value, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, c.failf(err, "the result cannot be passed to the script as JSON: %v", err)
	}
	out, err := s.jsonParse(goja.Undefined(), s.rt.ToValue(string(b)))
	if err != nil {
		return nil, c.failf(err, "the result cannot be passed to the script as JSON")
	}
	return out, nil
}

func (p *pageAPI) Frame(selV goja.Value) (*pageAPI, error) {
	c, sel, err := p.selectorCall("frame", selV)
	defer c.end()
	if err != nil {
		return nil, err
	}
	loc := p.first(sel)
	el, err := await(p.s, func() (playwright.ElementHandle, error) {
		return loc.ElementHandle(playwright.LocatorElementHandleOptions{Timeout: ms(c.timeout)})
	})
	if err != nil {
		if isTimeout(err) {
			return nil, c.changed(err, "no element matched within %s", fmtDuration(c.timeout))
		}
		return nil, c.fail(err)
	}
	f, err := await(p.s, el.ContentFrame)
	if err != nil || f == nil {
		return nil, c.failf(err, "the element is not an iframe")
	}
	// The iframe's document may still be loading; actions wait for their elements anyway.
	_ = await0(p.s, func() error {
		return f.WaitForLoadState(playwright.FrameWaitForLoadStateOptions{State: playwright.LoadStateLoad, Timeout: ms(c.timeout)})
	})
	return &pageAPI{s: p.s, frame: f, name: fmt.Sprintf("%s.frame(%q)", p.name, sel)}, nil
}

func (p *pageAPI) Screenshot(labelV goja.Value) error {
	name := "screenshot"
	if !missing(labelV) {
		name = labelV.String()
	}
	c := p.begin("screenshot", name)
	defer c.end()
	if err := p.s.refused(c); err != nil {
		return err
	}
	png, err := await(p.s, func() ([]byte, error) {
		return browser.MaskedScreenshot(p.s.page, p.s.secrets.Secret, playwright.PageScreenshotOptions{FullPage: playwright.Bool(true), Timeout: ms(c.timeout)})
	})
	if err != nil {
		return c.fail(err)
	}
	if _, err := p.s.artifact(name, "png", png); err != nil {
		return c.failf(err, "could not keep the screenshot: %v", err)
	}
	return nil
}
