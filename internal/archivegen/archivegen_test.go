package archivegen

import (
	"path/filepath"
	"testing"
	"time"

	"billhound/store"
)

func TestSeedFillsAFastSearchableArchive(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	root := t.TempDir()
	start := time.Now()
	res, err := Seed(st, 2000, Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("2000 invoices with files in %v", time.Since(start))
	if len(res.Portals) != 8 || res.LastID-res.FirstID != 1999 {
		t.Fatalf("result %+v", res)
	}
	counts, err := st.InvoiceCounts()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != 2000 {
		t.Fatalf("counts add up to %d, want 2000", total)
	}
	inv, err := st.Invoice(res.LastID)
	if err != nil || inv.Amount == "" || inv.Number == "" || inv.Date == "" || inv.TextState != 1 {
		t.Fatalf("invoice %+v, %v", inv, err)
	}
	// Same seed, other portals' names: a second archive in the same store has its own numbers.
	if _, err := Seed(st, 10, Options{Seed: 2, Portals: []string{"Example Ltd"}}); err != nil {
		t.Fatal(err)
	}
}
