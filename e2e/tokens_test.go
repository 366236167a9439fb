package e2e

import (
	"strings"
	"testing"
)

// TestAPITokenInBrowser: a token made on the Security page works with curl-like requests, is
// shown once, and stops working when revoked there.
func TestAPITokenInBrowser(t *testing.T) {
	t.Parallel()
	for _, vp := range []struct {
		name string
		w, h int
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		t.Run(vp.name, func(t *testing.T) {
			u := openUI(t, "tokens-"+vp.name, vp.w, vp.h)
			u.must(u.page.Locator("#nav-account").Click())
			u.must(u.page.Locator("#tokens-none").WaitFor())
			u.must(u.page.Locator("#token-create").Click())
			if msg := u.text("#token-error"); !strings.Contains(msg, "Name the token") {
				t.Fatalf("a token without a name: %q", msg)
			}
			u.must(u.page.Locator("#token-name").Fill("home assistant"))
			u.must(u.page.Locator("#token-create").Click())
			tok := u.text("#token-value")
			if !strings.HasPrefix(tok, "bh_") {
				t.Fatalf("shown token %q", tok)
			}
			u.noSideScroll("the new token")
			u.shot("01-created")
			if code, out := bearerGet(t, u.in.base+"/api/portals", tok); code != 200 {
				t.Fatalf("the token from the page: %d %s", code, out)
			}
			u.must(u.page.Locator("#tokens-table").WaitFor())
			if row := u.text("#tokens-table tbody"); !strings.Contains(row, "home assistant") || !strings.Contains(row, tok[:9]) || strings.Contains(row, tok) {
				t.Fatalf("token list: %q", row)
			}
			u.must(u.page.Locator("#tokens-table button:has-text('Revoke')").Click())
			u.must(u.page.Locator("#tokens-none").WaitFor())
			u.must(u.page.Locator("#token-created").WaitFor(playwrightHidden()))
			if code, _ := bearerGet(t, u.in.base+"/api/portals", tok); code != 401 {
				t.Fatalf("revoked token: %d", code)
			}
		})
	}
}
