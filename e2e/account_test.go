package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"
	"github.com/pquerna/otp/totp"

	"billhound/browser"
	"billhound/qrscan"
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
		t.Run(vp.name, func(t *testing.T) {
			u := openUI(t, vp.name, vp.w, vp.h)
			secret, recovery := u.turnOnTwoFactor()
			u.logOutAndTypePassword()
			if vp.name == "desktop" {
				// The activation's code is used up; the next step's code is accepted too (a
				// code works for 60 seconds), so the test need not wait for the phone.
				u.must(u.page.Locator("#login-code").Fill(codeAt(t, secret, 30*time.Second)))
				u.must(u.page.Locator("#login-code-submit").Click())
				u.must(u.page.Locator("#nav-account").WaitFor())
				u.shot("05-signed-in")
				return
			}
			u.recoveryLoginTurnOffLogOutEverywhere(secret, recovery)
		})
	}
}

// ui is one browser page on a fresh billhound with the admin created through the setup page.
type ui struct {
	t     *testing.T
	in    *instance
	page  playwright.Page
	name  string
	width int
}

func openUI(t *testing.T, name string, width, height int) *ui {
	in := newInstance(t)
	bc, err := browsers.NewContext(ctxFor(t, 2*time.Minute), browser.ContextOptions{BaseURL: in.base, ViewportWidth: width, ViewportHeight: height})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bc.Close() })
	page, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	page.SetDefaultTimeout(20000)
	u := &ui{t: t, in: in, page: page, name: name, width: width}
	_, err = page.Goto(in.setupLink()) // the first-run link the server printed
	u.must(err)
	u.must(page.Locator("#setup-username").Fill("admin"))
	u.must(page.Locator("#setup-password").Fill("correct horse battery"))
	u.must(page.Locator("#setup-password2").Fill("correct horse battery"))
	u.must(page.Locator("form button[type=submit]").Click())
	return u
}

func (u *ui) shot(step string) { snap(u.t, u.page, "account-"+u.name+"-"+step) }

func (u *ui) must(err error) {
	u.t.Helper()
	if err != nil {
		u.shot("failure")
		u.t.Fatal(err)
	}
}

func (u *ui) text(sel string) string {
	u.t.Helper()
	s, err := u.page.Locator(sel).InnerText()
	u.must(err)
	return strings.TrimSpace(s)
}

// noSideScroll fails when a phone-sized page scrolls sideways.
func (u *ui) noSideScroll(where string) {
	u.t.Helper()
	if u.width > 500 {
		return
	}
	fits, err := u.page.Evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
	u.must(err)
	if fits != true {
		wide, _ := u.page.Evaluate(`() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')`)
		u.t.Logf("wider than the screen: %v", wide)
		u.shot("failure")
		u.t.Fatalf("%s: the page is wider than the %d px screen", where, u.width)
	}
}

func codeAt(t *testing.T, secret string, offset time.Duration) string {
	code, err := totp.GenerateCode(secret, time.Now().Add(offset))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// turnOnTwoFactor goes through the Security page: reads the QR code off the screen, types its
// current code and keeps the recovery codes shown once.
func (u *ui) turnOnTwoFactor() (secret string, recovery []string) {
	p := u.page
	u.must(p.Locator("#nav-account").Click())
	u.must(p.Locator("#twofa-start").Click())
	qr := p.Locator("#twofa-qr")
	u.must(qr.WaitFor())
	u.must(p.Locator("details summary").Click())
	secret = strings.Join(strings.Fields(u.text("#twofa-key")), "")
	png, err := qr.Screenshot()
	u.must(err)
	keys, err := twofa.KeysFromImage(png, qrscan.DecodeOptions{})
	if err != nil || len(keys) != 1 || keys[0].Base32() != secret || keys[0].Issuer != "billhound" || keys[0].Account != "admin" {
		u.t.Fatalf("the QR code on the page reads %v (%v); the typed key is %s", keys, err, secret)
	}
	u.noSideScroll("setup")
	u.shot("01-setup")

	u.must(p.Locator("#twofa-code").Fill(codeAt(u.t, secret, 0)))
	u.must(p.Locator("#twofa-activate").Click())
	u.must(p.Locator("#twofa-recovery-codes li").Nth(9).WaitFor())
	recovery, err = p.Locator("#twofa-recovery-codes li").AllInnerTexts()
	u.must(err)
	if len(recovery) != 10 || !regexp.MustCompile(`^[a-z2-7]{4}(-[a-z2-7]{4}){3}$`).MatchString(strings.TrimSpace(recovery[0])) {
		u.t.Fatalf("recovery codes shown: %q", recovery)
	}
	u.noSideScroll("recovery codes")
	u.shot("02-recovery-codes")
	u.must(p.Locator("#twofa-recovery-saved").Click())
	u.must(p.Locator("#twofa-status").WaitFor())
	if st := u.text("#twofa-state"); st != "On" {
		u.t.Fatalf("after activation the page says %q", st)
	}
	if n, _ := p.Locator("#twofa-recovery-codes").Count(); n != 0 {
		u.t.Fatal("the recovery codes are still on the page after \"I saved them\"")
	}
	u.shot("03-on")
	return secret, recovery
}

// logOutAndTypePassword logs out and in again: the password alone no longer signs in, the
// page asks for the code and refuses a wrong one.
func (u *ui) logOutAndTypePassword() {
	p := u.page
	u.must(p.Locator("#logout").Click())
	u.must(p.Locator("#login-username").Fill("admin"))
	u.must(p.Locator("#login-password").Fill("correct horse battery"))
	u.must(p.Locator("#login-submit").Click())
	u.must(p.Locator("#login-code").WaitFor())
	u.must(p.Locator("#login-code").Fill("000000"))
	u.must(p.Locator("#login-code-submit").Click())
	u.must(p.Locator("[data-testid=login-error]").WaitFor())
	if msg := u.text("[data-testid=login-error]"); !strings.Contains(msg, "not right") {
		u.t.Fatalf("a wrong code says %q", msg)
	}
	u.noSideScroll("login code")
	u.shot("04-login-code")
}

// recoveryLoginTurnOffLogOutEverywhere signs in with a recovery code, turns two-factor sign-in
// off with a code, and logs out everywhere, which also ends a second session.
func (u *ui) recoveryLoginTurnOffLogOutEverywhere(secret string, recovery []string) {
	p := u.page
	u.must(p.Locator("#login-code").Fill(strings.TrimSpace(recovery[0])))
	u.must(p.Locator("#login-code-submit").Click())
	u.must(p.Locator("#recovery-used-notice").WaitFor())
	if msg := u.text("#recovery-used-notice"); !strings.Contains(msg, "9 left") {
		u.t.Fatalf("after a recovery code the page says %q", msg)
	}
	if msg := u.text("#twofa-recovery-left"); !strings.Contains(msg, "9 of 10") {
		u.t.Fatalf("recovery codes left: %q", msg)
	}
	u.noSideScroll("security page")
	u.shot("05-recovery-login")

	u.must(p.Locator("#twofa-off").Click())
	u.must(p.Locator("#twofa-off-code").Fill(codeAt(u.t, secret, 30*time.Second)))
	u.must(p.Locator("#twofa-off-confirm").Click())
	u.must(p.Locator("#twofa-start").WaitFor())
	if st := u.text("#twofa-state"); st != "Off" {
		u.t.Fatalf("after turning off the page says %q", st)
	}
	// A second session elsewhere (the test's own HTTP client) ends too.
	if st := u.in.call("POST", "/api/login", map[string]string{"username": "admin", "password": "correct horse battery"}, nil); st != 200 {
		u.t.Fatalf("login from a second client: %d", st)
	}
	u.must(p.Locator("#logout-everywhere").Click())
	u.shot("06-logout-everywhere")
	u.must(p.Locator("#logout-everywhere-confirm").Click())
	u.must(p.Locator("#login-username").WaitFor())
	if msg := u.text(".notice"); !strings.Contains(msg, "logged out everywhere") {
		u.t.Fatalf("after log out everywhere the login page says %q", msg)
	}
	if st := u.in.call("GET", "/api/me", nil, nil); st != 401 {
		u.t.Fatalf("the other session still works after log out everywhere: %d", st)
	}
	u.shot("07-logged-out")
}
