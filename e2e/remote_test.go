package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"billhound/browser"
	"billhound/browser/browsertest"
	"billhound/demoportal"
)

// TestCLIRunOnARemoteBrowser: with BILLHOUND_BROWSER_WS naming a Playwright browser server (the
// installed driver's run-server on loopback) and no Chromium on billhound's side, `billhound run`
// archives every invoice of the demo portal, whose invoices download by click, byte for byte.
func TestCLIRunOnARemoteBrowser(t *testing.T) {
	t.Parallel()
	srv, err := browsertest.StartServer(browser.DefaultChromiumPath)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	demo := demoportal.New(demoportal.Options{Accounts: []demoportal.Account{{Username: "remote", Password: demoPassword}}})
	site := httptest.NewServer(demo)
	defer site.Close()

	data := t.TempDir()
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte(demoPassword+"\n"), 0o600)
	env := []string{"BILLHOUND_DATA=" + data, "BILLHOUND_BROWSER_WS=" + srv.URL, "BILLHOUND_CHROMIUM=/nonexistent/chromium"}
	code, out, errOut := cli(t, env, "portal", "add", "Remote", "--script", "demo.js", "--username", "remote",
		"--password-file", pwFile, "--url", site.URL+"/login")
	if code != 0 {
		t.Fatalf("portal add: exit %d %s %s", code, out, errOut)
	}
	invoices := demo.Invoices("remote")
	code, out, errOut = cli(t, env, "run", "Remote")
	if code != 0 || !strings.Contains(out, "succeeded") || !strings.Contains(out, fmt.Sprintf("new: %d\n", len(invoices))) {
		t.Fatalf("run on the remote browser: exit %d, want %d new invoices\n%s\n%s", code, len(invoices), out, errOut)
	}

	code, out, _ = cli(t, env, "invoices", "--portal", "Remote", "--json")
	var list struct {
		Items []struct{ Number, Path string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list.Items) != len(invoices) {
		t.Fatalf("invoices --json: exit %d, want %d invoices\n%s", code, len(invoices), out)
	}
	for _, it := range list.Items {
		got, err := os.ReadFile(filepath.Join(data, "archive", it.Path))
		want := demo.InvoicePDF("remote", it.Number)
		if err != nil || len(want) == 0 || !bytes.Equal(got, want) {
			t.Errorf("%s: archived %d bytes (%v), the portal serves %d other bytes", it.Number, len(got), err, len(want))
		}
	}
}
