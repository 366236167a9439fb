package demoportal

import (
	"net/url"
	"testing"
	"time"
)

// TestRememberDevice: a code entered with "Remember this device" ticked lets the same browser
// sign in with the password alone (after signing out too) for 30 days; other browsers, other
// users and an unticked box still get the code step.
func TestRememberDevice(t *testing.T) {
	f := newFixture(t,
		Account{Username: "alice", Password: "pw", TOTPSecret: testSecret},
		Account{Username: "bob", Password: "pw2", TOTPSecret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"})
	step := stepOf(f.clock.Now())

	page := f.browser().login(t, "alice", "pw")
	if !contains(page.body, `<input type="checkbox" name="remember" id="remember" value="1"> Remember this device for 30 days`) {
		t.Fatalf("the code step has no remember box:\n%s", page.body)
	}

	plain := f.browser() // not ticked: no device cookie, the code step again
	plain.login(t, "alice", "pw")
	if got := plain.post(t, "/login/2fa", "code", codeAt(t, testSecret, step-1)); got.path != "/account" {
		t.Fatalf("code step landed on %s", got.path)
	}
	if deviceCookieOf(plain, f) != "" {
		t.Fatal("a device cookie without ticking the box")
	}
	plain.get(t, "/logout")
	if got := plain.login(t, "alice", "pw"); got.path != "/login/2fa" {
		t.Fatalf("unticked: the next sign-in landed on %s, want the code step", got.path)
	}

	b := f.browser()
	b.login(t, "alice", "pw")
	got := b.do(t, "POST", "/login/2fa", url.Values{"code": {codeAt(t, testSecret, step)}, "remember": {"1"}})
	if got.path != "/account" {
		t.Fatalf("code step landed on %s", got.path)
	}
	if deviceCookieOf(b, f) == "" {
		t.Fatal("no device cookie after ticking the box")
	}
	f.portal.EndSessions()
	if got := b.get(t, "/account"); got.path != "/login" {
		t.Fatalf("after EndSessions /account landed on %s, want /login", got.path)
	}
	if got := b.login(t, "alice", "pw"); got.path != "/account" {
		t.Fatalf("a remembered device landed on %s, want /account without a code", got.path)
	}
	b.get(t, "/logout")
	if got := b.login(t, "alice", "wrong"); got.path != "/login" || errorText(got.body) != msgBadLogin {
		t.Fatalf("a remembered device with a wrong password: %s %q", got.path, errorText(got.body))
	}
	if got := b.login(t, "bob", "pw2"); got.path != "/login/2fa" {
		t.Fatalf("another user on alice's device landed on %s, want the code step", got.path)
	}
	b.get(t, "/logout")
	f.clock.Add(deviceTTL + time.Minute)
	if got := b.login(t, "alice", "pw"); got.path != "/login/2fa" {
		t.Fatalf("after 30 days the device landed on %s, want the code step", got.path)
	}
}

func deviceCookieOf(b *browser, f *fixture) string {
	u, _ := url.Parse(f.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == deviceCookie {
			return c.Value
		}
	}
	return ""
}
