package scripts

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"billhound/browser"
	"billhound/browser/browsertest"
	"billhound/internal/fulldisk"
)

// remoteBrowser is a Manager on a real Playwright server (the driver's run-server on loopback),
// the kind BILLHOUND_BROWSER_WS points at; nothing is launched here.
func remoteBrowser(t *testing.T) *browser.Manager {
	t.Helper()
	srv, err := browsertest.StartServer(browser.DefaultChromiumPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	opt, err := browsertest.Options()
	if err != nil {
		t.Fatal(err)
	}
	opt.RemoteWS = srv.URL
	opt.ChromiumPath = "/nonexistent/chromium"
	m := browser.New(opt)
	t.Cleanup(func() { m.Close() })
	return m
}

// attachmentSite serves a page of links to attachments: an invoice, a 3 MB file and an empty one.
func attachmentSite(t *testing.T) *httptest.Server {
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 3<<20)...)
	attach := func(data []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/pdf")
			w.Header().Set("Content-Disposition", `attachment; filename="`+strings.TrimPrefix(r.URL.Path, "/")+`"`)
			w.Write(data)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /links", page("Invoices", `<a id="inv" href="/R-1.pdf">R-1</a> <a id="big" href="/big.pdf">big</a> <a id="empty" href="/empty.pdf">empty</a>`))
	mux.HandleFunc("GET /R-1.pdf", attach(pdfBytes("R-1")))
	mux.HandleFunc("GET /big.pdf", attach(big))
	mux.HandleFunc("GET /empty.pdf", attach(nil))
	site := httptest.NewServer(mux)
	t.Cleanup(site.Close)
	return site
}

// TestClickDownloadsFromARemoteBrowser: with the browser on a Playwright server, where the
// download's file is on the server's machine, a click download reaches the host intact; one over
// the cap is refused with the limit's name and an empty one as empty, and the run's folder is
// left empty. savePage and screenshots work there too.
func TestClickDownloadsFromARemoteBrowser(t *testing.T) {
	site := attachmentSite(t)
	tmp := t.TempDir()
	h := mustRun(t, asserts+`
page.goto("/links");
ok(download("#inv", {id: "R-1"}).saved, "click download from the remote browser");
throws(() => download("#big"), "the download is larger than 1 MB (BILLHOUND_MAX_DOWNLOAD)");
throws(() => download("#empty"), "the downloaded file is empty");
ok(download("#inv", {id: "R-1"}).duplicate, "the same invoice again, after the refusals");
ok(savePage({id: "P-1"}).saved, "savePage on the remote browser");
page.screenshot("list");
`, runOpts{base: site.URL, browser: remoteBrowser(t), engine: EngineOptions{MaxDownload: 1 << 20, TempDir: tmp}})
	if len(h.saved) != 2 || !bytes.Equal(h.saved[0].Data, pdfBytes("R-1")) {
		t.Fatalf("saved %d documents; the first is %q", len(h.saved), firstData(h))
	}
	if d := h.saved[0]; d.SuggestedName != "R-1.pdf" || d.SourceURL != site.URL+"/R-1.pdf" {
		t.Errorf("name %q source %q", d.SuggestedName, d.SourceURL)
	}
	if !bytes.HasPrefix(h.saved[1].Data, []byte("%PDF")) {
		t.Errorf("savePage saved %d bytes that are not a PDF", len(h.saved[1].Data))
	}
	if png := h.artifacts["01-list.png"]; !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("the screenshot is %d bytes, not a PNG (artifacts %d)", len(png), len(h.artifacts))
	}
	if left := filesUnder(t, tmp); len(left) > 0 {
		t.Errorf("files left in the temp folder after the run: %v", left)
	}
}

// TestRemoteDownloadOnAFullDisk: a remote browser's 3 MB download into a run folder on a 2 MB
// disk fails with "the disk is full" and leaves no empty or partial file there.
func TestRemoteDownloadOnAFullDisk(t *testing.T) {
	disk, ok := fulldisk.Dir(t, 2<<20)
	if !ok {
		return
	}
	site := attachmentSite(t)
	mustRun(t, asserts+`
page.goto("/links");
throws(() => download("#big"), "the disk is full");
ok(download("#inv", {id: "R-1"}).saved, "a small download still fits afterwards");
`, runOpts{base: site.URL, browser: remoteBrowser(t), engine: EngineOptions{TempDir: disk}, action: 20 * time.Second})
	if left := filesUnder(t, disk); len(left) > 0 {
		t.Errorf("files left on the full disk after the run: %v", left)
	}
}

func firstData(h *fakeHost) string {
	if len(h.saved) == 0 {
		return ""
	}
	return string(h.saved[0].Data)
}
