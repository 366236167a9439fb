package server

import (
	"strings"
	"testing"

	"billhound/scripts/portals"
)

// TestUserConfirmsSecret: the user can say the portal accepted a code (typed by hand during
// the portal's set-up); the portal's view shows when, with no run; a new secret starts
// unconfirmed; without a secret there is nothing to confirm.
func TestUserConfirmsSecret(t *testing.T) {
	ts, _, _ := testServer(t)
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	demo, _ := portals.Source("demo.js")
	code, p, raw := c.call("POST", "/api/portals", map[string]string{"name": "Nimbus", "script": demo, "username": "demo", "password": "pw"})
	if code != 201 {
		t.Fatalf("create: %d %s", code, raw)
	}
	id := "/api/portals/" + jsonID(p)
	code, body, raw := c.call("POST", id+"/totp/confirm", nil)
	if code != 409 || !strings.Contains(body["error"].(string), "set one up first") {
		t.Fatalf("confirm without a secret: %d %s", code, raw)
	}
	twofa := func() map[string]any {
		_, p, _ := c.call("GET", id, nil)
		return p["twofa"].(map[string]any)
	}
	setKey := func() {
		if code, _, raw := c.call("PUT", id+"/totp", map[string]string{"secret": "JBSWY3DPEHPK3PXP"}); code != 200 {
			t.Fatalf("set key: %d %s", code, raw)
		}
	}
	setKey()
	if v := twofa(); v["confirmedAt"] != nil || v["confirmedRun"] != 0.0 {
		t.Fatalf("a new secret is shown confirmed: %v", v)
	}
	code, body, raw = c.call("POST", id+"/totp/confirm", nil)
	if code != 200 || body["twofa"].(map[string]any)["confirmedAt"] == nil {
		t.Fatalf("confirm: %d %s", code, raw)
	}
	if v := twofa(); v["confirmedAt"] == nil || v["confirmedRun"] != 0.0 {
		t.Fatalf("after the user confirmed: %v", v)
	}
	setKey()
	if v := twofa(); v["confirmedAt"] != nil {
		t.Fatalf("a replaced secret stays confirmed: %v", v)
	}
}
