package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"billhound/archive"
	"billhound/credentials"
	"billhound/secrets"
	"billhound/store"
)

// TestRunKindsAndMissingInvoiceInTheAPI: a failed run carries its kind with the hint and fix, a
// run that found nothing is a warning, and a monthly portal a week past its usual day shows the
// missing month (by the server's clock).
func TestRunKindsAndMissingInvoiceInTheAPI(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	box, _ := secrets.NewBox(bytes.Repeat([]byte{1}, 32))
	now := time.Date(2024, 5, 8, 12, 0, 0, 0, time.UTC)
	s := New(Deps{Store: st, Vault: &credentials.Vault{Store: st, Box: box}, Archive: &archive.Archive{Root: dir},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }})
	ts := httptest.NewServer(s.Handler())
	servers.Store(ts.URL, s)
	defer ts.Close()
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")

	p := &store.Portal{Name: "Monthly", Script: "// ==Portal==\n// @name M\n// @url https://example.com/\n// ==/Portal==\n"}
	st.CreatePortal(p)
	for i, d := range []string{"2024-02-02", "2024-03-02", "2024-04-02"} {
		sha := string(rune('a' + i))
		st.CreateInvoice(&store.Invoice{PortalID: p.ID, Number: d, Date: d, Path: d, FileName: d, SHA256: sha, ContentType: "application/pdf"})
	}
	failed, _ := st.StartRun(p.ID, "cli")
	failed.Status, failed.FailureKind, failed.Error = store.RunFailed, "credentials", "login failed"
	st.FinishRun(failed)
	warn, _ := st.StartRun(p.ID, "cli")
	warn.Status, warn.Warning = store.RunWarning, store.WarningNothingFound
	st.FinishRun(warn)

	_, _, raw := c.call("GET", "/api/runs?portal="+jsonNum(p.ID), nil)
	var runs []runView
	if err := json.Unmarshal(raw, &runs); err != nil || len(runs) != 2 {
		t.Fatalf("runs: %v %s", err, raw)
	}
	w, f := runs[0], runs[1]
	if f.FailureKind != "credentials" || f.Failure == nil || f.Failure.Action != "edit_password" || f.Failure.Hint == "" || f.Failure.Retryable {
		t.Errorf("failed run: %+v %+v", f, f.Failure)
	}
	if w.Status != "warning" || w.Warning != "nothing_found" || w.FailureKind != "" || w.Failure != nil {
		t.Errorf("warning run: %+v", w)
	}

	portal := func() map[string]any {
		_, m, _ := c.call("GET", "/api/portals/"+jsonNum(p.ID), nil)
		return m
	}
	if m := portal(); m["missingInvoice"] != nil {
		t.Fatalf("missing before a week passed: %v", m["missingInvoice"])
	}
	now = now.AddDate(0, 0, 1) // 2024-05-09: a week after the usual day (the 2nd)
	m, _ := portal()["missingInvoice"].(map[string]any)
	if m == nil || m["message"] != "invoice for May 2024 missing" || m["month"] != "2024-05" {
		t.Fatalf("missing invoice: %v", m)
	}
}

func jsonNum(id int64) string { b, _ := json.Marshal(id); return string(b) }
