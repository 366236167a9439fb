package server

import (
	"fmt"
	"strings"
	"time"

	"billhound/credentials"
	"billhound/runner"
	"billhound/scripts"
	"billhound/store"
)

// portalView is a portal as the API shows it: never a secret, only whether one is set.
type portalView struct {
	ID           int64       `json:"id"`
	Name         string      `json:"name"`
	URL          string      `json:"url"`
	Script       string      `json:"script"`
	ScriptName   string      `json:"scriptName"`
	Username     string      `json:"username"`
	HasPassword  bool        `json:"hasPassword"`
	Fields       []string    `json:"fields"`
	StoredFields []string    `json:"storedFields"` // the other @fields that have a stored value (never the value)
	TwoFA        twofaView   `json:"twofa"`
	Recovery     int         `json:"recoveryCodes"`     // how many are stored, never the codes
	RecoveryUsed int         `json:"recoveryCodesUsed"` // how many scripts have used (recoveryCode())
	RecoveryLow  bool        `json:"recoveryCodesLow"`  // two or fewer left of a stored set: time to get new ones
	Clock        *clockView  `json:"clock"`             // the portal's clock as its last run saw it; null: not yet seen
	Schedule     string      `json:"schedule"`          // "" or a duration between runs, e.g. "24h"
	NextRunAt    *time.Time  `json:"nextRunAt"`         // when the schedule runs it next (inside the login window); null without one
	LoginWindow  *windowView `json:"loginWindow"`       // when scheduled runs may start; null: at any time
	TimeZone     string      `json:"timeZone"`          // the server's, in which the login window is read
	LastRun      *runView    `json:"lastRun"`
	InvoiceCount int         `json:"invoiceCount"`
	// SessionKeptAt is since when the portal's browser session is kept for the next run (null:
	// the next run logs in from scratch). The session itself never leaves the server.
	SessionKeptAt *time.Time `json:"sessionKeptAt"`
	// MissingInvoice: a portal that delivers one invoice a month is a week past its usual day
	// without this month's; null otherwise.
	MissingInvoice *runner.Missing `json:"missingInvoice"`
	CreatedAt      time.Time       `json:"createdAt"`
}

type twofaView struct {
	Configured bool   `json:"configured"`
	Issuer     string `json:"issuer,omitempty"`
	Account    string `json:"account,omitempty"`
	Algorithm  string `json:"algorithm,omitempty"`
	Digits     int    `json:"digits,omitempty"`
	Period     int    `json:"period,omitempty"`
	Source     string `json:"source,omitempty"`
	Type       string `json:"type,omitempty"` // totp, hotp or steam
	// ConfirmedAt: when a code from the secret last proved to work; null: not confirmed yet.
	// ConfirmedRun: the run that logged in with it; 0 when the user confirmed it.
	ConfirmedAt  *time.Time `json:"confirmedAt"`
	ConfirmedRun int64      `json:"confirmedRun"`
}

func viewTwoFA(p *store.Portal) twofaView {
	if !p.HasTOTP() {
		return twofaView{}
	}
	typ := p.TOTPType
	if typ == "" {
		typ = "totp"
	}
	return twofaView{Configured: true, Issuer: p.TOTPIssuer, Account: p.TOTPAccount, Algorithm: p.TOTPAlgorithm,
		Digits: p.TOTPDigits, Period: p.TOTPPeriod, Source: p.TOTPSource, Type: typ,
		ConfirmedAt: p.TOTPConfirmedAt, ConfirmedRun: p.TOTPConfirmedRun}
}

// clockView is the portal's clock offset, learned from the Date headers of its responses.
type clockView struct {
	SkewSeconds float64   `json:"skewSeconds"` // the portal's clock minus billhound's; positive: ahead
	CheckedAt   time.Time `json:"checkedAt"`
	Corrected   bool      `json:"corrected"` // over 10 s: shown, and codes follow the portal's clock
}

func viewClock(p *store.Portal) *clockView {
	if p.ClockCheckedAt == nil {
		return nil
	}
	skew := p.ClockSkew()
	return &clockView{SkewSeconds: skew.Round(100 * time.Millisecond).Seconds(), CheckedAt: *p.ClockCheckedAt,
		Corrected: credentials.Corrects(skew)}
}

func (s *Server) viewPortal(p *store.Portal, last *store.Run, invoices int) portalView {
	v := portalView{
		ID: p.ID, Name: p.Name, URL: p.URL, Script: p.Script, Username: p.Username,
		HasPassword: len(p.PasswordSealed) > 0, TwoFA: viewTwoFA(p), Recovery: p.RecoveryCount,
		RecoveryUsed: p.RecoveryUsed, RecoveryLow: p.RecoveryCount <= 2 && (p.RecoveryCount > 0 || p.RecoveryUsed > 0),
		Clock:        viewClock(p),
		InvoiceCount: invoices, CreatedAt: p.CreatedAt,
		Fields: []string{"username", "password"},
	}
	if h, err := scripts.ParseHeader(p.Script); err == nil {
		v.ScriptName, v.Fields = h.Name, h.Fields
	}
	var lastStart time.Time
	if last != nil {
		rv := viewRun(last, p.Name)
		s.redactors().run(&rv, p)
		v.LastRun = &rv
		lastStart = last.StartedAt
	}
	v.StoredFields = []string{}
	if stored, err := s.deps.Vault.Fields(p); err == nil {
		for _, f := range v.Fields {
			if _, ok := stored[f]; ok {
				v.StoredFields = append(v.StoredFields, f)
			}
		}
	}
	if at, err := s.deps.Store.SessionKeptAt(p.ID); err == nil {
		v.SessionKeptAt = at
	}
	if dates, err := s.deps.Store.InvoiceDates(p.ID); err == nil {
		v.MissingInvoice = runner.MissingMonth(dates, s.deps.Now())
	}
	v.Schedule = p.Schedule
	w, _ := runner.ParseWindow(p.LoginWindow) // checked when saved
	if !w.IsAlways() {
		days, from, to := w.Parts()
		v.LoginWindow = &windowView{days, from, to}
	}
	now := time.Now()
	v.TimeZone = timeZone(now)
	if next := runner.NextRunWithin(p.Schedule, w, lastStart, now); !next.IsZero() {
		v.NextRunAt = &next
	}
	return v
}

// windowView is a login window: days ("mon" ... "sun") and hours ("08:00", "20:00").
type windowView struct {
	Days []string `json:"days"`
	From string   `json:"from"`
	To   string   `json:"to"`
}

// timeZone names the server's time zone for people: "CET (UTC+01:00)".
func timeZone(now time.Time) string {
	name, offset := now.Zone()
	sign := "+"
	if offset < 0 {
		sign, offset = "-", -offset
	}
	utc := fmt.Sprintf("UTC%s%02d:%02d", sign, offset/3600, offset%3600/60)
	if name == "" || name == "UTC" || strings.HasPrefix(name, "+") || strings.HasPrefix(name, "-") {
		return utc
	}
	return name + " (" + utc + ")"
}
