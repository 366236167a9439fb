package browser

import (
	"fmt"
	"strings"
	"sync"

	"github.com/playwright-community/playwright-go"

	"billhound/netpolicy"
)

// The requests the proxy never sees are those of URLs that are not http(s): file:, chrome:,
// devtools: and the like. Each page of a context has them paused in Chromium (the DevTools
// Fetch domain on the page's own session, with URL patterns) and refused when the policy
// refuses them, before anything is read. A Playwright route did that before, at a price on
// every request: Playwright pauses all of a routed context's requests in Chromium, whatever the
// route's pattern, and turns the context's HTTP cache off. With patterns, Chromium pauses only
// the non-web requests, and http(s) never waits for anyone but the proxy.
//
// A page's guard is on once NewPage returns (the script's page) or shortly after a popup
// opened: a popup's own first load is the page's doing, which Chromium refuses by itself for
// non-web URLs (see chromiumRefused), as it does in out-of-process iframes.

// pageGuards keeps the guard of every page of one context.
type pageGuards struct {
	bc  playwright.BrowserContext
	pol *netpolicy.Policy

	mu    sync.Mutex
	pages map[playwright.Page]*pageGuard
}

type pageGuard struct {
	once sync.Once
	err  error
}

// contextGuards finds a context's pageGuards for NewPage.
var contextGuards sync.Map // playwright.BrowserContext -> *pageGuards

func newPageGuards(bc playwright.BrowserContext, pol *netpolicy.Policy) *pageGuards {
	g := &pageGuards{bc: bc, pol: pol, pages: map[playwright.Page]*pageGuard{}}
	contextGuards.Store(bc, g)
	bc.OnClose(func(playwright.BrowserContext) { contextGuards.Delete(bc) })
	return g
}

// NewPage opens a page in a context of this package whose guard against non-web URLs is on
// before the page is used. Use it, not bc.NewPage, for a page Go code navigates.
func NewPage(bc playwright.BrowserContext) (playwright.Page, error) {
	p, err := bc.NewPage()
	if err != nil {
		return nil, err
	}
	g, ok := contextGuards.Load(bc)
	if !ok {
		return p, nil // not one of ours (a bare Playwright context)
	}
	if err := g.(*pageGuards).ensure(p); err != nil {
		_ = p.Close()
		return nil, fmt.Errorf("set up the browser's network policy: %s", firstLine(err))
	}
	return p, nil
}

// ensure turns p's guard on once; every caller waits until it is.
func (g *pageGuards) ensure(p playwright.Page) error {
	g.mu.Lock()
	pg := g.pages[p]
	if pg == nil {
		pg = &pageGuard{}
		g.pages[p] = pg
		p.OnClose(func(playwright.Page) {
			g.mu.Lock()
			delete(g.pages, p)
			g.mu.Unlock()
		})
	}
	g.mu.Unlock()
	pg.once.Do(func() { pg.err = g.enable(p) })
	return pg.err
}

func (g *pageGuards) enable(p playwright.Page) error {
	s, err := g.bc.NewCDPSession(p)
	if err != nil {
		return err
	}
	// Events come on the driver's event loop: answering waits for the driver, so not there.
	s.On("Fetch.requestPaused", func(ev map[string]any) { go g.paused(s, ev) })
	_, err = s.Send("Fetch.enable", map[string]any{"patterns": nonWebPatterns})
	return err
}

// paused refuses or lets go one paused request.
func (g *pageGuards) paused(s playwright.CDPSession, ev map[string]any) {
	id, _ := ev["requestId"].(string)
	req, _ := ev["request"].(map[string]any)
	u, _ := req["url"].(string)
	if err := g.pol.CheckURL(u); err != nil {
		g.pol.Blocked(err)
		_, _ = s.Send("Fetch.failRequest", map[string]any{"requestId": id, "errorReason": "BlockedByClient"})
		return
	}
	_, _ = s.Send("Fetch.continueRequest", map[string]any{"requestId": id})
}

// nonWebPatterns match every URL that does not start with "http:" or "https:" (the Fetch
// domain's patterns are globs, which cannot say "not"): each prefix of "https:" followed by any
// character a URL's scheme can have there but the one that continues toward http: or https:.
// Chromium hands over URLs with their scheme in lower case.
var nonWebPatterns = func() []map[string]any {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789+-.:"
	var pats []map[string]any
	for i, next := range []string{"h", "t", "t", "p", "s:", ":"} {
		prefix := "https"[:i]
		for _, c := range chars {
			if !strings.ContainsRune(next, c) {
				pats = append(pats, map[string]any{"urlPattern": prefix + string(c) + "*", "requestStage": "Request"})
			}
		}
	}
	return pats
}()
