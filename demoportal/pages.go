package demoportal

import (
	"bytes"
	"embed"
	"html/template"
	"log"
	"net/http"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed style.css
var styleCSS []byte

//go:embed boxes.js
var boxesJS []byte

// view is everything any page shows; each template uses its part.
type view struct {
	Brand  string
	Title  string
	User   string // signed-in username; "" shows no navigation
	Nav    string // current section for aria-current: "account", "invoices", "security"
	Error  string // shown as <p class="error" role="alert">; scripts test for .error
	Notice string

	// login
	Username, Next         string
	DemoUser, DemoPassword string // the default credentials, shown only on the default portal

	// security
	TwoFAOn       bool
	SetupID       string
	SecretGroups  string
	QRURL         string
	SetupSeconds  int
	RecoveryCodes []string // shown once, right after enabling
	RecoveryLeft  int

	// challenge: the picture's URL
	ChallengeImage string
	// second factors sent by SMS or e-mail, or approved in the app
	Sent     string // "We sent a code by SMS to …"
	Approval string
	Pending  []string

	// account and invoices
	Invoices []invoiceRow

	// the zoo (zoo.go): its own home, navigation and cookie banner
	Home    string    // where the brand links; "" is "/"
	Links   []navLink // the navigation of a signed-in zoo page
	Cookies string    // where the cookie banner posts; "" shows none
	Back    string    // the page the banner returns to
	Zoo     zooView
	// code-boxes: the boxes' numbers, 1 to 6
	Digits []int
}

// navLink is one link of a zoo page's navigation.
type navLink struct {
	Href, Label string
	Current     bool
}

// pages holds one template per page, each the layout plus that page's "content".
var pages = func() map[string]*template.Template {
	layout := template.Must(template.ParseFS(templateFS, "templates/layout.html"))
	out := map[string]*template.Template{}
	for _, name := range []string{"login", "code", "recovery", "account", "security", "invoices", "notfound", "challenge", "approve", "app", "login-email", "login-password", "code-boxes"} {
		out[name] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, "templates/"+name+".html"))
	}
	return out
}()

// render writes a page. It renders into a buffer first so a template error never leaves half a
// page behind a 200.
func (p *Portal) render(w http.ResponseWriter, status int, page string, v view) {
	v.Brand = p.name
	if page == "code-boxes" {
		v.Digits = []int{1, 2, 3, 4, 5, 6}
	}
	p.renderWith(w, status, pages[page], v)
}

// renderWith renders the template's "layout" (or, for a page without one, the template itself).
func (p *Portal) renderWith(w http.ResponseWriter, status int, t *template.Template, v view) {
	var buf bytes.Buffer
	name := "layout"
	if t.Lookup(name) == nil {
		name = t.Name()
	}
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		log.Printf("demoportal: render %s: %v", t.Name(), err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show account data; keep them out of caches and the back-forward cache.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func handleStyle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(styleCSS)
}
