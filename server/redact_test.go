package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"billhound/archive"
	"billhound/browser"
	"billhound/browser/browsertest"
	"billhound/credentials"
	"billhound/runner"
	"billhound/scripts"
	"billhound/secrets"
	"billhound/store"
	"billhound/twofa"
)

const (
	leakyPassword = `Hx9-Qv7&<b>"z'%20ü`
	leakyTOTP     = "GAYTEMZUGU3DOOBZMFRGGZDFMY" // 16 bytes, base32 without padding
)

var leakyCodes = []string{"7f3k-9q2m", "w8rt 5zy1"}

// leakyPage is a login page that shows back every secret, the way careless portals do: the
// password HTML-escaped in text and in a visible field, URL-encoded in a link, JSON-escaped in
// a script; the TOTP secret grouped in lower case; the recovery codes.
func leakyPage(w http.ResponseWriter, r *http.Request) {
	pw := r.URL.Query().Get("pw")
	js, _ := json.Marshal(pw)
	var grouped []string
	for i := 0; i < len(leakyTOTP); i += 4 {
		grouped = append(grouped, strings.ToLower(leakyTOTP[i:min(i+4, len(leakyTOTP))]))
	}
	fmt.Fprintf(w, `<!doctype html><html><head><style>
body { margin: 0; background: #fff; font: 20px monospace; }
.box { position: absolute; left: 20px; width: 400px; height: 40px; margin: 0; padding: 0; border: 0; background: #fff; color: #000; font: 20px monospace; }
</style></head><body>
<div class=box style="top: 20px">Sign in failed for %s</div>
<input class=box id=shown type=text value="%s" style="top: 100px">
<input class=box id=pw type=password style="top: 160px">
<div class=box id=secret style="top: 220px">%s</div>
<div class=box style="top: 280px">%s</div>
<div id=red style="position: absolute; left: 500px; top: 100px; width: 100px; height: 40px; background: #f00"></div>
<a href="/next?pw=%s&amp;x=1" style="position: absolute; top: 340px">next</a>
<script>window.state = {"password": %s};</script>
</body></html>`, html.EscapeString(pw), html.EscapeString(pw), strings.Join(grouped, " "),
		html.EscapeString(strings.Join(leakyCodes, ", ")), url.QueryEscape(pw), js)
}

// leakyForms are pieces that every form of the secrets keeps intact (letters and digits are
// never escaped, and the base32 groups of four keep the first one whole), in lower case.
var leakyForms = []string{"qv7", strings.ToLower(leakyTOTP[:4]), strings.ToLower(leakyTOTP[20:24]), "7f3k", "9q2m", "w8rt", "5zy1"}

func assertNoSecret(t *testing.T, where, text string) {
	t.Helper()
	low := strings.ToLower(text)
	for _, f := range leakyForms {
		if strings.Contains(low, f) {
			t.Errorf("%s shows a secret (%q):\n%s", where, f, text)
		}
	}
}

// TestFailedRunLeaksNoSecret: a run fails on a page that echoes every secret back; the run's
// error, log, saved page, screenshot and the API's answers show none of them.
func TestFailedRunLeaksNoSecret(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(leakyPage))
	defer site.Close()
	ts, st, run, dir := leakyRun(t, site.URL)

	if run.Status != store.RunFailed || !strings.Contains(run.Error, "login refused at") {
		t.Fatalf("run %s: %q", run.Status, run.Error)
	}
	assertNoSecret(t, "run.Error", run.Error)
	logs, _ := st.RunLogs(run.ID)
	var logText strings.Builder
	for _, l := range logs {
		logText.WriteString(l.Message + "\n")
	}
	assertNoSecret(t, "the run log", logText.String())
	if !strings.Contains(logText.String(), "pw=[redacted]") {
		t.Errorf("the log does not show the page's URL, redacted:\n%s", logText.String())
	}

	runDir := filepath.Join(dir, "runs", fmt.Sprint(run.ID))
	page := readArtifact(t, runDir, "failure.html")
	assertNoSecret(t, "failure.html", page)
	if !strings.Contains(page, "Sign in failed for [redacted]") || !strings.Contains(page, `value="[redacted]"`) {
		t.Errorf("failure.html lacks the redacted page:\n%s", page)
	}
	checkMasked(t, readArtifact(t, runDir, "failure.png"))

	c := newClient(t, ts.URL)
	if code, _ := c.setup("admin", "long enough"); code != 201 {
		t.Fatalf("setup: %d", code)
	}
	answers := func() map[string]string {
		out := map[string]string{}
		for _, path := range []string{"/api/portals", "/api/runs", fmt.Sprintf("/api/runs/%d", run.ID), fmt.Sprintf("/api/portals/%d", run.PortalID)} {
			_, _, raw := c.call("GET", path, nil)
			out["GET "+path] = string(raw)
		}
		return out
	}
	for where, body := range answers() {
		assertNoSecret(t, where, body)
	}

	// The API is the last line of defence: text stored unredacted (by an older version) is
	// redacted on the way out, saved pages included.
	run.Error = "old error at /login?pw=" + url.QueryEscape(leakyPassword)
	if err := st.FinishRun(run); err != nil {
		t.Fatal(err)
	}
	st.AddRunLog(run.ID, "info", "old line: "+strings.ToLower(leakyTOTP)+" "+strings.Join(leakyCodes, " "))
	os.WriteFile(filepath.Join(runDir, "99-old.html"), []byte("<p>"+html.EscapeString(leakyPassword)+"</p>"), 0o600)
	for where, body := range answers() {
		assertNoSecret(t, where+" (of an unredacted run)", body)
	}
	_, _, raw := c.call("GET", fmt.Sprintf("/api/runs/%d/artifacts/99-old.html", run.ID), nil)
	if string(raw) != "<p>[redacted]</p>" {
		t.Errorf("an old saved page is served as %q", raw)
	}
}

// leakyRun makes a portal with every kind of secret and runs a script that fails on leakyPage.
func leakyRun(t *testing.T, siteURL string) (*httptest.Server, *store.Store, *store.Run, string) {
	t.Helper()
	mgr, err := browsertest.Manager()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mgr.Close() })
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := secrets.NewBox(bytes.Repeat([]byte{1}, 32))
	vault := &credentials.Vault{Store: st, Box: box}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := &runner.Runner{Store: st, Vault: vault, Archive: &archive.Archive{Root: dir}, Browser: mgr,
		Engine: scripts.NewEngine(scripts.EngineOptions{Logger: log}), Artifacts: filepath.Join(dir, "runs"),
		Timeout: time.Minute, Logger: log}
	s := New(Deps{Store: st, Vault: vault, Runner: r, Archive: r.Archive, Logger: log})
	ts := httptest.NewServer(s.Handler())
	servers.Store(ts.URL, s)
	t.Cleanup(ts.Close)

	script := "// ==Portal==\n// @name Leaky\n// @url " + siteURL + "/\n// ==/Portal==\n" +
		"page.goto('/login?pw=' + encodeURIComponent(credentials.password));\n" +
		"page.fill('#pw', credentials.password);\n" +
		"log('at ' + page.url());\n" +
		"console.log(JSON.stringify({password: credentials.password, url: page.url()}));\n" +
		"throw new Error('login refused at ' + page.url() + ' for ' + credentials.password);\n"
	p := &store.Portal{Name: "Leaky", Script: script, Username: "buyer"}
	if err := st.CreatePortal(p); err != nil {
		t.Fatal(err)
	}
	if p.PasswordSealed, err = vault.SealPassword(p.ID, leakyPassword); err != nil {
		t.Fatal(err)
	}
	if err := st.UpdatePortal(p); err != nil {
		t.Fatal(err)
	}
	key, err := twofa.ParseURI("otpauth://totp/Leaky:buyer?secret=" + leakyTOTP + "&issuer=Leaky")
	if err != nil {
		t.Fatal(err)
	}
	if err := vault.SetTOTP(p.ID, key, "key"); err != nil {
		t.Fatal(err)
	}
	if err := vault.SetRecoveryCodes(p.ID, leakyCodes); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := r.RunNow(ctx, p.ID, "cli")
	if err != nil {
		t.Fatal(err)
	}
	return ts, st, res.Run, dir
}

func readArtifact(t *testing.T, dir, suffix string) string {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), suffix) {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			return string(data)
		}
	}
	t.Fatalf("no artifact %s in %s", suffix, dir)
	return ""
}

// checkMasked looks at the failure screenshot where leakyPage puts its secrets: each box must
// be solid mask colour, while the red box beside them stays red.
func checkMasked(t *testing.T, data string) {
	t.Helper()
	img, err := png.Decode(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var mask color.RGBA
	fmt.Sscanf(browser.MaskColor, "#%02x%02x%02x", &mask.R, &mask.G, &mask.B)
	solid := func(r image.Rectangle, want color.RGBA) bool {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				cr, cg, cb, _ := img.At(x, y).RGBA()
				if uint8(cr>>8) != want.R || uint8(cg>>8) != want.G || uint8(cb>>8) != want.B {
					return false
				}
			}
		}
		return true
	}
	box := func(top int) image.Rectangle { return image.Rect(22, top+2, 418, top+38) }
	for name, top := range map[string]int{"the text with the password": 20, "the field showing the password": 100,
		"the password field": 160, "the TOTP secret": 220, "the recovery codes": 280} {
		if !solid(box(top), mask) {
			t.Errorf("the screenshot shows %s unmasked", name)
		}
	}
	if !solid(image.Rect(22, 63, 100, 70), mask) {
		t.Error("the screenshot shows the end of the password where its text overflows its box")
	}
	if !solid(image.Rect(502, 102, 598, 138), color.RGBA{255, 0, 0, 255}) {
		t.Error("the screenshot does not show the page (its red box is gone)")
	}
}
