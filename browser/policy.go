package browser

import (
	"fmt"
	"net/url"
	"regexp"
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
//     without routing them.
//   - Requests: a context route aborts every request the policy refuses (file: documents, and
//     billhound's own address: navigation, fetch, form, subresource) before any connection.
//     Only URLs that can be refused are sent to Go (interceptPattern); the rest continue in
//     the driver.
//   - Documents: data:, chrome:, devtools: documents make no request a route could see, so every
//     frame navigation is checked; a refused frame is sent to about:blank, a refused popup closed.
//   - Chromium's own refusals (a page's link, location, iframe or window.open to file: or
//     chrome:, a redirect to file: or data:) only show as a console error or a failed request;
//     they are recorded too, so the script's next call fails instead of silently continuing.
//
// Every refusal goes to the run's policy (netpolicy.Policy.Blocked): it logs it and the script's
// next call takes it. Downloads of non-web URLs (data:, file:) are cancelled.

// guard applies pol to everything bc loads, from now on.
func guard(bc playwright.BrowserContext, pol *netpolicy.Policy) error {
	if err := bc.Route(interceptPattern(pol), func(r playwright.Route) {
		if err := pol.CheckURL(r.Request().URL()); err != nil {
			pol.Blocked(err)
			_ = r.Abort("blockedbyclient")
			return
		}
		_ = r.Fallback()
	}); err != nil {
		return fmt.Errorf("set up the browser's network policy: %s", firstLine(err))
	}
	bc.OnPage(func(p playwright.Page) { watchPage(p, pol) })
	// On the context, not the page: a popup's first messages come before its page event.
	bc.OnConsole(func(m playwright.ConsoleMessage) { chromiumRefused(m, pol) })
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

// interceptPattern matches the URLs the policy may refuse: any scheme but http and https, and
// billhound's own ports. It is sent to the driver as a JS RegExp too, so it uses the syntax both
// share (no lookahead). Other URLs never wait for Go.
func interceptPattern(pol *netpolicy.Policy) *regexp.Regexp {
	alts := []string{`^(?:[^h]|h[^t]|ht[^t]|htt[^p]|http[^s:]|https[^:])`}
	for _, port := range pol.OwnPorts() {
		alts = append(alts, fmt.Sprintf(`^https?://[^/?#]*:%d(?:[/?#]|$)`, port))
		switch port { // the default port needs no ":80" in the URL
		case 80:
			alts = append(alts, `^http://[^/?#]*(?:[/?#]|$)`)
		case 443:
			alts = append(alts, `^https://[^/?#]*(?:[/?#]|$)`)
		}
	}
	return regexp.MustCompile(strings.Join(alts, "|"))
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
