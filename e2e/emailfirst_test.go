package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// TestEmailFirstDemoPortal: the real binary and the demo portal as its own process with
// `--shape email-first`; a portal added through the API with the bundled demo-email-first.js.
// Run 1 goes through the e-mail page, the password page and the six code boxes, ticks
// "Remember this device" and archives the invoices; run 2 starts from the kept session and
// asks for no code.
func TestEmailFirstDemoPortal(t *testing.T) {
	t.Parallel()
	const email, secret = "demo@example.com", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	in := newInstance(t)
	in.setupAdmin()
	portal := startDemo(t, "--shape", "email-first", "--totp-secret", secret)
	var p portalJSON
	body := map[string]string{"name": "Nimbus e-mail first", "script": in.bundled("demo-email-first.js"),
		"url": portal + "/login", "username": email, "password": demoPassword}
	if code := in.call("POST", "/api/portals", body, &p); code != 201 {
		t.Fatalf("add portal: %d", code)
	}
	if code := in.call("PUT", fmt.Sprintf("/api/portals/%d/totp", p.ID), map[string]string{"secret": secret}, nil); code != 200 {
		t.Fatalf("set the TOTP secret: %d", code)
	}

	r1 := in.finish(in.startRun(p.ID).ID)
	mustSucceed(t, r1)
	log1 := r1.logText()
	for _, want := range []string{
		"auto.login: an e-mail field without a password (two-step login); filling the username on " + portal + "/login",
		"auto.login: a password field (the username is given already); filling the password on " + portal + "/login/password",
		`auto.login: ticked "Remember this device for 30 days" so that the portal remembers this device`,
		"auto.login: 6 one-character code boxes; filling one digit of totp() into each on " + portal + "/login/2fa",
		"auto.login: filled all 6 code boxes",
		": logged in on " + portal + "/account",
	} {
		if !strings.Contains(log1, want) {
			t.Errorf("run 1's log lacks %q:\n%s", want, log1)
		}
	}
	if strings.Contains(log1, demoPassword) {
		t.Fatalf("the password is in the log:\n%s", log1)
	}

	r2 := in.finish(in.startRun(p.ID).ID)
	log2 := r2.logText()
	if r2.Status != "succeeded" || !strings.Contains(log2, "session restored") || !strings.Contains(log2, "auto.login: no login form: already signed in") ||
		strings.Contains(log2, "code boxes") || strings.Contains(log2, "2FA code for time step") {
		t.Fatalf("run 2 (%s, %s) should start from the kept session and skip the code step:\n%s", r2.Status, r2.Error, log2)
	}
}
