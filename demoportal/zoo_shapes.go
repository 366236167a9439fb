package demoportal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const (
	historyMonths   = 36 // the paginated history reaches three years back
	historyPageSize = 10
	receiptMonths   = 6 // the shop keeps receipts of its last six orders
)

func (p *Portal) zooShapeRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /zoo/iframe/frame", p.handleZooFrame)
	m.HandleFunc("GET /zoo/receipts/orders", p.zooAuth(p.handleZooOrders))
	m.HandleFunc("GET /zoo/receipts/orders/{number}", p.zooAuth(p.handleZooReceipt))
	m.HandleFunc("GET /zoo/history/invoices", p.zooAuth(p.handleZooHistory))
	m.HandleFunc("GET /zoo/terms/terms", p.zooAuth(p.handleZooTerms))
	m.HandleFunc("POST /zoo/terms/terms", p.zooAuth(p.handleZooAccept))
	m.HandleFunc("POST /zoo/terms/cookies", p.handleZooCookies)
	m.HandleFunc("GET /zoo/profile/profile", p.zooAuth(p.handleZooProfile))
	m.HandleFunc("POST /zoo/profile/profile", p.zooAuth(p.handleZooChangePassword))
	p.zooAppRoutes(m)
}

// handleZooFrame is the login form inside the iframe. It may be framed by its own site only, and
// posts to the top window, as embedded sign-in widgets do.
func (p *Portal) handleZooFrame(w http.ResponseWriter, r *http.Request) {
	z, _ := zooShapeFor("iframe")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'self'")
	v := view{Title: "Sign in", Brand: z.Brand, Zoo: zooView{Base: z.base(), Action: z.base() + "/login"}}
	if r.URL.Query().Has("error") {
		v.Error = msgZooBadLogin
	}
	p.renderWith(w, http.StatusOK, zooPages["zoo_frame"], v)
}

func (p *Portal) handleZooOrders(w http.ResponseWriter, r *http.Request, z zooShape, user string) {
	rs := rowsUnder(z.base(), p.zooInvoices(z, user))
	for i := range rs {
		rs[i].PDF = z.base() + "/orders/" + rs[i].Number // the receipt page, not a file
	}
	p.zooRender(w, r, http.StatusOK, z, "zoo_orders", view{Title: "Orders", User: user, Invoices: rs})
}

// receiptView is one HTML receipt.
type receiptView struct {
	Number, Date, Description, Net, VAT, Total string
}

func (p *Portal) handleZooReceipt(w http.ResponseWriter, r *http.Request, z zooShape, user string) {
	for _, inv := range p.zooInvoices(z, user) {
		if inv.Number != r.PathValue("number") {
			continue
		}
		net := (inv.Cents*100 + 59) / 119 // 19 % VAT included, as on the PDFs
		v := view{Title: "Receipt " + inv.Number, User: user, Zoo: zooView{Receipt: &receiptView{
			Number: inv.Number, Date: inv.Date.Format("02.01.2006"), Description: description(inv),
			Net: formatEUR(net), VAT: formatEUR(inv.Cents - net), Total: inv.Amount,
		}}}
		p.zooRender(w, r, http.StatusOK, z, "zoo_receipt", v)
		return
	}
	p.zooRender(w, r, http.StatusNotFound, z, "zoo_receipt", view{Title: "Receipt not found", User: user})
}

// handleZooHistory lists invoices newest first, historyPageSize a page, from an optional date
// on (?from=2025-01-01), with links to newer and older pages.
func (p *Portal) handleZooHistory(w http.ResponseWriter, r *http.Request, z zooShape, user string) {
	q := r.URL.Query()
	invs := p.zooInvoices(z, user)
	v := view{Title: "Invoices", User: user}
	if from := q.Get("from"); from != "" {
		t, err := time.Parse("2006-01-02", from)
		if err != nil {
			v.Error = "Enter the date as YYYY-MM-DD."
		} else {
			v.Zoo.From = from
			kept := invs[:0:0]
			for _, inv := range invs {
				if !inv.Date.Before(t) {
					kept = append(kept, inv)
				}
			}
			invs = kept
		}
	}
	page, _ := strconv.Atoi(q.Get("page"))
	pages := max(1, (len(invs)+historyPageSize-1)/historyPageSize)
	page = min(max(page, 1), pages)
	link := func(n int) string {
		u := url.Values{"page": {strconv.Itoa(n)}}
		if v.Zoo.From != "" {
			u.Set("from", v.Zoo.From)
		}
		return z.base() + "/invoices?" + u.Encode()
	}
	if page > 1 {
		v.Zoo.Prev = link(page - 1)
	}
	if page < pages {
		v.Zoo.Next = link(page + 1)
	}
	v.Zoo.Page = page
	end := min(page*historyPageSize, len(invs))
	v.Invoices = rowsUnder(z.base(), invs[(page-1)*historyPageSize:end])
	v.Notice = fmt.Sprintf("Page %d of %d · %d invoices", page, pages, len(invs))
	p.zooRender(w, r, http.StatusOK, z, "zoo_history", v)
}

func (p *Portal) handleZooTerms(w http.ResponseWriter, r *http.Request, z zooShape, user string) {
	p.zooRender(w, r, http.StatusOK, z, "zoo_terms", view{Title: "New terms of service", User: user, Links: []navLink{{Href: z.base() + "/logout", Label: "Sign out"}}})
}

func (p *Portal) handleZooAccept(w http.ResponseWriter, r *http.Request, z zooShape, user string) {
	if r.PostFormValue("accept") != "yes" {
		p.zooRender(w, r, http.StatusOK, z, "zoo_terms", view{Title: "New terms of service", User: user,
			Error: "Tick the box to accept the new terms.", Links: []navLink{{Href: z.base() + "/logout", Label: "Sign out"}}})
		return
	}
	p.mu.Lock()
	p.zoo.accepted[user] = true
	p.mu.Unlock()
	http.Redirect(w, r, z.base()+z.Landing, http.StatusSeeOther)
}

// handleZooCookies answers the cookie banner: either choice hides it for a year.
func (p *Portal) handleZooCookies(w http.ResponseWriter, r *http.Request) {
	choice := r.PostFormValue("consent")
	if choice != "all" && choice != "necessary" {
		http.Error(w, "choose all or necessary", http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: consentCookie, Value: choice, Path: "/zoo/terms/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	back := r.PostFormValue("back")
	if len(back) < 11 || back[:11] != "/zoo/terms/" {
		back = "/zoo/terms/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// handleZooProfile is the page a sign-in lands on: the account's details and a form to change
// the password (current, new, repeat), the kind of page a login heuristic can mistake for the
// login form.
func (p *Portal) handleZooProfile(w http.ResponseWriter, r *http.Request, z zooShape, user string) {
	v := view{Title: "Profile", User: user}
	if r.URL.Query().Has("changed") {
		v.Notice = "Your password was changed."
	}
	p.zooRender(w, r, http.StatusOK, z, "zoo_profile", v)
}

func (p *Portal) handleZooChangePassword(w http.ResponseWriter, r *http.Request, z zooShape, user string) {
	cur, next, again := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("repeat")
	msg := ""
	p.mu.Lock()
	a := p.accounts[user]
	switch {
	case p.checkPasswordLocked(user, cur) == nil:
		msg = "Your current password is not correct."
	case len(next) < 8:
		msg = "The new password needs at least 8 characters."
	case next != again:
		msg = "The new passwords do not match."
	default:
		a.password = next
	}
	p.mu.Unlock()
	if msg != "" {
		p.zooRender(w, r, http.StatusOK, z, "zoo_profile", view{Title: "Profile", User: user, Error: msg})
		return
	}
	http.Redirect(w, r, z.base()+"/profile?changed=1", http.StatusSeeOther)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
