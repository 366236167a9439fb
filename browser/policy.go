package browser

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/netpolicy"
)

// A browser context of a run reaches the web and nothing else of this machine. Four layers
// enforce that, because no single one sees everything (found by trying each path with
// Chromium 156 and Playwright 1.52; browser/policy_test.go has them all):
//
//   - Connections: the context's proxy (proxy.go) dials only allowed addresses, for every
//     http(s) and WebSocket connection, including redirect targets, which Playwright follows
//     without routing them. It alone refuses billhound's own address for http(s): checked on
//     the request's URL and again on the address dialed, before any connection to billhound.
//   - Requests the proxy never sees (file:, chrome:, devtools: ..., any URL that is not
//     http(s)): each page pauses them in Chromium and refuses them before anything is read
//     (pageguard.go). No Playwright route: a route pauses every request of the context and
//     turns its HTTP cache off, which made every page load of a run slower.
//   - Documents: data:, chrome:, devtools: documents make no request that could be paused, so every
//     frame navigation is checked; a refused frame is sent to about:blank, a refused popup closed.
//   - Chromium's own refusals (a page's link, location, iframe or window.open to file: or
//     chrome:, a redirect to file: or data:) only show as a console error or a failed request;
//     they are recorded too, so the script's next call fails instead of silently continuing.
//
// Every refusal goes to the run's policy (netpolicy.Policy.Blocked): it logs it and the script's
// next call takes it. Downloads of non-web URLs (data:, file:) are cancelled.

// guard applies pol to everything bc loads, from now on. Pages open already (a persistent
// context's first page) are guarded before guard returns.
func guard(bc playwright.BrowserContext, pol *netpolicy.Policy) error {
	pages := newPageGuards(bc, pol)
	bc.OnPage(func(p playwright.Page) {
		watchPage(p, pol)
		go func() { _ = pages.ensure(p) }() // a closed page has nothing left to guard
	})
	// On the context, not the page: a popup's first messages come before its page event.
	bc.OnConsole(func(m playwright.ConsoleMessage) { chromiumRefused(m, pol) })
	for _, p := range bc.Pages() {
		watchPage(p, pol)
		if err := pages.ensure(p); err != nil {
			return fmt.Errorf("set up the browser's network policy: %s", firstLine(err))
		}
	}
	return nil
}

// chromiumRefused records a refusal Chromium logged for a page's own navigation, and closes
// a popup that was opened for it.
func chromiumRefused(m playwright.ConsoleMessage, pol *netpolicy.Policy) {
	if m.Type() != "error" {
		return
	}
	for _, prefix := range chromiumRefusals {
		target, ok := strings.CutPrefix(m.Text(), prefix)
		if !ok {
			continue
		}
		err := pol.CheckURL(target)
		if err == nil {
			err = &netpolicy.Error{Target: target, Reason: "Chromium refused to open it"}
		}
		pol.Blocked(err)
		if p := m.Page(); p != nil && isPopup(p) {
			go func() { _ = p.Close() }()
		}
		return
	}
}

// chromiumRefusals are the console errors Chromium logs when it refused a page's navigation
// itself; the URL follows the prefix.
var chromiumRefusals = []string{
	"Not allowed to load local resource: ",
	"Not allowed to navigate top frame to data URL: ",
}

// watchPage checks p's frames, failed requests and downloads (every page: the script's and popups).
// Handlers run on the driver's event loop, so whatever waits for the browser runs on its own
// goroutine.
func watchPage(p playwright.Page, pol *netpolicy.Policy) {
	p.OnFrameNavigated(func(f playwright.Frame) {
		u := f.URL()
		if allowedDocument(u) {
			return
		}
		err := pol.CheckURL(u)
		if err == nil { // a web URL by scheme, yet not a document a page may show (about:version ...)
			err = &netpolicy.Error{Target: u, Reason: "this kind of page is not allowed"}
		}
		pol.Blocked(err)
		go leave(p, f)
	})
	p.OnRequestFailed(func(r playwright.Request) {
		if f := r.Failure(); f != nil && strings.Contains(f.Error(), "ERR_UNSAFE_REDIRECT") {
			pol.Blocked(&netpolicy.Error{Target: r.URL(), Reason: "it redirected to a URL that is not http(s), which is not allowed"})
		}
	})
	p.OnDownload(func(d playwright.Download) {
		u := d.URL()
		if strings.HasPrefix(u, "blob:") { // made by the page itself from what it loaded
			return
		}
		if err := pol.CheckURL(u); err != nil {
			pol.Blocked(err)
			go func() { _ = d.Cancel() }()
		}
	})
}

// allowedDocument is true for what a frame may show: web pages, blank and srcdoc frames, blob:
// documents the page made, and Chromium's error page (what a refused or failed load leaves).
func allowedDocument(raw string) bool {
	if raw == "" {
		return true
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "blob":
		return true
	case "about":
		return u.Opaque == "blank" || u.Opaque == "srcdoc"
	case "chrome-error":
		return u.Host == "chromewebdata"
	case "chrome-extension": // Chromium's own PDF viewer, showing a PDF the page loaded from the web
		return u.Host == pdfViewerExtension
	}
	return false
}

// pdfViewerExtension is the id of Chromium's built-in PDF viewer: a link that opens a PDF in
// the browser shows it in a frame of this extension (download() then takes the PDF).
const pdfViewerExtension = "mhjfbmdgcfjbbpaeojofohoefgiehjai"

func isPopup(p playwright.Page) bool {
	opener, err := p.Opener()
	return err == nil && opener != nil
}

// leave takes a frame off a refused document: a popup is closed, the script's page and an
// iframe go to about:blank.
func leave(p playwright.Page, f playwright.Frame) {
	if f == p.MainFrame() && isPopup(p) {
		_ = p.Close()
		return
	}
	_, err := f.Goto("about:blank", playwright.FrameGotoOptions{Timeout: playwright.Float(float64(10 * time.Second / time.Millisecond))})
	if err != nil && f != p.MainFrame() { // the iframe went away, or refused: remove it
		if el, err := f.FrameElement(); err == nil {
			_, _ = el.Evaluate("e => e.remove()")
		}
	}
}
