package runner

import (
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"

	"billhound/demoportal"
	"billhound/scripts/portals"
)

// TestEmailFirstPortal: the bundled demo-email-first.js (auto.login() and nothing else to sign
// in) against the demo portal's email-first shape. Run 1 goes through the three pages (the
// e-mail address, the password, six code boxes with "Remember this device" ticked) and archives
// the invoices; run 2 starts from the kept session and is signed in at once; with the portal's
// sessions gone, run 3 signs in with the address and password alone: the device is remembered.
func TestEmailFirstPortal(t *testing.T) {
	r, _ := newTestRunner(t)
	const user = "ann@example.com"
	demo := demoportal.New(demoportal.Options{Shape: demoportal.ShapeEmailFirst, Accounts: []demoportal.Account{
		{Username: user, Password: user + "-password", TOTPSecret: aliceSecret},
	}})
	srv := httptest.NewServer(demo)
	t.Cleanup(srv.Close)
	script, ok := portals.Source("demo-email-first.js")
	if !ok {
		t.Fatal("no bundled demo-email-first.js")
	}
	p := addDemoPortal(t, r, "Nimbus", script, srv.URL+"/login", user, aliceSecret)
	askedCode := "2FA code for time step"
	boxes := "6 one-character code boxes"

	log1, _ := timedRun(t, r, p, "run 1")
	wantLog(t, "run 1", log1, []string{
		"no kept session: the browser starts fresh",
		"auto.login: an e-mail field without a password (two-step login); filling the username on " + srv.URL + "/login",
		"auto.login: a password field (the username is given already); filling the password on " + srv.URL + "/login/password",
		`auto.login: ticked "Remember this device for 30 days" so that the portal remembers this device on ` + srv.URL + "/login/2fa",
		boxes, askedCode, "auto.login: filled all 6 code boxes",
		": logged in on " + srv.URL + "/account",
		"session kept for the next run",
	}, nil)
	if saved, archived := invoiceCounts(t, log1); saved == 0 || archived != 0 {
		t.Fatalf("run 1 saved %d and skipped %d invoices; want all saved:\n%s", saved, archived, log1)
	}

	log2, _ := timedRun(t, r, p, "run 2")
	wantLog(t, "run 2", log2, []string{"session restored", "auto.login: no login form: already signed in"},
		[]string{askedCode, boxes, "filling the password"})
	if saved, archived := invoiceCounts(t, log2); saved != 0 || archived == 0 {
		t.Fatalf("run 2 saved %d and skipped %d invoices; want none new:\n%s", saved, archived, log2)
	}

	demo.EndSessions() // the portal's session ran out; the device cookie still stands
	log3, _ := timedRun(t, r, p, "run 3")
	wantLog(t, "run 3", log3, []string{"session restored", "an e-mail field", "filling the password",
		": logged in on "}, []string{askedCode, boxes, "already signed in"})
	if n := len(demo.UsedSteps(user)); n != 1 {
		t.Fatalf("the portal accepted %d codes over three runs, want 1", n)
	}
}

// invoiceCounts reads "N new invoice(s) saved, M already archived" from a run's log.
func invoiceCounts(t *testing.T, log string) (saved, archived int) {
	t.Helper()
	m := regexp.MustCompile(`(\d+) new invoice\(s\) saved, (\d+) already archived`).FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("no invoice count in the log:\n%s", log)
	}
	saved, _ = strconv.Atoi(m[1])
	archived, _ = strconv.Atoi(m[2])
	return saved, archived
}
