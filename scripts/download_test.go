package scripts

import (
	"strings"
	"testing"
)

// login is the part of the test scripts that signs in with selectors (code: the fixed TOTP).
const login = `
page.goto("/login");
page.fill("#email", credentials.username);
page.fill("#password", credentials.password);
page.click("button[type=submit]");
page.fill("input[autocomplete=one-time-code]", totp());
page.click("form button");
page.waitForURL("/invoices");
`

func TestDownload(t *testing.T) {
	site := newSite(t)
	h := mustRun(t, asserts+login+`
// by selector
let r = download("table.invoices tbody tr:nth-child(1) a.pdf", {id: "INV-1001", date: new Date(2024, 0, 31), amount: 12.5, currency: "EUR"});
eq(r, {saved: true, duplicate: false, path: "archive/1-INV-1001.pdf"}, "download by selector");
// by Element
const row = page.all("table.invoices tbody tr")[1];
r = download(row.find("a.pdf"), {id: row.find("td.number").text(), date: row.find("td.date").text(), amount: row.find("td.amount").text(), title: "February"});
ok(r.saved && !r.duplicate, "download by Element");
// by URL, relative to the page; the file needs the session cookie (403 without it)
r = download("/files/INV-1003.pdf", {id: "INV-1003"});
ok(r.saved, "download by relative URL");
r = download(portal.url + "/files/INV-1003.pdf", {id: "INV-1003"});
eq(r.duplicate, true, "download by absolute URL, already saved");
// a link opening the PDF in the browser's viewer
r = download(page.all("a.view")[0], {id: "INV-1001-view"});
ok(r.saved, "download of a PDF shown in the viewer");
ok(page.url().endsWith("/invoices"), "back on the list after the viewer: " + page.url());
// a link with target=_blank
r = download(page.all("a.tab")[2], {id: "INV-1003-tab"});
ok(r.saved, "download from a popup");
// errors
throws(() => download("/nowhere.pdf"), "the server answered 404 Not Found");
throws(() => download("a.pdf", {number: 1}), 'meta has no field "number" (known: amount, currency, date, id, title)');
throws(() => download("/login"), "HTML page");
r = savePage({id: "page-1", title: "Invoice list"});
ok(r.saved, "savePage");
`, runOpts{base: site.URL})

	if len(h.saved) != 6 {
		t.Fatalf("saved %d documents, want 6", len(h.saved))
	}
	byID := map[string]Document{}
	for _, d := range h.saved {
		byID[d.Meta.ID] = d
	}
	want := map[string]struct{ name, source string }{
		"INV-1001":      {"INV-1001.pdf", site.URL + "/files/INV-1001.pdf"},
		"INV-1002":      {"INV-1002.pdf", site.URL + "/files/INV-1002.pdf"},
		"INV-1003":      {"INV-1003.pdf", site.URL + "/files/INV-1003.pdf"},
		"INV-1001-view": {"INV-1001.pdf", site.URL + "/inline/INV-1001.pdf"},
		"INV-1003-tab":  {"INV-1003.pdf", site.URL + "/files/INV-1003.pdf"},
	}
	for id, w := range want {
		d, ok := byID[id]
		if !ok {
			t.Errorf("%s was not saved", id)
			continue
		}
		inv := strings.TrimSuffix(strings.TrimSuffix(id, "-view"), "-tab")
		if string(d.Data) != string(pdfBytes(inv)) {
			t.Errorf("%s: data %q is not the invoice's PDF", id, d.Data)
		}
		if d.SuggestedName != w.name || d.SourceURL != w.source {
			t.Errorf("%s: name %q source %q, want %q %q", id, d.SuggestedName, d.SourceURL, w.name, w.source)
		}
	}
	m := byID["INV-1001"].Meta
	if !strings.HasPrefix(m.Date, "2024-01-31T00:00:00") || m.Amount != "12.5" || m.Currency != "EUR" {
		t.Errorf("meta from a Date and a number = %+v", m)
	}
	m = byID["INV-1002"].Meta
	if m.Date != "2024-02-29" || m.Amount != "13,00 €" || m.Title != "February" {
		t.Errorf("meta from strings = %+v", m)
	}
	if p := byID["page-1"]; !strings.HasPrefix(string(p.Data), "%PDF") || p.SuggestedName != "invoices.pdf" || p.Meta.Title != "Invoice list" {
		t.Errorf("savePage saved %q (%d bytes) %+v", p.SuggestedName, len(p.Data), p.Meta)
	}
}

// TestDownloadNeedsCookies proves URL downloads use the browser's cookies: the same URL fails
// before the login and works after it.
func TestDownloadNeedsCookies(t *testing.T) {
	site := newSite(t)
	h := mustRun(t, asserts+`
page.goto("/login");
throws(() => download("/files/INV-1001.pdf"), "the server answered 403 Forbidden for `+site.URL+`/files/INV-1001.pdf");
`+login+`
ok(download("/files/INV-1001.pdf", {id: "1"}).saved, "after login");
`, runOpts{base: site.URL})
	if len(h.saved) != 1 {
		t.Fatalf("saved %d", len(h.saved))
	}
}

// TestContractExample runs the example of SCRIPT_API.md, adapted to the test portal's selectors.
func TestContractExample(t *testing.T) {
	site := newSite(t)
	h := newHost()
	h.known["INV-1002"] = true // archived by an earlier run
	mustRun(t, `
page.goto("`+site.URL+`/login");
page.fill("#email", credentials.username);
page.fill("#password", credentials.password);
page.click("button[type=submit]");
page.fill("input[autocomplete=one-time-code]", totp());
page.click("button[type=submit]");
page.goto("`+site.URL+`/invoices");
for (const row of page.all("table.invoices tbody tr")) {
  const id = row.find("td.number").text();
  if (known(id)) continue;
  download(row.find("a.pdf"), { id: id, date: row.find("td.date").text() });
}
`, runOpts{base: site.URL, host: h})
	var ids []string
	for _, d := range h.saved {
		ids = append(ids, d.Meta.ID+"@"+d.Meta.Date)
	}
	if got := strings.Join(ids, " "); got != "INV-1001@2024-01-31 INV-1003@2024-03-31" {
		t.Errorf("saved %s", got)
	}
	if h.codes != 1 {
		t.Errorf("totp() asked the host %d times", h.codes)
	}
}
