package demoportal

import "net/http"

// handleAccount is the dashboard a sign-in lands on.
func (p *Portal) handleAccount(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	var user string
	on := false
	if s := p.sessionLocked(r); s != nil && s.user != "" {
		user = s.user
		on = p.accounts[user].secret != ""
	}
	p.mu.Unlock()
	if user == "" {
		redirectToLogin(w, r)
		return
	}
	p.render(w, http.StatusOK, "account", view{
		Title: "Account", User: user, Nav: "account", TwoFAOn: on,
		Invoices: rows(invoicesFor(user, p.now())),
	})
}
