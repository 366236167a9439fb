package scripts

import (
	"bytes"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
	"github.com/playwright-community/playwright-go"
)

// Download saves an invoice. target is
//   - an Element, or a selector: it is clicked and the browser download it starts is captured
//     (on this page or a popup). A link that opens a PDF in the browser's viewer instead works
//     too: the PDF is taken from the response (and the page goes back);
//   - a URL: absolute, or relative to the page when it starts with "/", "./", "../" or "?"; it
//     is fetched with the browser's cookies.
func (g *globalsAPI) Download(targetV, metaV goja.Value) (goja.Value, error) {
	s := g.s
	var c *call
	var loc playwright.Locator
	rawURL := ""
	if el, ok := element(targetV); ok {
		c = s.begin("download", expr(el.label))
		loc = el.loc
	} else {
		target, err := argString(targetV, "the target (a selector, an Element or a URL)")
		c = s.begin("download", target)
		if err != nil {
			defer c.end()
			return nil, c.failMsg(err, err.Error())
		}
		if looksLikeURL(target) {
			rawURL = target
		} else {
			loc = s.page.Locator(target).First()
		}
	}
	defer c.end()
	var meta Meta
	if err := s.decodeOptions(metaV, &meta, "meta"); err != nil {
		return nil, c.failMsg(err, err.Error())
	}

	var doc Document
	var err error
	if rawURL != "" {
		doc, err = s.downloadURL(c, rawURL)
	} else {
		doc, err = s.downloadClick(c, loc)
	}
	var ce *callError
	if errors.As(err, &ce) && !isElement(targetV) && rawURL == "" &&
		(strings.HasPrefix(ce.msg, "no element matched") || strings.Contains(ce.msg, "while parsing")) {
		ce.note = "to download a URL relative to the page, start it with / or ./"
	}
	if err != nil {
		return nil, err
	}
	doc.Meta = meta
	return s.save(c, doc)
}

func isElement(v goja.Value) bool {
	_, ok := element(v)
	return ok
}

// looksLikeURL tells a URL target from a selector: absolute http(s) URLs, and relative ones that
// start like a path. XPath selectors ("//a[...]") stay selectors; "../x" is taken as a URL (as an
// XPath it could only mean something inside an element).
func looksLikeURL(t string) bool {
	l := strings.ToLower(t)
	switch {
	case strings.HasPrefix(l, "http://"), strings.HasPrefix(l, "https://"):
		return true
	case strings.HasPrefix(t, "//"): // XPath; write protocol-relative URLs with their scheme
		return false
	case strings.HasPrefix(t, "/"), strings.HasPrefix(t, "./"), strings.HasPrefix(t, "../"), strings.HasPrefix(t, "?"):
		return true
	}
	return false
}

func (s *session) downloadURL(c *call, raw string) (Document, error) {
	abs, err := s.resolve(raw)
	if err != nil {
		return Document{}, c.failMsg(err, err.Error())
	}
	resp, err := await(s, func() (playwright.APIResponse, error) {
		return s.page.Request().Get(abs, playwright.APIRequestContextGetOptions{Timeout: ms(c.timeout)})
	})
	if err != nil {
		return Document{}, c.fail(err)
	}
	defer func() { _ = resp.Dispose() }()
	if st := resp.Status(); st >= 400 {
		return Document{}, c.failf(nil, "the server answered %d %s for %s", st, http.StatusText(st), abs)
	}
	body, err := await(s, resp.Body)
	if err != nil {
		return Document{}, c.fail(err)
	}
	h := resp.Headers()
	if err := checkBody(body, h["content-type"]); err != nil {
		return Document{}, c.failMsg(err, err.Error()+" from "+abs)
	}
	return Document{Data: body, SuggestedName: fileName(h["content-disposition"], resp.URL()), SourceURL: resp.URL()}, nil
}

// checkBody refuses what cannot be an invoice file: nothing, or an HTML page (typically the
// login page of an expired session). HTML receipts are saved with page.goto + savePage().
func checkBody(body []byte, contentType string) error {
	if len(body) == 0 {
		return errors.New("the server sent an empty file")
	}
	if strings.HasPrefix(strings.ToLower(contentType), "text/html") && strings.HasPrefix(http.DetectContentType(body), "text/html") {
		return errors.New("the server sent an HTML page, not a file (logged out? for HTML receipts use page.goto(url) and savePage())")
	}
	return nil
}

// fileName is the name the portal suggests: Content-Disposition's filename, or the URL's last
// path segment. It is only a hint: the archive decides the type from the content.
func fileName(disposition, rawURL string) string {
	if _, params, err := mime.ParseMediaType(disposition); err == nil && params["filename"] != "" {
		return path.Base(params["filename"])
	}
	if u, err := url.Parse(rawURL); err == nil {
		if b := path.Base(u.Path); b != "/" && b != "." {
			return b
		}
	}
	return ""
}

// downloadClick clicks loc and waits for what the click produces: a browser download, or a PDF
// opened in the viewer (a navigation or popup whose response is a PDF).
func (s *session) downloadClick(c *call, loc playwright.Locator) (Document, error) {
	got := s.dl.expect()
	defer s.dl.stop()
	deadline := time.Now().Add(c.timeout)
	err := await0(s, func() error {
		return loc.Click(playwright.LocatorClickOptions{Timeout: ms(c.timeout)})
	})
	if err != nil {
		return Document{}, s.actionError(c, loc, err, needEnabled)
	}
	left := time.Until(deadline)
	if left < time.Second {
		left = time.Second // the click itself may have used the budget; give the download a moment
	}
	timer := time.NewTimer(left)
	defer timer.Stop()
	var g grabbed
	select {
	case g = <-got:
	case <-timer.C:
		return Document{}, c.failf(playwright.ErrTimeout, "the click started no download within %s", fmtDuration(c.timeout))
	case <-s.ctx.Done():
		return Document{}, c.fail(s.ctx.Err())
	}
	if g.download != nil {
		return s.readDownload(c, g.download)
	}
	return s.readViewerPDF(c, g)
}

func (s *session) readDownload(c *call, d playwright.Download) (Document, error) {
	defer func() { _ = d.Delete() }()
	file, err := await(s, d.Path) // waits until the download finished
	if err != nil {
		if f := d.Failure(); f != nil {
			return Document{}, c.failf(err, "the download failed: %s", cleanMessage(f.Error()))
		}
		return Document{}, c.fail(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return Document{}, c.failf(err, "could not read the downloaded file: %v", err)
	}
	if len(data) == 0 {
		return Document{}, c.failf(nil, "the downloaded file is empty")
	}
	return Document{Data: data, SuggestedName: d.SuggestedFilename(), SourceURL: d.URL()}, nil
}

// readViewerPDF takes a PDF the browser displayed: the response body when Playwright has it,
// else a fetch of its URL with the browser's cookies (a second request to the portal). Then the page goes back (or the popup
// is closed) so the script's loop continues on the list it was on.
func (s *session) readViewerPDF(c *call, g grabbed) (Document, error) {
	u := g.pdf.URL()
	body, err := await(s, g.pdf.Body)
	// Chromium may hand back its viewer's HTML wrapper instead of the document: fetch it then.
	if err != nil || !bytes.HasPrefix(body, []byte("%PDF")) {
		resp, ferr := await(s, func() (playwright.APIResponse, error) {
			return s.page.Request().Get(u, playwright.APIRequestContextGetOptions{Timeout: ms(s.budget(0))})
		})
		if ferr != nil {
			return Document{}, c.fail(ferr)
		}
		body, err = await(s, resp.Body)
		_ = resp.Dispose()
		if err != nil {
			return Document{}, c.fail(err)
		}
	}
	if g.page != nil && g.page != s.page {
		_ = await0(s, func() error { return g.page.Close() })
	} else if s.page.URL() == u {
		_, _ = await(s, func() (playwright.Response, error) {
			return s.page.GoBack(playwright.PageGoBackOptions{Timeout: ms(s.budget(0))})
		})
	}
	if len(body) == 0 {
		return Document{}, c.failf(nil, "the PDF the click opened is empty")
	}
	return Document{Data: body, SuggestedName: fileName(g.pdf.Headers()["content-disposition"], u), SourceURL: u}, nil
}

// SavePage prints the current page to PDF and saves it (for HTML receipts).
func (g *globalsAPI) SavePage(metaV goja.Value) (goja.Value, error) {
	s := g.s
	c := s.begin("savePage")
	defer c.end()
	var meta Meta
	if err := s.decodeOptions(metaV, &meta, "meta"); err != nil {
		return nil, c.failMsg(err, err.Error())
	}
	pdf, err := await(s, func() ([]byte, error) {
		return s.page.PDF(playwright.PagePdfOptions{PrintBackground: playwright.Bool(true)})
	})
	if err != nil {
		return nil, c.fail(err)
	}
	title, _ := await(s, s.page.Title)
	doc := Document{Data: pdf, SuggestedName: slug(title, "page") + ".pdf", SourceURL: s.page.URL(), Meta: meta}
	return s.save(c, doc)
}

// save hands doc to the host and returns {saved, duplicate, path} to the script.
func (s *session) save(c *call, doc Document) (goja.Value, error) {
	res, err := s.host.SaveInvoice(s.ctx, doc)
	if err != nil {
		return nil, c.failf(err, "could not save the invoice: %v", err)
	}
	return s.plain(res, false), nil
}

// --- capturing downloads ---

// grabbed is what a click produced: a download, or a PDF response shown in the viewer.
type grabbed struct {
	download playwright.Download
	pdf      playwright.Response
	page     playwright.Page // where the PDF was shown
}

// downloadWatch listens for downloads on every page of the run's browser context (popups
// included) and for PDF documents opened in the viewer, and passes them to the one download()
// call waiting, if any. Its handlers run on Playwright's goroutine and never block.
type downloadWatch struct {
	bctx playwright.BrowserContext
	page playwright.Page

	mu   sync.Mutex
	want chan grabbed // non-nil while download() waits
	seen []playwright.Page

	onDownload func(playwright.Download)
	onPage     func(playwright.Page)
	onResponse func(playwright.Response)
}

func (s *session) watchDownloads() *downloadWatch {
	w := &downloadWatch{bctx: s.page.Context(), page: s.page}
	w.onDownload = func(d playwright.Download) { w.offer(grabbed{download: d}) }
	w.onPage = func(p playwright.Page) {
		w.mu.Lock()
		w.seen = append(w.seen, p)
		w.mu.Unlock()
		p.OnDownload(w.onDownload)
	}
	w.onResponse = func(r playwright.Response) {
		req := r.Request()
		if !req.IsNavigationRequest() {
			return
		}
		h := r.Headers()
		ct, disp := strings.ToLower(h["content-type"]), strings.ToLower(h["content-disposition"])
		if !strings.HasPrefix(ct, "application/pdf") || strings.HasPrefix(disp, "attachment") {
			return // attachments arrive as downloads
		}
		var p playwright.Page
		if f := req.Frame(); f != nil {
			p = f.Page()
		}
		w.offer(grabbed{pdf: r, page: p})
	}
	s.page.OnDownload(w.onDownload)
	if w.bctx != nil {
		w.bctx.OnPage(w.onPage)
		w.bctx.OnResponse(w.onResponse)
	}
	return w
}

// expect arms the watch for one download() call.
func (w *downloadWatch) expect() <-chan grabbed {
	ch := make(chan grabbed, 1)
	w.mu.Lock()
	w.want = ch
	w.mu.Unlock()
	return ch
}

func (w *downloadWatch) stop() {
	w.mu.Lock()
	w.want = nil
	w.mu.Unlock()
}

// offer passes g to the waiting download() call; with nobody waiting (a download started by
// page.click) it is ignored.
func (w *downloadWatch) offer(g grabbed) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.want == nil {
		return
	}
	select {
	case w.want <- g:
		w.want = nil // the first thing the click produced wins
	default:
	}
}

// detach removes the handlers (the context normally dies with the run anyway).
func (w *downloadWatch) detach() {
	w.stop()
	w.page.RemoveListener("download", w.onDownload)
	w.mu.Lock()
	seen := w.seen
	w.mu.Unlock()
	for _, p := range seen {
		p.RemoveListener("download", w.onDownload)
	}
	if w.bctx != nil {
		w.bctx.RemoveListener("page", w.onPage)
		w.bctx.RemoveListener("response", w.onResponse)
	}
}
