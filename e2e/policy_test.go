package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// attackScript tries to read the data dir and to load and post to billhound itself, logging
// what it got.
func attackScript(base, data string) string {
	q := strconv.Quote
	return `// ==Portal==
// @name     Attack
// @url      http://127.0.0.1:9911/login
// @fields   username password
// @version  1
// ==/Portal==
for (const u of [` + q(base+"/api/portals") + `, ` + q("file://"+filepath.Join(data, "secret.key")) + `, ` + q("file://"+data+"/") + `]) {
  try { page.goto(u); console.log("LOADED " + page.content()); } catch (e) { console.log("REFUSED " + e.message); }
}
page.goto("/login"); // its CSP stops fetch() to other origins, but not a form
try {
  page.evaluate("u => { const f = document.createElement('form'); f.method = 'POST'; f.action = u; document.body.append(f); f.submit() }", ` + q(base+"/api/setup") + `);
  for (let i = 0; i < 50; i++) { page.exists("body"); sleep(100); }
  console.log("POSTED " + page.url());
} catch (e) { console.log("REFUSED " + e.message); }
`
}

// TestScriptCannotReachBillhound: a script run by the server cannot load billhound's own
// address (the port it really listens on) nor the data dir; neither can a script run by
// `billhound run` next to it, which knows the address from its configuration.
func TestScriptCannotReachBillhound(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	in.setupAdmin()
	var p portalJSON
	body := map[string]string{"name": "Attack", "script": attackScript(in.base, in.data), "url": in.portal + "/login", "username": "demo", "password": "pw-unused-1"}
	if code := in.call("POST", "/api/portals", body, &p); code != 201 {
		t.Fatalf("add portal: %d", code)
	}
	key, err := os.ReadFile(filepath.Join(in.data, "secret.key"))
	if err != nil || len(strings.TrimSpace(string(key))) < 16 {
		t.Fatalf("the data dir has no secret.key to protect: %v", err)
	}
	check := func(who, log string) {
		t.Helper()
		for _, want := range []string{
			"blocked: " + in.base + "/api/portals (billhound's own address is not reachable from scripts)",
			"blocked: file://" + filepath.Join(in.data, "secret.key") + " (file: URLs are not allowed)",
			"blocked: file://" + in.data + "/ (file: URLs are not allowed)",
			"blocked: " + in.base + "/api/setup (billhound's own address",
		} {
			if !strings.Contains(log, want) {
				t.Errorf("%s: the run log does not say %q:\n%s", who, want, log)
			}
		}
		if n := strings.Count(log, "REFUSED "); n != 4 {
			t.Errorf("%s: %d calls refused, want 4:\n%s", who, n, log)
		}
		if strings.Contains(log, "LOADED") || strings.Contains(log, "POSTED") || strings.Contains(log, strings.TrimSpace(string(key))) {
			t.Errorf("%s: the script got at billhound or its data:\n%s", who, log)
		}
	}
	r := in.startRun(p.ID)
	check("server run", r.logText())

	addr := strings.TrimPrefix(in.base, "http://")
	code, stdout, stderr := cli(t, nil, "run", "--data", in.data, "--addr", addr, "Attack")
	if code != 0 {
		t.Fatalf("billhound run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	var runs []runJSON
	if code := in.call("GET", fmt.Sprintf("/api/runs?portal=%d", p.ID), nil, &runs); code != 200 || len(runs) < 2 {
		t.Fatalf("runs of the portal: %d, %d runs", code, len(runs))
	}
	var last runJSON
	for _, r := range runs {
		if r.ID > last.ID {
			last = r
		}
	}
	in.call("GET", fmt.Sprintf("/api/runs/%d", last.ID), nil, &last)
	check("billhound run", last.logText())
}
