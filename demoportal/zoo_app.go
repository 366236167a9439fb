package demoportal

import (
	"encoding/json"
	"net/http"
	"strings"
)

// The zoo's JavaScript shapes: "spa", a single-page app over a JSON API, and "stacked", whose
// login form keeps e-mail and password on screen and adds the code field below them.

func (p *Portal) zooAppRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /zoo/spa/{$}", p.handleSPAShell)
	m.HandleFunc("GET /zoo/spa/login", p.handleSPAShell)
	m.HandleFunc("GET /zoo/spa/invoices", p.handleSPAShell)
	m.HandleFunc("GET /zoo/spa/api/me", p.spaAPI(func(w http.ResponseWriter, r *http.Request, z zooShape, user string) {
		writeJSON(w, http.StatusOK, map[string]string{"user": user})
	}))
	m.HandleFunc("POST /zoo/spa/api/session", p.handleSPASignIn)
	m.HandleFunc("DELETE /zoo/spa/api/session", p.handleSPASignOut)
	m.HandleFunc("GET /zoo/spa/api/invoices", p.spaAPI(p.handleSPAInvoices))
	m.HandleFunc("GET /zoo/spa/api/invoices/{number}/file", p.spaAPI(p.handleSPAFile))
	m.HandleFunc("POST /zoo/stacked/api/login", p.handleStackedLogin)
}

// handleSPAShell is the app's only page: everything on it is drawn by app.js.
func (p *Portal) handleSPAShell(w http.ResponseWriter, r *http.Request) {
	z, _ := zooShapeFor("spa")
	v := view{Title: "Billing"}
	if p.demoHint {
		v.DemoUser, v.DemoPassword = DefaultUsername, DefaultPassword
	}
	p.zooRender(w, r, http.StatusOK, z, "zoo_spa", v)
}

// spaAPI answers 401 JSON to signed-out calls, as APIs do (no redirect to a login page).
func (p *Portal) spaAPI(h func(http.ResponseWriter, *http.Request, zooShape, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		z, _ := zooShapeFor("spa")
		user, ok := p.zooUser(r, z)
		if !ok {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Sign in first."})
			return
		}
		h(w, r, z, user)
	}
}

type credentialsJSON struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Code     string `json:"code"`
}

func readCredentials(w http.ResponseWriter, r *http.Request) (credentialsJSON, bool) {
	var c credentialsJSON
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&c)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Send JSON: {\"email\": ..., \"password\": ...}."})
	}
	return c, err == nil
}

func (p *Portal) handleSPASignIn(w http.ResponseWriter, r *http.Request) {
	z, _ := zooShapeFor("spa")
	c, ok := readCredentials(w, r)
	if !ok {
		return
	}
	p.mu.Lock()
	a := p.checkPasswordLocked(c.Email, c.Password)
	p.mu.Unlock()
	if a == nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": msgZooBadLogin})
		return
	}
	p.zooSignIn(w, r, z, a.username)
	writeJSON(w, http.StatusOK, map[string]string{"user": a.username})
}

func (p *Portal) handleSPASignOut(w http.ResponseWriter, r *http.Request) {
	z, _ := zooShapeFor("spa")
	p.mu.Lock()
	if s := p.zooSessionLocked(r, z); s != nil {
		delete(p.zoo.sessions, s.id)
	}
	p.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: zooCookie(z), Value: "", Path: z.base() + "/", MaxAge: -1, HttpOnly: true})
	w.WriteHeader(http.StatusNoContent)
}

// invoiceJSON is one invoice as the app's API lists it.
type invoiceJSON struct {
	Number   string  `json:"number"`
	Date     string  `json:"date"` // 2026-03-01
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
	Display  string  `json:"display"` // as the app shows it: "1.234,56 €"
	Title    string  `json:"title"`
	File     string  `json:"file"` // the PDF, behind the session cookie
}

func (p *Portal) handleSPAInvoices(w http.ResponseWriter, r *http.Request, z zooShape, user string) {
	out := []invoiceJSON{}
	for _, inv := range p.zooInvoices(z, user) {
		out = append(out, invoiceJSON{
			Number: inv.Number, Date: inv.Date.Format("2006-01-02"), Amount: float64(inv.Cents) / 100,
			Currency: "EUR", Display: inv.Amount, Title: description(inv),
			File: z.base() + "/api/invoices/" + inv.Number + "/file",
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"invoices": out})
}

func (p *Portal) handleSPAFile(w http.ResponseWriter, r *http.Request, z zooShape, user string) {
	p.servePDF(w, r, z.Brand, user, p.zooInvoices(z, user), r.PathValue("number"))
}

// handleStackedLogin checks e-mail and password, then (for an account with 2FA) asks for the
// code: the page keeps both fields and shows the code field below them. Every attempt sends all
// three, as such apps do.
func (p *Portal) handleStackedLogin(w http.ResponseWriter, r *http.Request) {
	z, _ := zooShapeFor("stacked")
	c, ok := readCredentials(w, r)
	if !ok {
		return
	}
	p.mu.Lock()
	a := p.checkPasswordLocked(c.Email, c.Password)
	var res codeResult = codeOK
	if a != nil && a.secret != "" {
		if strings.TrimSpace(c.Code) == "" {
			p.mu.Unlock()
			writeJSON(w, http.StatusOK, map[string]string{"step": "code"})
			return
		}
		res = p.checkCodeLocked(a, a.secret, c.Code)
	}
	p.mu.Unlock()
	switch {
	case a == nil:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": msgZooBadLogin})
	case res == codeReused:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": msgReusedCode, "step": "code"})
	case res != codeOK:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "That code is not valid. Enter the current code from your authenticator app.", "step": "code"})
	default:
		p.zooSignIn(w, r, z, a.username)
		writeJSON(w, http.StatusOK, map[string]string{"location": z.base() + z.Landing})
	}
}
