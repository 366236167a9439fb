package server

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"billhound/internal/archivegen"
)

type listJSON struct {
	Items []struct {
		ID                                        int64
		PortalID                                  int64
		PortalName, Number, Date, Amount, Snippet string
	}
	Next  string
	Total int
}

func (c *client) list(query string) (int, listJSON, string) {
	c.t.Helper()
	code, _, raw := c.call("GET", "/api/invoices?"+query, nil)
	var l listJSON
	json.Unmarshal(raw, &l)
	return code, l, string(raw)
}

func TestInvoicesPageFilterAndSearch(t *testing.T) {
	var root string
	ts, st, _ := testServerWith(t, func(d *Deps) { root = d.Archive.Root })
	c := newClient(t, ts.URL)
	c.setup("admin", "correct horse battery")
	until := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	res, err := archivegen.Seed(st, 300, archivegen.Options{Root: root, Until: until, Years: 3})
	if err != nil {
		t.Fatal(err)
	}

	// Paging: every invoice exactly once, newest date first, then id descending.
	seen, prev := map[int64]bool{}, ""
	cursor, pages := "", 0
	for {
		code, l, raw := c.list("limit=70&cursor=" + url.QueryEscape(cursor))
		if code != 200 || l.Total != 300 {
			t.Fatalf("page %d: %d %s", pages, code, raw)
		}
		for _, it := range l.Items {
			key := it.Date + fmt.Sprintf("/%09d", it.ID)
			if seen[it.ID] || (prev != "" && key >= prev) {
				t.Fatalf("invoice %d out of order or twice (after %s)", it.ID, prev)
			}
			seen[it.ID], prev = true, key
		}
		pages++
		if cursor = l.Next; cursor == "" {
			break
		}
	}
	if len(seen) != 300 || pages != 5 {
		t.Fatalf("paged %d invoices in %d pages", len(seen), pages)
	}
	if _, l, _ := c.list(""); len(l.Items) != 50 {
		t.Fatalf("default page has %d items", len(l.Items))
	}

	// Each filter narrows to exactly the invoices it describes.
	p := res.Portals[0]
	_, l, raw := c.list(fmt.Sprintf("portal=%d&from=2024-01-01&to=2024-12-31&min=50&max=150.5&limit=500", p.ID))
	if l.Total != len(l.Items) || l.Total == 0 {
		t.Fatalf("filtered: %s", raw)
	}
	for _, it := range l.Items {
		var amount float64
		fmt.Sscan(it.Amount, &amount)
		if it.PortalID != p.ID || it.Date < "2024-01-01" || it.Date > "2024-12-31" || amount < 50 || amount > 150.5 {
			t.Fatalf("filter let through %+v", it)
		}
	}

	// Text search: what the PDF says, words ANDed, the last one a prefix, a marked snippet.
	_, one, _ := c.list("limit=1")
	number := one.Items[0].Number
	_, l, raw = c.list("q=" + url.QueryEscape(strings.ToLower(number)))
	if l.Total != 1 || l.Items[0].Number != number || !strings.Contains(l.Items[0].Snippet, "«") {
		t.Fatalf("search for a number: %s", raw)
	}
	_, l, raw = c.list("q=" + url.QueryEscape(number[:len(number)-2]))
	if l.Total < 2 || !strings.Contains(raw, number) || strings.Contains(raw, "<") {
		t.Fatalf("search for the start of a number: %s", raw)
	}
	_, l, _ = c.list("q=" + url.QueryEscape(one.Items[0].PortalName+" "+number))
	if l.Total != 1 {
		t.Fatalf("portal name and number: %d matches", l.Total)
	}
	for _, q := range []string{`"`, `AND OR NOT`, `a:b`, `NEAR(x y)`, `*`, `(`, `"unterminated`, `-`, `^x`} {
		if code, _, raw := c.list("q=" + url.QueryEscape(q)); code != 200 {
			t.Errorf("search %q: %d %s", q, code, raw)
		}
	}

	for _, bad := range []string{"limit=0", "limit=501", "limit=x", "from=2024-13-01", "to=yesterday",
		"from=2025-01-01&to=2024-01-01", "min=1,50", "min=5&max=1", "cursor=nonsense!", "portal=x", "q=" + strings.Repeat("a", 201)} {
		code, body, _ := c.call("GET", "/api/invoices?"+bad, nil)
		if msg, _ := body["error"].(string); code != 400 || len(msg) < 15 {
			t.Errorf("%s: %d %v", bad, code, body)
		}
	}

	// One invoice, totals per month and portal, and a zip of several.
	code, inv, _ := c.call("GET", fmt.Sprintf("/api/invoices/%d", res.LastID), nil)
	if code != 200 || inv["url"] != fmt.Sprintf("/api/invoices/%d/file", res.LastID) {
		t.Fatalf("one invoice: %d %v", code, inv)
	}
	checkTotals(t, c, p.ID)
	checkZip(t, c, []int64{res.FirstID, res.FirstID + 1, res.LastID})
	if code, body, _ := c.call("POST", "/api/invoices/zip", map[string]any{"ids": []int64{res.FirstID, 999999}}); code != 400 || !strings.Contains(fmt.Sprint(body["error"]), "999999") {
		t.Fatalf("zip with an unknown id: %d %v", code, body)
	}
}

func checkTotals(t *testing.T, c *client, portalID int64) {
	t.Helper()
	code, _, raw := c.call("GET", fmt.Sprintf("/api/invoices/totals?portal=%d", portalID), nil)
	var tot struct {
		Rows []struct {
			Month, PortalName, Currency, Amount string
			PortalID                            int64
			Count                               int
		}
	}
	json.Unmarshal(raw, &tot)
	_, l, _ := c.list(fmt.Sprintf("portal=%d&limit=1", portalID))
	n, prev := 0, "9999-99"
	for _, r := range tot.Rows {
		if r.PortalID != portalID || r.Month > prev || r.Currency == "" || !strings.Contains(r.Amount, ".") {
			t.Fatalf("totals row %+v", r)
		}
		n, prev = n+r.Count, r.Month
	}
	if code != 200 || n != l.Total {
		t.Fatalf("totals count %d invoices, the list %d: %s", n, l.Total, raw)
	}
}

func checkZip(t *testing.T, c *client, ids []int64) {
	t.Helper()
	code, _, raw := c.call("POST", "/api/invoices/zip", map[string]any{"ids": ids})
	zr, err := zip.NewReader(bytes.NewReader([]byte(raw)), int64(len(raw)))
	if code != 200 || err != nil || len(zr.File) != len(ids) {
		t.Fatalf("zip: %d %v", code, err)
	}
	for _, f := range zr.File {
		portal, file, ok := strings.Cut(f.Name, "/")
		if !ok || portal == "" || !strings.HasSuffix(file, ".pdf") || f.UncompressedSize64 < 200 {
			t.Fatalf("zip entry %s (%d bytes)", f.Name, f.UncompressedSize64)
		}
	}
}
