package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/playwright-community/playwright-go"
)

func dataTotal(t *testing.T, page playwright.Page) int {
	t.Helper()
	v, err := page.Locator("[data-testid=invoices-summary]").GetAttribute("data-total")
	if err != nil {
		t.Fatal(err)
	}
	return toInt(v)
}

// waitTotal waits until the summary's total satisfies the JS condition on n (e.g. "n < 5000").
func waitTotal(t *testing.T, page playwright.Page, cond string) {
	t.Helper()
	js := `() => { const el = document.querySelector('[data-testid=invoices-summary]');
		if (!el || el.closest('.stale')) return false; const n = Number(el.dataset.total); return ` + cond + ` }`
	if err := waitJS(page, js, nil); err != nil {
		shot(t, page, "archive-failure")
		t.Fatalf("the archive's total never met %s (it says %d): %v", cond, dataTotal(t, page), err)
	}
}

// checkFilterAndSearch narrows by portal, then by text; the URL keeps both across a reload.
func checkFilterAndSearch(t *testing.T, page playwright.Page, in *instance) {
	t.Helper()
	all := dataTotal(t, page)
	if _, err := page.Locator("#invoice-portal").SelectOption(playwright.SelectOptionValues{Labels: &[]string{"Hetzner"}}); err != nil {
		t.Fatal(err)
	}
	waitTotal(t, page, fmt.Sprintf("n > 0 && n < %d", all))
	hetzner := dataTotal(t, page)
	if !strings.Contains(page.URL(), "portal=") {
		t.Errorf("the URL %s does not keep the portal filter", page.URL())
	}
	portals, _ := page.Locator("#invoices tbody tr[data-invoice-id] td.portal").AllInnerTexts()
	for _, p := range portals {
		if strings.TrimSpace(p) != "Hetzner" {
			t.Fatalf("filtered by Hetzner, the table shows a row of %q", p)
		}
	}

	// The search box: typed like a user, narrowed after the typing pauses, with snippets.
	box := page.Locator("#archive-search")
	if err := box.PressSequentially("server"); err != nil {
		t.Fatal(err)
	}
	waitTotal(t, page, fmt.Sprintf("n > 0 && n < %d", hetzner))
	if err := page.Locator("[data-testid=snippet] mark").First().WaitFor(); err != nil {
		t.Fatalf("the search results show no snippet with the match marked: %v", err)
	}
	hit, _ := page.Locator("[data-testid=snippet] mark").First().InnerText()
	if !strings.Contains(strings.ToLower(hit), "server") {
		t.Errorf("the snippet marks %q for the search \"server\"", hit)
	}
	if html, _ := page.Locator("[data-testid=snippet]").First().InnerHTML(); strings.ContainsAny(html, "«»") {
		t.Errorf("the snippet shows the server's match markers as text: %s", html)
	}
	found := dataTotal(t, page)
	checkSnippetReadable(t, page, "with a search at 1280 px")
	shot(t, page, "archive-search")
	// With the preview open beside the results, the match still shows and the number stays whole.
	if err := page.Locator("#invoices tbody tr[data-invoice-id] td.number button").First().Click(); err != nil {
		t.Fatal(err)
	}
	if err := page.Locator("[data-testid=invoice-preview]").WaitFor(); err != nil {
		t.Fatalf("the preview does not open beside the search results: %v", err)
	}
	checkTableFills(t, page, "with a search and the preview open at 1280 px")
	checkSnippetReadable(t, page, "with a search and the preview open at 1280 px")
	shot(t, page, "archive-search-preview")
	page.Locator("[data-testid=preview-close]").Click()

	// A reload (or a shared link) keeps the filter and the search.
	if _, err := page.Reload(); err != nil {
		t.Fatal(err)
	}
	waitTotal(t, page, fmt.Sprintf("n === %d", found))
	if v, _ := box.InputValue(); v != "server" {
		t.Errorf("after a reload the search box says %q", v)
	}
	if v, _ := page.Locator("#invoice-portal").InputValue(); v == "" {
		t.Error("after a reload the portal filter is gone")
	}

	// Nothing matches: the page says so and how to get out of it.
	box.Fill("zzqxjvw")
	if err := page.Locator("[data-testid=invoices-no-match]").WaitFor(); err != nil {
		t.Fatalf("no empty state for a search without results: %v", err)
	}
	shot(t, page, "archive-no-match")
	if err := page.Locator("[data-testid=filters-clear]").Click(); err != nil {
		t.Fatal(err)
	}
	waitTotal(t, page, fmt.Sprintf("n === %d", all))
	if strings.Contains(page.URL(), "q=") || strings.Contains(page.URL(), "portal=") {
		t.Errorf("after clearing, the URL still has filters: %s", page.URL())
	}
}

// checkZip selects three rows (a click and a shift-click) and downloads them as a zip.
func checkZip(t *testing.T, page playwright.Page, in *instance) {
	t.Helper()
	rows := page.Locator("#invoices tbody tr[data-invoice-id]")
	if err := rows.Nth(0).Locator("td.check input").Click(); err != nil {
		t.Fatal(err)
	}
	if err := rows.Nth(2).Locator("td.check input").Click(playwright.LocatorClickOptions{Modifiers: []playwright.KeyboardModifier{*playwright.KeyboardModifierShift}}); err != nil {
		t.Fatal(err)
	}
	if txt, _ := page.Locator("[data-testid=selected-count]").InnerText(); !strings.HasPrefix(txt, "3 ") {
		t.Fatalf("a click and a shift-click two rows down selected %q, want 3", txt)
	}
	var want []archivedJSON
	for i := 0; i < 3; i++ {
		id, _ := rows.Nth(i).GetAttribute("data-invoice-id")
		var inv archivedJSON
		if code := in.call("GET", "/api/invoices/"+id, nil, &inv); code != 200 {
			t.Fatalf("GET invoice %s: %d", id, code)
		}
		want = append(want, inv)
	}
	shot(t, page, "archive-selected")
	dl, err := page.ExpectDownload(func() error { return page.Locator("[data-testid=download-zip]").Click() })
	if err != nil {
		t.Fatal(err)
	}
	path, err := dl.Path()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(dl.SuggestedFilename(), ".zip") {
		t.Errorf("the zip is saved as %q", dl.SuggestedFilename())
	}
	entries := zipEntries(t, readFile(t, path))
	if len(entries) != 3 {
		t.Fatalf("the zip holds %d entries, want the 3 selected invoices", len(entries))
	}
	for _, inv := range want {
		got, ok := entries[inv.FileName]
		if !ok {
			t.Fatalf("the zip has no %s (it has %v)", inv.FileName, keys(entries))
		}
		disk := readFile(t, filepath.Join(in.data, "archive", inv.Path))
		if string(got) != string(disk) {
			t.Errorf("the zip's %s is not the archived file", inv.FileName)
		}
	}
	page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Clear", Exact: playwright.Bool(true)}).Click()
}

// archivedJSON is what these tests read of an InvoiceView.
type archivedJSON struct {
	ID          int64  `json:"id"`
	FileName    string `json:"fileName"`
	Path        string `json:"path"`
	ContentType string `json:"contentType"`
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// checkPreview opens the first invoice: page 1 of its PDF is drawn on a canvas.
func checkPreview(t *testing.T, page playwright.Page) {
	t.Helper()
	first := page.Locator("#invoices tbody tr[data-invoice-id]").First()
	id, _ := first.GetAttribute("data-invoice-id")
	if err := first.Locator("td.number button").Click(); err != nil {
		t.Fatal(err)
	}
	waitDrawn(t, page)
	if !strings.Contains(page.URL(), "preview="+id) {
		t.Errorf("the URL %s does not say which invoice is previewed", page.URL())
	}
	cw, _ := page.Locator("[data-testid=preview-canvas]").Evaluate("c => c.getBoundingClientRect().width + ' of ' + c.parentElement.clientWidth", nil)
	t.Logf("preview canvas: %v px wide", cw)
	if dark := inkOnCanvas(t, page); dark < 200 {
		shot(t, page, "archive-failure")
		t.Fatalf("the preview's canvas has %d dark pixels: page 1 was not drawn", dark)
	}
	checkTableFills(t, page, "with the preview open at 1280 px")
	shot(t, page, "archive-1280-preview")
	if err := page.Locator("[data-testid=preview-close]").Click(); err != nil {
		t.Fatal(err)
	}
}

func waitDrawn(t *testing.T, page playwright.Page) {
	t.Helper()
	if err := page.Locator("[data-testid=invoice-preview] .viewer[data-status=drawn] canvas").WaitFor(); err != nil {
		shot(t, page, "archive-failure")
		t.Fatalf("the preview never drew the PDF: %v", err)
	}
}

// inkOnCanvas counts the preview canvas's dark pixels (text drawn on white).
func inkOnCanvas(t *testing.T, page playwright.Page) int {
	t.Helper()
	v, err := page.Locator("[data-testid=preview-canvas]").Evaluate(`c => {
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let dark = 0;
		for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] + d[i + 1] + d[i + 2] < 300) dark++;
		return dark;
	}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	return int(toFloat(v))
}

// checkPhone: at 390 px the rows are cards, the filters fold away and the preview fills the screen.
func checkPhone(t *testing.T, in *instance) {
	t.Helper()
	page := archiveBrowser(t, in, 390, 844, true)
	openArchive(t, page, in.base, "")
	if vis, _ := page.Locator("#invoices thead").IsVisible(); vis {
		t.Error("at 390 px the table still shows its header row")
	}
	display, _ := page.Locator("#invoices tbody tr[data-invoice-id]").First().Evaluate("r => getComputedStyle(r).display", nil)
	if display != "grid" {
		t.Errorf("at 390 px a row is displayed as %v, not as a card", display)
	}
	if vis, _ := page.Locator("#invoice-from").IsVisible(); vis {
		t.Error("at 390 px the filters are not folded away")
	}
	shot(t, page, "archive-390")
	page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Filters"}).Click()
	if err := page.Locator("#invoice-from").WaitFor(); err != nil {
		t.Fatalf("the Filters button does not open the filters: %v", err)
	}
	shot(t, page, "archive-390-filters")
	page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Filters"}).Click()
	if err := page.Locator("#invoices tbody tr[data-invoice-id] td.number button").First().Click(); err != nil {
		t.Fatal(err)
	}
	waitDrawn(t, page)
	box, err := page.Locator("[data-testid=invoice-preview]").BoundingBox()
	if err != nil || box == nil {
		t.Fatalf("no preview box: %v", err)
	}
	if box.Width < 360 {
		t.Errorf("at 390 px the preview is %.0f px wide, not the full width", box.Width)
	}
	shot(t, page, "archive-390-preview")

	// A search on a phone: each card shows the title and the match under it.
	openArchive(t, page, in.base, "?q=server")
	if err := page.Locator("[data-testid=snippet] mark").First().WaitFor(); err != nil {
		t.Fatalf("at 390 px the search results show no snippet: %v", err)
	}
	checkSnippetReadable(t, page, "with a search at 390 px")
	shot(t, page, "archive-390-search")
}

// shot keeps what the screen shows (a windowed table's full page is mostly spacer).
func shot(t *testing.T, page playwright.Page, name string) {
	png, err := page.Screenshot()
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile(filepath.Join(artifactDir(t), "ui-"+name+".png"), png, 0o644)
}
