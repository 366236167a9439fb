package browser_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"billhound/browser"
	"billhound/netpolicy"

	"github.com/playwright-community/playwright-go"
)

const marker = "BH-SECRET-MARKER-5d1e"

// guarded is a browser context under a run policy whose own address is own's, with its log.
type guarded struct {
	bc   playwright.BrowserContext
	page playwright.Page
	pol  *netpolicy.Policy
	mu   sync.Mutex
	log  []string
}

func newGuarded(t *testing.T, base string, own ...string) *guarded {
	t.Helper()
	g := &guarded{}
	g.pol = netpolicy.New(own...).ForRun(func(target, reason string) {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.log = append(g.log, "blocked: "+target+" ("+reason+")")
	})
	bc, err := shared.NewContext(context.Background(), browser.ContextOptions{BaseURL: base, Policy: g.pol})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bc.Close() })
	g.bc = bc
	if g.page, err = browser.NewPage(bc); err != nil {
		t.Fatal(err)
	}
	g.page.SetDefaultTimeout(10_000)
	return g
}

// refusal waits until the browser recorded a refusal and returns it.
func (g *guarded) refusal(t *testing.T) error {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if err := g.pol.Take(); err != nil {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the browser recorded no refusal within 10s")
	return nil
}

func (g *guarded) logText() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return strings.Join(g.log, "\n")
}

// waitLeft waits until no frame shows a refused document any more (they are sent to
// about:blank right after the refusal).
func (g *guarded) waitLeft(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := ""
		for _, p := range g.bc.Pages() {
			for _, f := range p.Frames() {
				for _, scheme := range []string{"file:", "data:", "chrome:", "devtools:"} {
					if strings.HasPrefix(f.URL(), scheme) {
						left = f.URL()
					}
				}
			}
		}
		if left == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a frame still shows %s after 10s", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// everything is the HTML of every frame of every page of the context (bounded waits: a frame
// Chromium refused may never answer).
func (g *guarded) everything() string {
	var b strings.Builder
	for _, p := range g.bc.Pages() {
		for _, f := range p.Frames() {
			ch := make(chan string, 1)
			go func() { html, _ := f.Content(); ch <- f.URL() + "\n" + html }()
			select {
			case s := <-ch:
				b.WriteString(s + "\n")
			case <-time.After(3 * time.Second):
			}
		}
	}
	return b.String()
}

// attackSite serves pages that try to leave the web, and secretFile a file with the marker.
func attackSite(t *testing.T, secretFile, own string) *httptest.Server {
	html := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><html><body>%s</body></html>", body)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { html(w, `<p id=home>home</p>`) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	mux.HandleFunc("/link", func(w http.ResponseWriter, r *http.Request) {
		html(w, `<a id=l href="`+r.URL.Query().Get("to")+`">go</a>`)
	})
	mux.HandleFunc("/iframe", func(w http.ResponseWriter, r *http.Request) {
		html(w, `<iframe id=f src="`+r.URL.Query().Get("src")+`"></iframe>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestBrowserRefuses drives Playwright directly, without billhound's bindings: what is refused
// here is refused by the browser context itself.
func TestBrowserRefuses(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret.key")
	os.WriteFile(secret, []byte(marker), 0o600)
	fileURL := "file://" + secret
	own := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, marker) }))
	defer own.Close()
	site := attackSite(t, secret, own.URL)

	cases := []struct {
		name   string
		do     func(p playwright.Page) error
		reason string // in the refusal and the log line
	}{
		{"goto file", func(p playwright.Page) error { _, err := p.Goto(fileURL); return err }, "file: URLs are not allowed"},
		{"goto data dir listing", func(p playwright.Page) error { _, err := p.Goto("file://" + dir + "/"); return err }, "file: URLs are not allowed"},
		{"goto view-source file", func(p playwright.Page) error { _, err := p.Goto("view-source:" + fileURL); return err }, "file: URLs are not allowed"},
		{"goto data", func(p playwright.Page) error { _, err := p.Goto("data:text/html,<p>data document</p>"); return err }, "data: URLs are not allowed"},
		{"goto chrome", func(p playwright.Page) error { _, err := p.Goto("chrome://version"); return err }, "chrome: URLs are not allowed"},
		{"goto devtools", func(p playwright.Page) error {
			_, err := p.Goto("devtools://devtools/bundled/inspector.html")
			return err
		}, "devtools: URLs are not allowed"},
		{"goto own address", func(p playwright.Page) error { _, err := p.Goto(own.URL + "/api/portals"); return err }, "billhound's own address"},
		{"fetch own address", func(p playwright.Page) error {
			p.Goto(site.URL)
			_, err := p.Evaluate(`u => fetch(u).then(r => r.text())`, own.URL+"/")
			return err
		}, "billhound's own address"},
		{"iframe own address", func(p playwright.Page) error { _, err := p.Goto(site.URL + "/iframe?src=" + own.URL + "/"); return err }, "billhound's own address"},
		{"redirect to own address", func(p playwright.Page) error {
			_, err := p.Goto(site.URL + "/redirect?to=" + own.URL + "/api/portals")
			return err
		}, "billhound's own address"},
		{"subresource redirect to own address", func(p playwright.Page) error {
			p.Goto(site.URL)
			_, err := p.Evaluate(`u => fetch(u, {mode: "no-cors"}).then(r => r.text())`, site.URL+"/redirect?to="+own.URL+"/")
			return err
		}, "billhound's own address"},
		{"websocket own address", func(p playwright.Page) error {
			p.Goto(site.URL)
			_, err := p.Evaluate(`u => new Promise(done => { const ws = new WebSocket(u); ws.onopen = () => done("open"); ws.onerror = ws.onclose = () => done("closed") })`,
				"ws://"+own.Listener.Addr().String()+"/")
			return err
		}, "billhound's own address"},
		{"redirect to file", func(p playwright.Page) error { _, err := p.Goto(site.URL + "/redirect?to=" + fileURL); return err }, "redirected to a URL that is not http(s)"},
		{"link to file", func(p playwright.Page) error {
			p.Goto(site.URL + "/link?to=" + fileURL)
			return p.Locator("#l").Click()
		}, "file: URLs are not allowed"},
		{"iframe data", func(p playwright.Page) error {
			_, err := p.Goto(site.URL + "/iframe?src=data:text/html,<p>data document</p>")
			return err
		}, "data: URLs are not allowed"},
		{"popup data", func(p playwright.Page) error {
			p.Goto(site.URL)
			_, err := p.Evaluate(`window.open("data:text/html,<p>data document</p>")`)
			return err
		}, "data: URLs are not allowed"},
		{"download data", func(p playwright.Page) error {
			p.Goto(site.URL)
			_, err := p.Evaluate(`() => { const a = document.createElement("a"); a.href = "data:application/pdf,data document"; a.download = "x.pdf"; document.body.append(a); a.click() }`)
			return err
		}, "data: URLs are not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newGuarded(t, site.URL, own.Listener.Addr().String())
			_ = c.do(g.page) // may fail (a refused goto) or not (Chromium refused a page's link)
			err := g.refusal(t)
			if !errors.Is(err, netpolicy.ErrBlocked) || !strings.Contains(err.Error(), c.reason) {
				t.Errorf("refusal = %v, want one saying %q", err, c.reason)
			}
			if !strings.Contains(g.logText(), "blocked: ") || !strings.Contains(g.logText(), c.reason) {
				t.Errorf("log = %q, want a line saying %q", g.logText(), c.reason)
			}
			g.waitLeft(t)
			if all := g.everything(); strings.Contains(all, marker) || strings.Contains(all, "<p>data document") {
				t.Errorf("the secret reached a page of the context:\n%s", all)
			}
			if n := len(g.bc.Pages()); n != 1 {
				t.Errorf("%d pages open, want the refused popup closed", n)
			}
		})
	}
}

// TestBrowserStillWorks: a page with scripts, styles, images (also data: images), an http
// iframe, a popup and a download loads as before, and nothing is refused.
func TestBrowserStillWorks(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!doctype html><link rel=stylesheet href=/s.css><script src=/a.js></script>
<img id=i src=/i.svg><img id=d src="data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' width='3' height='3'/>">
<iframe id=f src=/inner></iframe><a id=dl href=/f.pdf>pdf</a><a id=pop href=/inner target=_blank>pop</a>`)
	})
	mux.HandleFunc("/s.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		fmt.Fprint(w, `body { margin: 7px }`)
	})
	mux.HandleFunc("/a.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, `window.loaded = "yes"`)
	})
	mux.HandleFunc("/i.svg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		fmt.Fprint(w, `<svg xmlns="http://www.w3.org/2000/svg" width="5" height="5"/>`)
	})
	mux.HandleFunc("/inner", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `<p id=in>inner</p>`) })
	mux.HandleFunc("/f.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Disposition", `attachment; filename="f.pdf"`)
		w.Write([]byte("%PDF-1.4 ok"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	// billhound's own port is some other port: the site's requests are not affected
	g := newGuarded(t, srv.URL, "127.0.0.1:1")
	p := g.page
	if _, err := p.Goto("/"); err != nil {
		t.Fatal(err)
	}
	got, err := p.Evaluate(`() => [window.loaded, getComputedStyle(document.body).margin, document.getElementById("i").naturalWidth, document.getElementById("d").naturalWidth].join(" ")`)
	if err != nil || got != "yes 7px 5 3" {
		t.Errorf("script, style, image, data: image = %v (%v), want \"yes 7px 5 3\"", got, err)
	}
	if s, err := p.FrameLocator("#f").Locator("#in").InnerText(); err != nil || s != "inner" {
		t.Errorf("http iframe: %q %v", s, err)
	}
	d, err := p.ExpectDownload(func() error { return p.Locator("#dl").Click() })
	if err != nil {
		t.Fatal(err)
	}
	if path, err := d.Path(); err != nil {
		t.Errorf("download: %v", err)
	} else if b, _ := os.ReadFile(path); string(b) != "%PDF-1.4 ok" {
		t.Errorf("download = %q", b)
	}
	pop, err := p.ExpectPopup(func() error { return p.Locator("#pop").Click() })
	if err != nil {
		t.Fatal(err)
	}
	if s, err := pop.Locator("#in").InnerText(); err != nil || s != "inner" {
		t.Errorf("popup: %q %v", s, err)
	}
	if err := g.pol.Take(); err != nil || g.logText() != "" {
		t.Errorf("an ordinary page was refused: %v; log %q", err, g.logText())
	}
}
