package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"billhound/browser"
	"billhound/twofa"
)

// TestAccountTwoFactorInBrowser turns on two-factor sign-in for billhound's own account in the
// web UI (scanning the QR code on the page, typing the code), keeps the recovery codes, logs
// out and back in with the second step, on a desktop window and on a 390 px phone screen.
func TestAccountTwoFactorInBrowser(t *testing.T) {
	t.Parallel()
	for _, vp := range []struct {
		name string
		w, h int
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		t.Run(vp.name, func(t *testing.T) { accountTwoFactorStory(t, vp.name, vp.w, vp.h) })
	}
}

func accountTwoFactorStory(t *testing.T, name string, width, height int) {
	in := newInstance(t)
	bc, err := browsers.NewContext(ctxFor(t, 2*time.Minute), browser.ContextOptions{BaseURL: in.base, ViewportWidth: width, ViewportHeight: height})
	if err != nil {
		t.Fatal(err)
	}
	defer bc.Close()
	page, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	page.SetDefaultTimeout(20000)
	shot := func(step string) { snap(t, page, "account-"+name+"-"+step) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			shot("failure")
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := page.Locator(sel).InnerText()
		must(err)
		return strings.TrimSpace(s)
	}
	noSideScroll := func(where string) {
		t.Helper()
		if width > 500 {
			return
		}
		fits, err := page.Evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
		must(err)
		if fits != true {
			shot("failure")
			t.Fatalf("%s: the page is wider than the %d px screen", where, width)
		}
	}
	_, err = page.Goto(in.base + "/")
	must(err)
	must(page.Locator("#setup-username").Fill("admin"))
	must(page.Locator("#setup-password").Fill("correct horse battery"))
	must(page.Locator("#setup-password2").Fill("correct horse battery"))
	must(page.Locator("form button[type=submit]").Click())

	// 1. The security page: off; start the setup and read the QR code off the screen.
	must(page.Locator("#nav-account").Click())
	must(page.Locator("#twofa-start").Click())
	qr := page.Locator("#twofa-qr")
	must(qr.WaitFor())
	must(page.Locator("details summary").Click())
	secret := strings.Join(strings.Fields(text("#twofa-key")), "")
	png, err := qr.Screenshot()
	must(err)
	keys, err := twofa.KeysFromImage(png, twofa.DecodeOptions{})
	if err != nil || len(keys) != 1 || keys[0].Base32() != secret || keys[0].Issuer != "billhound" || keys[0].Account != "admin" {
		t.Fatalf("the QR code on the page reads %v (%v); the typed key is %s", keys, err, secret)
	}
	noSideScroll("setup")
	shot("01-setup")

	// 2. Confirm with the current code; the recovery codes are shown once.
	code, err := totp.GenerateCode(secret, time.Now())
	must(err)
	must(page.Locator("#twofa-code").Fill(code))
	must(page.Locator("#twofa-activate").Click())
	must(page.Locator("#twofa-recovery-codes li").Nth(9).WaitFor())
	recovery, err := page.Locator("#twofa-recovery-codes li").AllInnerTexts()
	must(err)
	if len(recovery) != 10 || !regexp.MustCompile(`^[a-z2-7]{4}(-[a-z2-7]{4}){3}$`).MatchString(strings.TrimSpace(recovery[0])) {
		t.Fatalf("recovery codes shown: %q", recovery)
	}
	noSideScroll("recovery codes")
	shot("02-recovery-codes")
	must(page.Locator("#twofa-recovery-saved").Click())
	must(page.Locator("#twofa-status").WaitFor())
	if st := text("#twofa-state"); st != "On" {
		t.Fatalf("after activation the page says %q", st)
	}
	if n, _ := page.Locator("#twofa-recovery-codes").Count(); n != 0 {
		t.Fatal("the recovery codes are still on the page after \"I saved them\"")
	}
	shot("03-on")

	// 3. Log out; the password alone no longer signs in: the page asks for the code.
	must(page.Locator("#logout").Click())
	must(page.Locator("#login-username").Fill("admin"))
	must(page.Locator("#login-password").Fill("correct horse battery"))
	must(page.Locator("#login-submit").Click())
	must(page.Locator("#login-code").WaitFor())
	must(page.Locator("#login-code").Fill("000000"))
	must(page.Locator("#login-code-submit").Click())
	must(page.Locator("[data-testid=login-error]").WaitFor())
	if msg := text("[data-testid=login-error]"); !strings.Contains(msg, "not right") {
		t.Fatalf("a wrong code says %q", msg)
	}
	noSideScroll("login code")
	shot("04-login-code")

	if name == "desktop" {
		// The code of the activation's step is used up; the next step's code is accepted too
		// (a code works for 60 seconds), so the test need not wait for the phone to change it.
		next, err := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
		must(err)
		must(page.Locator("#login-code").Fill(next))
		must(page.Locator("#login-code-submit").Click())
		must(page.Locator("#nav-account").WaitFor())
		shot("05-signed-in")
		return
	}

	// Phone: sign in with a recovery code; the security page says one is used up.
	must(page.Locator("#login-code").Fill(strings.TrimSpace(recovery[0])))
	must(page.Locator("#login-code-submit").Click())
	must(page.Locator("#recovery-used-notice").WaitFor())
	if msg := text("#recovery-used-notice"); !strings.Contains(msg, "9 left") {
		t.Fatalf("after a recovery code the page says %q", msg)
	}
	if msg := text("#twofa-recovery-left"); !strings.Contains(msg, "9 of 10") {
		t.Fatalf("recovery codes left: %q", msg)
	}
	noSideScroll("security page")
	shot("05-recovery-login")

	// Turn it off with a code, then log out everywhere.
	must(page.Locator("#twofa-off").Click())
	next, err := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	must(err)
	must(page.Locator("#twofa-off-code").Fill(next))
	must(page.Locator("#twofa-off-confirm").Click())
	must(page.Locator("#twofa-start").WaitFor())
	if st := text("#twofa-state"); st != "Off" {
		t.Fatalf("after turning off the page says %q", st)
	}
	// A second session elsewhere (the test's own HTTP client) ends too.
	if st := in.call("POST", "/api/login", map[string]string{"username": "admin", "password": "correct horse battery"}, nil); st != 200 {
		t.Fatalf("login from a second client: %d", st)
	}
	must(page.Locator("#logout-everywhere").Click())
	shot("06-logout-everywhere")
	must(page.Locator("#logout-everywhere-confirm").Click())
	must(page.Locator("#login-username").WaitFor())
	if msg := text(".notice"); !strings.Contains(msg, "logged out everywhere") {
		t.Fatalf("after log out everywhere the login page says %q", msg)
	}
	if st := in.call("GET", "/api/me", nil, nil); st != 401 {
		t.Fatalf("the other session still works after log out everywhere: %d", st)
	}
	shot("07-logged-out")
}
