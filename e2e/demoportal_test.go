package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/browser"
)

// demoBrowser is the test user's own browser tab on the demo portal, where they enrol 2FA.
type demoBrowser struct {
	t    *testing.T
	page playwright.Page
	base string
}

func openDemo(t *testing.T, portalURL string) *demoBrowser {
	t.Helper()
	bc, err := browsers.NewContext(ctxFor(t, time.Minute), browser.ContextOptions{BaseURL: portalURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bc.Close() })
	page, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	page.SetDefaultTimeout(15000)
	return &demoBrowser{t: t, page: page, base: portalURL}
}

func (d *demoBrowser) must(err error) {
	d.t.Helper()
	if err != nil {
		d.t.Fatal(err)
	}
}

// signIn logs into the demo portal with its default account (2FA not yet on).
func (d *demoBrowser) signIn() {
	d.t.Helper()
	_, err := d.page.Goto(d.base + "/login")
	d.must(err)
	d.must(d.page.Locator("#username").Fill("demo"))
	d.must(d.page.Locator("#password").Fill(demoPassword))
	d.must(d.page.Locator("button[type=submit]").Click())
	d.must(d.page.WaitForURL("**/account"))
}

// qrScreenshot opens the 2FA settings page and screenshots it the way a user would: the whole
// visible page, QR code and all. It also returns the secret the page prints under the code.
func (d *demoBrowser) qrScreenshot() ([]byte, string) {
	d.t.Helper()
	_, err := d.page.Goto(d.base + "/settings/2fa")
	d.must(err)
	d.must(d.page.Locator("#totp-qr").WaitFor())
	// The image must have loaded before the screenshot.
	_, err = d.page.WaitForFunction(`() => { const i = document.querySelector('#totp-qr'); return i && i.complete && i.naturalWidth > 0 }`, nil)
	d.must(err)
	png, err := d.page.Screenshot()
	d.must(err)
	secret, err := d.page.Locator("#totp-secret").InnerText()
	d.must(err)
	return png, strings.ReplaceAll(strings.TrimSpace(secret), " ", "")
}

// confirm types a code into the enrolment form and returns the recovery codes shown.
func (d *demoBrowser) confirm(code string) []string {
	d.t.Helper()
	d.must(d.page.Locator("#confirm-code").Fill(code))
	d.must(d.page.Locator("#confirm-code").Press("Enter"))
	d.must(d.page.Locator("#recovery-codes li").First().WaitFor())
	codes, err := d.page.Locator("#recovery-codes li").AllInnerTexts()
	d.must(err)
	return codes
}

type listedInvoice struct{ number, date, amount string }

// invoices reads the demo portal's invoice table as the user sees it.
func (d *demoBrowser) invoices() []listedInvoice {
	d.t.Helper()
	_, err := d.page.Goto(d.base + "/invoices")
	d.must(err)
	rows, err := d.page.Locator("table.invoices tbody tr").All()
	d.must(err)
	var out []listedInvoice
	for _, r := range rows {
		n, _ := r.Locator("td.number").InnerText()
		dt, _ := r.Locator("td.date").InnerText()
		a, _ := r.Locator("td.amount").InnerText()
		out = append(out, listedInvoice{strings.TrimSpace(n), strings.TrimSpace(dt), strings.TrimSpace(a)})
	}
	if len(out) == 0 {
		d.t.Fatal("the demo portal lists no invoices")
	}
	return out
}

// isoDate turns the portal's dd.mm.yyyy into yyyy-mm-dd.
func isoDate(t *testing.T, d string) string {
	tm, err := time.Parse("02.01.2006", d)
	if err != nil {
		t.Fatalf("demo portal date %q: %v", d, err)
	}
	return tm.Format("2006-01-02")
}
