// Package demoportal is billhound's built-in fake online portal: the billing site of a small
// cloud host with a login form, optional TOTP two-factor authentication, an invoice list and PDF
// downloads. Tests and newcomers run portal scripts against it instead of real accounts.
//
// It behaves like a real portal wherever a portal script would notice: sessions live in an
// HttpOnly cookie, signed-out requests are redirected to the login page, one-time codes are
// checked against a ±1 step window and rejected when their step was used before, and invoices
// download as attachments. All state is in memory and lost when the process ends.
package demoportal

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Account is one user of the demo portal.
type Account struct {
	Username, Password string
	// TOTPSecret is the base32 secret of an already enabled 2FA; "" means 2FA is not enabled yet
	// (the user can enable it under Security).
	TOTPSecret string
	// Factor is a second factor sent instead of computed: FactorSMS, FactorEmail or FactorApp
	// (delivered.go); "" for none (or TOTP when TOTPSecret is set, which takes precedence).
	Factor string
}

// Options configure a Portal. The zero value gives the default demo portal.
type Options struct {
	// Accounts default to one account {Username: "demo", Password: "demo-password"} without 2FA.
	Accounts []Account
	// Now defaults to time.Now; tests shift it to expire setups and move between TOTP steps.
	Now func() time.Time
	// Name is the portal's brand shown on pages, in PDFs and as the TOTP issuer; default
	// "Nimbus Cloud".
	Name string
	// Challenge shows "Verify it's you: click the red circle" after each sign-in, a page only
	// a person can pass (see challenge.go).
	Challenge bool
	// SMSWebhook receives the SMS codes as JSON, the way an SMS forwarder app on the user's
	// phone posts them (billhound's /api/inbox/sms); SMSToken is sent as a Bearer token.
	SMSWebhook, SMSToken string
	// SendMail delivers the e-mail codes (to the user's mailbox).
	SendMail func(Mail) error
	// Shape is how the sign-in looks: "" for one form with username and password (and a code
	// field), ShapeEmailFirst for e-mail, password and six code boxes on pages of their own.
	Shape string
}

// Default credentials of the demo account, shown as a hint on the login page when Options has
// no accounts of its own.
const (
	DefaultUsername = "demo"
	DefaultPassword = "demo-password"
	DefaultName     = "Nimbus Cloud"
)

// Portal is the demo portal; it implements http.Handler and is safe for concurrent use.
type Portal struct {
	name     string
	now      func() time.Time
	demoHint bool // the login page shows the default credentials
	mux      *http.ServeMux

	challenge  bool   // sign-ins must pass the challenge
	loginShape string // Options.Shape

	mu       sync.Mutex // guards accounts, their state and sessions
	accounts map[string]*account
	sessions map[string]*session
	devices  map[string]*device // device cookie -> the browser remembered for a user
	approved map[string]bool    // sign-in approvals given in the "app"

	smsWebhook, smsToken string
	sendMail             func(Mail) error
	zoo                  zooState // the zoo's sessions and what its accounts accepted
}

// account is an Account plus what the portal learns while running.
type account struct {
	username, password string
	secret             string          // confirmed TOTP secret, "" while 2FA is off
	used               map[int64]bool  // TOTP steps whose codes were accepted (replay protection)
	recovery           map[string]bool // recovery code ("abcd-2345") -> already used
	factor             string          // FactorSMS, FactorEmail, FactorApp or ""
}

// New builds a portal. It panics on options no portal could run with (an empty or duplicate
// username, a TOTP secret that is not base32), as these are programming errors of the caller.
func New(opt Options) *Portal {
	p := &Portal{
		name:     opt.Name,
		now:      opt.Now,
		accounts: map[string]*account{},
		sessions: map[string]*session{},
		devices:  map[string]*device{},
		approved: map[string]bool{},

		smsWebhook: opt.SMSWebhook, smsToken: opt.SMSToken, sendMail: opt.SendMail,
		zoo: newZooState(),
	}
	p.challenge = opt.Challenge
	switch opt.Shape {
	case "", ShapeEmailFirst:
		p.loginShape = opt.Shape
	default:
		panic(fmt.Sprintf("demoportal: unknown shape %q", opt.Shape))
	}
	if p.name == "" {
		p.name = DefaultName
	}
	if p.now == nil {
		p.now = time.Now
	}
	accounts := opt.Accounts
	if len(accounts) == 0 {
		accounts = []Account{{Username: DefaultUsername, Password: DefaultPassword}}
		if p.loginShape == ShapeEmailFirst {
			accounts[0].Username = DefaultEmail
		}
		p.demoHint = true
	}
	for _, a := range accounts {
		if a.Username == "" {
			panic("demoportal: account without a username")
		}
		if _, dup := p.accounts[a.Username]; dup {
			panic(fmt.Sprintf("demoportal: duplicate account %q", a.Username))
		}
		acct := &account{username: a.Username, password: a.Password, used: map[int64]bool{}, factor: a.Factor}
		switch a.Factor {
		case "", FactorSMS, FactorEmail, FactorApp:
		default:
			panic(fmt.Sprintf("demoportal: account %q: unknown factor %q", a.Username, a.Factor))
		}
		if a.TOTPSecret != "" {
			secret, err := normalizeSecret(a.TOTPSecret)
			if err != nil {
				panic(fmt.Sprintf("demoportal: account %q: %v", a.Username, err))
			}
			acct.secret = secret
			// A real account with 2FA has recovery codes too; tests read them via RecoveryCodes.
			acct.recovery = newRecoveryCodes()
		}
		p.accounts[a.Username] = acct
	}
	p.routes()
	return p
}

func (p *Portal) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", p.handleRoot)
	m.HandleFunc("GET /style.css", handleStyle)
	m.HandleFunc("GET /login", p.handleLoginPage)
	m.HandleFunc("POST /login", p.handleLogin)
	if p.loginShape == ShapeEmailFirst {
		m.HandleFunc("POST /login/email", p.handleEmail)
		m.HandleFunc("GET /login/password", p.handlePasswordPage)
		m.HandleFunc("GET /boxes.js", handleBoxesJS)
	}
	m.HandleFunc("GET /login/2fa", p.handleCodePage)
	m.HandleFunc("POST /login/2fa", p.handleCode)
	m.HandleFunc("GET /login/approve", p.handleApprovePage)
	m.HandleFunc("POST /login/approve", p.handleApproveContinue)
	m.HandleFunc("GET /app", p.handleApp)
	m.HandleFunc("POST /app/approve", p.handleAppApprove)
	m.HandleFunc("GET /login/recovery", p.handleRecoveryPage)
	m.HandleFunc("POST /login/recovery", p.handleRecovery)
	// A plain link signs out (no JavaScript on the pages); POST works for forms too.
	m.HandleFunc("GET /logout", p.handleLogout)
	m.HandleFunc("POST /logout", p.handleLogout)
	m.HandleFunc("GET /account", p.handleAccount)
	m.HandleFunc("GET /settings/2fa", p.handleSecurityPage)
	m.HandleFunc("POST /settings/2fa", p.handleEnable)
	m.HandleFunc("GET /settings/2fa/qr.png", p.handleQR)
	m.HandleFunc("POST /settings/2fa/disable", p.handleDisable)
	m.HandleFunc("GET /invoices", p.handleInvoices)
	m.HandleFunc("GET /invoices/{file}", p.handlePDF)
	m.HandleFunc("GET /challenge", p.handleChallengePage)
	m.HandleFunc("GET /challenge.png", p.handleChallengeImage)
	m.HandleFunc("GET /challenge/verify", p.handleChallengeVerify)
	p.zooRoutes(m)
	m.HandleFunc("/", p.handleNotFound)
	p.mux = m
}

// ServeHTTP implements http.Handler.
func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// The headers a real portal sends; they also keep the pages honest (no inline script or
	// style would work under this policy).
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if p.gateChallenge(w, r) {
		return
	}
	p.mux.ServeHTTP(w, r)
}

func (p *Portal) handleRoot(w http.ResponseWriter, r *http.Request) {
	if _, ok := p.signedIn(r); ok {
		http.Redirect(w, r, "/account", http.StatusFound)
		return
	}
	http.Redirect(w, r, "/login", http.StatusFound)
}

func (p *Portal) handleNotFound(w http.ResponseWriter, r *http.Request) {
	user, _ := p.signedIn(r)
	p.render(w, http.StatusNotFound, "notfound", view{Title: "Page not found", User: user})
}

// Invoices returns what the invoice page lists for the account right now, newest first; nil for
// an unknown username.
func (p *Portal) Invoices(username string) []Invoice {
	p.mu.Lock()
	_, ok := p.accounts[username]
	p.mu.Unlock()
	if !ok {
		return nil
	}
	return invoicesFor(username, p.now())
}

// TOTPSecret returns the account's confirmed TOTP secret (base32, upper case, no padding), or ""
// while 2FA is off. For tests.
func (p *Portal) TOTPSecret(username string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if a := p.accounts[username]; a != nil {
		return a.secret
	}
	return ""
}

// UsedSteps returns, in ascending order, the TOTP time steps (Unix time / 30) whose codes the
// portal accepted for the account, at sign-in, enrolment or disabling. For tests.
func (p *Portal) UsedSteps(username string) []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	a := p.accounts[username]
	if a == nil {
		return nil
	}
	steps := make([]int64, 0, len(a.used))
	for s := range a.used {
		steps = append(steps, s)
	}
	slices.Sort(steps)
	return steps
}

// RecoveryCodes returns the account's unused recovery codes, sorted; nil while 2FA is off. For
// tests.
func (p *Portal) RecoveryCodes(username string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	a := p.accounts[username]
	if a == nil {
		return nil
	}
	var codes []string
	for c, used := range a.recovery {
		if !used {
			codes = append(codes, c)
		}
	}
	slices.Sort(codes)
	return codes
}

// checkPasswordLocked finds the account for a sign-in attempt. Unknown users and wrong passwords are
// indistinguishable to the caller, as on a real portal. Caller holds p.mu.
func (p *Portal) checkPasswordLocked(username, password string) *account {
	a := p.accounts[strings.TrimSpace(username)]
	if a == nil {
		return nil
	}
	if subtle.ConstantTimeCompare([]byte(a.password), []byte(password)) != 1 {
		return nil
	}
	return a
}

// InvoicePDF is the PDF the portal serves for the account's invoice number (nil when it has
// none), for tests that read what real invoices say.
func (p *Portal) InvoicePDF(username, number string) []byte {
	for _, inv := range p.Invoices(username) {
		if inv.Number == number {
			return invoicePDF(p.name, username, inv)
		}
	}
	return nil
}
