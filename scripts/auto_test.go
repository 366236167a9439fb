package scripts

import (
	"fmt"
	"strings"
	"testing"
)

func TestAutoLogin(t *testing.T) {
	cases := []struct {
		name     string
		otpStyle string
		otp      bool
		src      string
		posts    string // the form posts the site saw
	}{
		{"login then code field", "field", true, `auto.login({url: "/login"});`, "/login user=demo /2fa code=123456"},
		{"code field found by name", "name", true, `page.goto("/login"); auto.login();`, "/login user=demo /2fa code=123456"},
		{"six code boxes", "boxes", true, `auto.login({url: "/login"});`, "/login user=demo /2fa code=123456"},
		{"no 2FA", "field", false, `auto.login({url: "/login"});`, "/login user=demo"},
		{"two-step", "field", true, `auto.login({url: "/two-step"});`, "/two-step user=demo /login user=demo /2fa code=123456"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			site := newSite(t)
			site.otp, site.otpStyle = tc.otp, tc.otpStyle
			mustRun(t, asserts+tc.src+`
ok(page.url().endsWith("/invoices"), "logged in: " + page.url());
eq(page.all("table.invoices tbody tr").length, 3, "invoices visible");
`, runOpts{base: site.URL})
			if got := strings.Join(site.posts, " "); got != tc.posts {
				t.Errorf("posts %q, want %q", got, tc.posts)
			}
		})
	}

	t.Run("everything on one page, rendered late", func(t *testing.T) {
		t.Parallel()
		site := newSite(t)
		mustRun(t, asserts+`
auto.login({url: "/combined"});
eq(page.text("#welcome"), "Welcome", "logged in");
`, runOpts{base: site.URL})
	})

	t.Run("already signed in", func(t *testing.T) {
		t.Parallel()
		site := newSite(t)
		h := newHost()
		mustRun(t, `page.goto("/empty");
const t0 = Date.now();
auto.login();
log("auto.login took " + (Date.now() - t0) + " ms");
`, runOpts{base: site.URL, host: h})
		var took int
		for _, l := range h.logs {
			fmt.Sscanf(l, "info: auto.login took %d ms", &took)
		}
		if took == 0 || took > 2000 {
			t.Errorf("auto.login on a page without a login form took %d ms; it should return at once", took)
		}
		if want := "info: auto.login: no login form: already signed in on " + site.URL + "/empty"; !strings.Contains(h.logText(), want) {
			t.Errorf("log %q\nwant the line %q", h.logText(), want)
		}
		if len(site.posts) != 0 || h.codes != 0 {
			t.Errorf("posted %v and asked %d codes; want nothing", site.posts, h.codes)
		}
	})

	failures := []struct {
		name, src, want string
		host            func(*fakeHost)
	}{
		{"wrong password", `auto.login({url: "/login"});`,
			`still on the login form after submitting the password (the page says: "Invalid username or password") on %s/login?error=1; screenshot 01-auto-login.png`,
			func(h *fakeHost) { h.creds = map[string]string{"username": "demo", "password": "wrong"} }},
		{"wrong code", `auto.login({url: "/login"});`,
			`the portal did not accept the one-time code (the page says: "That code did not work") on %s/2fa?error=1; screenshot 01-auto-login.png`,
			func(h *fakeHost) { h.code = "000000" }},
		{"no secret", `auto.login({url: "/login"});`,
			`the portal asks for a one-time code, but totp() failed: this portal has no TOTP secret; add one on the portal's 2FA tab on %s/2fa; screenshot 01-auto-login.png`,
			func(h *fakeHost) { h.code = "" }},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			site := newSite(t)
			h := newHost()
			if tc.host != nil {
				tc.host(h)
			}
			_, err := runScript(t, tc.src, runOpts{base: site.URL, host: h})
			want := strings.ReplaceAll(tc.want, "%s", site.URL)
			if err == nil || !strings.HasSuffix(err.Error(), want) {
				t.Fatalf("error\n got: %v\nwant: …%s", err, want)
			}
			if !strings.Contains(err.Error(), "auto.login(") {
				t.Errorf("error does not name the call: %v", err)
			}
			if png := h.artifacts["01-auto-login.png"]; len(png) == 0 {
				t.Errorf("no screenshot artifact: %v", keys(h.artifacts))
			}
			if tc.name == "wrong password" && len(site.posts) != 1 {
				t.Errorf("the password was submitted %d times, want once: %v", len(site.posts), site.posts)
			}
		})
	}
}
