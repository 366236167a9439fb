package e2e

import (
	"bytes"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/browser"
)

// addPortalUI adds the demo portal through the form with the schedule left at its default;
// the Connect 2FA dialog must open by itself.
func (u *ui) addPortalUI(name string) {
	p := u.page
	u.must(p.Locator("#nav-portals").Click())
	u.must(p.Locator("#portal-add").Click())
	u.must(p.Locator("#portal-name").Fill(name))
	_, err := p.Locator("#portal-script-select").SelectOption(playwright.SelectOptionValues{Values: &[]string{"demo.js"}})
	u.must(err)
	u.must(p.Locator("#portal-url").Fill(u.in.portal + "/login"))
	u.must(p.Locator("#portal-username").Fill("demo"))
	u.must(p.Locator("#portal-password").Fill(demoPassword))
	if v, _ := p.Locator("#portal-schedule").InputValue(); v != "24h" {
		u.t.Errorf("a new portal's schedule defaults to %q, want daily (24h)", v)
	}
	u.must(p.Locator("#portal-save").Click())
	u.must(p.Locator("[data-testid=connect2fa]").WaitFor())
	if q := u.text("[data-testid=connect2fa]"); !strings.Contains(q, "Do you already use an authenticator app for this portal?") {
		u.t.Fatalf("the dialog says %q", q)
	}
}

// shownCode is the 6-digit code the dialog shows.
func (u *ui) shownCode() string {
	u.must(u.page.Locator("[data-testid=connect2fa] #totp-code").WaitFor())
	code := strings.Join(strings.Fields(u.text("[data-testid=connect2fa] #totp-code")), "")
	if !regexp.MustCompile(`^\d{6}$`).MatchString(code) {
		u.t.Fatalf("the dialog shows %q, not a 6-digit code", code)
	}
	return code
}

// verifyNow presses Verify now and waits for the run's outcome in the dialog.
func (u *ui) verifyNow() {
	u.must(u.page.Locator("#wizard-verify").Click())
	res := u.page.Locator("#wizard-verify-result:not([data-status=queued]):not([data-status=running])")
	u.must(res.WaitFor(playwright.LocatorWaitForOptions{Timeout: playwright.Float(150000)}))
	if st, _ := res.GetAttribute("data-status"); st != "succeeded" {
		u.shot("failure")
		u.t.Fatalf("Verify now ended %q: %s", st, u.text("#wizard-verify-result"))
	}
	if !strings.Contains(u.text("#wizard-verify-result"), "It works") {
		u.t.Fatalf("the dialog says %q", u.text("#wizard-verify-result"))
	}
}

// TestConnect2FANoPath: a user without an authenticator app goes step by step: screenshot of
// the portal's QR code, the shown code typed into the portal, its recovery codes pasted back,
// Verify now. At 390 px the dialog and the portal page fit the screen.
func TestConnect2FANoPath(t *testing.T) {
	t.Parallel()
	for _, w := range []int{1280, 390} {
		u := openUI(t, "wizard-no-"+map[int]string{1280: "desktop", 390: "phone"}[w], w, 844)
		demo := openDemo(t, u.in.portal)
		demo.signIn()
		shot, _ := demo.qrScreenshot()
		qrFile := filepath.Join(t.TempDir(), "qr.png")
		os.WriteFile(qrFile, shot, 0o644)

		u.addPortalUI("Nimbus")
		u.must(u.page.Locator("#wizard-no").Click())
		u.noSideScroll("wizard steps")
		u.shot("01-steps")
		u.must(u.page.Locator("#wizard-image").SetInputFiles(qrFile))
		code := u.shownCode()
		recovery := demo.confirm(code)
		if len(recovery) == 0 {
			t.Fatal("the portal refused the code the dialog showed")
		}
		u.must(u.page.Locator("#wizard-recovery").Fill(strings.Join(recovery, "\n")))
		u.must(u.page.Locator("#wizard-recovery-save").Click())
		u.must(u.page.Locator("#wizard-recovery-note").WaitFor())
		u.verifyNow()
		u.noSideScroll("wizard verified")
		u.shot("02-verified")
		u.must(u.page.Locator("#wizard-close").Click())
		u.must(u.page.Locator("[data-testid=twofa-state]", playwright.PageLocatorOptions{HasText: "2FA ✓"}).WaitFor())
		u.noSideScroll("portal page")
		u.shot("03-portal")
	}
}

// TestConnect2FAYesTypedKey: the user already has the portal in an app and types its key.
func TestConnect2FAYesTypedKey(t *testing.T) {
	t.Parallel()
	u := openUI(t, "wizard-yes", 1280, 900)
	demo := openDemo(t, u.in.portal)
	demo.signIn()
	_, secret := demo.qrScreenshot()
	demo.confirm(codeAt(t, secret, 0)) // the app the user already has
	u.addPortalUI("Nimbus")
	u.must(u.page.Locator("#wizard-yes").Click())
	u.must(u.page.Locator("#wizard-key").Fill(strings.ToLower(secret)))
	u.must(u.page.Locator("#wizard-key-save").Click())
	u.shownCode()
	u.verifyNow()
	u.shot("01-verified")
}

// TestPhoneHandoff: desktop and phone in two browser contexts. The phone, not signed in, opens
// the dialog's link and uploads a JPEG photo of the portal's QR code; the desktop dialog shows
// the account and the live code, and Verify now succeeds.
func TestPhoneHandoff(t *testing.T) {
	t.Parallel()
	u := openUI(t, "handoff-desktop", 1280, 900)
	demo := openDemo(t, u.in.portal)
	demo.signIn()
	shot, secret := demo.qrScreenshot()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	var photo bytes.Buffer
	jpeg.Encode(&photo, img, &jpeg.Options{Quality: 85})
	photoFile := filepath.Join(t.TempDir(), "IMG_0042.jpg")
	os.WriteFile(photoFile, photo.Bytes(), 0o644)
	demo.confirm(codeAt(t, secret, 0))

	u.addPortalUI("Nimbus")
	u.must(u.page.Locator("#wizard-yes").Click())
	u.must(u.page.Locator("#handoff-create").Click())
	u.must(u.page.Locator("#handoff-qr").WaitFor())
	link, err := u.page.Locator("#handoff-link").GetAttribute("href")
	u.must(err)
	u.shot("01-link")

	pc, err := browsers.NewContext(ctxFor(t, 2*time.Minute), browser.ContextOptions{BaseURL: u.in.base, ViewportWidth: 390, ViewportHeight: 844})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	phone, err := pc.NewPage()
	u.must(err)
	phone.SetDefaultTimeout(20000)
	ph := &ui{t: t, in: u.in, page: phone, name: "handoff-phone", width: 390}
	_, err = phone.Goto(link)
	ph.must(err)
	ph.must(phone.Locator("#phone-portal").WaitFor())
	if got := ph.text("#phone-portal"); got != "Nimbus" {
		t.Fatalf("the phone page names %q", got)
	}
	if c, _ := phone.Locator("#phone-camera").GetAttribute("capture"); c != "environment" {
		t.Errorf("the camera input has capture=%q", c)
	}
	if a, _ := phone.Locator("#phone-camera").GetAttribute("accept"); a != "image/jpeg" {
		t.Errorf("the camera input accepts %q", a)
	}
	ph.noSideScroll("phone page")
	ph.shot("01-page")
	// The link opens nothing else: the phone has no session.
	res, err := phone.Request().Get(u.in.base + "/api/portals")
	ph.must(err)
	if res.Status() != 401 {
		t.Fatalf("the phone reads /api/portals: %d", res.Status())
	}
	ph.must(phone.Locator("#phone-library").SetInputFiles(photoFile))
	ph.must(phone.Locator("#phone-done").WaitFor())
	ph.noSideScroll("phone done")
	ph.shot("02-done")

	u.must(u.page.Locator("#wizard-account").WaitFor())
	if acc := u.text("#wizard-account"); acc == "" {
		t.Fatal("the desktop dialog shows no account")
	}
	u.shownCode()
	u.shot("02-received")
	u.verifyNow()
	u.shot("03-verified")

	// Used once: the link is dead now.
	_, err = phone.Goto(link)
	ph.must(err)
	ph.must(phone.Locator("#phone-error").WaitFor())
	if e := ph.text("#phone-error"); !strings.Contains(e, "no longer valid") {
		t.Fatalf("the used link says %q", e)
	}
}
