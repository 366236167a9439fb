package e2e

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"
)

// zooSecret is the demo account's TOTP secret in the zoo tests: the "stacked" shape asks for a
// code, the others ignore it.
const zooSecret = "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF"

// newZooInstance is newInstance with 2FA on the demo account, and the admin set up.
func newZooInstance(t *testing.T) *instance {
	t.Helper()
	in := &instance{t: t, data: t.TempDir()}
	demoAddr := freeAddr(t)
	in.demo = start(t, demoAddr, nil, "demo-portal", "--addr", demoAddr, "--password", demoPassword, "--totp-secret", zooSecret)
	in.portal = "http://" + demoAddr
	addr := freeAddr(t)
	in.server = start(t, addr, []string{"BILLHOUND_RUN_TIMEOUT=2m"}, "serve", "--addr", addr, "--data", in.data)
	in.base = "http://" + addr
	jar, _ := cookiejar.New(nil)
	in.client = &http.Client{Jar: jar, Timeout: 60 * time.Second}
	in.setupAdmin()
	return in
}

// addZooPortal adds a portal running the bundled zoo-<shape>.js, the way a user does from the
// terminal, and returns its id.
func (in *instance) addZooPortal(shape string) int64 {
	in.t.Helper()
	pw := filepath.Join(in.t.TempDir(), "pw")
	os.WriteFile(pw, []byte(demoPassword), 0o600)
	name := "Zoo " + shape
	code, out, errOut := cli(in.t, []string{"BILLHOUND_DATA=" + in.data}, "portal", "add", name, "--script", "zoo-"+shape+".js",
		"--username", "demo", "--password-file", pw, "--totp-secret", zooSecret, "--url", in.portal+"/zoo/"+shape+"/login")
	if code != 0 {
		in.t.Fatalf("portal add %s: exit %d\n%s%s", name, code, out, errOut)
	}
	return in.portalID(name)
}

// TestZooShapes runs each shape's bundled script against its zoo portal, twice: the first run
// archives every invoice the shape offers, the second finds nothing new.
func TestZooShapes(t *testing.T) {
	t.Parallel()
	in := newZooInstance(t)
	shapes := []struct {
		shape string
		count int    // invoices the shape offers
		log   string // what the first run's log must say
		again string // what the second run's log must say
	}{
		{"spa", 13, "13 listed by the API", ""},
		{"iframe", 13, "auto.login: username and password fields", ""},
		{"receipts", 6, "", ""},
		{"history", 36, "read 4 page(s), 36 new invoice(s)", "read 1 page(s), 0 new invoice(s)"},
		{"expiry", 13, "the session expired; signing in again", ""},
		{"stacked", 13, "auto.login: a one-time code field", ""},
		{"profile", 13, "auto.login: a signed-in page", ""},
	}
	for _, sc := range shapes {
		t.Run(sc.shape, func(t *testing.T) {
			t.Parallel()
			id := in.addZooPortal(sc.shape)
			first := in.startRun(id)
			if first.Status != "succeeded" || first.NewCount != sc.count || !strings.Contains(first.logText(), sc.log) {
				t.Fatalf("first run: %s, %d new (want %d), error %q\n%s", first.Status, first.NewCount, sc.count, first.Error, first.logText())
			}
			var archived struct{ Items []invoiceJSON }
			in.call("GET", fmt.Sprintf("/api/invoices?portal=%d", id), nil, &archived)
			for _, inv := range archived.Items {
				if inv.ContentType != "application/pdf" || !strings.HasPrefix(inv.Number, "INV-") || inv.Date == "" {
					t.Errorf("archived %+v; want a dated PDF with the portal's number", inv)
				}
			}
			second := in.startRun(id)
			if second.Status != "succeeded" || second.NewCount != 0 || !strings.Contains(second.logText(), sc.again) {
				t.Fatalf("second run: %s, %d new, error %q\n%s", second.Status, second.NewCount, second.Error, second.logText())
			}
		})
	}
}

// TestZooTerms: new terms stop the run with "action needed"; once the user accepts them in
// their own browser, the next run goes through (past the cookie banner).
func TestZooTerms(t *testing.T) {
	t.Parallel()
	in := newZooInstance(t)
	id := in.addZooPortal("terms")
	r := in.startRun(id)
	if r.Status != "failed" || r.FailureKind != "action_needed" || !strings.Contains(r.Error, "the portal asks to accept its new terms") {
		t.Fatalf("run with new terms pending: %s %q\n%s", r.Status, r.Error, r.logText())
	}

	user := openDemo(t, in.portal)
	p := user.page
	_, err := p.Goto(in.portal + "/zoo/terms/login")
	user.must(err)
	user.must(p.Locator("#email").Fill("demo"))
	user.must(p.Locator("#password").Fill(demoPassword))
	user.must(p.Locator("#submit").Click())
	user.must(p.WaitForURL("**/zoo/terms/terms"))
	user.must(p.Locator("#accept").Check())
	user.must(p.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Accept and continue"}).Click())
	user.must(p.WaitForURL("**/zoo/terms/invoices"))

	r = in.startRun(id)
	if r.Status != "succeeded" || r.NewCount != 13 {
		t.Fatalf("run after accepting the terms: %s, %d new, %q\n%s", r.Status, r.NewCount, r.Error, r.logText())
	}
}

// TestZooBotCheck: plain headless Chromium is refused by the bot check, and the run says so.
func TestZooBotCheck(t *testing.T) {
	t.Parallel()
	in := newZooInstance(t)
	r := in.startRun(in.addZooPortal("botcheck"))
	if r.Status != "failed" || r.FailureKind != "captcha" || !strings.Contains(r.Error, "the portal refused this browser as automated") ||
		!strings.Contains(r.Error, "HeadlessChrome or navigator.webdriver") {
		t.Fatalf("headless run against the bot check: %s %q\n%s", r.Status, r.Error, r.logText())
	}

	// The same script with "@browser headful" (headful Chromium on billhound's own display,
	// without automation flags) passes the same bot check.
	src, err := os.ReadFile(filepath.Join("..", "scripts", "portals", "zoo-botcheck.js"))
	if err != nil {
		t.Fatal(err)
	}
	headful := strings.Replace(string(src), "// ==/Portal==", "// @browser  headful\n// ==/Portal==", 1)
	script := filepath.Join(t.TempDir(), "zoo-botcheck-headful.js")
	if err := os.WriteFile(script, []byte(headful), 0o600); err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte(demoPassword), 0o600)
	code, out, errOut := cli(t, []string{"BILLHOUND_DATA=" + in.data}, "portal", "add", "Zoo botcheck headful", "--script", script,
		"--username", "demo", "--password-file", pw, "--url", in.portal+"/zoo/botcheck/login")
	if code != 0 {
		t.Fatalf("portal add: exit %d\n%s%s", code, out, errOut)
	}
	r = in.startRun(in.portalID("Zoo botcheck headful"))
	if r.Status != "succeeded" || r.NewCount == 0 {
		t.Fatalf("headful run against the bot check: %s, %d new, %q\n%s", r.Status, r.NewCount, r.Error, r.logText())
	}
}
