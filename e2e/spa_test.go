package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/browser"
)

// TestWebUIUserStory clicks through the web UI as a newcomer: create the admin, add the demo
// portal, upload a screenshot of its QR code, confirm the shown code in the portal, run, and
// find the invoices in the archive. Screenshots land in test-artifacts/ for a human to look at.
func TestWebUIUserStory(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	demo := openDemo(t, in.portal)
	demo.signIn()
	shot, _ := demo.qrScreenshot()
	qrFile := filepath.Join(t.TempDir(), "qr-screenshot.png")
	os.WriteFile(qrFile, shot, 0o644)

	bc, err := browsers.NewContext(ctxFor(t, time.Minute), browser.ContextOptions{BaseURL: in.base, ViewportWidth: 1280, ViewportHeight: 900})
	if err != nil {
		t.Fatal(err)
	}
	defer bc.Close()
	page, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	page.SetDefaultTimeout(20000)
	must := func(err error) {
		t.Helper()
		if err != nil {
			snap(t, page, "failure")
			t.Fatal(err)
		}
	}
	// 1. First run: create the admin account with the link from the server's log.
	_, err = page.Goto(in.setupLink())
	must(err)
	must(page.Locator("#setup-username").Fill("admin"))
	must(page.Locator("#setup-password").Fill("correct horse battery"))
	must(page.Locator("#setup-password2").Fill("correct horse battery"))
	snap(t, page, "01-setup")
	must(page.Locator("form button[type=submit]").Click())

	// 2. Add the demo portal with the bundled script.
	addPortal := func(name, password string) {
		t.Helper()
		must(page.Locator("#nav-portals").Click())
		must(page.Locator("#portal-add").Click())
		must(page.Locator("#portal-name").Fill(name))
		_, err := page.Locator("#portal-script-select").SelectOption(playwright.SelectOptionValues{Values: &[]string{"demo.js"}})
		must(err)
		must(page.Locator("#portal-url").Fill(in.portal + "/login"))
		must(page.Locator("#portal-username").Fill("demo"))
		must(page.Locator("#portal-password").Fill(password))
		// Runs only on demand here, so the schedule's first run does not meet "Run now".
		_, err = page.Locator("#portal-schedule").SelectOption(playwright.SelectOptionValues{Values: &[]string{""}})
		must(err)
		snap(t, page, "02-add-portal")
		must(page.Locator("#portal-save").Click())
		must(page.Locator("#run-now").WaitFor())
		must(page.Locator("#wizard-later").Click()) // the Connect 2FA dialog opens for a new portal; this story uses the section
	}
	addPortal("Nimbus Cloud", demoPassword)

	// 3. Two-factor: upload the screenshot; the page shows the code with a countdown.
	must(page.Locator("#tab-qr").Click())
	must(page.Locator("#totp-image").SetInputFiles(qrFile))
	must(page.Locator("#totp-code").WaitFor())
	must(page.Locator("#totp-remaining").WaitFor())
	codeText, err := page.Locator("#totp-code").InnerText()
	must(err)
	code := strings.Join(strings.Fields(codeText), "")
	if !regexp.MustCompile(`^\d{6}$`).MatchString(code) {
		snap(t, page, "failure")
		t.Fatalf("the page shows %q, not a 6-digit code", codeText)
	}
	snap(t, page, "03-2fa-code")
	recovery := demo.confirm(code)
	if len(recovery) == 0 {
		t.Fatal("the portal did not accept the code the page showed")
	}
	// Keep the portal's recovery codes in billhound, then check they come back on request.
	must(page.Locator("#recovery-input").Fill(strings.Join(recovery, "\n")))
	must(page.Locator("#recovery-save").Click())
	must(page.Locator("#recovery-count").WaitFor())
	countText, _ := page.Locator("#recovery-count").InnerText()
	if !strings.Contains(countText, fmt.Sprint(len(recovery))) {
		t.Fatalf("recovery count says %q, want %d codes", countText, len(recovery))
	}
	must(page.Locator("#recovery-reveal").Click())
	must(page.Locator("#recovery-list li").First().WaitFor())
	shown, _ := page.Locator("#recovery-list li").AllInnerTexts()
	if len(shown) != len(recovery) || strings.TrimSpace(shown[0]) != recovery[0] {
		t.Fatalf("revealed %v, stored %v", shown, recovery)
	}
	must(page.Locator("#recovery-hide").Click())

	// 4. Run now; the run page ends in "succeeded" with the log.
	must(page.Locator("#run-now").Click())
	must(page.Locator("#run-started-link").Click())
	st := waitForRunEnd(t, page)
	snap(t, page, "04-run")
	if st != "succeeded" {
		logText, _ := page.Locator("#run-log").InnerText()
		t.Fatalf("run status %q\n%s", st, logText)
	}

	// 4b. The run kept its browser session: the portal page says since when, and Forget drops it.
	must(page.Locator("a", playwright.PageLocatorOptions{HasText: "Back to portal"}).Click())
	must(page.Locator("[data-testid=session-kept]").WaitFor())
	keptText, err := page.Locator("[data-testid=session-kept]").InnerText()
	must(err)
	if !regexp.MustCompile(`^Session kept since \S.*\d`).MatchString(keptText) {
		t.Fatalf("the portal page says %q about the session", keptText)
	}
	snap(t, page, "04b-session-kept")
	must(page.Locator("#session-forget").Click())
	must(page.Locator("[data-testid=portal-session]", playwright.PageLocatorOptions{HasText: "none kept"}).WaitFor())
	var after struct {
		SessionKeptAt *string `json:"sessionKeptAt"`
	}
	apiRes, err := page.Request().Get(in.base + "/api/portals/1") // the browser's own sign-in cookie
	must(err)
	must(apiRes.JSON(&after))
	if after.SessionKeptAt != nil {
		t.Fatalf("the API still has a kept session after Forget: %v", *after.SessionKeptAt)
	}

	// 5. The archive lists the invoices the portal lists, with download links.
	listed := demo.invoices()
	must(page.Locator("#nav-archive").Click())
	rows := page.Locator("table#invoices tbody tr[data-invoice-id]")
	must(rows.Nth(len(listed) - 1).WaitFor())
	n, _ := rows.Count()
	if n != len(listed) {
		t.Fatalf("archive shows %d rows, the portal lists %d", n, len(listed))
	}
	numbers, _ := page.Locator("table#invoices td.number").AllInnerTexts()
	for _, l := range listed {
		found := false
		for _, num := range numbers {
			found = found || strings.TrimSpace(num) == l.number
		}
		if !found {
			t.Errorf("invoice %s is missing from the archive page", l.number)
		}
	}
	snap(t, page, "05-archive")
	dl, err := page.ExpectDownload(func() error { return page.Locator("a.download").First().Click() })
	must(err)
	path, err := dl.Path()
	must(err)
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), "%PDF-") {
		t.Fatalf("the archive's download link gave %d bytes that are not a PDF", len(data))
	}

	// 6. A wrong password: the run page says why and shows the portal's page as it failed.
	addPortal("Nimbus typo", "not-the-password")
	must(page.Locator("#run-now").Click())
	must(page.Locator("#run-started-link").Click())
	if st := waitForRunEnd(t, page); st != "failed" {
		t.Fatalf("wrong password run ended %q", st)
	}
	errText, err := page.Locator("#run-error").InnerText()
	must(err)
	if !strings.Contains(errText, "Invalid username or password") {
		t.Fatalf("the run page's error says %q", errText)
	}
	shotImg := page.Locator("img.artifact").First()
	must(shotImg.WaitFor())
	loaded, err := shotImg.Evaluate("img => img.complete && img.naturalWidth > 100", nil)
	must(err)
	if loaded != true {
		t.Fatal("the failure screenshot does not load on the run page")
	}
	snap(t, page, "06-failed-run")
}

// waitForRunEnd waits on the run page until the run is no longer running and returns its status.
func waitForRunEnd(t *testing.T, page playwright.Page) string {
	t.Helper()
	status := page.Locator("#run-status")
	if err := status.WaitFor(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		st, _ := status.InnerText()
		if st = strings.TrimSpace(strings.ToLower(st)); st != "running" && st != "queued" && st != "" {
			return st
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatal("the run was still running after 2 minutes")
	return ""
}

// snap saves a screenshot of the page under test-artifacts/ui-<name>.png.
func snap(t *testing.T, page playwright.Page, name string) {
	png, err := page.Screenshot(playwright.PageScreenshotOptions{FullPage: playwright.Bool(true)})
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile(filepath.Join(artifactDir(t), "ui-"+name+".png"), png, 0o644)
}
