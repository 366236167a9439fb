package scripts

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"
	"github.com/pquerna/otp/totp"

	"billhound/browser"
	"billhound/demoportal"
)

const emailFirstSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// emailFirstPortal serves the demo portal's email-first shape for ann@example.com with 2FA on.
func emailFirstPortal(t *testing.T) *httptest.Server {
	t.Helper()
	demo := demoportal.New(demoportal.Options{Shape: demoportal.ShapeEmailFirst, Accounts: []demoportal.Account{
		{Username: "ann@example.com", Password: "ann-password", TOTPSecret: emailFirstSecret},
	}})
	srv := httptest.NewServer(demo)
	t.Cleanup(srv.Close)
	return srv
}

// totpHost hands out the real code of secret, as the runner does.
type totpHost struct {
	*fakeHost
	secret string
}

func (h totpHost) TOTP(ctx context.Context) (string, error) {
	h.fakeHost.TOTP(ctx) // counts the call
	return totp.GenerateCode(h.secret, time.Now())
}

// TestAutoLoginEmailFirst: auto.login() without selectors on the demo portal's email-first
// shape: the address on its own page, then the password, then six code boxes that submit by
// themselves, with "Remember this device" ticked before the last digit goes in. Signed out and
// in again in the same browser, the remembered device skips the code step.
func TestAutoLoginEmailFirst(t *testing.T) {
	srv := emailFirstPortal(t)
	h := newHost()
	h.creds = map[string]string{"username": "ann@example.com", "password": "ann-password"}
	mustRun(t, asserts+`
auto.login({url: "/login"});
ok(page.url().endsWith("/account"), "signed in: " + page.url());
page.goto("/logout");
log("signed out; signing in again");
auto.login({url: "/login"});
ok(page.url().endsWith("/account"), "signed in again: " + page.url());
page.goto("/invoices");
eq(page.all("table.invoices tbody tr").length > 0, true, "invoices listed");
`, runOpts{base: srv.URL, host: h, wrap: totpHost{h, emailFirstSecret}})

	log := h.logText()
	first, second, ok := strings.Cut(log, "signed out; signing in again")
	if !ok {
		t.Fatalf("log:\n%s", log)
	}
	for _, want := range []string{
		"auto.login: an e-mail field without a password (two-step login); filling the username on " + srv.URL + "/login",
		"auto.login: a password field (the username is given already); filling the password on " + srv.URL + "/login/password",
		`auto.login: ticked "Remember this device for 30 days" so that the portal remembers this device on ` + srv.URL + "/login/2fa",
		"auto.login: 6 one-character code boxes; filling one digit of totp() into each on " + srv.URL + "/login/2fa",
		"auto.login: filled all 6 code boxes",
		": logged in on ",
	} {
		if !strings.Contains(first, want) {
			t.Errorf("the first login's log lacks %q:\n%s", want, first)
		}
	}
	if strings.Contains(second, "code boxes") || !strings.Contains(second, "filling the password") || !strings.Contains(second, "logged in") {
		t.Errorf("the second login (a remembered device) should go through without the code step:\n%s", second)
	}
	if h.codes != 1 {
		t.Errorf("totp() was asked %d times, want once", h.codes)
	}
	if strings.Contains(log, "ann-password") {
		t.Errorf("the password is in the log:\n%s", log)
	}
}

// TestEmailFirstScreens walks the email-first sign-in as a person would at desktop width and
// keeps a screenshot of each step in test-artifacts/ for a human to look at; the code boxes
// move on by themselves and submit once the sixth digit is in.
func TestEmailFirstScreens(t *testing.T) {
	srv := emailFirstPortal(t)
	bc, err := testBrowser.NewContext(context.Background(), browser.ContextOptions{BaseURL: srv.URL, ViewportWidth: 1280, ViewportHeight: 800})
	if err != nil {
		t.Fatal(err)
	}
	defer bc.Close()
	page, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "test-artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	snap := func(name string) {
		t.Helper()
		if _, err := page.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(filepath.Join(dir, "demo-email-first-"+name+".png"))}); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = page.Goto(srv.URL + "/login")
	must(err)
	snap("1-email")
	must(page.Locator("#email").Fill("ann@example.com"))
	must(page.Locator("button[type=submit]").Click())
	must(page.Locator("#password").WaitFor())
	snap("2-password")
	must(page.Locator("#password").Fill("ann-password"))
	must(page.Locator("button[type=submit]").Click())
	must(page.Locator("input.box").First().WaitFor())
	code, err := totp.GenerateCode(emailFirstSecret, time.Now())
	must(err)
	must(page.Locator("#remember").Check())
	must(page.Locator("input.box").First().Click())
	// Key by key, as a person types (Keyboard.Type sends its keys faster than focus moves).
	press := func(digits string) {
		for _, d := range digits {
			must(page.Keyboard().Press(string(d)))
		}
	}
	press(code[:3])
	focused, err := page.Evaluate(`() => document.activeElement.getAttribute("aria-label")`)
	must(err)
	if focused != "Digit 4" {
		t.Fatalf("after three digits the focus is on %v, want Digit 4 (the boxes move on by themselves)", focused)
	}
	snap("3-code")
	press(code[3:])
	must(page.Locator(`a[href="/logout"]`).WaitFor())
	if !strings.HasSuffix(page.URL(), "/account") {
		t.Fatalf("after the sixth digit: %s", page.URL())
	}
	snap("4-signed-in")
}
