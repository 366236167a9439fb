package demoportal

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// The zoo: the demo account and its invoices behind the shapes real portals come in, one shape
// per path prefix (/zoo/<shape>/), so each shape is a portal URL of its own with its own bundled
// script. Each shape has its own session cookie, scoped to its path, so signing in to one shape
// signs in to no other. The zoo's form logins ask for no code, except "stacked", which asks for
// the account's TOTP code (start the demo portal with --totp-secret).

// zooShape is one shape of the zoo.
type zooShape struct {
	Key, Name, Brand string
	What             string // one sentence for the index page
	Landing          string // where a sign-in lands, under the shape's prefix
}

var zooShapes = []zooShape{
	{"spa", "Single-page app", "Nimbus Apps", "A JavaScript app: sign-in and invoices go through a JSON API; invoices download as blobs.", "/"},
	{"iframe", "Login in an iframe", "Nimbus Frames", "The sign-in form lives in an iframe of the login page.", "/invoices"},
	{"receipts", "HTML receipts", "Nimbus Shop", "No PDFs: every order has an HTML receipt page.", "/orders"},
	{"history", "Paginated history", "Nimbus Archive", "Three years of invoices, ten a page, with a date filter.", "/invoices"},
	{"terms", "Cookie banner and new terms", "Nimbus Legal", "A cookie banner, and new terms to accept after signing in.", "/invoices"},
	{"expiry", "Session that expires", "Nimbus Short", "The session ends after a few pages and downloads.", "/invoices"},
	{"botcheck", "Bot check", "Nimbus Guard", "Refuses browsers that say HeadlessChrome or navigator.webdriver.", "/invoices"},
	{"stacked", "Code below the password", "Nimbus Stack", "E-mail and password stay on screen; the code field appears below them.", "/invoices"},
	{"profile", "Profile with a password form", "Nimbus Profile", "Signing in lands on a profile page with its own change-password form.", "/profile"},
}

func zooShapeFor(key string) (zooShape, bool) {
	for _, s := range zooShapes {
		if s.Key == key {
			return s, true
		}
	}
	return zooShape{}, false
}

// base is the shape's path prefix: "/zoo/history".
func (z zooShape) base() string { return "/zoo/" + z.Key }

// zooView is what only zoo pages show.
type zooView struct {
	Base    string     // the shape's prefix
	Shapes  []zooShape // the index
	Action  string     // where the login form posts
	Quiet   bool       // the login error is a quiet line under the form, not an alert box
	Banner  string     // a site-wide notice above the form
	Pending bool       // stacked: the code field is on screen
	Frame   string     // iframe: the src of the login frame
	Probe   bool       // botcheck: the page runs the browser check
	Refused bool       // botcheck: the browser was refused; no form
	Stacked bool       // stacked: the form has the (hidden) code field and its script
	Script  string     // a script the page loads
	Page    int        // history: this page, the filter and the pager
	From    string
	Prev    string
	Next    string
	Receipt *receiptView
}

//go:embed zoo/*.js
var zooJS embed.FS

// zooPages are the zoo's own page templates, each the shared layout plus its "content".
var zooPages = func() map[string]*template.Template {
	layout := template.Must(template.ParseFS(templateFS, "templates/layout.html"))
	out := map[string]*template.Template{}
	for _, name := range []string{"invoices", "zoo_index", "zoo_login", "zoo_history", "zoo_orders", "zoo_receipt", "zoo_terms", "zoo_profile", "zoo_spa"} {
		out[name] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, "templates/"+name+".html"))
	}
	out["zoo_frame"] = template.Must(template.ParseFS(templateFS, "templates/zoo_frame.html"))
	return out
}()

// zooRender renders a zoo page with the shape's brand and navigation.
func (p *Portal) zooRender(w http.ResponseWriter, r *http.Request, status int, z zooShape, page string, v view) {
	v.Brand, v.Home, v.Zoo.Base = z.Brand, z.base()+"/", z.base()
	if v.User != "" && v.Links == nil {
		v.Links = zooNav(z, r.URL.Path)
	}
	if z.Key == "terms" && !p.cookieConsent(r) {
		v.Cookies, v.Back = z.base()+"/cookies", r.URL.RequestURI()
	}
	p.renderWith(w, status, zooPages[page], v)
}

func zooNav(z zooShape, current string) []navLink {
	var links []navLink
	switch z.Key {
	case "receipts":
		links = append(links, navLink{Href: z.base() + "/orders", Label: "Orders"})
	case "profile":
		links = append(links, navLink{Href: z.base() + "/profile", Label: "Profile"}, navLink{Href: z.base() + "/invoices", Label: "Invoices"})
	default:
		links = append(links, navLink{Href: z.base() + "/invoices", Label: "Invoices"})
	}
	for i := range links {
		links[i].Current = strings.HasPrefix(current, links[i].Href)
	}
	return append(links, navLink{Href: z.base() + "/logout", Label: "Sign out"})
}

func (p *Portal) zooRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /zoo/{$}", p.handleZooIndex)
	m.HandleFunc("GET /zoo/{shape}/{$}", p.handleZooRoot)
	m.HandleFunc("GET /zoo/{shape}/login", p.handleZooLoginPage)
	m.HandleFunc("POST /zoo/{shape}/login", p.handleZooLogin)
	m.HandleFunc("GET /zoo/{shape}/logout", p.handleZooLogout)
	m.HandleFunc("GET /zoo/{shape}/invoices", p.zooAuth(p.handleZooInvoices))
	m.HandleFunc("GET /zoo/{shape}/invoices/{file}", p.zooAuth(p.handleZooPDF))
	m.HandleFunc("GET /zoo/{shape}/app.js", handleZooJS)
	p.zooShapeRoutes(m)
}

func handleZooJS(w http.ResponseWriter, r *http.Request) {
	js, err := zooJS.ReadFile("zoo/" + r.PathValue("shape") + ".js")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(js)
}

func (p *Portal) handleZooIndex(w http.ResponseWriter, r *http.Request) {
	v := view{Title: "The zoo", Brand: p.name, Zoo: zooView{Shapes: zooShapes}}
	p.renderWith(w, http.StatusOK, zooPages["zoo_index"], v)
}

// shape returns the request's zoo shape, answering 404 for an unknown one.
func (p *Portal) shape(w http.ResponseWriter, r *http.Request) (zooShape, bool) {
	key := r.PathValue("shape")
	if key == "" { // a route of one shape: /zoo/history/invoices
		key, _, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/zoo/"), "/")
	}
	z, ok := zooShapeFor(key)
	if !ok {
		p.handleNotFound(w, r)
	}
	return z, ok
}

func (p *Portal) handleZooRoot(w http.ResponseWriter, r *http.Request) {
	z, ok := p.shape(w, r)
	if !ok {
		return
	}
	if _, in := p.zooUser(r, z); in {
		http.Redirect(w, r, z.base()+z.Landing, http.StatusFound)
		return
	}
	http.Redirect(w, r, z.base()+"/login", http.StatusFound)
}

// zooAuth lets signed-in requests through to h and sends others to the shape's login page
// (remembering where they were going). It also plays the shapes' rules: an expiring session
// counts down, and an account that has not accepted the new terms sees nothing but them.
func (p *Portal) zooAuth(h func(http.ResponseWriter, *http.Request, zooShape, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		z, ok := p.shape(w, r)
		if !ok {
			return
		}
		user, status := p.zooGate(r, z)
		switch status {
		case gateOut, gateExpired:
			target := z.base() + "/login?next=" + url.QueryEscape(r.URL.RequestURI())
			if status == gateExpired {
				target += "&expired=1"
			}
			http.Redirect(w, r, target, http.StatusFound)
		case gateTerms:
			http.Redirect(w, r, z.base()+"/terms", http.StatusFound)
		default:
			h(w, r, z, user)
		}
	}
}

func (p *Portal) handleZooInvoices(w http.ResponseWriter, r *http.Request, z zooShape, user string) {
	if z.Key == "history" || z.Key == "spa" || z.Key == "receipts" {
		p.handleNotFound(w, r) // these shapes list invoices their own way
		return
	}
	p.zooRender(w, r, http.StatusOK, z, "invoices", view{Title: "Invoices", User: user,
		Invoices: rowsUnder(z.base(), invoicesFor(user, p.now()))})
}

// zooInvoices is every invoice a shape has: three years for the paginated history.
func (p *Portal) zooInvoices(z zooShape, user string) []Invoice {
	if z.Key == "history" {
		return invoicesOver(user, p.now(), historyMonths)
	}
	if z.Key == "receipts" {
		return invoicesOver(user, p.now(), receiptMonths)
	}
	return invoicesFor(user, p.now())
}

func (p *Portal) handleZooPDF(w http.ResponseWriter, r *http.Request, z zooShape, user string) {
	number, _ := strings.CutSuffix(r.PathValue("file"), ".pdf")
	p.servePDF(w, r, z.Brand, user, p.zooInvoices(z, user), number)
}
