package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"billhound/internal/archivegen"
	"billhound/internal/benchdoc"
	"billhound/store"
)

// TestArchiveFigures measures the archive API of a real server (the built binary) over a
// generated archive: pages, deep cursor pages, each filter and text search, timed per request
// by the client over loopback. With BILLHOUND_BENCH_OUT (make bench) the archive has 100,000
// invoices and the figures go to docs/BENCHMARKS.md with the run comparison of
// TestArchiveRunSpeed; without, 2,000 invoices and a few requests check that every query
// answers right.
func TestArchiveFigures(t *testing.T) {
	out := benchdoc.Path(repoRoot)
	n, reps := 2000, 5
	if out != "" {
		n, reps = 100_000, 200
	}
	template, data := t.TempDir(), t.TempDir()
	seedTook := seedArchive(t, template, n)
	if b, err := exec.Command("cp", filepath.Join(template, "billhound.db"), filepath.Join(data, "billhound.db")).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, b)
	}
	in := serveData(t, data)
	body := map[string]string{"username": "admin", "password": "correct horse battery", "token": in.setupToken()}
	if code := in.call("POST", "/api/setup", body, nil); code != 201 && code != 200 {
		t.Fatalf("setup: %d", code)
	}
	in.login()

	var first archivePage
	in.call("GET", "/api/invoices", nil, &first)
	if first.Total != n || len(first.Items) != 50 || first.Next == "" {
		t.Fatalf("first page: total %d, %d items", first.Total, len(first.Items))
	}
	var hetzner archivePage // a portal whose invoices every query below can match
	in.call("GET", "/api/invoices?q=hetzner&limit=8", nil, &hetzner)
	if len(hetzner.Items) < 8 {
		t.Fatalf("search for the portal's name: %d matches", hetzner.Total)
	}
	sample := hetzner.Items[7]
	deep := deepCursor(t, in, n*9/10)
	scenarios := []benchScenario{
		{name: "first page", query: "", kind: "list"},
		{name: "deep page (cursor at 90 %)", query: "cursor=" + deep, kind: "list"},
		{name: "portal", query: fmt.Sprintf("portal=%d", sample.PortalID), kind: "list"},
		{name: "one year", query: "from=2024-01-01&to=2024-12-31", kind: "list"},
		{name: "amount 100 to 200", query: "min=100&max=200", kind: "list"},
		{name: "amount over 1,500 (rare)", query: "min=1500", kind: "list"},
		{name: "portal + year + amount", query: fmt.Sprintf("portal=%d&from=2023-01-01&to=2023-12-31&min=50", sample.PortalID), kind: "list"},
		{name: "limit 500", query: "limit=500", kind: "list"},
		{name: "search: an invoice number", query: "q=" + url.QueryEscape(sample.Number), kind: "search"},
		{name: "search: hetzner 2025 server", query: "q=hetzner+2025+server", kind: "search"},
		{name: "search: prefix 'stor'", query: "q=stor", kind: "search"},
		{name: "search: glasfaser (a German item)", query: "q=glasfaser", kind: "search"},
		{name: "search: 'invoice' (half the archive)", query: "q=invoice", kind: "search"},
		{name: "search + portal + year", query: fmt.Sprintf("q=server&portal=%d&from=2024-01-01&to=2024-12-31", sample.PortalID), kind: "search"},
	}
	for i := range scenarios {
		sc := &scenarios[i]
		var page archivePage
		in.call("GET", "/api/invoices?"+sc.query, nil, &page)
		checkScenario(t, sc, page, sample)
		sc.total = page.Total
		sc.times = timeRequests(t, in, "/api/invoices?"+sc.query, reps)
	}
	totals := []benchScenario{
		{name: "totals: whole archive", query: ""},
		{name: "totals: one portal, one year", query: fmt.Sprintf("portal=%d&from=2024-01-01&to=2024-12-31", sample.PortalID)},
		{name: "totals: amount 100 to 200 (summed from the invoices)", query: "min=100&max=200"},
		{name: "totals: search 'server'", query: "q=server"},
	}
	for i := range totals {
		var tot struct{ Rows []struct{ Count int } }
		in.call("GET", "/api/invoices/totals?"+totals[i].query, nil, &tot)
		for _, r := range tot.Rows {
			totals[i].total += r.Count
		}
		if totals[i].total == 0 {
			t.Fatalf("%s: nothing summed", totals[i].name)
		}
		totals[i].times = timeRequests(t, in, "/api/invoices/totals?"+totals[i].query, max(reps/4, 3))
	}
	if out == "" {
		return
	}
	archiveRunSpeed(t, template, 10)
	writeArchiveSection(t, out, n, seedTook, scenarios, totals, first)
}

type archivePage struct {
	Items []struct {
		ID       int64
		PortalID int64
		Number   string
		Date     string
		Amount   string
		Snippet  string
	}
	Next  string
	Total int
}

type benchScenario struct {
	name, query, kind string
	total             int
	times             []time.Duration
}

func seedArchive(t *testing.T, data string, n int) time.Duration {
	t.Helper()
	st, err := store.Open(filepath.Join(data, "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	begin := time.Now()
	if _, err := archivegen.Seed(st, n, archivegen.Options{Until: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	return time.Since(begin)
}

// deepCursor walks the listing 500 at a time to about the at-th invoice and returns the cursor.
func deepCursor(t *testing.T, in *instance, at int) string {
	t.Helper()
	cursor, step := "", 500
	if at%500 != 0 {
		step = 100
	}
	for seen := 0; seen < at; {
		var page archivePage
		in.call("GET", fmt.Sprintf("/api/invoices?limit=%d&cursor=%s", step, url.QueryEscape(cursor)), nil, &page)
		seen += len(page.Items)
		if page.Next == "" {
			t.Fatalf("the listing ended after %d invoices", seen)
		}
		cursor = page.Next
	}
	return url.QueryEscape(cursor)
}

// checkScenario: each query answers what it asks for, so the timings time real answers.
func checkScenario(t *testing.T, sc *benchScenario, page archivePage, sample struct {
	ID       int64
	PortalID int64
	Number   string
	Date     string
	Amount   string
	Snippet  string
}) {
	t.Helper()
	if page.Total == 0 && !strings.Contains(sc.name, "rare") {
		t.Fatalf("%s: no matches", sc.name)
	}
	for _, it := range page.Items {
		if sc.kind == "search" && !strings.Contains(it.Snippet, "«") {
			t.Fatalf("%s: item without a marked snippet: %+v", sc.name, it)
		}
		if strings.Contains(sc.query, "portal=") && it.PortalID != sample.PortalID {
			t.Fatalf("%s: item of portal %d", sc.name, it.PortalID)
		}
	}
	if strings.HasSuffix(sc.name, "an invoice number") && (page.Total != 1 || page.Items[0].ID != sample.ID) {
		t.Fatalf("search for number %s: %d matches", sample.Number, page.Total)
	}
}

func timeRequests(t *testing.T, in *instance, path string, reps int) []time.Duration {
	t.Helper()
	times := make([]time.Duration, 0, reps)
	for range reps {
		req, _ := http.NewRequest("GET", in.base+path, nil)
		begin := time.Now()
		resp, err := in.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		times = append(times, time.Since(begin))
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	slices.Sort(times)
	return times
}

// pct is the p-th percentile (nearest rank) of sorted times.
func pct(times []time.Duration, p float64) time.Duration {
	i := int(float64(len(times))*p/100+0.999999) - 1
	return times[max(0, min(i, len(times)-1))]
}

func msOf(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

func writeArchiveSection(t *testing.T, out string, n int, seedTook time.Duration, scs, totals []benchScenario, first archivePage) {
	raw, _ := json.Marshal(first)
	var b strings.Builder
	fmt.Fprintf(&b, "## Archive\n\nGenerated by `TestArchiveFigures` and `TestArchiveRunSpeed` (e2e/archive_bench_test.go, e2e/archive_run_bench_test.go); rerun with `make bench`.\n\n")
	fmt.Fprintf(&b, "- Date: %s; machine: 2 CPUs shared with other work, so figures are upper bounds\n", time.Now().Format("2006-01-02"))
	fmt.Fprintf(&b, "- Archive: %d invoices made by `internal/archivegen` (8 portals, 6 years, text for search) in %v\n", n, seedTook.Round(100*time.Millisecond))
	fmt.Fprintf(&b, "- Each figure: %d requests one after another to a running `billhound serve` over loopback, timed by the client from request to the last byte; first page answer: %d bytes\n\n", len(scs[0].times), len(raw))
	b.WriteString("| query | matches | p50 ms | p99 ms | target | met |\n|---|---:|---:|---:|---:|---|\n")
	for _, sc := range scs {
		target := 20 * time.Millisecond
		if sc.kind == "search" {
			target = 50 * time.Millisecond
		}
		met := "yes"
		if pct(sc.times, 99) > target {
			met = "**no**"
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s |\n", sc.name, sc.total, msOf(pct(sc.times, 50)), msOf(pct(sc.times, 99)), msOf(target), met)
	}
	fmt.Fprintf(&b, "\nTotals per month, portal and currency (`GET /api/invoices/totals`, %d requests each; no target: "+
		"whole months of one or all portals come from sums kept by triggers, other filters are summed from the invoices):\n\n"+
		"| query | invoices | p50 ms | p99 ms |\n|---|---:|---:|---:|\n", len(totals[0].times))
	for _, sc := range totals {
		fmt.Fprintf(&b, "| %s | %d | %s | %s |\n", sc.name, sc.total, msOf(pct(sc.times, 50)), msOf(pct(sc.times, 99)))
	}
	runSection := archiveRunSection
	if runSection != "" {
		b.WriteString("\n" + runSection)
	}
	if err := benchdoc.WriteSection(out, "archive", b.String()); err != nil {
		t.Fatal(err)
	}
	t.Log(b.String())
}
