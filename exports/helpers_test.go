package exports_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
	"time"

	"billhound/archive"
	"billhound/credentials"
	"billhound/exports"
	"billhound/notify"
	"billhound/secrets"
	"billhound/store"
)

// env is a real data dir: a SQLite file, an archive folder with one invoice, the key.
type env struct {
	st   *store.Store
	svc  *exports.Service
	inv  store.Invoice
	pdf  []byte
	now  time.Time
	port store.Portal
}

var ctx = context.Background()

func newEnv(t *testing.T, portalName string) *env {
	t.Helper()
	return newEnvNumber(t, portalName, "INV-7")
}

// newEnvNumber is newEnv with the invoice number the portal's script gave ("" for none).
func newEnvNumber(t *testing.T, portalName, number string) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := secrets.NewBox(bytes.Repeat([]byte{7}, secrets.KeySize))
	vault := &credentials.Vault{Store: st, Box: box}
	arch := &archive.Archive{Root: filepath.Join(dir, "archive")}
	p := store.Portal{Name: portalName, Script: "demo"}
	if err := st.CreatePortal(&p); err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n% an invoice\n%%EOF\n")
	filed, err := arch.Write(archive.Item{PortalSlug: p.Slug, Number: "INV-7", Date: time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)}, bytes.NewReader(pdf), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	inv := store.Invoice{PortalID: p.ID, Number: number, Date: "2025-03-14", Amount: "12.50", Currency: "EUR",
		Title: "Cloud server", Path: filed.Path, FileName: filed.FileName, Size: filed.Size, SHA256: filed.SHA256,
		ContentType: filed.ContentType, CreatedAt: time.Now()}
	if err := st.CreateInvoice(&inv); err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, inv: inv, pdf: pdf, now: time.Now(), port: p}
	e.svc = &exports.Service{Store: st, Vault: vault, Archive: arch,
		Mail: &notify.Notifier{Store: st, Box: box}, Now: func() time.Time { return e.now }}
	return e
}

// target adds a target for every portal.
func (e *env) target(t *testing.T, name, kind string, c exports.Config, secret string) int64 {
	t.Helper()
	in := exports.TargetInput{Name: name, Kind: kind, Config: c}
	if secret != "" {
		in.Secret = &secret
	}
	tg, err := e.svc.SaveTarget(0, in)
	if err != nil {
		t.Fatal(err)
	}
	return tg.ID
}

// archived runs the runner's hook and returns the invoice's exports.
func (e *env) archived(t *testing.T) []int64 {
	t.Helper()
	e.svc.InvoiceArchived(ctx, e.inv)
	ids, err := e.st.ExportIDs(e.inv.ID, nil)
	if err != nil || len(ids) == 0 {
		t.Fatalf("no exports made: %v", err)
	}
	return ids
}

func (e *env) export(t *testing.T, id int64) *store.Export {
	t.Helper()
	x, err := e.st.ExportByID(id)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func mkdir(t *testing.T) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), "consume")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// decodeBase64 reads a base64 MIME part (lines of 76 characters).
func decodeBase64(raw []byte) ([]byte, error) {
	clean := bytes.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == ' ' {
			return -1
		}
		return r
	}, raw)
	return base64.StdEncoding.DecodeString(string(clean))
}
