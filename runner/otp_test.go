package runner

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"billhound/store"
	"billhound/twofa"
)

// skewedSite is a portal whose clock runs ahead by skew: its Date headers say so, and it
// accepts only the code of the current step on its own clock, each step once.
type skewedSite struct {
	key  twofa.Key
	skew time.Duration

	mu       sync.Mutex
	used     map[int64]bool
	accepted int
	refused  []string
}

func (s *skewedSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now().Add(s.skew)
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	w.Header().Set("Content-Type", "text/html")
	if r.Method != http.MethodPost {
		io.WriteString(w, `<!doctype html><form method="post" action="/login"><input id="code" name="code"><button>Sign in</button></form>`)
		return
	}
	code := r.FormValue("code")
	step := s.key.Step(now)
	want, _ := s.key.CodeAt(step)
	s.mu.Lock()
	defer s.mu.Unlock()
	if code != want || s.used[step] {
		s.refused = append(s.refused, fmt.Sprintf("a code at %s (portal step %d, used before: %v)", now.Format("15:04:05.000"), step, s.used[step]))
		io.WriteString(w, `<!doctype html><h1 id="result">Wrong code</h1>`)
		return
	}
	s.used[step] = true
	s.accepted++
	io.WriteString(w, `<!doctype html><h1 id="result">Welcome</h1>`)
}

const loginScript = `page.goto('/');
page.fill('#code', totp());
page.click('button');
page.waitFor('#result');
if (page.text('#result') !== 'Welcome') throw new Error('the portal refused the code');
log('signed in');
`

// TestCodesFollowThePortalClock: a portal whose clock is 45 s ahead accepts only codes of its
// own time. The run learns the offset from the portal's Date headers, signs in, says so in the
// log and keeps the offset for the portal page; a second portal on the same secret then signs
// in too, with a later step.
func TestCodesFollowThePortalClock(t *testing.T) {
	r, st := newTestRunner(t)
	k, _ := twofa.ParseSecret("JBSWY3DPEHPK3PXP")
	site := &skewedSite{key: k, skew: 45 * time.Second, used: map[int64]bool{}}
	srv := httptest.NewServer(site)
	defer srv.Close()

	var ids []int64
	for _, name := range []string{"Skewed", "Skewed again"} {
		p := &store.Portal{Name: name, Script: "// ==Portal==\n// @name " + name + "\n// @url " + srv.URL + "/\n// ==/Portal==\n" + loginScript}
		if err := st.CreatePortal(p); err != nil {
			t.Fatal(err)
		}
		if err := r.Vault.SetTOTP(p.ID, k, "key"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	for _, id := range ids {
		res, err := r.RunNow(contextWithTimeout(t, 2*time.Minute), id, "cli")
		if err != nil {
			t.Fatal(err)
		}
		logs, _ := st.RunLogs(res.Run.ID)
		var text strings.Builder
		for _, l := range logs {
			text.WriteString(l.Time.Format("15:04:05.000") + " " + l.Message + "\n")
		}
		if res.Run.Status != store.RunSucceeded {
			site.mu.Lock()
			t.Fatalf("run %s: %s\n%s\nrefused: %v", res.Run.Status, res.Run.Error, text.String(), site.refused)
		}
		// The estimate is a lower bound within about a second: 44 or 45 s.
		if !regexp.MustCompile(`the portal's clock is 4[45] s ahead of this machine's`).MatchString(text.String()) {
			t.Errorf("the log does not mention the clock offset:\n%s", text.String())
		}
		p, _ := st.Portal(id)
		if d := p.ClockSkew() - 45*time.Second; d < -1500*time.Millisecond || d > 1500*time.Millisecond || p.ClockCheckedAt == nil {
			t.Errorf("stored offset %s, want about 45 s", p.ClockSkew())
		}
	}
	site.mu.Lock()
	defer site.mu.Unlock()
	if site.accepted != 2 || len(site.refused) != 0 {
		t.Fatalf("accepted %d, refused %d codes", site.accepted, len(site.refused))
	}
}

// TestScriptTakesRecoveryCodes: recoveryCode() hands out each stored code once, never shows it
// in the log, and throws a clear error when none is left.
func TestScriptTakesRecoveryCodes(t *testing.T) {
	r, st := newTestRunner(t)
	script := "// ==Portal==\n// @name Rescue\n// @url http://127.0.0.1:9/\n// ==/Portal==\n" +
		"const a = recoveryCode(), b = recoveryCode();\n" +
		"if (a === b) throw new Error('the same code twice');\n" +
		"log('first ' + a);\n" +
		"try { recoveryCode(); recoveryCode(); } catch (e) { log('caught: ' + e.message); }\n"
	p := &store.Portal{Name: "Rescue", Script: script}
	if err := st.CreatePortal(p); err != nil {
		t.Fatal(err)
	}
	codes := []string{"rq7k-2mzp-x1", "bn4c-8wtd-x2", "hh3v-9plq-x3"}
	if err := r.Vault.SetRecoveryCodes(p.ID, codes); err != nil {
		t.Fatal(err)
	}
	res, err := r.RunNow(context.Background(), p.ID, "cli")
	if err != nil {
		t.Fatal(err)
	}
	logs, _ := st.RunLogs(res.Run.ID)
	var text strings.Builder
	for _, l := range logs {
		fmt.Fprintf(&text, "%s %s\n", l.Level, l.Message)
	}
	got := text.String()
	if res.Run.Status != store.RunSucceeded {
		t.Fatalf("run %s: %s\n%s", res.Run.Status, res.Run.Error, got)
	}
	for _, want := range []string{"caught: ", "no unused recovery code is left", "warn a recovery code was handed to the script; 1 left"} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
	for _, c := range codes {
		if strings.Contains(got, c) {
			t.Errorf("the log shows the code %s:\n%s", c, got)
		}
	}
	p, _ = st.Portal(p.ID)
	if p.RecoveryCount != 0 || p.RecoveryUsed != 3 {
		t.Errorf("left %d, used %d; want 0 and 3", p.RecoveryCount, p.RecoveryUsed)
	}
}
