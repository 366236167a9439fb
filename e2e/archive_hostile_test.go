package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/archive"
	"billhound/internal/archivegen"
	"billhound/store"
)

// hostilePDF is a one-page PDF that tries everything a PDF can to run script: JavaScript as the
// document's OpenAction, in the document's name tree and as the page's open action (alert, fetch,
// submitForm, launchURL to trap), and two links over the page: one to javascript:, one to trap.
func hostilePDF(trap string) []byte {
	js := fmt.Sprintf(`try{app.alert('pdf-js-ran')}catch(e){} try{alert('pdf-js-ran')}catch(e){} `+
		`try{fetch('%[1]s/fetch')}catch(e){} try{this.submitForm('%[1]s/submit')}catch(e){} `+
		`try{app.launchURL('%[1]s/launch', true)}catch(e){}`, trap)
	content := "BT /F1 28 Tf 60 700 Td (Hostile invoice EVIL-1) Tj ET\nBT /F1 16 Tf 60 300 Td (Click anywhere) Tj ET"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R /Names << /JavaScript << /Names [(evil) 6 0 R] >> >> >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R " +
			"/Annots [7 0 R 8 0 R] /AA << /O 6 0 R >> >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Action /S /JavaScript /JS (" + pdfString(js) + ") >>",
		"<< /Type /Annot /Subtype /Link /Rect [0 0 595 421] /Border [0 0 0] /A << /S /URI /URI (javascript:alert\\('uri-ran'\\)) >> >>",
		"<< /Type /Annot /Subtype /Link /Rect [0 421 595 842] /Border [0 0 0] /A << /S /URI /URI (" + pdfString(trap+"/uri") + ") >> >>",
	}
	return archivegen.AssemblePDF(objs)
}

func pdfString(s string) string {
	return strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(s)
}

// watcher notes what script in a previewed file could do: dialogs, requests that leave
// billhound, navigations and popups, and requests that reach the trap server.
type watcher struct {
	mu                                     sync.Mutex
	dialogs, outside, navigations, trapped []string
}

func (w *watcher) note(list *[]string, s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	*list = append(*list, s)
}

func (w *watcher) watch(page playwright.Page, base string) {
	page.OnDialog(func(d playwright.Dialog) { w.note(&w.dialogs, d.Message()); d.Dismiss() })
	page.OnRequest(func(r playwright.Request) {
		if !strings.HasPrefix(r.URL(), base+"/") {
			w.note(&w.outside, r.URL())
		}
	})
	page.OnPopup(func(p playwright.Page) { w.note(&w.navigations, "popup "+p.URL()) })
	page.OnFrameNavigated(func(f playwright.Frame) {
		if f == page.MainFrame() && !strings.HasPrefix(f.URL(), base+"/#/archive") {
			w.note(&w.navigations, f.URL())
		}
	})
}

// report says what was seen and how many things.
func (w *watcher) report() (string, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return fmt.Sprintf("dialogs %q, trap %q, outside %q, navigations %q", w.dialogs, w.trapped, w.outside, w.navigations),
		len(w.dialogs) + len(w.trapped) + len(w.outside) + len(w.navigations)
}

func (w *watcher) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dialogs, w.outside, w.navigations, w.trapped = nil, nil, nil, nil
}

// fileInvoice writes data into the archive folder and indexes it, as a run would.
func fileInvoice(t *testing.T, st *store.Store, data string, portal store.Portal, number, contentType string, body []byte) {
	t.Helper()
	ext := map[string]string{"application/pdf": ".pdf", "text/html": ".html"}[contentType]
	day := time.Now().UTC().Format("2006-01-02")
	rel := filepath.Join(portal.Slug, day[:4], day+"_"+number+ext)
	if err := os.MkdirAll(filepath.Dir(filepath.Join(data, "archive", rel)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "archive", rel), body, 0o644); err != nil {
		t.Fatal(err)
	}
	inv := &store.Invoice{PortalID: portal.ID, Number: number, Date: day, Amount: "66.60", Currency: "EUR",
		Title: "Hostile " + contentType, Path: rel, FileName: filepath.Base(rel), Size: int64(len(body)),
		SHA256: archive.Sum(body), ContentType: contentType, CreatedAt: time.Now()}
	if err := st.CreateInvoice(inv); err != nil {
		t.Fatal(err)
	}
}

// fileHostile archives a hostile PDF and a hostile HTML receipt beside three plain invoices.
func fileHostile(t *testing.T, data, trap string) {
	t.Helper()
	st, err := store.Open(filepath.Join(data, "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := archivegen.Seed(st, 3, archivegen.Options{Portals: []string{"Evil Corp"}, Root: filepath.Join(data, "archive")})
	if err != nil {
		t.Fatal(err)
	}
	fileInvoice(t, st, data, res.Portals[0], "EVIL-1", "application/pdf", hostilePDF(trap))
	receipt := fmt.Sprintf(`<!doctype html><h1>Receipt EVIL-2</h1><p>Paid.</p><script>parent.alert('html-ran');fetch('%[1]s/html')</script>`+
		`<img src="%[1]s/img"><form action="%[1]s/form"><button id=b>x</button></form><script>document.getElementById('b').click()</script>`, trap)
	fileInvoice(t, st, data, res.Portals[0], "EVIL-2", "text/html", []byte(receipt))
	st.Close()
}

// TestArchivePreviewHostileFiles previews a PDF built to run script and an HTML receipt with
// script in it, in real Chromium: no dialog opens, nothing is requested outside billhound
// (a trap server counts), the page does not navigate, and the page still works afterwards.
// It starts from an empty archive, whose page says what to do.
func TestArchivePreviewHostileFiles(t *testing.T) {
	w := &watcher{}
	trap := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { w.note(&w.trapped, r.URL.Path) }))
	defer trap.Close()

	data := t.TempDir()
	in := serveData(t, data)
	in.setupAdmin()
	in.login()
	page := archiveBrowser(t, in, 1280, 900, false)
	if _, err := page.Goto(in.base + "/#/archive"); err != nil {
		t.Fatal(err)
	}
	if err := page.Locator("[data-testid=invoices-empty]").WaitFor(); err != nil {
		t.Fatalf("an empty archive shows no empty state: %v", err)
	}
	if txt, _ := page.Locator("[data-testid=invoices-empty]").InnerText(); !strings.Contains(txt, "Run now") {
		t.Errorf("the empty archive says %q, not what to do", txt)
	}
	shot(t, page, "archive-empty")

	fileHostile(t, data, trap.URL) // while the server runs, as a run would file them
	w.watch(page, in.base)
	if _, err := page.Reload(); err != nil {
		t.Fatal(err)
	}
	// The watchers see what they watch for: a dialog and a request to the trap from the page.
	page.Evaluate(`u => { alert('control'); return fetch(u + '/control', { mode: 'no-cors' }).catch(() => {}) }`, trap.URL)
	if seen, n := w.report(); n != 3 {
		t.Fatalf("the test's watchers missed the page's own alert and request (%s): they would miss the files' too", seen)
	}
	w.reset()
	row := page.Locator("#invoices tbody tr[data-invoice-id]", playwright.PageLocatorOptions{HasText: "EVIL-1"})
	if err := row.Locator("td.number button").Click(); err != nil {
		t.Fatal(err)
	}
	waitDrawn(t, page)
	if dark := inkOnCanvas(t, page); dark < 100 {
		t.Errorf("the hostile PDF's page was not drawn (%d dark pixels)", dark)
	}
	// Click both link areas of the page, then the HTML receipt.
	canvas := page.Locator("[data-testid=preview-canvas]")
	bb, _ := canvas.BoundingBox()
	for _, y := range []float64{bb.Height * 0.25, bb.Height * 0.75} {
		canvas.Click(playwright.LocatorClickOptions{Position: &playwright.Position{X: bb.Width / 2, Y: y}})
	}
	shot(t, page, "archive-hostile-pdf")
	receiptRow := page.Locator("#invoices tbody tr[data-invoice-id]", playwright.PageLocatorOptions{HasText: "EVIL-2"})
	if err := receiptRow.Locator("td.number button").Click(); err != nil {
		t.Fatal(err)
	}
	frame := page.FrameLocator("[data-testid=preview-frame]")
	if err := frame.Locator("h1", playwright.FrameLocatorLocatorOptions{HasText: "Receipt EVIL-2"}).WaitFor(); err != nil {
		t.Fatalf("the HTML receipt is not shown in the preview: %v", err)
	}
	shot(t, page, "archive-hostile-html")
	// Whatever ran would have done so by now; give stray requests a moment to arrive.
	time.Sleep(700 * time.Millisecond)

	if seen, n := w.report(); n > 0 {
		t.Errorf("script in an archived file reached out of the preview: %s", seen)
	}
	// The page still works: the amount filter narrows to the two hostile files, the preview closes.
	page.Locator("#invoice-min").Fill("66.60")
	page.Locator("#invoice-max").Fill("66.60")
	page.Locator("#invoice-max").Press("Enter")
	page.Locator("#invoice-max").Blur()
	waitTotal(t, page, "n === 2")
	if err := page.Locator("[data-testid=preview-close]").Click(); err != nil {
		t.Fatal(err)
	}
	if err := page.Locator("[data-testid=invoice-preview]").WaitFor(playwright.LocatorWaitForOptions{State: playwright.WaitForSelectorStateDetached}); err != nil {
		t.Fatalf("the preview does not close after the hostile files: %v", err)
	}
}
