package browser_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestPageGuardIsCheap: the policy's guard against non-web URLs refuses a file: load before
// anything is read, yet leaves the page's web requests alone: Chromium's HTTP cache stays on
// (a Playwright route would turn it off and pause every request), so a cacheable stylesheet
// is fetched once for two pages.
func TestPageGuardIsCheap(t *testing.T) {
	var sheets atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/s.css", func(w http.ResponseWriter, r *http.Request) {
		sheets.Add(1)
		w.Header().Set("Content-Type", "text/css")
		w.Header().Set("Cache-Control", "max-age=600")
		fmt.Fprint(w, `body { margin: 7px }`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><link rel=stylesheet href=/s.css><p id=p>%s</p>`, r.URL.Path)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	g := newGuarded(t, srv.URL, "127.0.0.1:1")
	for _, path := range []string{"/one", "/two"} {
		if _, err := g.page.Goto(path); err != nil {
			t.Fatal(err)
		}
		if s, err := g.page.Locator("#p").InnerText(); err != nil || s != path {
			t.Fatalf("page %s shows %q (%v)", path, s, err)
		}
	}
	if n := sheets.Load(); n != 1 {
		t.Errorf("the stylesheet was fetched %d times for two pages, want once (the HTTP cache is off)", n)
	}

	secret := filepath.Join(t.TempDir(), "secret.key")
	os.WriteFile(secret, []byte(marker), 0o600)
	_, err := g.page.Goto("file://" + secret)
	if err == nil || !strings.Contains(err.Error(), "ERR_BLOCKED_BY_CLIENT") {
		t.Errorf("goto file: = %v, want it refused before loading (net::ERR_BLOCKED_BY_CLIENT)", err)
	}
	if err := g.pol.Take(); err == nil || !strings.Contains(err.Error(), "file: URLs are not allowed") {
		t.Errorf("refusal = %v, want one saying file: URLs are not allowed", err)
	}
}
