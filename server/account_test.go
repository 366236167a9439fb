package server

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"billhound/qrscan"
	"billhound/twofa"
)

// adminWith2FA creates the admin, turns two-factor sign-in on through the API and returns the
// signed-in client, the base32 secret, the recovery codes and the code that confirmed it.
func adminWith2FA(t *testing.T, base string) (*client, string, []string, string) {
	t.Helper()
	c := newClient(t, base)
	if code, _ := c.setup("admin", "long enough"); code != 201 {
		t.Fatalf("setup: %d", code)
	}
	code, setup, raw := c.call("POST", "/api/account/2fa/setup", nil)
	if code != 200 {
		t.Fatalf("2fa setup: %d %s", code, raw)
	}
	secret := setup["secret"].(string)
	uri := setup["uri"].(string)
	// The QR image is a real QR code of the same otpauth URI.
	png, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(setup["qr"].(string), "data:image/png;base64,"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := twofa.KeysFromImage(png, qrscan.DecodeOptions{})
	if err != nil || len(keys) != 1 || keys[0].URI() != uri || keys[0].Base32() != secret || keys[0].Issuer != "billhound" {
		t.Fatalf("QR image holds %v (%v), the answer says %s", keys, err, uri)
	}
	// A code from a minute ago (two steps back) is refused: the code must be current.
	old, _ := totp.GenerateCode(secret, time.Now().Add(-60*time.Second))
	if code, body, _ := c.call("POST", "/api/account/2fa/activate", map[string]string{"code": old}); code != 400 || !strings.Contains(body["error"].(string), "does not match") {
		t.Fatalf("activate with an old code: %d %v", code, body)
	}
	if code, body, _ := c.call("POST", "/api/account/2fa/activate", map[string]string{"code": ""}); code != 400 || !strings.Contains(body["error"].(string), "6-digit") {
		t.Fatalf("activate without a code: %d %v", code, body)
	}
	if _, me, _ := c.call("GET", "/api/me", nil); me["twofa"].(map[string]any)["enabled"] != false {
		t.Fatalf("2FA is on before it was confirmed: %v", me)
	}
	now, _ := totp.GenerateCode(secret, time.Now())
	code, body, raw := c.call("POST", "/api/account/2fa/activate", map[string]string{"code": now})
	if code != 200 {
		t.Fatalf("activate: %d %s", code, raw)
	}
	var recovery []string
	seen := map[string]bool{}
	for _, r := range body["recoveryCodes"].([]any) {
		s := r.(string)
		if len(s) != 19 || seen[s] {
			t.Fatalf("recovery code %q (format or repeat)", s)
		}
		seen[s] = true
		recovery = append(recovery, s)
	}
	if len(recovery) != 10 {
		t.Fatalf("%d recovery codes, want 10", len(recovery))
	}
	_, me, _ := c.call("GET", "/api/me", nil)
	if st := me["twofa"].(map[string]any); st["enabled"] != true || st["recoveryCodesLeft"] != 10.0 {
		t.Fatalf("me after activation: %v", me)
	}
	return c, secret, recovery, now
}

// login signs in with the password and answers the second step's status and body (nil: 2FA
// was not asked for).
func login(t *testing.T, c *client, code map[string]string) (int, map[string]any) {
	t.Helper()
	st, body, raw := c.call("POST", "/api/login", map[string]string{"username": "admin", "password": "long enough"})
	if st != 200 || body["twofaRequired"] != true {
		t.Fatalf("password step: %d %s", st, raw)
	}
	if st, _, _ := c.call("GET", "/api/me", nil); st != 401 {
		t.Fatalf("a session exists after the password alone: %d", st)
	}
	st, body, _ = c.call("POST", "/api/login/2fa", code)
	return st, body
}

func TestAccountTwoFactorLogin(t *testing.T) {
	ts, _, dbPath := testServer(t)
	_, secret, recovery, used := adminWith2FA(t, ts.URL)

	// The code that confirmed the setup was used; it does not sign in (replay).
	c := newClient(t, ts.URL)
	if st, body := login(t, c, map[string]string{"code": used}); st != 401 || !strings.Contains(body["error"].(string), "already used") {
		t.Fatalf("replayed activation code: %d %v", st, body)
	}
	// The next step's code (a phone clock a little ahead) signs in, once.
	next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	c = newClient(t, ts.URL)
	if st, body := login(t, c, map[string]string{"code": next}); st != 200 || body["username"] != "admin" {
		t.Fatalf("login with a code: %d %v", st, body)
	}
	if st, _, _ := c.call("GET", "/api/me", nil); st != 200 {
		t.Fatalf("me after the second step: %d", st)
	}
	other := newClient(t, ts.URL)
	if st, body := login(t, other, map[string]string{"code": next}); st != 401 || !strings.Contains(body["error"].(string), "already used") {
		t.Fatalf("the same code a second time: %d %v", st, body)
	}

	// A recovery code signs in once (case and dashes do not matter), and not twice.
	r := newClient(t, ts.URL)
	if st, body := login(t, r, map[string]string{"code": strings.ToUpper(strings.ReplaceAll(recovery[0], "-", ""))}); st != 200 || body["recoveryCodesLeft"] != 9.0 {
		t.Fatalf("login with a recovery code: %d %v", st, body)
	}
	r2 := newClient(t, ts.URL)
	if st, body := login(t, r2, map[string]string{"recoveryCode": recovery[0]}); st != 401 || !strings.Contains(body["error"].(string), "already used") {
		t.Fatalf("the same recovery code again: %d %v", st, body)
	}
	if st, _, _ := r2.call("GET", "/api/me", nil); st != 401 {
		t.Fatalf("a used recovery code gave a session: %d", st)
	}
	if _, me, _ := r.call("GET", "/api/me", nil); me["twofa"].(map[string]any)["recoveryCodesLeft"] != 9.0 {
		t.Fatalf("me after a recovery code: %v", me)
	}

	// Without the password step there is nothing to complete.
	if st, body, _ := newClient(t, ts.URL).call("POST", "/api/login/2fa", map[string]string{"code": "123456"}); st != 401 || body["signInAgain"] != true {
		t.Fatalf("second step without the first: %d %v", st, body)
	}

	// Neither the secret nor the recovery codes are in the database in plain text.
	for _, f := range []string{dbPath, dbPath + "-wal"} {
		data, _ := os.ReadFile(f)
		for _, s := range append([]string{secret}, recovery...) {
			if bytes.Contains(data, []byte(s)) || bytes.Contains(data, []byte(strings.ReplaceAll(s, "-", ""))) {
				t.Fatalf("%s holds %q in plain text", f, s)
			}
		}
	}
}

func TestAccountTwoFactorWrongCodesAreThrottled(t *testing.T) {
	ts, _, _ := testServer(t)
	adminWith2FA(t, ts.URL)
	c := newClient(t, ts.URL)
	st, body := login(t, c, map[string]string{"code": "000000"})
	// Each code counts against the address like a password: the throttle (429) or the
	// challenge's own limit (signInAgain) ends the guessing within challengeMaxFailures.
	for i := 2; i <= challengeMaxFailures && st == 401 && body["signInAgain"] != true; i++ {
		st, body, _ = c.call("POST", "/api/login/2fa", map[string]string{"code": fmt.Sprintf("%06d", i)})
	}
	if st != 429 && (st != 401 || body["signInAgain"] != true) {
		t.Fatalf("after %d wrong codes: %d %v", challengeMaxFailures, st, body)
	}
	// The wrong codes counted like wrong passwords: this address now waits.
	if st, body, _ := c.call("POST", "/api/login", map[string]string{"username": "admin", "password": "long enough"}); st != 429 {
		t.Fatalf("login right after 5 wrong codes: %d %v", st, body)
	}
}

func TestAccountTwoFactorExpiredSetup(t *testing.T) {
	ts, st, _ := testServer(t)
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	_, setup, _ := c.call("POST", "/api/account/2fa/setup", nil)
	// Age the pending secret as 10 minutes would: same sealed bytes, deadline in the past.
	u, _ := st.UserByName("admin")
	pending, _ := st.UserTOTP(u.ID)
	if err := st.SetPendingTOTP(u.ID, pending.PendingSealed, time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(setup["secret"].(string), time.Now())
	if st, body, _ := c.call("POST", "/api/account/2fa/activate", map[string]string{"code": code}); st != 400 || !strings.Contains(body["error"].(string), "expired") {
		t.Fatalf("activate an expired setup: %d %v", st, body)
	}
}

func TestAccountTwoFactorDeactivate(t *testing.T) {
	ts, _, _ := testServer(t)
	c, secret, _, _ := adminWith2FA(t, ts.URL)
	for _, body := range []map[string]string{{}, {"code": "000000"}, {"recoveryCode": "aaaa-bbbb-cccc-dddd"}} {
		if st, resp, _ := c.call("POST", "/api/account/2fa/deactivate", body); st != 400 || resp["error"] == "" {
			t.Fatalf("deactivate with %v: %d %v", body, st, resp)
		}
	}
	if _, me, _ := c.call("GET", "/api/me", nil); me["twofa"].(map[string]any)["enabled"] != true {
		t.Fatal("wrong codes turned 2FA off")
	}
	next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	if st, resp, _ := c.call("POST", "/api/account/2fa/deactivate", map[string]string{"code": next}); st != 200 || resp["twofa"].(map[string]any)["enabled"] != false {
		t.Fatalf("deactivate with a code: %d %v", st, resp)
	}
	// Off: the password alone signs in, and the old recovery codes are gone.
	o := newClient(t, ts.URL)
	if st, body, _ := o.call("POST", "/api/login", map[string]string{"username": "admin", "password": "long enough"}); st != 200 || body["twofaRequired"] != nil {
		t.Fatalf("login after deactivation: %d %v", st, body)
	}
	if _, me, _ := o.call("GET", "/api/me", nil); me["twofa"].(map[string]any)["recoveryCodesLeft"] != 0.0 {
		t.Fatalf("recovery codes left after deactivation: %v", me)
	}
}

func TestAccountDeactivateWithRecoveryCode(t *testing.T) {
	ts, _, _ := testServer(t)
	c, _, recovery, _ := adminWith2FA(t, ts.URL)
	if st, resp, _ := c.call("POST", "/api/account/2fa/deactivate", map[string]string{"code": recovery[3]}); st != 200 || resp["twofa"].(map[string]any)["enabled"] != false {
		t.Fatalf("deactivate with a recovery code: %d %v", st, resp)
	}
}

func TestLogoutEverywhereAndSessionRotation(t *testing.T) {
	ts, _, _ := testServer(t)
	a := newClient(t, ts.URL)
	a.setup("admin", "long enough")
	b := newClient(t, ts.URL)

	// Each login gets a new session id; the id presented at login stops working.
	b.call("POST", "/api/login", map[string]string{"username": "admin", "password": "long enough"})
	first := sessionToken(t, b)
	b.call("POST", "/api/login", map[string]string{"username": "admin", "password": "long enough"})
	second := sessionToken(t, b)
	if first == "" || first == second {
		t.Fatalf("session id did not change at login: %q then %q", first, second)
	}
	if st := withToken(t, ts.URL, first); st != 401 {
		t.Fatalf("the session id from before the login still works: %d", st)
	}
	if st := withToken(t, ts.URL, second); st != 200 {
		t.Fatalf("the new session id: %d", st)
	}

	// Log out everywhere from a: b's session ends too, and so does a's own.
	if st, _, raw := a.call("POST", "/api/logout-everywhere", nil); st != 204 {
		t.Fatalf("logout everywhere: %d %s", st, raw)
	}
	for name, c := range map[string]*client{"the other": b, "the own": a} {
		if st, _, _ := c.call("GET", "/api/me", nil); st != 401 {
			t.Errorf("%s session after logout everywhere: %d", name, st)
		}
	}
	if st := withToken(t, ts.URL, second); st != 401 {
		t.Fatalf("a copied session id after logout everywhere: %d", st)
	}
}

func TestAccountRoutesNeedASession(t *testing.T) {
	ts, _, _ := testServer(t)
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	anon := newClient(t, ts.URL)
	for _, p := range []string{"/api/account/2fa/setup", "/api/account/2fa/activate", "/api/account/2fa/deactivate", "/api/logout-everywhere"} {
		if st, body, _ := anon.call("POST", p, map[string]string{"code": "123456"}); st != 401 || body["error"] == "" {
			t.Errorf("POST %s without a session: %d %v", p, st, body)
		}
	}
}

func sessionToken(t *testing.T, c *client) string {
	t.Helper()
	req, _ := http.NewRequest("GET", c.base+"/", nil)
	for _, ck := range c.http.Jar.Cookies(req.URL) {
		if ck.Name == sessionCookie {
			return ck.Value
		}
	}
	return ""
}

// withToken calls GET /api/me with a bare session cookie, as someone holding a copy would.
func withToken(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/me", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Two sign-ins racing with the same code (one of them replaying what it saw): exactly one wins.
func TestAccountSameCodeRacesOnce(t *testing.T) {
	ts, _, _ := testServer(t)
	_, secret, recovery, _ := adminWith2FA(t, ts.URL)
	next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	for _, code := range []string{next, recovery[5]} {
		clients := []*client{newClient(t, ts.URL), newClient(t, ts.URL)}
		for _, c := range clients {
			if st, body, _ := c.call("POST", "/api/login", map[string]string{"username": "admin", "password": "long enough"}); st != 200 || body["twofaRequired"] != true {
				t.Fatalf("password step: %d %v", st, body)
			}
		}
		results := make(chan int, len(clients))
		for _, c := range clients {
			go func() {
				st, _, _ := c.call("POST", "/api/login/2fa", map[string]string{"code": code})
				results <- st
			}()
		}
		wins := 0
		for range clients {
			if <-results == 200 {
				wins++
			}
		}
		if wins != 1 {
			t.Fatalf("%d of 2 concurrent sign-ins with the same code succeeded", wins)
		}
	}
}
