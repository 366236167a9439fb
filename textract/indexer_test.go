package textract

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"billhound/archive"
	"billhound/store"
)

// TestIndexerBackfillsTextAndMeta: invoices archived without text (before the index existed,
// or by a script that gave no metadata) become searchable by what their file says, and the
// number, date and total the file shows fill what the script left empty, but never overwrite.
func TestIndexerBackfillsTextAndMeta(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := &store.Portal{Name: "Hetzner", Script: "demo"}
	st.CreatePortal(p)
	arc := &archive.Archive{Root: filepath.Join(dir, "archive")}
	pdf := chromiumPDF(t, invoiceHTML)
	os.MkdirAll(arc.Path("hetzner/2025"), 0o700)
	os.WriteFile(arc.Path("hetzner/2025/a.pdf"), pdf, 0o600)
	os.WriteFile(arc.Path("hetzner/2025/b.pdf"), append(pdf, ' '), 0o600)
	os.WriteFile(arc.Path("hetzner/2025/broken.pdf"), []byte("%PDF-1.4 nothing"), 0o600)
	bare := &store.Invoice{PortalID: p.ID, Path: "hetzner/2025/a.pdf", FileName: "a.pdf", SHA256: "a", ContentType: "application/pdf"}
	given := &store.Invoice{PortalID: p.ID, Number: "OWN-1", Date: "2025-01-31", Amount: "5.00", Currency: "USD",
		Path: "hetzner/2025/b.pdf", FileName: "b.pdf", SHA256: "b", ContentType: "application/pdf"}
	broken := &store.Invoice{PortalID: p.ID, Title: "Storage box", Path: "hetzner/2025/broken.pdf", FileName: "broken.pdf", SHA256: "c", ContentType: "application/pdf"}
	for _, inv := range []*store.Invoice{bare, given, broken} {
		if err := st.CreateInvoice(inv); err != nil {
			t.Fatal(err)
		}
	}
	ix := NewIndexer(st, arc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if n, err := ix.IndexPending(context.Background()); err != nil || n != 3 {
		t.Fatalf("indexed %d: %v", n, err)
	}
	got, _ := st.Invoice(bare.ID)
	if got.Number != "R-2025-0042" || got.Date != "2025-03-12" || got.Amount != "1234.56" || got.Currency != "EUR" || got.TextState != 1 {
		t.Fatalf("metadata from the text: %+v", got.Invoice)
	}
	kept, _ := st.Invoice(given.ID)
	if kept.Number != "OWN-1" || kept.Date != "2025-01-31" || kept.Amount != "5.00" || kept.Currency != "USD" {
		t.Fatalf("the script's metadata was overwritten: %+v", kept.Invoice)
	}
	search := func(q string) []int64 {
		page, err := st.ListInvoices(store.InvoiceFilter{Match: store.SearchQuery(q)}, nil, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range page.Rows {
			ids = append(ids, r.ID)
		}
		return ids
	}
	if ids := search("hetzner größe ax4"); len(ids) != 2 {
		t.Errorf("search by portal and text: %v", ids)
	}
	if ids := search("munchen"); len(ids) != 2 {
		t.Errorf("search without the umlaut: %v", ids)
	}
	if ids := search("storage"); len(ids) != 1 || ids[0] != broken.ID {
		t.Errorf("an invoice without text is found by its title: %v", ids)
	}
	if n, _ := ix.IndexPending(context.Background()); n != 0 {
		t.Fatalf("indexed again: %d", n)
	}
}
