package scripts

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/playwright-community/playwright-go"
)

// elementAPI is a JS Element: one element found by page.all() or Element.find()/all(). It holds
// a Playwright Locator (the n-th match of a query), so actions wait for the element like page
// actions do. label is the JS expression that found it, for messages:
// page.all("tr")[2].find("a.pdf").
type elementAPI struct {
	s     *session
	loc   playwright.Locator
	label string
}

func (e *elementAPI) begin(method string, args ...string) *call {
	return e.s.begin(e.label+"."+method, args...)
}

func (e *elementAPI) Text() (string, error) {
	c := e.begin("text")
	defer c.end()
	return e.s.text(c, e.loc)
}

func (e *elementAPI) Attr(nameV goja.Value) (goja.Value, error) {
	name, err := argString(nameV, "the attribute name")
	c := e.begin("attr", name)
	defer c.end()
	if err != nil {
		return nil, c.failMsg(err, err.Error())
	}
	return e.s.attr(c, e.loc, name)
}

func (e *elementAPI) Click() error {
	c := e.begin("click")
	defer c.end()
	return e.s.click(c, e.loc)
}

func (e *elementAPI) Fill(valueV goja.Value) error {
	c := e.begin("fill")
	c.relabel(hideLast(c.label))
	defer c.end()
	return e.s.fill(c, e.loc, valueV)
}

func (e *elementAPI) Find(selV goja.Value) (goja.Value, error) {
	sel, err := argSelector(selV)
	c := e.begin("find", sel)
	defer c.end()
	if err != nil {
		return nil, c.failMsg(err, err.Error())
	}
	inner := e.loc.Locator(sel)
	n, err := await(e.s, inner.Count)
	if err != nil {
		return nil, c.fail(err)
	}
	if n == 0 {
		return goja.Null(), nil
	}
	return e.s.rt.ToValue(&elementAPI{s: e.s, loc: inner.First(), label: c.label}), nil
}

func (e *elementAPI) All(selV goja.Value) (goja.Value, error) {
	sel, err := argSelector(selV)
	c := e.begin("all", sel)
	defer c.end()
	if err != nil {
		return nil, c.failMsg(err, err.Error())
	}
	return e.s.all(c, e.loc.Locator(sel), c.label)
}

// --- actions shared by page.* and Element ---

// what an action waits for before it gives up, for the timeout message
type need int

const (
	needAttached need = iota
	needVisible
	needEnabled  // visible and enabled (click, check, select)
	needEditable // visible and editable (fill, type)
)

func (s *session) click(c *call, loc playwright.Locator) error {
	if err := s.refused(c); err != nil {
		return err
	}
	err := await0(s, func() error {
		return loc.Click(playwright.LocatorClickOptions{Timeout: ms(c.timeout)})
	})
	if err := s.actionError(c, loc, err, needEnabled); err != nil {
		return err
	}
	return s.refused(c) // a link or handler the browser stopped (file:, data:, billhound itself)
}

func (s *session) fill(c *call, loc playwright.Locator, valueV goja.Value) error {
	if err := s.refused(c); err != nil {
		return err
	}
	value, err := argString(valueV, "the value")
	if err != nil {
		return c.failMsg(err, err.Error())
	}
	err = await0(s, func() error {
		return loc.Fill(value, playwright.LocatorFillOptions{Timeout: ms(c.timeout)})
	})
	return s.actionError(c, loc, err, needEditable)
}

func (s *session) text(c *call, loc playwright.Locator) (string, error) {
	if err := s.refused(c); err != nil {
		return "", err
	}
	t, err := await(s, func() (string, error) {
		return loc.InnerText(playwright.LocatorInnerTextOptions{Timeout: ms(c.timeout)})
	})
	if err != nil {
		return "", s.actionError(c, loc, err, needAttached)
	}
	return strings.TrimSpace(t), nil
}

// attr reads an attribute in the page, because Locator.GetAttribute cannot tell a missing
// attribute (null) from an empty one.
func (s *session) attr(c *call, loc playwright.Locator, name string) (goja.Value, error) {
	if err := s.refused(c); err != nil {
		return nil, err
	}
	v, err := await(s, func() (any, error) {
		return loc.Evaluate("(el, name) => el.getAttribute(name)", name, playwright.LocatorEvaluateOptions{Timeout: ms(c.timeout)})
	})
	if err != nil {
		return nil, s.actionError(c, loc, err, needAttached)
	}
	str, ok := v.(string)
	if !ok {
		return goja.Null(), nil
	}
	return s.rt.ToValue(str), nil
}

// all returns a JS array of Elements, one per current match of loc; it never waits.
func (s *session) all(c *call, loc playwright.Locator, prefix string) (goja.Value, error) {
	if err := s.refused(c); err != nil {
		return nil, err
	}
	n, err := await(s, loc.Count)
	if err != nil {
		return nil, c.fail(err)
	}
	items := make([]any, n)
	for i := range n {
		items[i] = s.rt.ToValue(&elementAPI{s: s, loc: loc.Nth(i), label: fmt.Sprintf("%s[%d]", prefix, i)})
	}
	return s.rt.NewArray(items...), nil
}

// count is how many elements loc's selector matches now (for messages); -1 if unknown.
func (s *session) count(loc playwright.Locator) int {
	if s.ctx.Err() != nil {
		return -1
	}
	n, err := await(s, loc.Count)
	if err != nil {
		return -1
	}
	return n
}

// actionError explains a failed action. On a timeout it looks at the element once more to say
// why: nothing matched, or the match stayed hidden, disabled or read-only.
func (s *session) actionError(c *call, loc playwright.Locator, err error, n need) error {
	if err == nil {
		return nil
	}
	if !isTimeout(err) || s.ctx.Err() != nil {
		return c.fail(err)
	}
	within := fmtDuration(c.timeout)
	if s.count(loc) == 0 {
		return c.changed(err, "no element matched within %s", within)
	}
	quick := ms(500 * time.Millisecond)
	if n >= needVisible {
		if vis, e := await(s, func() (bool, error) { return loc.IsVisible() }); e == nil && !vis {
			return c.changed(err, "the element did not become visible within %s", within)
		}
	}
	switch n {
	case needEnabled:
		if ok, e := await(s, func() (bool, error) { return loc.IsEnabled(playwright.LocatorIsEnabledOptions{Timeout: quick}) }); e == nil && !ok {
			return c.failf(err, "the element stayed disabled for %s", within)
		}
	case needEditable:
		if ok, e := await(s, func() (bool, error) { return loc.IsEditable(playwright.LocatorIsEditableOptions{Timeout: quick}) }); e == nil && !ok {
			return c.failf(err, "the element is not editable (disabled or read-only) after %s", within)
		}
	}
	return c.failf(err, "timed out after %s (the element is there but did not accept the action; covered by another element?)", within)
}

func isTimeout(err error) bool {
	return err != nil && errors.Is(err, playwright.ErrTimeout)
}
