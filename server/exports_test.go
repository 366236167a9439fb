package server

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"billhound/store"
)

func TestExportTargetsAndAFailingTargetOnTheInvoice(t *testing.T) {
	var root string
	ts, st, _ := testServerWith(t, func(d *Deps) { root = d.Archive.Root })
	c := newClient(t, ts.URL)
	c.setup("admin", "correct horse battery")
	p := store.Portal{Name: "Hetzner", Script: "x"}
	st.CreatePortal(&p)
	os.MkdirAll(filepath.Join(root, "hetzner"), 0o700)
	os.WriteFile(filepath.Join(root, "hetzner", "a.pdf"), []byte("%PDF-1.4 invoice"), 0o600)
	inv := store.Invoice{PortalID: p.ID, Number: "R-1", Date: "2025-02-01", Path: "hetzner/a.pdf", FileName: "a.pdf",
		SHA256: "abc", ContentType: "application/pdf", Size: 16}
	if err := st.CreateInvoice(&inv); err != nil {
		t.Fatal(err)
	}
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "receiver is down for maintenance", http.StatusServiceUnavailable)
	}))
	defer broken.Close()
	folder := t.TempDir()

	code, body, _ := c.call("POST", "/api/export-targets", map[string]any{"name": "bad", "kind": "folder", "path": folder, "template": "../{number}.pdf"})
	if code != 400 || !strings.Contains(body["error"].(string), "inside the target folder") {
		t.Fatalf("an escaping template: %d %v", code, body)
	}
	code, hook, raw := c.call("POST", "/api/export-targets", map[string]any{"name": "Books webhook", "kind": "webhook", "url": broken.URL, "secret": "whsec-TOPSECRET"})
	if code != 201 || hook["secretSet"] != true || strings.Contains(string(raw), "TOPSECRET") {
		t.Fatalf("webhook target: %d %s", code, raw)
	}
	code, dir, raw := c.call("POST", "/api/export-targets", map[string]any{"name": "Paperless", "kind": "folder", "path": folder, "portalId": p.ID})
	if code != 201 || dir["template"] != "{portal}/{year}/{date}_{number}.{ext}" {
		t.Fatalf("folder target: %d %s", code, raw)
	}
	// A change without the secret keeps it.
	code, hook, _ = c.call("PUT", "/api/export-targets/"+jsonID(hook), map[string]any{"name": "Books webhook", "url": broken.URL, "enabled": true})
	if code != 200 || hook["secretSet"] != true {
		t.Fatalf("PUT without a secret: %d %v", code, hook)
	}
	code, test, _ := c.call("POST", "/api/export-targets/"+jsonID(dir)+"/test", nil)
	if code != 200 || test["ok"] != true {
		t.Fatalf("test of the folder: %d %v", code, test)
	}

	invPath := "/api/invoices/" + jsonID(map[string]any{"id": float64(inv.ID)}) + "/exports"
	code, _, raw = c.call("POST", invPath+"/retry", nil)
	if code != 200 {
		t.Fatalf("retry: %d %s", code, raw)
	}
	_, _, raw = c.call("GET", invPath, nil)
	got := string(raw)
	if !strings.Contains(got, `"target":"Books webhook","kind":"webhook","status":"failed"`) ||
		!strings.Contains(got, "503 Service Unavailable: receiver is down for maintenance") ||
		!strings.Contains(got, `"target":"Paperless","kind":"folder","status":"sent"`) || !strings.Contains(got, `"nextAttemptAt":"`) {
		t.Fatalf("GET %s = %s", invPath, got)
	}
	if _, err := os.Stat(filepath.Join(folder, "Hetzner", "2025", "2025-02-01_R-1.pdf")); err != nil {
		t.Fatalf("the folder target did not get the invoice: %v", err)
	}
	_, _, raw = c.call("GET", "/api/export-targets?portal="+jsonID(map[string]any{"id": float64(p.ID)}), nil)
	if !strings.Contains(string(raw), "Paperless") || strings.Contains(string(raw), "Books webhook") {
		t.Fatalf("the portal's own targets: %s", raw)
	}
	if code, _, _ := c.call("DELETE", "/api/export-targets/"+jsonID(hook), nil); code != 204 {
		t.Fatalf("delete: %d", code)
	}
}
