package scripts

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"billhound/netpolicy"
)

// bigSite serves bodies far larger than the download cap, generated as they are sent, and
// counts what it managed to send.
type bigSite struct {
	*httptest.Server
	sent atomic.Int64
}

const bigBody = 300 << 20

func newBigSite(t *testing.T, own string) *bigSite {
	s := &bigSite{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s1", Path: "/", HttpOnly: true})
		page("Login", "<p>signed in</p>")(w, r)
	})
	mux.HandleFunc("GET /big", func(w http.ResponseWriter, r *http.Request) { s.stream(w, r, false) })
	mux.HandleFunc("GET /big-with-length", func(w http.ResponseWriter, r *http.Request) { s.stream(w, r, true) })
	mux.HandleFunc("GET /ok.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		if r.URL.Query().Get("as") == "attachment" {
			w.Header().Set("Content-Disposition", `attachment; filename="ok.pdf"`)
		}
		w.Write(mediumPDF())
	})
	mux.HandleFunc("GET /text", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(bytes.Repeat([]byte("0123456789abcdef"), (30<<20)/16))
	})
	mux.HandleFunc("GET /set-cookie", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "fetched", Value: "yes42", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "hidden", Value: "h1", Path: "/", HttpOnly: true})
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "{}")
	})
	mux.HandleFunc("GET /show-cookie", func(w http.ResponseWriter, r *http.Request) {
		page("Cookies", "<p id=c>"+r.Header.Get("Cookie")+"</p>")(w, r)
	})
	mux.HandleFunc("GET /needs-hidden", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("hidden"); err != nil || c.Value != "h1" {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(pdfBytes("H-1"))
	})
	mux.HandleFunc("GET /links", page("Links", `<a id="attach" href="/two-mb?as=attachment">get</a> <a id="view" href="/two-mb">view</a> <a id="small" href="/ok.pdf?as=attachment">small</a>`))
	mux.HandleFunc("GET /two-mb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		if r.URL.Query().Get("as") == "attachment" {
			w.Header().Set("Content-Disposition", `attachment; filename="two.pdf"`)
		}
		w.Write(append([]byte("%PDF-1.4\n"), make([]byte, 2<<20)...))
	})
	mux.HandleFunc("GET /to-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	mux.HandleFunc("GET /to-own", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, own+"/api/portals", http.StatusFound)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// stream sends 300 MB of a "PDF" to a logged-in client, with or without Content-Length.
func (s *bigSite) stream(w http.ResponseWriter, r *http.Request, length bool) {
	if c, err := r.Cookie("sid"); err != nil || c.Value != "s1" {
		http.Error(w, "log in first", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	if length {
		w.Header().Set("Content-Length", strconv.Itoa(bigBody))
	}
	chunk := bytes.Repeat([]byte("%PDF-1.4 stream "), 4096) // 64 KB
	for n := 0; n < bigBody; n += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return // the client hung up
		}
		s.sent.Add(int64(len(chunk)))
	}
}

func mediumPDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	for i := 0; b.Len() < 5<<20; i++ {
		fmt.Fprintf(&b, "%% line %d of a five megabyte invoice\n", i)
	}
	return b.Bytes()
}

// heapPeak samples the Go heap in use until stop is closed and returns the largest value seen.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var m runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// TestDownloadOverTheCap: a 300 MB answer with the cap at 100 MB fails with the limit's name,
// soon after 100 MB (or at once when Content-Length says so), while the process's heap stays
// small: the body goes to disk, never whole into memory. Nothing is left on disk afterwards.
func TestDownloadOverTheCap(t *testing.T) {
	site := newBigSite(t, "http://127.0.0.1:1")
	tmp := t.TempDir()
	runtime.GC()
	stop := make(chan struct{})
	peak := heapPeak(stop)
	start := time.Now()
	var took time.Duration
	h := mustRun(t, asserts+`
page.goto("/login");
throws(() => download("/big", {id: "B-1"}), "the download is larger than 100 MB (BILLHOUND_MAX_DOWNLOAD)");
throws(() => download("/big-with-length", {id: "B-2"}), "the download is larger than 100 MB (BILLHOUND_MAX_DOWNLOAD)");
throws(() => page.fetch("/big"), "the response is larger than 100 MB (BILLHOUND_MAX_DOWNLOAD)");
`, runOpts{base: site.URL, engine: EngineOptions{MaxDownload: 100 << 20, TempDir: tmp}, action: 60 * time.Second, took: &took})
	close(stop)
	heap := <-peak
	t.Logf("three refusals took %s; Go heap peak %d MB; the server sent %d MB", time.Since(start).Round(time.Millisecond), heap>>20, site.sent.Load()>>20)
	if len(h.saved) != 0 {
		t.Fatalf("saved %d documents over the cap", len(h.saved))
	}
	if heap > 64<<20 {
		t.Errorf("the Go heap reached %d MB while refusing 300 MB bodies: they were read into memory", heap>>20)
	}
	// Two chunked answers were read up to the cap; the one with Content-Length was refused unread
	// (the server may have filled socket buffers, a few MB).
	if sent := site.sent.Load(); sent > 2*(100<<20)+64<<20 {
		t.Errorf("the server sent %d MB: the client read on past the cap", sent>>20)
	}
	if took > 30*time.Second {
		t.Errorf("refusing took %s: the cap is not enforced while streaming", took)
	}
	if left := filesUnder(t, tmp); len(left) > 0 {
		t.Errorf("files left in the temp folder after the run: %v", left)
	}
}

// TestDownloadWithinTheCapAndFetchText: a 5 MB file under a 6 MB cap reaches the host intact,
// and page.fetch().text() of a 30 MB body works when the cap allows it.
func TestDownloadWithinTheCapAndFetchText(t *testing.T) {
	site := newBigSite(t, "http://127.0.0.1:1")
	tmp := t.TempDir()
	h := mustRun(t, asserts+`
page.goto("/login");
ok(download("/ok.pdf", {id: "M-1"}).saved, "5 MB download saved");
const text = page.fetch("/text").text();
eq(text.length, 30 * 1024 * 1024, "text() length");
ok(text.startsWith("0123456789abcdef") && text.endsWith("abcdef"), "text() content");
`, runOpts{base: site.URL, engine: EngineOptions{MaxDownload: 40 << 20, TempDir: tmp}, action: 60 * time.Second})
	if len(h.saved) != 1 || sha256.Sum256(h.saved[0].Data) != sha256.Sum256(mediumPDF()) {
		t.Fatalf("the saved file is not the 5 MB PDF (%d saved)", len(h.saved))
	}
	if h.saved[0].SuggestedName != "ok.pdf" || h.saved[0].SourceURL != site.URL+"/ok.pdf" {
		t.Errorf("name %q source %q", h.saved[0].SuggestedName, h.saved[0].SourceURL)
	}
	if left := filesUnder(t, tmp); len(left) > 0 {
		t.Errorf("files left in the temp folder after the run: %v", left)
	}
	_, err := runScript(t, `page.goto("/login"); page.fetch("/text");`,
		runOpts{base: site.URL, engine: EngineOptions{MaxDownload: 1 << 20, TempDir: tmp}})
	if err == nil || !strings.Contains(err.Error(), "the response is larger than 1 MB (BILLHOUND_MAX_DOWNLOAD)") {
		t.Fatalf("fetch over a 1 MB cap: %v", err)
	}
}

// TestClickDownloadsOverTheCap: a browser download and a PDF opened in the viewer are refused
// over the cap too; a click download within it arrives intact.
func TestClickDownloadsOverTheCap(t *testing.T) {
	site := newBigSite(t, "http://127.0.0.1:1")
	tmp := t.TempDir()
	h := mustRun(t, asserts+`
page.goto("/links");
throws(() => download("#attach"), "the download is larger than 1 MB (BILLHOUND_MAX_DOWNLOAD)");
throws(() => download("#view"), "the PDF the click opened is larger than 1 MB (BILLHOUND_MAX_DOWNLOAD)");
`, runOpts{base: site.URL, engine: EngineOptions{MaxDownload: 1 << 20, TempDir: tmp}})
	h = mustRun(t, asserts+`
page.goto("/links");
ok(download("#small", {id: "S-1"}).saved, "click download within the cap");
`, runOpts{base: site.URL, host: h, engine: EngineOptions{MaxDownload: 6 << 20, TempDir: tmp}})
	if len(h.saved) != 1 || !bytes.Equal(h.saved[0].Data, mediumPDF()) || h.saved[0].SuggestedName != "ok.pdf" {
		t.Fatalf("saved %d", len(h.saved))
	}
	if left := filesUnder(t, tmp); len(left) > 0 {
		t.Errorf("files left in the temp folder after the runs: %v", left)
	}
}

// TestHTTPClientSharesTheBrowsersCookies: cookies the login page set are sent by download(url),
// and cookies a page.fetch answer sets (HttpOnly too) are the browser's afterwards.
func TestHTTPClientSharesTheBrowsersCookies(t *testing.T) {
	site := newBigSite(t, "http://127.0.0.1:1")
	h := mustRun(t, asserts+`
throws(() => download("/needs-hidden"), "the server answered 403 Forbidden");
page.goto("/login");
page.fetch("/set-cookie");
page.goto("/show-cookie");
const sent = page.text("#c");
ok(sent.includes("sid=s1") && sent.includes("fetched=yes42") && sent.includes("hidden=h1"), "the browser sends the fetched cookies: " + sent);
ok(page.evaluate("document.cookie").includes("fetched=yes42"), "document.cookie sees them");
ok(!page.evaluate("document.cookie").includes("hidden"), "HttpOnly stays HttpOnly");
ok(download("/needs-hidden", {id: "H-1"}).saved, "download sends the HttpOnly cookie set by fetch");
`, runOpts{base: site.URL})
	if len(h.saved) != 1 || !bytes.Equal(h.saved[0].Data, pdfBytes("H-1")) {
		t.Fatalf("saved %d", len(h.saved))
	}
}

// TestHTTPClientFollowsTheNetPolicy: a redirect to file: or to billhound's own address fails the
// call, for download(url) and page.fetch alike, and so does a direct URL to billhound.
func TestHTTPClientFollowsTheNetPolicy(t *testing.T) {
	own := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("billhound's own address was reached: %s", r.URL)
	}))
	defer own.Close()
	site := newBigSite(t, own.URL)
	mustRun(t, asserts+`
throws(() => download("/to-file"), "file: URLs are not allowed");
throws(() => page.fetch("/to-file"), "file: URLs are not allowed");
throws(() => download("/to-own"), "billhound's own address is not reachable from scripts");
throws(() => page.fetch("/to-own"), "billhound's own address is not reachable from scripts");
throws(() => page.fetch("`+own.URL+`/api/portals"), "billhound's own address is not reachable from scripts");
throws(() => page.fetch("file:///etc/passwd"), "file: URLs are not allowed");
`, runOpts{base: site.URL, policy: netpolicy.New(own.Listener.Addr().String())})
}

// filesUnder lists the regular files below dir.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := walkFiles(dir, func(path string, size int64) { out = append(out, fmt.Sprintf("%s (%d bytes)", path, size)) })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func walkFiles(dir string, fn func(string, int64)) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := dir + "/" + e.Name()
		if e.IsDir() {
			if err := walkFiles(p, fn); err != nil {
				return err
			}
			continue
		}
		if info, err := e.Info(); err == nil {
			fn(p, info.Size())
		}
	}
	return nil
}
