package demoportal

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestEmailFirst: the email-first shape asks for the address, then the password, then the code
// in six boxes (posted one digit each) with "Remember this device"; a remembered browser signs in
// with the address and password alone. A wrong password stays on the password page.
func TestEmailFirst(t *testing.T) {
	c := &clock{t: start}
	p := New(Options{Shape: ShapeEmailFirst, Now: c.Now, Accounts: []Account{{Username: "ann@example.com", Password: "pw", TOTPSecret: testSecret}}})
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	f := &fixture{portal: p, srv: srv, clock: c}
	b := f.browser()

	first := b.get(t, "/login")
	if !contains(first.body, `name="email"`) || contains(first.body, `type="password"`) {
		t.Fatalf("the first page is not the address alone:\n%s", first.body)
	}
	if got := b.post(t, "/login/email", "email", "not an address"); !contains(got.body, "Enter your e-mail address.") {
		t.Fatalf("a bad address was taken:\n%s", got.body)
	}
	pw := b.post(t, "/login/email", "email", "ann@example.com")
	if pw.path != "/login/password" || !contains(pw.body, `<span id="identity">ann@example.com</span>`) || !contains(pw.body, `type="password"`) {
		t.Fatalf("after the address: %s\n%s", pw.path, pw.body)
	}
	wrong := b.post(t, "/login", "username", "ann@example.com", "password", "nope")
	if !contains(wrong.body, msgBadLogin) || !contains(wrong.body, `<span id="identity">ann@example.com</span>`) {
		t.Fatalf("a wrong password: %s\n%s", wrong.path, wrong.body)
	}
	code := b.post(t, "/login", "username", "ann@example.com", "password", "pw")
	if code.path != "/login/2fa" || strings.Count(code.body, `maxlength="1"`) != 6 || !contains(code.body, "Remember this device for 30 days") {
		t.Fatalf("the code step: %s\n%s", code.path, code.body)
	}
	if js := b.get(t, "/boxes.js"); js.status != 200 || js.header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Fatalf("boxes.js: %d %s", js.status, js.header.Get("Content-Type"))
	}
	form := url.Values{"remember": {"1"}}
	for _, d := range codeAt(t, testSecret, stepOf(c.Now())) {
		form.Add("digit", string(d))
	}
	if got := b.do(t, "POST", "/login/2fa", form); got.path != "/account" {
		t.Fatalf("the six digits landed on %s:\n%s", got.path, got.body)
	}

	p.EndSessions()
	b.post(t, "/login/email", "email", "ann@example.com")
	if got := b.post(t, "/login", "username", "ann@example.com", "password", "pw"); got.path != "/account" {
		t.Fatalf("a remembered device landed on %s, want /account without a code", got.path)
	}
	if got := f.browser().get(t, "/login/password"); got.path != "/login" {
		t.Fatalf("the password page without an address landed on %s, want /login", got.path)
	}
}
