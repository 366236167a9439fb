package demoportal

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// Second factors other than an authenticator app, the shapes real portals use:
//
//	FactorSMS    a 6-digit code by SMS: the portal posts it, as a phone's SMS forwarder app
//	             would, to Options.SMSWebhook (billhound's SMS inbox, or a test's "phone")
//	FactorEmail  a 6-digit code by e-mail: the portal hands the message to Options.SendMail
//	FactorApp    "approve the sign-in in your app": the user approves on /app (the phone app's
//	             stand-in), then presses Continue on the sign-in page
const (
	FactorSMS   = "sms"
	FactorEmail = "email"
	FactorApp   = "app"
)

// Mail is an e-mail the portal sends (a sign-in code).
type Mail struct {
	To, From, Subject, Body string
}

const (
	msgNotApproved  = "The sign-in was not approved yet. Approve it in the app, then press Continue."
	msgNotDelivered = "We could not send your code. Try again later."
	smsSender       = "Nimbus"
)

// newCode is a 6-digit one-time code.
func newCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

// startDelivered begins the second step of a sign-in whose factor is sent, not computed: it
// makes the code (or the approval request) and sends it. Caller holds p.mu; sending happens
// after the lock is released (the returned function).
func (p *Portal) startDeliveredLocked(a *account, login *pendingLogin) (send func() error) {
	switch a.factor {
	case FactorApp:
		login.approval = randomToken()[:8]
		return func() error { return nil }
	case FactorSMS:
		code := newCode()
		login.code = code
		text := fmt.Sprintf("%s: your sign-in code is %s. It expires in 5 minutes. Do not share it.", p.name, code)
		return func() error { return p.sendSMS(text) }
	case FactorEmail:
		code := newCode()
		login.code = code
		m := Mail{To: a.email(), From: fmt.Sprintf("%s <no-reply@nimbus.example>", p.name),
			Subject: p.name + " sign-in code",
			Body:    fmt.Sprintf("Hello %s,\n\nyour sign-in code is %s.\nIt expires in 5 minutes.\n\nThe %s team\n", a.username, code, p.name)}
		return func() error {
			if p.sendMail == nil {
				return fmt.Errorf("no mail delivery configured")
			}
			return p.sendMail(m)
		}
	}
	return func() error { return nil }
}

func (a *account) email() string {
	if strings.Contains(a.username, "@") {
		return a.username
	}
	return a.username + "@example.com"
}

// sendSMS posts the text the way the "Incoming SMS to URL forwarder" app does.
func (p *Portal) sendSMS(text string) error {
	if p.smsWebhook == "" {
		return fmt.Errorf("no SMS webhook configured")
	}
	body, _ := json.Marshal(map[string]string{"from": smsSender, "text": text,
		"sentStamp": fmt.Sprint(time.Now().UnixMilli()), "receivedStamp": fmt.Sprint(time.Now().UnixMilli()), "sim": "SIM1"})
	req, err := http.NewRequest("POST", p.smsWebhook, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "SMS Forwarder App")
	if p.smsToken != "" {
		req.Header.Set("Authorization", "Bearer "+p.smsToken)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the SMS webhook answered %s", resp.Status)
	}
	return nil
}

// handleApprovePage is the sign-in page that waits for the app's approval.
func (p *Portal) handleApprovePage(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	s, _, redirect := p.pendingLocked(r)
	v := view{Title: "Approve the sign-in"}
	if redirect == "" {
		v.Approval = s.login.approval
	}
	p.mu.Unlock()
	if redirect != "" {
		http.Redirect(w, r, redirect, http.StatusFound)
		return
	}
	p.render(w, http.StatusOK, "approve", v)
}

// handleApproveContinue signs in once the app approved.
func (p *Portal) handleApproveContinue(w http.ResponseWriter, r *http.Request) {
	p.secondFactor(w, r, "approve", "Approve the sign-in", func(a *account, login *pendingLogin) string {
		if p.approved[login.approval] {
			delete(p.approved, login.approval)
			return ""
		}
		return msgNotApproved
	})
}

// handleApp is the phone app's stand-in: it lists the sign-ins waiting for approval.
func (p *Portal) handleApp(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	var pending []string
	for _, s := range p.sessions {
		if s.login != nil && s.login.approval != "" && !p.approved[s.login.approval] {
			pending = append(pending, s.login.approval)
		}
	}
	p.mu.Unlock()
	p.render(w, http.StatusOK, "app", view{Title: p.name + " app", Pending: pending})
}

func (p *Portal) handleAppApprove(w http.ResponseWriter, r *http.Request) {
	id := r.PostFormValue("id")
	p.mu.Lock()
	p.approved[id] = true
	p.mu.Unlock()
	http.Redirect(w, r, "/app", http.StatusSeeOther)
}

// ApproveAll approves every sign-in waiting for the app, as the user would on the phone. For
// tests; returns how many there were.
func (p *Portal) ApproveAll() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, s := range p.sessions {
		if s.login != nil && s.login.approval != "" && !p.approved[s.login.approval] {
			p.approved[s.login.approval] = true
			n++
		}
	}
	return n
}

func logSendError(what string, err error) {
	if err != nil {
		log.Printf("demoportal: %s: %v", what, err)
	}
}
