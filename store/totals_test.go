package store_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"billhound/internal/archivegen"
	"billhound/store"
)

// TestMonthTotalsKeptByTriggers: the sums the triggers keep (used for whole months) equal a
// sum over the invoices themselves, after inserts, a filled-in amount and a deleted portal.
func TestMonthTotalsKeptByTriggers(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := archivegen.Seed(st, 1500, archivegen.Options{Until: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), Years: 2})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Portals[0]
	bare := &store.Invoice{PortalID: p.ID, Path: "x.pdf", FileName: "x.pdf", SHA256: "x", ContentType: "application/pdf"}
	if err := st.CreateInvoice(bare); err != nil {
		t.Fatal(err)
	}
	if err := st.FillInvoiceMeta(bare.ID, "N-1", "2025-02-03", "10.50", "EUR"); err != nil {
		t.Fatal(err)
	}
	if err := st.DeletePortal(res.Portals[1].ID); err != nil {
		t.Fatal(err)
	}
	low := int64(-1 << 40) // an amount filter: summed over the invoices
	for _, f := range []store.InvoiceFilter{{}, {PortalID: p.ID}, {From: "2025-01-01", To: "2025-06-30"}, {PortalID: p.ID, From: "2024-03-01"}} {
		kept, err := st.MonthTotals(f)
		if err != nil {
			t.Fatal(err)
		}
		g := f
		g.MinCents = &low
		summed, err := st.MonthTotals(g)
		if err != nil {
			t.Fatal(err)
		}
		if len(kept) == 0 || !reflect.DeepEqual(kept, summed) {
			t.Fatalf("filter %+v: kept sums differ from the invoices' (%d vs %d rows)\n%v\n%v", f, len(kept), len(summed), kept, summed)
		}
	}
	gone, _ := st.ListInvoices(store.InvoiceFilter{Match: store.SearchQuery(res.Portals[1].Name)}, nil, 10)
	if gone.Total != 0 || len(gone.Rows) != 0 {
		t.Fatalf("a deleted portal's invoices are still in the text index: %d", gone.Total)
	}
	page, _ := st.ListInvoices(store.InvoiceFilter{}, nil, 1)
	counts, _ := st.InvoiceCounts()
	sum := 0
	for _, n := range counts {
		sum += n
	}
	if page.Total != sum || counts[res.Portals[1].ID] != 0 {
		t.Fatalf("counts after deleting a portal: total %d, counts %v", page.Total, counts)
	}
	// /metrics' figures come from the kept counts: they must equal the invoices' own.
	n, b, err := st.InvoiceTotals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var wantN, wantB int64
	for cur := (*store.InvoiceCursor)(nil); ; {
		page, err := st.ListInvoices(store.InvoiceFilter{}, cur, 500)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Rows {
			wantN, wantB = wantN+1, wantB+r.Size
		}
		if page.Next == nil {
			break
		}
		cur = page.Next
	}
	if n != wantN || b != wantB || n == 0 || b == 0 {
		t.Fatalf("kept totals %d invoices / %d bytes, the invoices say %d / %d", n, b, wantN, wantB)
	}
}
