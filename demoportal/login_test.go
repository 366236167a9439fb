package demoportal

import (
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestLogin(t *testing.T) {
	tests := []struct {
		name, user, password string
		wantPath, wantError  string
	}{
		{"wrong password", "demo", "nope", "/login", msgBadLogin},
		{"unknown user", "mallory", "demo-password", "/login", msgBadLogin},
		{"empty", "", "", "/login", msgBadLogin},
		{"right password without 2FA", "demo", "demo-password", "/account", ""},
		{"username with spaces around", " demo ", "demo-password", "/account", ""},
	}
	f := newFixture(t) // the default account
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := f.browser()
			got := b.login(t, tt.user, tt.password)
			if got.status != http.StatusOK || got.path != tt.wantPath {
				t.Fatalf("got %d at %s, want 200 at %s", got.status, got.path, tt.wantPath)
			}
			if e := errorText(got.body); e != tt.wantError {
				t.Fatalf("error %q, want %q", e, tt.wantError)
			}
			if tt.wantError == "" && !contains(got.body, "Welcome back, demo") {
				t.Fatalf("no dashboard:\n%s", got.body)
			}
		})
	}
}

func TestLoginPageMarkup(t *testing.T) {
	f := newFixture(t)
	body := f.browser().get(t, "/").body // redirects to /login
	for _, want := range []string{
		"<!doctype html>",
		"<title>Sign in · Nimbus Cloud</title>",
		`<input name="username" id="username" autocomplete="username"`,
		`<input type="password" name="password" id="password" autocomplete="current-password">`,
		`<button type="submit">Sign in</button>`,
		"<code>demo-password</code>", // the default portal tells newcomers its credentials
	} {
		if !contains(body, want) {
			t.Errorf("login page lacks %q", want)
		}
	}
	// A portal with its own accounts never shows them.
	own := newFixture(t, Account{Username: "alice", Password: "secret"})
	if body := own.browser().get(t, "/login").body; contains(body, "secret") {
		t.Error("login page shows the password of a configured account")
	}
}

func TestSignedOutRedirects(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	for _, path := range []string{
		"/", "/account", "/invoices", "/invoices/INV-2026-0001.pdf", "/invoices/nope.pdf",
		"/settings/2fa", "/settings/2fa/qr.png?setup=x", "/login/2fa", "/login/recovery",
	} {
		t.Run(path, func(t *testing.T) {
			resp := b.noFollow(t, path)
			if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
				t.Fatalf("got %d Location %q, want 302 to /login", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
}

func TestNextAfterLogin(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	got := b.get(t, "/invoices")
	if got.path != "/login" || !contains(got.body, `name="next" value="/invoices"`) {
		t.Fatalf("login page at %s does not carry next:\n%s", got.path, got.body)
	}
	got = b.post(t, "/login", "username", "demo", "password", "demo-password", "next", "/invoices")
	if got.path != "/invoices" {
		t.Fatalf("landed on %s, want /invoices", got.path)
	}
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "/logout"} {
		if got := safeNext(next); got != "/account" {
			t.Errorf("safeNext(%q) = %q, want /account", next, got)
		}
	}
}

func TestSessionCookie(t *testing.T) {
	f := newFixture(t)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}).PostForm(f.srv.URL+"/login", map[string][]string{"username": {"demo"}, "password": {"demo-password"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].Name != sessionCookie {
		t.Fatalf("cookies %v, want one HttpOnly %s", cookies, sessionCookie)
	}
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
		t.Fatalf("got %d to %q, want 303 to /account", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestLogout(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	b.login(t, "demo", "demo-password")
	if got := b.get(t, "/logout"); got.path != "/login" || !contains(got.body, "You have been signed out.") {
		t.Fatalf("logout landed on %s", got.path)
	}
	if got := b.get(t, "/invoices"); got.path != "/login" {
		t.Fatalf("after logout /invoices shows %s", got.path)
	}
}

// TestConcurrentBrowsers runs many sign-ins and page loads at once; with -race it checks the
// locking.
func TestConcurrentBrowsers(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			// Plain client calls: t.Fatal must not run outside the test goroutine.
			b := f.browser()
			resp, err := b.c.PostForm(b.base+"/login", map[string][]string{
				"username": {"demo"}, "password": {"demo-password"},
			})
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.Request.URL.Path != "/account" {
				t.Errorf("login landed on %s", resp.Request.URL.Path)
			}
			for _, path := range []string{"/invoices", "/settings/2fa", "/logout"} {
				if resp, err := b.c.Get(b.base + path); err != nil {
					t.Error(err)
				} else {
					resp.Body.Close()
				}
			}
		})
	}
	wg.Wait()
}
