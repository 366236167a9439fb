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
	"testing"

	"billhound/browser"

	"github.com/playwright-community/playwright-go"
)

// keptServer sets a session cookie, a long-lived cookie and a local storage entry on /set and
// shows what the browser sent back on /.
func keptServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "session-cookie", Path: "/"})
			http.SetCookie(w, &http.Cookie{Name: "device", Value: "device-cookie", Path: "/", MaxAge: 3600})
		}
		var got []string
		for _, name := range []string{"sid", "device"} {
			if c, err := r.Cookie(name); err == nil {
				got = append(got, c.Value)
			}
		}
		set := ""
		if r.URL.Path == "/set" {
			set = "localStorage.setItem('kept', 'local-value');"
		}
		fmt.Fprintf(w, `<html><body><p id=cookies>%v</p><p id=local></p><script>%s
document.getElementById('local').textContent = localStorage.getItem('kept') || 'none';</script></body></html>`, got, set)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func visit(t *testing.T, bc playwright.BrowserContext, url string) (cookies, local string) {
	t.Helper()
	p, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Goto(url); err != nil {
		t.Fatal(err)
	}
	return text(t, p, "#cookies"), text(t, p, "#local")
}

// TestStorageStateCarriesOver: cookies (session ones too) and local storage read from one
// context start the next; an unreadable state is refused with ErrBadStorageState.
func TestStorageStateCarriesOver(t *testing.T) {
	srv := keptServer(t)
	ctx := context.Background()
	first, err := shared.NewContext(ctx, browser.ContextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	visit(t, first, srv.URL+"/set")
	state, err := browser.StorageState(first)
	first.Close()
	if err != nil {
		t.Fatal(err)
	}
	next, err := shared.NewContext(ctx, browser.ContextOptions{StorageState: state})
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	if cookies, local := visit(t, next, srv.URL+"/"); cookies != "[session-cookie device-cookie]" || local != "local-value" {
		t.Fatalf("the next context sent cookies %s and has local storage %q", cookies, local)
	}
	fresh, err := shared.NewContext(ctx, browser.ContextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if cookies, local := visit(t, fresh, srv.URL+"/"); cookies != "[]" || local != "none" {
		t.Fatalf("a fresh context sent cookies %s and has local storage %q", cookies, local)
	}
	if _, err := shared.NewContext(ctx, browser.ContextOptions{StorageState: []byte("{not json")}); !errors.Is(err, browser.ErrBadStorageState) {
		t.Fatalf("a broken state: %v, want ErrBadStorageState", err)
	}
}

// TestPersistentContext: a profile folder keeps lasting cookies and local storage from one
// persistent context to the next; closing the context ends its Chromium, so the folder can be
// opened again.
func TestPersistentContext(t *testing.T) {
	srv := keptServer(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "profile")
	first, err := shared.NewPersistentContext(ctx, dir, browser.ContextOptions{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if cookies, _ := visit(t, first, "/set"); cookies != "[]" {
		t.Fatalf("a new profile sent cookies %s", cookies)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := shared.NewPersistentContext(ctx, dir, browser.ContextOptions{BaseURL: srv.URL})
	if err != nil {
		t.Fatalf("the profile did not open again after Close: %v", err)
	}
	defer again.Close()
	// A session cookie ends with the browser, as in a desktop browser; a lasting one stays.
	if cookies, local := visit(t, again, "/"); cookies != "[device-cookie]" || local != "local-value" {
		t.Fatalf("the profile kept cookies %s and local storage %q", cookies, local)
	}
}

// TestPersistentContextKeepsThePolicy: a persistent profile is no way around the URL policy.
func TestPersistentContextKeepsThePolicy(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(marker, []byte("PROFILE-MARKER-7731"), 0o600); err != nil {
		t.Fatal(err)
	}
	bc, err := shared.NewPersistentContext(context.Background(), filepath.Join(t.TempDir(), "profile"), browser.ContextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer bc.Close()
	page, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	_, _ = page.Goto("file://"+marker, playwright.PageGotoOptions{Timeout: playwright.Float(10000)})
	html, _ := page.Content()
	if strings.Contains(html, "PROFILE-MARKER-7731") {
		t.Fatal("a persistent profile read a local file")
	}
}
