package browser_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"billhound/browser"
	"billhound/browser/browsertest"
)

// TestRemoteBrowserServer: with RemoteWS, contexts come from a real Playwright server (the
// installed driver's run-server on loopback), in both modes, behind the same network policy.
func TestRemoteBrowserServer(t *testing.T) {
	// The server's machine has a display of its own for headful browsers.
	display, stop, err := browser.VirtualDisplay()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	srv, err := browsertest.StartServer(browser.DefaultChromiumPath, display...)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	site := botCheck(t)

	opt := options(t)
	opt.RemoteWS = srv.URL
	opt.ChromiumPath = "/nonexistent/chromium" // proves nothing is launched here
	m := browser.New(opt)
	defer m.Close()
	if v, _ := visitMode(t, m, browser.Headless, site.URL); !strings.HasPrefix(v, "refused") {
		t.Errorf("remote headless: %q", v)
	}
	if v, _ := visitMode(t, m, browser.Headful, site.URL); v != "welcome" {
		t.Errorf("remote headful (the server's display): %q", v)
	}
	if m.Display() != "" {
		t.Errorf("a remote headful browser started a local display %s", m.Display())
	}

	// A server on another machine reaches a proxy on a network address, which asks for the
	// context's password: without it a neighbour could use it, with it the pages load.
	far := browser.New(opt)
	defer far.Close()
	far.ProxyLikeRemote("127.0.0.1")
	if v, _ := visitMode(t, far, browser.Headful, site.URL); v != "welcome" {
		t.Errorf("remote headful through the password-protected proxy: %q", v)
	}

	// the policy holds on the remote browser too: file: stays closed
	bc, err := m.NewContext(context.Background(), browser.ContextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer bc.Close()
	p, _ := browser.NewPage(bc)
	if _, err := p.Goto("file:///etc/passwd"); err == nil {
		t.Error("a remote context opened file:///etc/passwd")
	}
}

// TestRemoteServerDown: a server that is not there gives an error that names it (without
// its token) and says what to check.
func TestRemoteServerDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	opt := options(t)
	opt.RemoteWS = "ws://" + addr + "/?token=s3cr3t-token"
	m := browser.New(opt)
	defer m.Close()
	_, err = m.NewContext(context.Background(), browser.ContextOptions{})
	if err == nil {
		t.Fatal("no error from a server that is not there")
	}
	msg := err.Error()
	for _, want := range []string{"ws://" + addr + "/", "run-server", "BILLHOUND_BROWSER_WS"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "s3cr3t-token") {
		t.Errorf("error shows the server's token: %q", msg)
	}
}

// TestRemoteRefusesPersistentProfile: a profile folder on this machine cannot be opened by a
// browser server; the error says so and what to change, and nothing is created or launched.
func TestRemoteRefusesPersistentProfile(t *testing.T) {
	opt := options(t)
	opt.RemoteWS = "ws://127.0.0.1:1/"
	opt.ChromiumPath = "/nonexistent/chromium"
	m := browser.New(opt)
	defer m.Close()
	dir := filepath.Join(t.TempDir(), "profile")
	_, err := m.NewPersistentContext(context.Background(), dir, browser.ContextOptions{})
	if err == nil {
		t.Fatal("a persistent profile opened on a remote browser")
	}
	for _, want := range []string{"@profile persistent", "BILLHOUND_BROWSER_WS", "remove"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the refused profile folder was created (%v)", err)
	}
}
