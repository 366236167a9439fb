package scripts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
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
	res, err := s.httpDo(httpRequest{method: "GET", url: abs, what: "the download", timeout: c.timeout})
	if err != nil {
		return Document{}, c.fail(err)
	}
	if st := res.status; st >= 400 {
		return Document{}, c.failf(nil, "the server answered %d %s for %s", st, http.StatusText(st), abs)
	}
	if err := checkBody(res.body, res.header.Get("Content-Type")); err != nil {
		s.files.remove(res.body.path)
		return Document{}, c.failMsg(err, err.Error()+" from "+abs)
	}
	return Document{File: res.body.path, SuggestedName: fileName(res.header.Get("Content-Disposition"), res.url), SourceURL: res.url}, nil
}

// checkBody refuses what cannot be an invoice file: nothing, or an HTML page (typically the
// login page of an expired session). HTML receipts are saved with page.goto + savePage().
func checkBody(body *spooled, contentType string) error {
	if body.size == 0 {
		return errors.New("the server sent an empty file")
	}
	if strings.HasPrefix(strings.ToLower(contentType), "text/html") && strings.HasPrefix(http.DetectContentType(body.head), "text/html") {
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

// readDownload waits for a browser download to finish and hands over the file Playwright saved,
// without reading it: the archive copies it from disk. Playwright reports no progress, so the
// size cap is checked once the file is complete.
func (s *session) readDownload(c *call, d playwright.Download) (Document, error) {
	file, err := await(s, d.Path) // waits until the download finished
	if refusedAsRemote(err) {
		return s.streamDownload(c, d)
	}
	if err != nil {
		_ = d.Delete()
		if f := d.Failure(); f != nil {
			return Document{}, c.failf(err, "the download failed: %s", cleanMessage(f.Error()))
		}
		return Document{}, c.fail(err)
	}
	if _, err := s.files.checkSize(file, "the download"); err != nil {
		_ = d.Delete()
		return Document{}, c.failMsg(err, err.Error())
	}
	// Keep a copy of our own under the run's folder: Playwright deletes its file with the
	// context. Copied here, not by the driver (SaveAs): one round trip less per download.
	// Delete() right away keeps its download folder from growing during a run; nothing
	// waits for it.
	into, err := s.files.create("download-*")
	if err == nil {
		err = copyInto(into, file)
	}
	go func() { _ = d.Delete() }()
	if err != nil {
		if into != nil {
			s.files.remove(into.Name())
		}
		return Document{}, c.failf(err, "could not keep the downloaded file: %s", describe(err, c.timeout))
	}
	size, err := s.files.checkSize(into.Name(), "the download")
	if err == nil && size == 0 {
		err = errors.New("the downloaded file is empty")
	}
	if err != nil {
		s.files.remove(into.Name())
		return Document{}, c.failMsg(err, err.Error())
	}
	return Document{File: into.Name(), SuggestedName: d.SuggestedFilename(), SourceURL: d.URL()}, nil
}

// copyInto copies the file at path into f and closes f.
func copyInto(f *os.File, path string) error {
	defer f.Close()
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	if _, err := io.Copy(f, src); err != nil {
		return err
	}
	return f.Close()
}

// readViewerPDF takes a PDF the browser displayed: the response body when Playwright has it and
// it is within the cap, else a streamed fetch of its URL with the browser's cookies (a second
// request to the portal). Then the page goes back (or the popup is closed) so the script's loop
// continues on the list it was on.
func (s *session) readViewerPDF(c *call, g grabbed) (Document, error) {
	u := g.pdf.URL()
	h := g.pdf.Headers()
	doc := Document{SuggestedName: fileName(h["content-disposition"], u), SourceURL: u}
	var err error
	if n, lerr := strconv.ParseInt(h["content-length"], 10, 64); lerr == nil && n > s.files.max {
		err = s.files.tooLarge("the PDF the click opened")
	} else {
		doc.File, err = s.viewerBody(c, g.pdf, lerr == nil)
	}
	if g.page != nil && g.page != s.page {
		_ = await0(s, func() error { return g.page.Close() })
	} else if s.page.URL() == u {
		_, _ = await(s, func() (playwright.Response, error) {
			return s.page.GoBack(playwright.PageGoBackOptions{Timeout: ms(s.budget(0))})
		})
	}
	if err != nil {
		return Document{}, c.failMsg(err, describe(err, c.timeout))
	}
	return doc, nil
}

// viewerBody writes the body of a PDF shown in the viewer to a file of the run. Playwright hands
// a response body over whole, so it is only asked for when its length is known to be within
// the cap; otherwise the URL is fetched again, streamed.
func (s *session) viewerBody(c *call, r playwright.Response, lengthKnown bool) (string, error) {
	if lengthKnown {
		body, err := await(s, r.Body)
		// Chromium may hand back its viewer's HTML wrapper instead of the document.
		if err == nil && bytes.HasPrefix(body, []byte("%PDF")) {
			sp, err := s.files.spool(bytes.NewReader(body), "the PDF the click opened")
			if err != nil {
				return "", err
			}
			return sp.path, nil
		}
	}
	res, err := s.httpDo(httpRequest{method: "GET", url: r.URL(), what: "the PDF the click opened", timeout: s.budget(0)})
	if err != nil {
		return "", err
	}
	if res.status >= 400 {
		return "", fmt.Errorf("the server answered %d %s for %s", res.status, http.StatusText(res.status), r.URL())
	}
	if res.body.size == 0 {
		s.files.remove(res.body.path)
		return "", errors.New("the PDF the click opened is empty")
	}
	return res.body.path, nil
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
	s.files.remove(doc.File) // archived (copied) or refused: either way no longer needed
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
