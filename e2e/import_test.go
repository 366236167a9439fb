package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/browser"
)

// TestImportFromAuthenticatorApp: on a portal's page the user uploads an authenticator app's
// export, sees its accounts (never a secret), puts one into the portal and sees 2FA set up.
// A file of no known format says that Microsoft Authenticator has no export; two recovery codes
// left bring the warning.
func TestImportFromAuthenticatorApp(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	dir := t.TempDir()
	export := filepath.Join(dir, "ente_auth_export.txt")
	os.WriteFile(export, []byte("otpauth://totp/GitHub:bob?secret=JBSWY3DPEHPK3PXP&issuer=GitHub\n"+
		"otpauth://totp/Steam:gabe?secret=63BEDWCQZKTQWPESARIERL5DTTQFCJTK&issuer=Steam\n"), 0o644)
	other := filepath.Join(dir, "microsoft.txt")
	os.WriteFile(other, []byte("Microsoft Authenticator\naccounts\nare\nkept\nin the cloud\n"), 0o644)

	bc, err := browsers.NewContext(ctxFor(t, 2*time.Minute), browser.ContextOptions{BaseURL: in.base, ViewportWidth: 1100, ViewportHeight: 900})
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
			snap(t, page, "import-failure")
			t.Fatal(err)
		}
	}
	_, err = page.Goto(in.setupLink())
	must(err)
	must(page.Locator("#setup-username").Fill("admin"))
	must(page.Locator("#setup-password").Fill("correct horse battery"))
	must(page.Locator("#setup-password2").Fill("correct horse battery"))
	must(page.Locator("form button[type=submit]").Click())
	must(page.Locator("#nav-portals").Click())
	must(page.Locator("#portal-add").Click())
	must(page.Locator("#portal-name").Fill("Code host"))
	_, err = page.Locator("#portal-script-select").SelectOption(playwright.SelectOptionValues{Values: &[]string{"demo.js"}})
	must(err)
	must(page.Locator("#portal-username").Fill("bob"))
	must(page.Locator("#portal-password").Fill("pw-long-enough"))
	must(page.Locator("#portal-save").Click())
	must(page.Locator("#wizard-later").Click()) // the Connect 2FA dialog opens for a new portal; this test uses the section
	must(page.Locator("#run-now").WaitFor())

	must(page.Locator("#tab-import").Click())
	must(page.Locator("#import-file").SetInputFiles(other))
	must(page.Locator("[data-testid=import-error]").WaitFor())
	if msg, _ := page.Locator("[data-testid=import-error]").InnerText(); !strings.Contains(msg, "Microsoft Authenticator has no export") {
		t.Fatalf("unknown file: %q", msg)
	}

	must(page.Locator("#import-file").SetInputFiles(export))
	rows := page.Locator("[data-testid=import-account]")
	must(rows.Nth(1).WaitFor())
	if html, _ := page.Content(); strings.Contains(html, "JBSWY3DPEHPK3PXP") {
		t.Fatal("the page shows an imported secret")
	}
	_, err = rows.Nth(0).Locator("select").SelectOption(playwright.SelectOptionValues{Labels: &[]string{"Code host"}})
	must(err)
	snap(t, page, "import-accounts")
	must(page.Locator("#import-assign").Click())
	must(page.Locator("[data-testid=import-done]").WaitFor())
	must(page.Locator("[data-testid=twofa-issuer]").WaitFor())
	issuer, _ := page.Locator("[data-testid=twofa-issuer]").InnerText()
	state, _ := page.Locator("[data-testid=twofa-state]").InnerText()
	if issuer != "GitHub" || !strings.Contains(state, "2FA ✓") {
		t.Fatalf("after the import: issuer %q, state %q", issuer, state)
	}

	must(page.Locator("#recovery-input").Fill("aaaa-1111\nbbbb-2222"))
	must(page.Locator("#recovery-save").Click())
	must(page.Locator("[data-testid=recovery-low]").WaitFor())
	snap(t, page, "import-done")
}
