package runner

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"billhound/demoportal"
	"billhound/failure"
	"billhound/store"
)

// failSite is a small portal: the demo portal's login, a captcha page and an invoice file.
func failSite(t *testing.T) *httptest.Server {
	demo := demoportal.New(demoportal.Options{})
	mux := http.NewServeMux()
	mux.Handle("/", demo)
	mux.HandleFunc("GET /captcha", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<!doctype html><title>Check</title><p>Are you human?</p>
<div class="h-captcha" style="width:300px;height:80px;border:1px solid #999"></div>`))
	})
	mux.HandleFunc("GET /shared.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(pdfOf(2000))
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// TestRunFailureKinds: a failed run is stored with its kind, and its error quotes the portal.
func TestRunFailureKinds(t *testing.T) {
	r, st := newTestRunner(t)
	r.Timeout = 20 * time.Second
	site := failSite(t)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()
	cases := []struct {
		name, body string
		want       failure.Kind
		msg        string
	}{
		// a script of its own (no auto.login): the login form came back with the portal's error
		{"wrong password", `page.goto("/login"); page.fill("#username", "demo"); page.fill("#password", "nope-wrong");
page.click("button[type=submit]"); page.waitFor('a[href="/logout"]', {timeout: 3000});`,
			failure.Credentials, `(the page says: "Invalid username or password.")`},
		{"auto.login wrong password", `auto.login({url: "/login"});`, failure.Credentials, "Invalid username or password"},
		{"captcha", `page.goto("/captcha"); page.waitFor("#invoices", {timeout: 1500});`, failure.Captcha, "no element matched"},
		{"no 2FA secret", `log(totp());`, failure.CodeUnavailable, "no 2FA secret"},
		{"unreachable", `page.goto("http://` + closed + `/login");`, failure.Unreachable, "could not be reached (connection refused)"},
		{"time limit", `sleep(60000);`, failure.Timeout, "ran longer than its 2s limit"},
		{"raised, caught, rethrown", `try { fail.actionNeeded("accept the new terms") } catch (e) { throw new Error("stopped") }`,
			failure.ActionNeeded, "stopped"},
		{"script bug", `const x = null; x.y();`, failure.ScriptError, "TypeError"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := addPortal(t, r, st, strings.ReplaceAll(tc.name, ",", ""), site.URL, tc.body)
			if tc.name == "time limit" {
				r.Timeout = 2 * time.Second
				defer func() { r.Timeout = 20 * time.Second }()
			}
			if strings.HasPrefix(tc.name, "auto.login") {
				setPassword(t, r, st, p, "nope-wrong")
			}
			res, err := r.RunNow(context.Background(), p.ID, "cli")
			if err != nil {
				t.Fatal(err)
			}
			run, _ := st.Run(res.Run.ID)
			if run.Status != store.RunFailed || run.FailureKind != string(tc.want) {
				t.Fatalf("status %s kind %q, want failed %q: %s", run.Status, run.FailureKind, tc.want, run.Error)
			}
			if !strings.Contains(run.Error, tc.msg) {
				t.Errorf("error %q lacks %q", run.Error, tc.msg)
			}
			if strings.Contains(run.Error, "nope-wrong") {
				t.Errorf("the error shows the password: %s", run.Error)
			}
		})
	}
}

func setPassword(t *testing.T, r *Runner, st *store.Store, p *store.Portal, pw string) {
	t.Helper()
	var err error
	p.Username = "demo"
	if p.PasswordSealed, err = r.Vault.SealPassword(p.ID, pw); err != nil {
		t.Fatal(err)
	}
	if err := st.UpdatePortal(p); err != nil {
		t.Fatal(err)
	}
}

// TestArtifactNamesNumberedOnce: the screenshot the error names is the file on disk.
func TestArtifactNamesNumberedOnce(t *testing.T) {
	r, st := newTestRunner(t)
	site := failSite(t)
	p := addPortal(t, r, st, "Shots", site.URL, `auto.login({url: "/login"});`)
	setPassword(t, r, st, p, "wrong-password")
	res, err := r.RunNow(context.Background(), p.ID, "cli")
	if err != nil || res.Run.Status != store.RunFailed {
		t.Fatalf("%v %+v", err, res.Run)
	}
	entries, _ := r.ListArtifacts(res.Run.ID)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !strings.Contains(res.Run.Error, "screenshot 01-auto-login.png") || !slices.Contains(names, "01-auto-login.png") ||
		!slices.Contains(names, "02-failure.png") || !slices.Contains(names, "03-failure.html") {
		t.Fatalf("error %q, artifacts %v", res.Run.Error, names)
	}
}

// TestNothingFound: a run that archives nothing and knows nothing is a warning once the portal
// had invoices, and a plain success for a portal that never had any.
func TestNothingFound(t *testing.T) {
	r, st := newTestRunner(t)
	site := failSite(t)
	empty := addPortal(t, r, st, "Empty", site.URL, `page.goto("/login");`)
	if res, _ := r.RunNow(context.Background(), empty.ID, "cli"); res.Run.Status != store.RunSucceeded {
		t.Fatalf("a portal without invoices: %+v", res.Run)
	}
	p := addPortal(t, r, st, "Monthly", site.URL, `download("/shared.pdf", {id: "INV-1", date: "2024-03-01"});`)
	first, _ := r.RunNow(context.Background(), p.ID, "cli")
	if first.Run.Status != store.RunSucceeded || first.Run.NewCount != 1 {
		t.Fatalf("first run: %+v", first.Run)
	}
	p.Script = strings.Replace(p.Script, `download("/shared.pdf", {id: "INV-1", date: "2024-03-01"});`, `page.goto("/login"); /* the invoice page moved */`, 1)
	st.UpdatePortal(p)
	res, _ := r.RunNow(context.Background(), p.ID, "cli")
	run, _ := st.Run(res.Run.ID)
	if run.Status != store.RunWarning || run.Warning != store.WarningNothingFound || run.FailureKind != "" {
		t.Fatalf("nothing found: %+v", run)
	}
	if since, _ := st.LastSuccess(p.ID); since == nil || !since.Equal(first.Run.StartedAt) {
		t.Errorf("since moved past a run that found nothing: %v", since)
	}
	// Knowing the invoice is not "nothing": the script saw it.
	p.Script = strings.Replace(p.Script, `page.goto("/login"); /* the invoice page moved */`, `if (!known("INV-1")) throw new Error("forgot");`, 1)
	st.UpdatePortal(p)
	if res, _ := r.RunNow(context.Background(), p.ID, "cli"); res.Run.Status != store.RunSucceeded {
		t.Fatalf("known invoice: %+v", res.Run)
	}
}

// TestDedupePerPortal: the same file from two portals is archived for each, and each knows it.
func TestDedupePerPortal(t *testing.T) {
	r, st := newTestRunner(t)
	site := failSite(t)
	body := `if (known("INV-7")) { log("known"); } else { const res = download("/shared.pdf", {id: "INV-7", date: "2024-05-02"}); log("saved " + res.saved); }`
	a := addPortal(t, r, st, "Shop A", site.URL, body)
	b := addPortal(t, r, st, "Shop B", site.URL, body)
	for _, p := range []*store.Portal{a, b} {
		res, err := r.RunNow(context.Background(), p.ID, "cli")
		if err != nil || res.Run.Status != store.RunSucceeded || len(res.New) != 1 {
			t.Fatalf("%s: %v %+v", p.Name, err, res.Run)
		}
	}
	for _, p := range []*store.Portal{a, b} {
		page, _ := st.ListInvoices(store.InvoiceFilter{PortalID: p.ID}, nil, 50)
		if invs := page.Rows; len(invs) != 1 || invs[0].Number != "INV-7" {
			t.Fatalf("%s owns %d invoices", p.Name, len(page.Rows))
		}
		res, _ := r.RunNow(context.Background(), p.ID, "cli")
		if res.Run.Status != store.RunSucceeded || len(res.Known) != 1 || len(res.New) != 0 {
			t.Fatalf("%s second run: %+v", p.Name, res.Run)
		}
	}
}
