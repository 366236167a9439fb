package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"billhound/twofa"
)

// consecutiveCodesScript signs in to a portal that asks for two consecutive codes of the
// authenticator at once (as some portals do to pair a device): the second totp() cannot get a
// code until the first one's time step has passed.
const consecutiveCodesScript = `// ==Portal==
// @name  Two codes
// @twofa totp
// ==/Portal==
page.goto("/verify");
const first = totp();
const second = totp();
page.fill("#code1", first);
page.fill("#code2", second);
page.click("button[type=submit]");
page.waitFor("a.pdf, .error");
if (page.exists(".error")) fail.codeRejected(page.text(".error"));
download("a.pdf", { id: "TC-1", date: "2026-01-31", amount: "9.00 EUR" });
`

// codeStepPeriod is the portal's TOTP period: short, so the wait for the next step is seconds.
const codeStepPeriod = 4

// TestCLIRunSaysCodeWait: `billhound run` on a portal whose second code must wait for the next
// time step says how much of the run went to that wait, and the figure fits the wait's bounds.
func TestCLIRunSaysCodeWait(t *testing.T) {
	t.Parallel()
	uri := fmt.Sprintf("otpauth://totp/Two%%20codes:demo?secret=KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF&period=%d", codeStepPeriod)
	key, err := twofa.ParseURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	site := httptest.NewServer(consecutiveCodesPortal(t, key))
	defer site.Close()
	script := filepath.Join(t.TempDir(), "two-codes.js")
	os.WriteFile(script, []byte(consecutiveCodesScript), 0o600)
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("unused"), 0o600)
	env := []string{"BILLHOUND_DATA=" + t.TempDir()}
	if code, out, errOut := cli(t, env, "portal", "add", "Two codes", "--script", script, "--username", "demo",
		"--password-file", pwFile, "--totp-uri", uri, "--url", site.URL+"/verify"); code != 0 {
		t.Fatalf("portal add: exit %d %s %s", code, out, errOut)
	}

	begin := time.Now()
	code, out, errOut := cli(t, env, "run", "Two codes")
	took := time.Since(begin)
	if code != 0 || !strings.Contains(out, "new: 1") {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errOut)
	}
	m := regexp.MustCompile(`(?m)^run \d+ of "Two codes" succeeded in (\S+) \((\S+) of it waiting for a fresh 2FA code\)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the run's line does not say how long it waited for a fresh code:\n%s", out)
	}
	total, err1 := time.ParseDuration(m[1])
	waited, err2 := time.ParseDuration(m[2])
	if err1 != nil || err2 != nil {
		t.Fatalf("unreadable durations in %q: %v %v", m[0], err1, err2)
	}
	t.Log(m[0])
	// The first code leaves at least a quarter of its step (twofa's minimum for short periods),
	// and may itself wait up to that quarter; the second waits out the rest of the first's step.
	period := codeStepPeriod * time.Second
	if waited < period/4-time.Second/2 || waited > period+period/4+time.Second {
		t.Errorf("waited %s for a fresh code, want between %s and %s (a %s period)", waited, period/4-time.Second/2, period+period/4+time.Second, period)
	}
	if waited > total || total > took+time.Second {
		t.Errorf("the line says %s of %s waiting, and the command took %s:\n%s", waited, total, took, out)
	}
}

// consecutiveCodesPortal asks for two consecutive codes of key on /verify, refusing a step it
// saw before, and then lists one invoice.
func consecutiveCodesPortal(t *testing.T, key twofa.Key) http.Handler {
	var mu sync.Mutex
	lastStep := int64(-1)
	html := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><html><body>%s</body></html>", body)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /verify", func(w http.ResponseWriter, r *http.Request) {
		html(w, `<form method=post><p>Enter two consecutive codes of your authenticator app.</p>
<input id=code1 name=code1><input id=code2 name=code2><button type=submit>Verify</button></form>`)
	})
	mux.HandleFunc("POST /verify", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		now := key.Step(time.Now())
		for s := now - 2; s <= now; s++ { // slack for the clocks and the page between the codes
			c1, _ := key.CodeAt(s)
			c2, _ := key.CodeAt(s + 1)
			if s > lastStep && r.FormValue("code1") == c1 && r.FormValue("code2") == c2 {
				lastStep = s + 1
				html(w, `<table><tr><td>TC-1</td><td><a class=pdf href="/TC-1.pdf">PDF</a></td></tr></table>`)
				return
			}
		}
		html(w, `<p class=error>These are not two consecutive current codes.</p>`)
	})
	mux.HandleFunc("GET /TC-1.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="TC-1.pdf"`)
		w.Write([]byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"))
	})
	return mux
}
