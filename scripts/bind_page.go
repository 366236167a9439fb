package scripts

import (
	"encoding/json"
	"fmt"

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
