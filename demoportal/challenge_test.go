package demoportal

import (
	"bytes"
	"fmt"
	"image/png"
	"net/http/httptest"
	"net/url"
	"testing"
)

// TestChallenge: after the password, a challenge portal shows "click the red circle" and keeps
// every other page behind it; a click beside the circle (where a blind click on the image
// lands) fails with a new picture, a click on it lets the user in.
func TestChallenge(t *testing.T) {
	p := New(Options{Challenge: true})
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	f := &fixture{portal: p, srv: srv}
	b := f.browser()

	got := b.login(t, DefaultUsername, DefaultPassword)
	if got.path != "/challenge" || !contains(got.body, `id="challenge"`) || !contains(got.body, "ismap") {
		t.Fatalf("after the password: %d at %s", got.status, got.path)
	}
	if got := b.get(t, "/invoices"); got.path != "/challenge" {
		t.Fatalf("/invoices before the challenge: at %s", got.path)
	}
	sid := sessionOf(t, b)
	x, y, err := p.ChallengeTarget(sid)
	if err != nil {
		t.Fatal(err)
	}
	if abs(x-challengeW/2) <= 70 && abs(y-challengeH/2) <= 50 {
		t.Fatalf("the red circle is at the middle (%d,%d), where a blind click lands", x, y)
	}
	img := b.get(t, "/challenge.png?n=1")
	pic, err := png.Decode(bytes.NewReader([]byte(img.body)))
	if err != nil {
		t.Fatalf("the picture is not a PNG: %v", err)
	}
	if r, g, _, _ := pic.At(x, y).RGBA(); r>>8 < 0xc0 || g>>8 > 0x60 {
		t.Fatalf("no red at the target (%d,%d) of the picture", x, y)
	}

	got = b.get(t, fmt.Sprintf("/challenge/verify?%d,%d", challengeW/2, challengeH/2))
	if got.path != "/challenge" || errorText(got.body) != msgChallengeMissed {
		t.Fatalf("a click in the middle: at %s, error %q", got.path, errorText(got.body))
	}
	if got := b.get(t, "/challenge/verify?nonsense"); errorText(got.body) != msgChallengeMissed {
		t.Fatalf("a query that is no point: error %q", errorText(got.body))
	}
	x2, y2, _ := p.ChallengeTarget(sid)
	got = b.get(t, fmt.Sprintf("/challenge/verify?%d,%d", x2+5, y2-5))
	if got.path != "/account" || !contains(got.body, "Welcome back, demo") {
		t.Fatalf("a click on the red circle: at %s", got.path)
	}
	if got := b.get(t, "/challenge"); got.path != "/account" {
		t.Fatalf("the challenge again after solving it: at %s", got.path)
	}

	// Signed out, the challenge pages send to the login page; a portal without the option
	// never shows it.
	if got := f.browser().get(t, "/challenge"); got.path != "/login" {
		t.Fatalf("/challenge signed out: at %s", got.path)
	}
	plain := newFixture(t)
	if got := plain.browser().login(t, DefaultUsername, DefaultPassword); got.path != "/account" {
		t.Fatalf("a portal without the challenge: at %s", got.path)
	}
}

func sessionOf(t *testing.T, b *browser) string {
	t.Helper()
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == sessionCookie {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}
