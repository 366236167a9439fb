package demoportal

import (
	"net/http"
	"strings"
	"testing"
)

// Each zoo shape has its own session: signing in to one signs in to no other.
func TestZooSessionsPerShape(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	if p := b.post(t, "/zoo/history/login", "username", "demo", "password", "demo-password"); p.path != "/zoo/history/invoices" {
		t.Fatalf("history sign-in landed on %s", p.path)
	}
	if p := b.get(t, "/zoo/expiry/invoices"); p.path != "/zoo/expiry/login" {
		t.Fatalf("another shape let the history session in: %s", p.path)
	}
	if p := b.get(t, "/invoices"); p.path != "/login" {
		t.Fatalf("the main portal let a zoo session in: %s", p.path)
	}
	p := b.post(t, "/zoo/profile/login", "username", "demo", "password", "wrong")
	if !contains(p.body, msgZooBadLogin) || !contains(p.body, `class="form-feedback"`) {
		t.Fatalf("profile's wrong password does not show its quiet message:\n%s", p.body)
	}
}

func TestZooHistoryPagesAndFilter(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	b.post(t, "/zoo/history/login", "username", "demo", "password", "demo-password")
	p := b.get(t, "/zoo/history/invoices?page=4")
	if n := strings.Count(p.body, `<td class="number">`); n != 6 || !contains(p.body, "Page 4 of 4 · 36 invoices") || contains(p.body, `rel="next"`) {
		t.Fatalf("last page has %d rows:\n%s", n, p.body)
	}
	p = b.get(t, "/zoo/history/invoices?from=2025-12-01")
	// start is 2026-03-15: invoices of Dec, Jan, Feb and Mar
	if n := strings.Count(p.body, `<td class="number">`); n != 4 || contains(p.body, `rel="next"`) {
		t.Fatalf("filtered from 2025-12-01: %d rows", n)
	}
	if p := b.get(t, "/zoo/history/invoices?from=yesterday"); !contains(p.body, "YYYY-MM-DD") {
		t.Fatalf("a bad date is not explained")
	}
}

func TestZooExpiryAndTerms(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	b.post(t, "/zoo/expiry/login", "username", "demo", "password", "demo-password") // lands: 1 request
	for i := 1; i < expiryRequests; i++ {
		if p := b.get(t, "/zoo/expiry/invoices"); p.path != "/zoo/expiry/invoices" {
			t.Fatalf("request %d: session ended early", i+1)
		}
	}
	if p := b.get(t, "/zoo/expiry/invoices"); p.path != "/zoo/expiry/login" || !contains(p.body, msgZooExpired) {
		t.Fatalf("the session did not expire after %d requests: %s", expiryRequests, p.path)
	}

	if p := b.post(t, "/zoo/terms/login", "username", "demo", "password", "demo-password"); p.path != "/zoo/terms/terms" || !contains(p.body, "cookie-banner") {
		t.Fatalf("terms sign-in landed on %s", p.path)
	}
	if p := b.post(t, "/zoo/terms/terms"); !contains(p.body, "Tick the box") {
		t.Fatal("accepting without the box ticked went through")
	}
	b.post(t, "/zoo/terms/cookies", "consent", "necessary", "back", "/zoo/terms/terms")
	if p := b.post(t, "/zoo/terms/terms", "accept", "yes"); p.path != "/zoo/terms/invoices" || contains(p.body, "cookie-banner") {
		t.Fatalf("after accepting: %s, banner still shown: %v", p.path, contains(p.body, "cookie-banner"))
	}
}

func TestZooBotCheck(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	if p := b.post(t, "/zoo/botcheck/login", "username", "demo", "password", "demo-password"); p.status != http.StatusForbidden || !contains(p.body, "bot-refused") {
		t.Fatalf("a sign-in without the page's probe got %d", p.status)
	}
	if p := b.post(t, "/zoo/botcheck/login", "username", "demo", "password", "demo-password", "probe", "human"); p.path != "/zoo/botcheck/invoices" {
		t.Fatalf("a regular browser was refused: %d %s", p.status, p.path)
	}
	req, _ := http.NewRequest("GET", f.srv.URL+"/zoo/botcheck/login", nil)
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/136.0.0.0 Safari/537.36")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("HeadlessChrome got %d, want 403", resp.StatusCode)
	}
}
