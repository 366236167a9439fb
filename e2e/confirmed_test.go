package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/playwright-community/playwright-go"
)

// TestSecretConfirmedPanel: an app's export read in the Connect 2FA dialog; then on the portal
// page the 2FA card says the secret is not confirmed yet; its Verify now runs the demo portal,
// and once the run has signed in with a code from the secret the card names the run and the
// date. Looked at on desktop and at 390 px.
func TestSecretConfirmedPanel(t *testing.T) {
	t.Parallel()
	u := openUI(t, "twofa-confirmed", 1280, 900)
	demo := openDemo(t, u.in.portal)
	demo.signIn()
	_, secret := demo.qrScreenshot()
	demo.confirm(codeAt(t, secret, 0)) // the portal now asks for codes of this secret

	// No schedule: the only run is the one Verify now starts.
	p := u.page
	u.must(p.Locator("#nav-portals").Click())
	u.must(p.Locator("#portal-add").Click())
	u.must(p.Locator("#portal-name").Fill("Nimbus"))
	_, err := p.Locator("#portal-script-select").SelectOption(playwright.SelectOptionValues{Values: &[]string{"demo.js"}})
	u.must(err)
	u.must(p.Locator("#portal-url").Fill(u.in.portal + "/login"))
	u.must(p.Locator("#portal-username").Fill("demo"))
	u.must(p.Locator("#portal-password").Fill(demoPassword))
	_, err = p.Locator("#portal-schedule").SelectOption(playwright.SelectOptionValues{Values: &[]string{""}})
	u.must(err)
	u.must(p.Locator("#portal-save").Click())
	// "Yes, I have an app": its export (here Ente Auth's, otpauth:// lines) goes in the dialog.
	u.must(p.Locator("#wizard-yes").Click())
	if got := u.text("[data-testid=connect2fa]"); !strings.Contains(got, "Microsoft Authenticator has no export") {
		t.Errorf("the dialog does not say what to do with Microsoft Authenticator: %q", got)
	}
	export := filepath.Join(t.TempDir(), "ente-auth-codes.txt")
	os.WriteFile(export, []byte("otpauth://totp/Nimbus:demo?secret="+secret+"&issuer=Nimbus\n"), 0o600)
	u.must(p.Locator("#wizard-import-file").SetInputFiles(export))
	u.must(p.Locator("[data-testid=connect2fa] [data-testid=import-account]").WaitFor())
	u.shot("00-wizard-import")
	u.must(p.Locator("#wizard-import-assign").Click())
	u.shownCode()
	u.must(p.Locator("#wizard-close").Click())

	panel := p.Locator("[data-testid=twofa-confirmed]")
	u.must(p.Locator("[data-testid=twofa-confirmed][data-confirmed=no]").WaitFor())
	if got := u.text("[data-testid=twofa-confirmed]"); !strings.Contains(got, "Not confirmed yet: press Verify now") {
		t.Fatalf("before any run the panel says %q", got)
	}
	u.must(panel.ScrollIntoViewIfNeeded())
	u.shot("01-not-confirmed-desktop")
	u.atWidth(390, func() { u.shot("02-not-confirmed-phone") })

	u.must(p.Locator("#twofa-verify").Click())
	confirmed := p.Locator("[data-testid=twofa-confirmed][data-confirmed=yes]")
	if err := confirmed.WaitFor(playwright.LocatorWaitForOptions{Timeout: playwright.Float(150000)}); err != nil {
		var runs []runJSON
		u.in.call("GET", "/api/runs", nil, &runs)
		u.shot("failure")
		t.Fatalf("the panel never said confirmed (runs: %+v): %v", runs, err)
	}
	got := u.text("[data-testid=twofa-confirmed]")
	if !regexp.MustCompile(`^Confirmed: run #\d+ logged in with this secret on \S.+\.$`).MatchString(got) {
		t.Fatalf("after the run the panel says %q", got)
	}
	if n, _ := p.Locator("#twofa-verify").Count(); n != 0 {
		t.Error("a confirmed secret still offers Verify now")
	}
	u.must(confirmed.ScrollIntoViewIfNeeded())
	u.shot("03-confirmed-desktop")
	u.atWidth(390, func() {
		u.shot("04-confirmed-phone")
		if card := u.text("#twofa"); strings.Contains(card, "Ctrl") || !strings.Contains(card, "From an app") {
			t.Errorf("on a phone the 2FA card offers Ctrl+V or hides the import: %q", card)
		}
	})
}

// atWidth looks at the page at another width (the portal page must not scroll sideways on a
// phone), then goes back.
func (u *ui) atWidth(width int, look func()) {
	u.t.Helper()
	vp := *u.page.ViewportSize() // a copy: the page changes the one it hands out
	u.must(u.page.SetViewportSize(width, 844))
	old := u.width
	u.width = width
	defer func() {
		u.width = old
		u.must(u.page.SetViewportSize(vp.Width, vp.Height))
	}()
	u.noSideScroll("portal page")
	u.must(u.page.Locator("[data-testid=twofa-confirmed]").ScrollIntoViewIfNeeded())
	look()
}
