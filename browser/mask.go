package browser

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/playwright-community/playwright-go"
)

// MaskColor fills the boxes that hide secrets in screenshots.
const MaskColor = "#000000"

// maskAttr tags elements that show a secret, so one selector finds them for the screenshot.
const maskAttr = "data-billhound-mask"

// secretFields are fields that hold a secret whatever their value: a password, a one-time code.
var secretFields = []string{
	"input[type=password]",
	"input[autocomplete=one-time-code]",
	"input[name*=otp i]", "input[id*=otp i]",
	"input[name*=code i]", "input[id*=code i]",
	"input[name*=totp i]",
	"[" + maskAttr + "]",
}

// The page hands its field values and texts over, and gets back which to tag: the secrets are
// never given to the page, whose own scripts could read them.
const collectJS = `() => {
	const key = Symbol.for('billhound.mask');
	const nodes = [], values = [];
	for (const el of document.querySelectorAll('input, textarea, select')) {
		nodes.push(el);
		values.push(String(el.value ?? ''));
	}
	const root = document.body || document.documentElement;
	if (root) {
		const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
		for (let n = walk.nextNode(); n && nodes.length < 50000; n = walk.nextNode()) {
			const t = n.nodeValue || '';
			if (t.trim().length === 0 || !n.parentElement) continue;
			nodes.push(n);
			values.push(t.length > 20000 ? t.slice(0, 20000) : t);
		}
	}
	window[key] = nodes;
	return values;
}`

// tagJS tags the fields and the text holders that show a secret. Text may overflow its
// element's box, so each piece of a secret text also gets a box of its own laid over it.
const tagJS = `(idx) => {
	const key = Symbol.for('billhound.mask');
	const nodes = window[key] || [];
	delete window[key];
	for (const i of idx) {
		const n = nodes[i];
		if (!n) continue;
		if (n.nodeType !== Node.TEXT_NODE) { n.setAttribute('` + maskAttr + `', ''); continue; }
		n.parentElement.setAttribute('` + maskAttr + `', '');
		const range = document.createRange();
		range.selectNodeContents(n);
		for (const r of range.getClientRects()) {
			const box = document.createElement('div');
			box.setAttribute('` + maskAttr + `', 'box');
			box.style.cssText = 'position:absolute;pointer-events:none;margin:0;padding:0;border:0;z-index:2147483647;' +
				'left:' + (r.left + scrollX) + 'px;top:' + (r.top + scrollY) + 'px;width:' + r.width + 'px;height:' + r.height + 'px';
			document.documentElement.appendChild(box);
		}
	}
}`

const untagJS = `() => {
	for (const el of document.querySelectorAll('[` + maskAttr + `]')) {
		if (el.getAttribute('` + maskAttr + `') === 'box') el.remove(); else el.removeAttribute('` + maskAttr + `');
	}
}`

// MaskedScreenshot takes a screenshot with password fields, one-time-code fields and every
// field or text that shows a secret (secret reports whether a value holds one) covered by a
// solid box. When the page cannot be checked for secrets there is no screenshot: better none
// than one that shows a password.
func MaskedScreenshot(page playwright.Page, secret func(string) bool, opt playwright.PageScreenshotOptions) ([]byte, error) {
	limit := 10 * time.Second
	if opt.Timeout != nil && *opt.Timeout > 0 {
		limit = time.Duration(*opt.Timeout) * time.Millisecond
	}
	frames := page.Frames()
	for _, f := range frames {
		if err := tagSecrets(f, secret, limit); err != nil {
			return nil, fmt.Errorf("could not check the page for secrets before the screenshot: %w", err)
		}
	}
	sel := strings.Join(secretFields, ", ")
	for _, f := range frames {
		opt.Mask = append(opt.Mask, f.Locator(sel))
	}
	opt.MaskColor = playwright.String(MaskColor)
	png, err := page.Screenshot(opt)
	for _, f := range frames {
		_, _ = within(limit, func() (any, error) { return f.Evaluate(untagJS) })
	}
	return png, err
}

func tagSecrets(f playwright.Frame, secret func(string) bool, limit time.Duration) error {
	if f.IsDetached() {
		return nil
	}
	res, err := within(limit, func() (any, error) { return f.Evaluate(collectJS) })
	if err != nil {
		return err
	}
	values, _ := res.([]any)
	idx := []int{}
	for i, v := range values {
		if s, ok := v.(string); ok && secret(s) {
			idx = append(idx, i)
		}
	}
	_, err = within(limit, func() (any, error) { return f.Evaluate(tagJS, idx) })
	return err
}

// within gives up on a call to a page that does not answer (a page stuck in a script loop).
func within(d time.Duration, fn func() (any, error)) (any, error) {
	type result struct {
		v   any
		err error
	}
	ch := make(chan result, 1)
	go func() { v, err := fn(); ch <- result{v, err} }()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-time.After(d):
		return nil, errors.New("the page did not answer in time")
	}
}
