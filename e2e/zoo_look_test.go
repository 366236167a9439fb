package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/playwright-community/playwright-go"
)

// TestZooLooks walks through each zoo shape the way a user would, at desktop width, and keeps
// a screenshot of every page in test-artifacts/zoo-*.png for a human to look at.
func TestZooLooks(t *testing.T) {
	t.Parallel()
	in := newZooInstance(t)
	d := openDemo(t, in.portal)
	p := d.page
	d.must(p.SetViewportSize(1280, 800))
	shot := func(name string) {
		t.Helper()
		png, err := p.Screenshot(playwright.PageScreenshotOptions{FullPage: playwright.Bool(true)})
		d.must(err)
		d.must(os.WriteFile(filepath.Join(artifactDir(t), "zoo-"+name+".png"), png, 0o644))
	}
	goTo := func(path string) {
		t.Helper()
		_, err := p.Goto(in.portal + path)
		d.must(err)
	}
	signIn := func(shape, lands string) {
		t.Helper()
		goTo("/zoo/" + shape + "/login")
		shot(shape + "-login")
		d.must(p.Locator("#email").Fill("demo"))
		d.must(p.Locator("#password").Fill(demoPassword))
		d.must(p.Locator("#submit").Click())
		d.must(p.WaitForURL("**/zoo/" + shape + lands))
		shot(shape + "-signed-in")
	}

	goTo("/zoo/")
	shot("index")

	goTo("/zoo/spa/login")
	d.must(p.Locator("#email").Fill("demo"))
	d.must(p.Locator("#password").Fill(demoPassword))
	shot("spa-login")
	d.must(p.Locator("button[type=submit]").Click())
	d.must(p.Locator("button.download").First().WaitFor())
	shot("spa-invoices")

	goTo("/zoo/iframe/login")
	frame := p.FrameLocator("iframe")
	d.must(frame.Locator("#email").Fill("demo"))
	d.must(frame.Locator("#password").Fill("wrong password"))
	d.must(frame.Locator("button[type=submit]").Click())
	d.must(frame.Locator(".error").WaitFor())
	shot("iframe-login-error")

	signIn("receipts", "/orders")
	d.must(p.Locator("a.receipt").First().Click())
	d.must(p.Locator("#receipt").WaitFor())
	shot("receipts-receipt")

	signIn("history", "/invoices")
	d.must(p.Locator("a[rel=next]").Click())
	d.must(p.Locator("#page-info", playwright.PageLocatorOptions{HasText: "Page 2 of 4"}).WaitFor())
	shot("history-page-2")

	signIn("terms", "/terms")
	d.must(p.Locator(".cookie-banner button[value=all]").Click())
	d.must(p.Locator(".cookie-banner").WaitFor(playwright.LocatorWaitForOptions{State: playwright.WaitForSelectorStateDetached}))
	shot("terms-terms")

	signIn("profile", "/profile")
	goTo("/zoo/profile/logout")
	d.must(p.Locator("#email").Fill("demo"))
	d.must(p.Locator("#password").Fill("wrong password"))
	d.must(p.Locator("#submit").Click())
	d.must(p.Locator(".form-feedback", playwright.PageLocatorOptions{HasText: "incorrect"}).WaitFor())
	shot("profile-wrong-password")

	goTo("/zoo/stacked/login")
	d.must(p.Locator("#email").Fill("demo"))
	d.must(p.Locator("#password").Fill(demoPassword))
	d.must(p.Locator("#submit").Click())
	d.must(p.Locator("#code").WaitFor())
	shot("stacked-code")

	// This browser is plain headless Chromium: the bot check refuses it, as it should.
	goTo("/zoo/botcheck/login")
	d.must(p.Locator("#bot-refused").WaitFor())
	shot("botcheck-refused")
}
