package e2e

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// slowScript logs a line, then waits long past any test: a run that is surely in progress.
const slowScript = `// ==Portal==
// @name Slow
// @url http://127.0.0.1:9/
// ==/Portal==
log("waiting for the test to kill billhound");
sleep(600000);
`

// slowPortal adds the portal "Slow" to the data dir with the CLI.
func slowPortal(t *testing.T, data string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "slow.js")
	os.WriteFile(file, []byte(slowScript), 0o600)
	if code, out, errOut := cli(t, []string{"BILLHOUND_DATA=" + data}, "portal", "add", "Slow", "--script", file); code != 0 {
		t.Fatalf("portal add: exit %d %s %s", code, out, errOut)
	}
}

// serveOn starts billhound serve on data at addr and logs in as the admin (created if asked).
func serveOn(t *testing.T, data, addr string, setup bool) *instance {
	t.Helper()
	in := &instance{t: t, data: data, base: "http://" + addr}
	in.server = start(t, addr, []string{"BILLHOUND_RUN_TIMEOUT=15m"}, "serve", "--addr", addr, "--data", data)
	jar, _ := cookiejar.New(nil)
	in.client = &http.Client{Jar: jar, Timeout: 60 * time.Second}
	if setup {
		in.setupAdmin()
	} else if code := in.call("POST", "/api/login", map[string]string{"username": "admin", "password": "correct horse battery"}, nil); code != 200 {
		in.t.Fatalf("login: %d", code)
	}
	return in
}

// portalID finds a portal's id by name through the API.
func (in *instance) portalID(name string) int64 {
	in.t.Helper()
	var ps []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	in.call("GET", "/api/portals", nil, &ps)
	for _, p := range ps {
		if p.Name == name {
			return p.ID
		}
	}
	in.t.Fatalf("no portal %q in %+v", name, ps)
	return 0
}

// waitScriptStarted waits until the newest run of the portal is running its script, and
// returns it.
func (in *instance) waitScriptStarted(portalID int64) runJSON {
	in.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		var runs []runJSON
		in.call("GET", fmt.Sprintf("/api/runs?portal=%d&limit=1", portalID), nil, &runs)
		if len(runs) == 1 {
			var r runJSON
			in.call("GET", fmt.Sprintf("/api/runs/%d", runs[0].ID), nil, &r)
			if r.Status == "queued" {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			if r.Status != "running" {
				in.t.Fatalf("run %d ended before the test killed it: %s %s\n%s", r.ID, r.Status, r.Error, r.logText())
			}
			if strings.Contains(r.logText(), "waiting for the test") {
				return r
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	in.t.Fatal("the slow script did not start within 2 minutes")
	return runJSON{}
}

// assertInterrupted checks that a run killed with its process reads as interrupted, says
// why, and that the portal runs again at once.
func (in *instance) assertInterrupted(runID, portalID int64) {
	in.t.Helper()
	var r runJSON
	in.call("GET", fmt.Sprintf("/api/runs/%d", runID), nil, &r)
	if r.Status != "interrupted" || !strings.Contains(r.Error, "billhound stopped unexpectedly during this run") {
		in.t.Fatalf("the killed run reads %s %q, want interrupted with the reason", r.Status, r.Error)
	}
	if !strings.Contains(r.logText(), "error: billhound stopped unexpectedly") {
		in.t.Fatalf("the killed run's log does not say why:\n%s", r.logText())
	}
	var next runJSON
	if code := in.call("POST", fmt.Sprintf("/api/portals/%d/runs", portalID), nil, &next); code != 202 || (next.Status != "running" && next.Status != "queued") {
		in.t.Fatalf("starting the portal again: %d %+v, want 202 at once", code, next)
	}
}

// TestKilledCLIRunIsInterrupted: kill -9 of `billhound run` mid-run; the server beside it shows
// the run as interrupted right away and the portal runs again (no 409, no waiting for a lease).
func TestKilledCLIRunIsInterrupted(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	slowPortal(t, data)
	in := serveOn(t, data, freeAddr(t), true)
	id := in.portalID("Slow")

	run := exec.Command(billhoundBin, "run", "Slow")
	run.Env = append(os.Environ(), "BILLHOUND_PLAYWRIGHT_DRIVER="+driverDir(), "BILLHOUND_DATA="+data)
	var out proc
	run.Stdout, run.Stderr = &out, &out
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	defer run.Process.Kill()
	started := in.waitScriptStarted(id)
	if code := in.call("POST", fmt.Sprintf("/api/portals/%d/runs", id), nil, nil); code != 409 {
		t.Fatalf("a second run while the CLI's is alive: %d, want 409", code)
	}
	if err := run.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	run.Wait()
	in.assertInterrupted(started.ID, id)
}

// TestKilledServerRunIsInterrupted: kill -9 of the server mid-run; after a restart the run is
// interrupted with the reason and the portal runs again at once.
func TestKilledServerRunIsInterrupted(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	slowPortal(t, data)
	addr := freeAddr(t)
	first := serveOn(t, data, addr, true)
	id := first.portalID("Slow")
	if code := first.call("POST", fmt.Sprintf("/api/portals/%d/runs", id), nil, nil); code != 202 {
		t.Fatalf("start run: %d", code)
	}
	started := first.waitScriptStarted(id)
	if err := first.server.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first.server.cmd.Wait()

	second := serveOn(t, data, addr, false)
	if !strings.Contains(second.server.output(), "marked interrupted") {
		t.Errorf("the restarted server does not log the interrupted run:\n%s", second.server.output())
	}
	second.assertInterrupted(started.ID, id)
}
