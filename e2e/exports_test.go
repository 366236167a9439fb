package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// hookReceiver is a webhook receiver that records each request's Idempotency-Key and holds
// the first request open until the sender goes away (billhound killed mid-export).
type hookReceiver struct {
	mu    sync.Mutex
	keys  []string
	first chan struct{}
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseMultipartForm(1 << 20)
	h.mu.Lock()
	h.keys = append(h.keys, r.Header.Get("Idempotency-Key"))
	n := len(h.keys)
	h.mu.Unlock()
	if n == 1 {
		close(h.first)
		<-r.Context().Done() // the sender was killed
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *hookReceiver) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.keys...)
}

type exportJSON struct {
	Target    string `json:"target"`
	Status    string `json:"status"`
	LastError string `json:"lastError"`
}

// TestDemoRunExportsAndSurvivesKill: a demo-portal run exports its invoices to a folder and a
// webhook; billhound killed (-9) during an export delivers it after the restart, with the same
// idempotency key; `billhound export --since` re-sends while the server runs.
func TestDemoRunExportsAndSurvivesKill(t *testing.T) {
	t.Parallel()
	data, folder := t.TempDir(), t.TempDir()
	demoAddr := freeAddr(t)
	start(t, demoAddr, nil, "demo-portal", "--addr", demoAddr, "--password", demoPassword)
	hook := &hookReceiver{first: make(chan struct{})}
	hs := httptest.NewServer(hook)
	defer hs.Close()
	addr := freeAddr(t)
	in := serveOn(t, data, addr, true)
	in.portal = "http://" + demoAddr
	for _, tg := range []map[string]any{
		{"name": "Paperless", "kind": "folder", "path": folder},
		{"name": "Books", "kind": "webhook", "url": hs.URL, "secret": "whsec-e2e-123"},
	} {
		if code := in.call("POST", "/api/export-targets", tg, nil); code != 201 {
			t.Fatalf("add target %v: %d", tg["name"], code)
		}
	}
	p := in.addPortal("Nimbus", demoPassword)
	run := in.startRun(p.ID)
	if run.Status != "succeeded" || run.NewCount == 0 {
		t.Fatalf("run: %+v", run)
	}
	n := run.NewCount
	waitFor(t, "every invoice in the folder", func() bool { return len(pdfs(folder)) == n })
	select {
	case <-hook.first:
	case <-time.After(30 * time.Second):
		t.Fatal("no webhook request arrived")
	}
	in.server.cmd.Process.Kill()
	in.server.cmd.Wait()

	in = serveOn(t, data, addr, false)
	in.portal = "http://" + demoAddr
	waitFor(t, "every export sent after the restart", func() bool {
		for id := 1; id <= n; id++ {
			var xs []exportJSON
			in.call("GET", fmt.Sprintf("/api/invoices/%d/exports", id), nil, &xs)
			if len(xs) != 2 || xs[0].Status != "sent" || xs[1].Status != "sent" {
				return false
			}
		}
		return true
	})
	keys := hook.got()
	distinct := map[string]int{}
	for _, k := range keys {
		distinct[k]++
	}
	if len(distinct) != n || distinct[keys[0]] != 2 || len(keys) != n+1 {
		t.Fatalf("webhook keys %v: want %d invoices, the interrupted one sent again with its key", keys, n)
	}

	for _, f := range pdfs(folder) {
		os.Remove(f)
	}
	code, out, errOut := cli(t, []string{"BILLHOUND_DATA=" + data}, "export", "--since", "2000-01-01", "--target", "Paperless")
	if code != 0 || strings.Count(out, "sent ") != n || len(pdfs(folder)) != n {
		t.Fatalf("export --since: exit %d\n%s\n%s", code, out, errOut)
	}
	if len(hook.got()) != n+1 {
		t.Fatal("a re-send to one target sent to the other too")
	}
}

func pdfs(dir string) []string {
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".pdf") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
