package netpolicy

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	p := New(":8080")
	cases := []struct {
		url     string
		blocked bool
	}{
		{"https://example.com/invoices", false},
		{"http://127.0.0.1:9911/login", false},
		{"http://127.0.0.1:8080/api/portals", true},
		{"http://localhost:8080/", true},
		{"http://[::1]:8080/", true},
		{"http://0.0.0.0:8080/", true},
		{"file:///etc/passwd", true},
		{"FILE:///etc/passwd", true},
		{"data:text/html,<b>x</b>", true},
		{"chrome://version", true},
		{"view-source:https://example.com", true},
		{"devtools://devtools/bundled/inspector.html", true},
		{"javascript:alert(1)", true},
		{"/relative", true},
	}
	for _, c := range cases {
		err := p.CheckURL(c.url)
		if got := err != nil; got != c.blocked {
			t.Errorf("CheckURL(%q) = %v, want blocked=%v", c.url, err, c.blocked)
		}
		if err != nil && !errors.Is(err, ErrBlocked) {
			t.Errorf("CheckURL(%q): error %v does not wrap ErrBlocked", c.url, err)
		}
	}
}

func TestCheckAddr(t *testing.T) {
	p := New("127.0.0.1:8080")
	if err := p.CheckAddr("127.0.0.1:8080"); err == nil {
		t.Error("own address allowed")
	}
	if err := p.CheckAddr("[::1]:8080"); err == nil {
		t.Error("own port on ::1 allowed")
	}
	if err := p.CheckAddr("127.0.0.1:9911"); err != nil {
		t.Errorf("other port refused: %v", err)
	}
	if err := p.CheckAddr("93.184.216.34:8080"); err != nil {
		t.Errorf("a remote host on the same port refused: %v", err)
	}
}

// TestForRun: a run's policy keeps the process's rules (also those added later), logs each
// refusal once, bounds its log, and keeps the first browser-side refusal for the script.
func TestForRun(t *testing.T) {
	p := New()
	var lines []string
	run := p.ForRun(func(target, reason string) { lines = append(lines, reason+": "+target) })
	p.AddOwnAddr("127.0.0.1:8080") // the server's address is known only after the run's policy exists
	if err := run.CheckURL("http://localhost:8080/api"); err == nil {
		t.Fatal("own address allowed after AddOwnAddr on the process's policy")
	}
	if got := run.OwnPorts(); len(got) != 1 || got[0] != 8080 {
		t.Errorf("OwnPorts = %v", got)
	}
	if run.Take() != nil {
		t.Error("a refusal returned to its caller is pending too")
	}
	err := run.CheckURL("file:///etc/passwd")
	run.Blocked(err) // the browser's route: CheckURL logged it already
	run.Blocked(&Error{Target: "http://x/redir", Reason: "a redirect to a non-web URL was refused"})
	want := []string{
		"billhound's own address is not reachable from scripts: http://localhost:8080/api",
		"file: URLs are not allowed: file:///etc/passwd",
		"a redirect to a non-web URL was refused: http://x/redir",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if got := run.Take(); got == nil || !strings.Contains(got.Error(), "file: URLs are not allowed: file:///etc/passwd") {
		t.Errorf("Take = %v, want the first refusal", got)
	}
	if got := run.Take(); got != nil {
		t.Errorf("second Take = %v, want nil", got)
	}
	for i := 0; i < 50; i++ {
		run.CheckURL("data:,x")
	}
	if len(lines) != maxLogged+1 || !strings.Contains(lines[maxLogged], "not logged") {
		t.Errorf("%d log lines, last %q; want %d and a note", len(lines), lines[len(lines)-1], maxLogged+1)
	}
	if New().ForRun(nil).CheckURL("file:///x") == nil {
		t.Error("a run without a log still refuses")
	}
	var nilPolicy *Policy
	if nilPolicy.ForRun(nil).CheckURL("chrome://version") == nil {
		t.Error("a run of a nil policy allows chrome:")
	}
}
