package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"billhound/browser"
	"billhound/browser/browsertest"
	"billhound/demoportal"
	"billhound/qrscan"
)

// screenshots signs into the built-in demo portal in the real Chromium and
// screenshots its 2FA settings page as a user would, at desktop width and
// on a phone-sized screen, writing each PNG and the otpauth link its code
// holds into dir.
func screenshots(dir string) error {
	portal := demoportal.New(demoportal.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: portal}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	mgr, err := browsertest.Manager()
	if err != nil {
		return err
	}
	defer mgr.Close()
	for _, shot := range []struct {
		name string
		w, h int
	}{{"demo-desktop", 1280, 800}, {"demo-phone", 390, 844}} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := screenshot(ctx, mgr, base, filepath.Join(dir, shot.name), shot.w, shot.h)
		cancel()
		if err != nil {
			return fmt.Errorf("%s: %w", shot.name, err)
		}
	}
	return nil
}

func screenshot(ctx context.Context, mgr *browser.Manager, base, out string, w, h int) error {
	bc, err := mgr.NewContext(ctx, browser.ContextOptions{BaseURL: base, ViewportWidth: w, ViewportHeight: h})
	if err != nil {
		return err
	}
	defer bc.Close()
	page, err := bc.NewPage()
	if err != nil {
		return err
	}
	page.SetDefaultTimeout(15000)
	if _, err := page.Goto(base + "/login"); err != nil {
		return err
	}
	for _, step := range []func() error{
		func() error { return page.Locator("#username").Fill("demo") },
		func() error { return page.Locator("#password").Fill("demo-password") },
		func() error { return page.Locator("button[type=submit]").Click() },
		func() error { return page.WaitForURL("**/account") },
	} {
		if err := step(); err != nil {
			return err
		}
	}
	if _, err := page.Goto(base + "/settings/2fa"); err != nil {
		return err
	}
	if _, err := page.WaitForFunction(`() => { const i = document.querySelector('#totp-qr'); return i && i.complete && i.naturalWidth > 0 }`, nil); err != nil {
		return err
	}
	png, err := page.Screenshot()
	if err != nil {
		return err
	}
	secret, err := page.Locator("#totp-secret").InnerText()
	if err != nil {
		return err
	}
	issuer := url.PathEscape("Nimbus Cloud")
	text := "otpauth://totp/" + issuer + ":demo?secret=" + strings.ReplaceAll(strings.TrimSpace(secret), " ", "") + "&issuer=" + issuer
	// The link is rebuilt from the page's text; the screenshot must hold exactly it.
	got, err := qrscan.DecodeQR(png, qrscan.DecodeOptions{})
	if err != nil || len(got) != 1 || got[0] != text {
		return fmt.Errorf("the screenshot reads %q (%v), not %q", got, err, text)
	}
	if err := os.WriteFile(out+".png", png, 0o644); err != nil {
		return err
	}
	return os.WriteFile(out+".txt", []byte(text), 0o644)
}
