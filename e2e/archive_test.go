package e2e

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/browser"
	"billhound/internal/archivegen"
	"billhound/internal/benchdoc"
	"billhound/store"
)

// usableTarget is how soon after navigation the Archive page must show its first rows and take
// typing in its search box, with a 100,000-invoice archive.
const usableTarget = time.Second

// filedPortals own the newest invoices, the ones whose files are on disk (for the zip and the
// preview); their vendor is the generator's fallback (GBP), a third currency for the chart.
var filedPortals = []string{"Nimbus Cloud", "Paperwork Ltd"}

// seedFiledArchive fills a data dir before the server starts: n invoices, of which the newest
// `filed` have their PDFs in the archive folder (writing 100,000 files would take minutes).
func seedFiledArchive(t *testing.T, data string, n, filed int) {
	t.Helper()
	st, err := store.Open(filepath.Join(data, "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	began := time.Now()
	if _, err := archivegen.Seed(st, n-filed, archivegen.Options{Until: now.AddDate(0, 0, -370)}); err != nil {
		t.Fatal(err)
	}
	opts := archivegen.Options{Until: now, Years: 1, Seed: 2, Portals: filedPortals, Root: filepath.Join(data, "archive")}
	if _, err := archivegen.Seed(st, filed, opts); err != nil {
		t.Fatal(err)
	}
	t.Logf("generated %d invoices in %v", n, time.Since(began).Round(time.Millisecond))
}

// archiveBrowser is a browser page signed in to the instance (the API client's cookie).
func archiveBrowser(t *testing.T, in *instance, width, height int, phone bool) playwright.Page {
	t.Helper()
	bc, err := browsers.NewContext(ctxFor(t, 3*time.Minute), browser.ContextOptions{BaseURL: in.base,
		ViewportWidth: width, ViewportHeight: height, HasTouch: phone})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bc.Close() })
	u, _ := url.Parse(in.base)
	for _, c := range in.client.Jar.Cookies(u) {
		if err := bc.AddCookies([]playwright.OptionalCookie{{Name: c.Name, Value: c.Value, URL: playwright.String(in.base)}}); err != nil {
			t.Fatal(err)
		}
	}
	// Notes in the page when it became usable: a drawn row and a search box that takes input.
	err = bc.AddInitScript(playwright.Script{Content: playwright.String(`(() => {
		const obs = new MutationObserver(() => {
			const row = document.querySelector('#invoices tbody tr[data-invoice-id]');
			const box = document.querySelector('#archive-search');
			if (!row || !box || box.disabled || window.__usable) return;
			obs.disconnect();
			window.__usable = -1;
			requestAnimationFrame(() => (window.__usable = performance.now()));
		});
		obs.observe(document, { childList: true, subtree: true });
	})()`)})
	if err != nil {
		t.Fatal(err)
	}
	page, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	page.SetDefaultTimeout(30000)
	return page
}

// openArchive navigates to the Archive page and returns how long after navigation the page
// says it became usable, and the test's own wall clock from Goto until it saw the first row.
func openArchive(t *testing.T, page playwright.Page, base, query string) (inPage, wall time.Duration) {
	t.Helper()
	began := time.Now()
	if _, err := page.Goto(base + "/#/archive" + query); err != nil {
		t.Fatal(err)
	}
	if err := page.Locator("#invoices tbody tr[data-invoice-id]").First().WaitFor(); err != nil {
		shot(t, page, "archive-failure")
		t.Fatal(err)
	}
	wall = time.Since(began)
	if err := waitJS(page, "() => window.__usable > 0", nil); err != nil {
		t.Fatal(err)
	}
	ms, err := page.Evaluate("window.__usable")
	if err != nil {
		t.Fatal(err)
	}
	return time.Duration(toFloat(ms) * float64(time.Millisecond)), wall
}

// TestArchivePage opens the Archive page over a generated archive (100,000 invoices under make
// bench, 5,000 otherwise): usable in under a second, only the visible rows in the DOM,
// scrolling loads more, a filter and a search narrow the list and stay in the URL, three
// selected invoices download as a zip of their files, and the preview draws a PDF's first page.
func TestArchivePage(t *testing.T) {
	n := 5_000
	bench := benchdoc.Path(repoRoot)
	if bench != "" {
		n = 100_000
	}
	data := t.TempDir()
	seedFiledArchive(t, data, n, 40)
	in := serveData(t, data)
	in.setupAdmin()
	in.login()
	page := archiveBrowser(t, in, 1280, 900, false)

	// 1. Usable in under a second: the first visit (nothing cached) and four more.
	var inPage, wall []time.Duration
	for i := 0; i < 5; i++ {
		if i > 0 {
			page.Goto("about:blank")
		}
		p, w := openArchive(t, page, in.base, "")
		inPage, wall = append(inPage, p), append(wall, w)
		// The totals come after the rows; let them finish so the next visit meets an idle server.
		if err := page.Locator("[data-testid=totals-chart]").WaitFor(playwright.LocatorWaitForOptions{Timeout: playwright.Float(120000)}); err != nil {
			t.Fatalf("the totals chart never came: %v", err)
		}
	}
	t.Logf("usable after %v (in the page), %v (test's clock); first visit %v", inPage, wall, inPage[0])
	median := medianOf(inPage)
	if median > usableTarget {
		shot(t, page, "archive-slow")
		t.Errorf("the Archive page became usable after %v (median of 5) with %d invoices; the target is %v", median, n, usableTarget)
	}
	checkWindowed(t, page, n)
	checkTableFills(t, page, "at 1280 px")
	shot(t, page, "archive-1280")

	checkScrollLoads(t, page)
	checkFilterAndSearch(t, page, in)
	checkZip(t, page, in)
	checkPreview(t, page)
	checkPhone(t, in)

	if bench != "" {
		writeArchiveBench(t, bench, n, inPage, wall)
	}
}

// waitJS polls fn(arg) in the page until it is true (30 s at most). Playwright's own
// WaitForFunction compiles its predicate with eval inside the page, which the SPA's
// Content-Security-Policy refuses; Evaluate goes through the debugger and is not affected.
func waitJS(page playwright.Page, fn string, arg any) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, err := page.Evaluate(fn, arg)
		if err != nil {
			return err
		}
		if v == true {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still false after 30 s: %s", fn)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func medianOf(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// checkWindowed: the page holds a screenful of rows, not the archive, and says how many there are.
func checkWindowed(t *testing.T, page playwright.Page, n int) {
	t.Helper()
	rows, _ := page.Locator("#invoices tbody tr[data-invoice-id]").Count()
	if rows == 0 || rows > 150 {
		t.Errorf("the table has %d rows in the DOM; a windowed table keeps about a screenful", rows)
	}
	total, _ := page.Locator("[data-testid=invoices-summary]").GetAttribute("data-total")
	if total != fmt.Sprint(n) {
		t.Errorf("the page says the archive has %q invoices, want %d", total, n)
	}
	text, _ := page.Locator("[data-testid=invoices-summary]").InnerText()
	if !strings.Contains(strings.NewReplacer(",", "", ".", "", "\u00a0", "", " ", "").Replace(text), fmt.Sprint(n)) {
		t.Errorf("the summary says %q, not the %d invoices", text, n)
	}
	if err := page.Locator("[data-testid=totals-chart] rect").First().WaitFor(); err != nil {
		t.Errorf("no bar in the totals chart: %v", err)
	}
	// Three currencies in the archive (EUR, USD, GBP): one chart at a time, never summed.
	buttons, _ := page.Locator("[data-testid=totals-chart] [role=group] button").Count()
	if buttons < 2 {
		t.Errorf("the chart offers %d currencies; the archive has several", buttons)
	}
}

// checkScrollLoads scrolls to the end of the loaded rows twice and expects the next pages.
func checkScrollLoads(t *testing.T, page playwright.Page) {
	t.Helper()
	loaded := func() int {
		v, _ := page.Locator("table#invoices").GetAttribute("aria-rowcount")
		var n int
		fmt.Sscan(v, &n)
		return n - 1
	}
	before := loaded()
	for i := 0; i < 2; i++ {
		page.Evaluate("window.scrollTo(0, document.body.scrollHeight)")
		want := before + 1
		if err := waitJS(page, `n => Number(document.querySelector('table#invoices').getAttribute('aria-rowcount')) - 1 >= n`, want); err != nil {
			t.Fatalf("scrolling to the end did not load more than %d rows: %v", before, err)
		}
		before = loaded()
	}
	rows, _ := page.Locator("#invoices tbody tr[data-invoice-id]").Count()
	if rows > 150 {
		t.Errorf("after scrolling through %d loaded rows the DOM holds %d of them", before, rows)
	}
	// Scrolled down, the drawn rows are the ones on screen, not the first page's.
	first, _ := page.Locator("#invoices tbody tr[data-invoice-id]").First().GetAttribute("aria-rowindex")
	if idx := toInt(first); idx < 100 {
		t.Errorf("scrolled past %d loaded rows, the first drawn row is still row %d", before, idx)
	}
	page.Evaluate("window.scrollTo(0, 0)")
}

func toInt(s string) int {
	var n int
	fmt.Sscan(s, &n)
	return n
}

func writeArchiveBench(t *testing.T, path string, n int, inPage, wall []time.Duration) {
	t.Helper()
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }
	verdict := "met"
	if medianOf(inPage) > usableTarget {
		verdict = "**not met**"
	}
	var b strings.Builder
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(&b, "## Archive page\n\n`TestArchivePage` in `e2e/`: real Chromium (headless, 1280×900) against the built binary "+
		"with a generated archive of %s invoices (`internal/archivegen`). \"Usable\" is the moment, measured in the page from "+
		"navigation start, when the first table row is drawn and the search box takes input; the test's own clock (Goto until "+
		"it saw the row) adds Playwright's round trips. Load average while measured: %s (2 cores, shared).\n\n",
		thousands(n), strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "))
	b.WriteString("| | median of 5 | first visit (cold cache) | target |\n|---|---|---|---|\n")
	fmt.Fprintf(&b, "| usable, in the page | %s | %s | < %s: %s |\n", ms(medianOf(inPage)), ms(inPage[0]), ms(usableTarget), verdict)
	fmt.Fprintf(&b, "| test's clock | %s | %s | |\n\n", ms(medianOf(wall)), ms(wall[0]))
	b.WriteString("The table is windowed (about a screenful of rows in the DOM whatever the archive's size) and pages by cursor, " +
		"100 rows at a time, as the user scrolls.\n")
	if err := benchdoc.WriteSection(path, "archive-page", b.String()); err != nil {
		t.Fatal(err)
	}
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// zipEntries reads a zip's entries: base name -> content.
func zipEntries(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("the download is not a zip (%d bytes): %v", len(data), err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		buf.ReadFrom(rc)
		rc.Close()
		out[filepath.Base(f.Name)] = buf.Bytes()
	}
	return out
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
