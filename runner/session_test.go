package runner

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"billhound/browser"
	"billhound/demoportal"
	"billhound/scripts/portals"
	"billhound/store"
	"billhound/twofa"
)

// Secrets of the demo accounts with 2FA used here (base32, 20 bytes each).
const (
	aliceSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	bobSecret   = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
)

// demoWith2FA serves the demo portal with accounts alice and bob, both with 2FA on.
func demoWith2FA(t *testing.T) (*demoportal.Portal, *httptest.Server) {
	t.Helper()
	demo := demoportal.New(demoportal.Options{Accounts: []demoportal.Account{
		{Username: "alice", Password: "alice-password", TOTPSecret: aliceSecret},
		{Username: "bob", Password: "bob-password", TOTPSecret: bobSecret},
	}})
	srv := httptest.NewServer(demo)
	t.Cleanup(srv.Close)
	return demo, srv
}

// addDemoPortal adds a portal for a demo account with its password and TOTP secret sealed.
func addDemoPortal(t *testing.T, r *Runner, name, script, url, user, secret string) *store.Portal {
	t.Helper()
	p := &store.Portal{Name: name, Script: script, URL: url, Username: user}
	if err := r.Store.CreatePortal(p); err != nil {
		t.Fatal(err)
	}
	var err error
	if p.PasswordSealed, err = r.Vault.SealPassword(p.ID, user+"-password"); err != nil {
		t.Fatal(err)
	}
	if err := r.Store.UpdatePortal(p); err != nil {
		t.Fatal(err)
	}
	k, err := twofa.ParseURI("otpauth://totp/Nimbus:" + user + "?secret=" + secret + "&issuer=Nimbus")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Vault.SetTOTP(p.ID, k, "key"); err != nil {
		t.Fatal(err)
	}
	return p
}

func demoScript(t *testing.T) string {
	t.Helper()
	src, ok := portals.Source("demo.js")
	if !ok {
		t.Fatal("no bundled demo.js")
	}
	return src
}

// warm starts the shared Chromium, so that the first measured run does not pay for its launch.
func warm(t *testing.T, r *Runner) {
	t.Helper()
	bc, err := r.Browser.NewContext(context.Background(), browser.ContextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bc.Close()
}

// timedRun runs the portal, fails the test unless the run succeeded, and returns the run's log
// and how long it took.
func timedRun(t *testing.T, r *Runner, p *store.Portal, name string) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	res, err := r.RunNow(contextWithTimeout(t, 2*time.Minute), p.ID, "cli")
	took := time.Since(start)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	lines, err := r.Store.RunLogs(res.Run.ID)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Level + ": " + l.Message + "\n")
	}
	if res.Run.Status != store.RunSucceeded {
		t.Fatalf("%s: %s: %s\n%s", name, res.Run.Status, res.Run.Error, b.String())
	}
	t.Logf("%s took %s", name, took.Round(time.Millisecond))
	return b.String(), took
}

func wantLog(t *testing.T, name, log string, has []string, hasNot []string) {
	t.Helper()
	for _, s := range has {
		if !strings.Contains(log, s) {
			t.Errorf("%s: the log lacks %q:\n%s", name, s, log)
		}
	}
	for _, s := range hasNot {
		if strings.Contains(log, s) {
			t.Errorf("%s: the log has %q:\n%s", name, s, log)
		}
	}
}

// TestKeptSessionSkipsTheLogin: the bundled demo script against a demo account with 2FA. Run 1
// logs in with the code and ticks "remember this device"; run 2 starts from the kept session,
// is signed in already and is faster; with the portal's session gone, run 3 still starts from
// the kept state and its device cookie lets the password alone through; after Forget, run 4
// logs in from scratch and is asked for the code again.
func TestKeptSessionSkipsTheLogin(t *testing.T) {
	r, st := newTestRunner(t)
	demo, srv := demoWith2FA(t)
	p := addDemoPortal(t, r, "Nimbus", demoScript(t), srv.URL+"/login", "alice", aliceSecret)
	warm(t, r)
	askedCode := "2FA code for time step"

	log1, took1 := timedRun(t, r, p, "run 1")
	wantLog(t, "run 1", log1, []string{"no kept session: the browser starts fresh", askedCode, "session kept for the next run"},
		[]string{"session restored"})
	if n := len(demo.UsedSteps("alice")); n != 1 {
		t.Fatalf("run 1: the portal accepted %d codes, want 1", n)
	}
	keptAt, err := st.SessionKeptAt(p.ID)
	if err != nil || keptAt == nil {
		t.Fatalf("no session kept after run 1: %v", err)
	}

	log2, took2 := timedRun(t, r, p, "run 2")
	wantLog(t, "run 2", log2, []string{"session restored: the browser starts from the session kept at",
		"already signed in: the kept session still works", "session kept for the next run"}, []string{askedCode})
	if took2 >= took1 {
		t.Errorf("run 2 from the kept session took %s, not less than run 1's %s", took2, took1)
	}

	demo.EndSessions() // the portal's session ran out; the device cookie still stands
	log3, _ := timedRun(t, r, p, "run 3")
	wantLog(t, "run 3", log3, []string{"session restored", "the code step was skipped (this device is remembered)"},
		[]string{askedCode, "already signed in"})
	if n := len(demo.UsedSteps("alice")); n != 1 {
		t.Fatalf("after run 3: the portal accepted %d codes, want still 1", n)
	}

	if err := r.ForgetSession(p.ID); err != nil {
		t.Fatal(err)
	}
	if at, _ := st.SessionKeptAt(p.ID); at != nil {
		t.Fatalf("still kept after ForgetSession: %v", at)
	}
	log4, _ := timedRun(t, r, p, "run 4")
	wantLog(t, "run 4", log4, []string{"no kept session", askedCode}, []string{"session restored", "already signed in", "code step was skipped"})
	if n := len(demo.UsedSteps("alice")); n != 2 {
		t.Fatalf("after run 4: the portal accepted %d codes, want 2", n)
	}
}

// TestScriptForgetsTheSession: session.forget() drops the kept session at once and none is
// kept after the run; a kept state that no longer opens leads to a fresh start, not a failure.
func TestScriptForgetsTheSession(t *testing.T) {
	r, st := newTestRunner(t)
	_, srv := demoWith2FA(t)
	script := demoScript(t) + "\nif (session.restored) session.forget();\n"
	p := addDemoPortal(t, r, "Nimbus", script, srv.URL+"/login", "bob", bobSecret)

	timedRun(t, r, p, "run 1")
	if at, _ := st.SessionKeptAt(p.ID); at == nil {
		t.Fatal("no session kept after run 1")
	}
	log2, _ := timedRun(t, r, p, "run 2")
	wantLog(t, "run 2", log2, []string{"session restored", "session.forget(): the kept session is dropped", "no session is kept: the script forgot it"},
		[]string{"session kept for the next run"})
	if at, _ := st.SessionKeptAt(p.ID); at != nil {
		t.Fatalf("a session is kept after session.forget(): %v", at)
	}

	if err := st.KeepSession(p.ID, []byte("sealed with another key"), time.Now()); err != nil {
		t.Fatal(err)
	}
	log3, _ := timedRun(t, r, p, "run 3")
	wantLog(t, "run 3", log3, []string{"the kept session could not be opened, so it is dropped", "no kept session: the browser starts fresh"}, nil)
}

// TestPersistentProfile: with `@profile persistent` the run uses a Chromium profile folder of its
// own (mode 0700) that outlives the run: the device cookie is in it, so run 2 skips the code
// step. Forgetting removes the folder.
func TestPersistentProfile(t *testing.T) {
	r, st := newTestRunner(t)
	r.Profiles = filepath.Join(t.TempDir(), "profiles")
	_, srv := demoWith2FA(t)
	script := strings.Replace(demoScript(t), "// @version  1\n", "// @version  1\n// @profile  persistent\n", 1)
	p := addDemoPortal(t, r, "Nimbus", script, srv.URL+"/login", "bob", bobSecret)

	log1, _ := timedRun(t, r, p, "run 1")
	wantLog(t, "run 1", log1, []string{"persistent browser profile: a new one is started", "2FA code for time step",
		"session kept for the next run (persistent browser profile)"}, nil)
	dir := filepath.Join(r.Profiles, "1")
	for _, d := range []string{r.Profiles, dir} {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: %v %v, want a folder with mode 0700", d, fi.Mode(), err)
		}
	}
	if k, err := st.KeptSession(p.ID); err != nil || len(k.Sealed) != 0 {
		t.Fatalf("the profile's session row: %+v %v; want one without a sealed state", k, err)
	}
	// The demo's sign-in is a browser-session cookie, gone with the browser; the device cookie
	// lasts 30 days and is in the profile.
	log2, _ := timedRun(t, r, p, "run 2")
	wantLog(t, "run 2", log2, []string{"session restored: the browser uses the persistent profile kept since",
		"the code step was skipped (this device is remembered)"}, []string{"2FA code for time step"})

	if err := r.ForgetSession(p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the profile folder is still there after ForgetSession: %v", err)
	}
}
