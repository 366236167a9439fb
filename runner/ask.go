package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"billhound/inbox"
	"billhound/liveview"
	"billhound/redact"
	"billhound/scripts"
)

// Notifier tells the user that a run needs them (a question to answer). link is the path of
// the answer field in the web UI ("/runs/12#answer"). Notify must not block for long; errors
// are its own to log.
type Notifier interface {
	Notify(ctx context.Context, title, body, link string)
}

// Prompter asks on a terminal as well (billhound run on a TTY). The first answer wins: from
// the terminal or through the API.
type Prompter interface {
	Prompt(ctx context.Context, portal string, q scripts.Question) (string, error)
}

// How often a waiting run looks for an answer or an SMS in the store. The store is the meeting
// point: the server answers runs of `billhound run` in another process the same way.
const (
	answerPoll = 250 * time.Millisecond
	smsPoll    = 500 * time.Millisecond
	// SMSKeep is how long the SMS inbox keeps a text.
	SMSKeep = time.Hour
)

var (
	_ scripts.Asker      = (*runHost)(nil)
	_ scripts.CodeReader = (*runHost)(nil)
)

// Ask opens the question on the run (the UI shows it as waiting for you), tells the user, and
// waits for the answer until ctx ends.
func (h *runHost) Ask(ctx context.Context, q scripts.Question) (string, error) {
	st := h.r.Store
	if err := st.SetQuestion(h.run.ID, q.Kind, q.Prompt, time.Now().Add(q.Timeout)); err != nil {
		return "", err
	}
	defer func() {
		if err := st.ClearQuestion(h.run.ID); err != nil {
			h.r.Logger.Warn("cannot close a run's question", "run", h.run.ID, "err", err)
		}
	}()
	h.Log("info", "waiting for you: "+q.Prompt)
	if n := h.r.Notifier; n != nil {
		go n.Notify(context.WithoutCancel(ctx), h.portal.Name+" needs you", q.Prompt, fmt.Sprintf("/runs/%d#answer", h.run.ID))
	}
	typed := make(chan string, 1)
	if p := h.r.Prompter; p != nil {
		go func() {
			if a, err := p.Prompt(ctx, h.portal.Name, q); err == nil {
				typed <- a
			}
		}()
	}
	tick := time.NewTicker(answerPoll)
	defer tick.Stop()
	for {
		select {
		case a := <-typed:
			return h.answered(q, a, "on the terminal"), nil
		case <-ctx.Done():
			return "", ctx.Err()
		case <-tick.C:
			sealed, err := st.TakeAnswer(h.run.ID)
			if err != nil {
				return "", err
			}
			if sealed != nil {
				a, err := h.r.Vault.OpenAnswer(h.run.ID, sealed)
				if err != nil {
					return "", err
				}
				return h.answered(q, a, "in billhound"), nil
			}
		}
	}
}

func (h *runHost) answered(q scripts.Question, a, where string) string {
	if q.Kind != scripts.AskConfirm {
		h.red.Add(a, redact.Text) // a code (or whatever was typed) never reaches the log
	}
	h.Log("info", "answered "+where)
	return a
}

// MailCode waits for the code in an e-mail that arrived after the run started.
func (h *runHost) MailCode(ctx context.Context, q scripts.CodeQuery) (string, error) {
	m, pw, err := h.r.Vault.Mailbox()
	if err != nil {
		return "", err
	}
	if pw == "" {
		return "", errors.New("the mailbox has no password; set it under Settings → Mailbox")
	}
	h.red.Add(pw, redact.Text)
	h.Log("info", fmt.Sprintf("waiting for an e-mail with a code in %s", m.Username))
	mb := inbox.Mailbox{Host: m.Host, Port: m.Port, TLS: m.TLS, Username: m.Username, Password: pw, Folder: m.Folder}
	code, err := mb.WaitForCode(ctx, inbox.MailQuery{From: q.From, Subject: q.Subject, Pattern: q.Pattern, Since: h.run.StartedAt})
	if err != nil {
		return "", err
	}
	h.red.Add(code, redact.Text)
	h.Log("info", "found the code in an e-mail")
	return code, nil
}

// SMSCode waits for the code in a text the SMS inbox received after the run started.
func (h *runHost) SMSCode(ctx context.Context, q scripts.CodeQuery) (string, error) {
	if ok, err := h.r.Vault.SMSTokenSet(); err != nil {
		return "", err
	} else if !ok {
		return "", errors.New("the SMS inbox is not set up; create its token under Settings → SMS inbox and enter it in the forwarder app on your phone")
	}
	h.Log("info", "waiting for an SMS with a code")
	find := func(text string) (string, bool) { return inbox.FindCode(q.Pattern, text) }
	tick := time.NewTicker(smsPoll)
	defer tick.Stop()
	for {
		msgs, err := h.r.Store.SMSSince(h.run.StartedAt)
		if err != nil {
			return "", err
		}
		for _, m := range msgs { // newest first
			text, err := h.r.Vault.OpenSMS(m.TextSealed)
			if err != nil {
				continue
			}
			if code, ok := inbox.MatchSMS(inbox.SMS{From: m.Sender, Text: text}, q.From, find); ok {
				h.red.Add(code, redact.Text)
				h.Log("info", "found the code in an SMS")
				return code, nil
			}
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-tick.C:
		}
	}
}

// codeFromUser is totp() on a portal without a TOTP secret whose header says where codes come
// from: the SMS inbox or the mailbox when set up, else the user through ask.
func (h *runHost) codeFromUser(ctx context.Context) (string, error) {
	q := scripts.CodeQuery{Pattern: scripts.DefaultCodePattern, Timeout: scripts.DefaultCodeTimeout}
	var read func(context.Context, scripts.CodeQuery) (string, error)
	via := "by the portal"
	switch h.twofa {
	case scripts.TwoFASMS:
		via = "by SMS"
		if ok, _ := h.r.Vault.SMSTokenSet(); ok {
			read = h.SMSCode
		}
	case scripts.TwoFAEmail:
		via = "by e-mail"
		if _, pw, err := h.r.Vault.Mailbox(); err == nil && pw != "" {
			read = h.MailCode
		}
	}
	if read != nil {
		code, err := scripts.WaitPaused(ctx, q.Timeout, func(c context.Context) (string, error) { return read(c, q) })
		if err == nil || !errors.Is(err, scripts.ErrWaitOver) {
			return code, err
		}
		h.Log("warn", "no code arrived "+via+" within "+q.Timeout.String()+"; asking you instead")
	}
	ask := scripts.Question{Kind: scripts.AskCode, Prompt: fmt.Sprintf("Enter the sign-in code %s sent you %s", h.portal.Name, via),
		Timeout: scripts.DefaultAskTimeout}
	code, err := scripts.WaitPaused(ctx, ask.Timeout, func(c context.Context) (string, error) { return h.Ask(c, ask) })
	if errors.Is(err, scripts.ErrWaitOver) {
		return "", errors.New("nobody answered within 10 minutes; answer sooner under \"Needs you\"")
	}
	return code, err
}

// Takeover waits until the user has handled the run's page in the live view (see
// liveview.Hub.WaitTakeover): the run page shows "This run needs you: take over".
func (h *runHost) Takeover(ctx context.Context, q scripts.Question, until func() (bool, error)) error {
	if h.r.Live == nil {
		return errors.New("this billhound has no live view (a run from the command line); run the portal from the web UI to take over")
	}
	h.Log("info", "waiting for you to take over: "+q.Prompt)
	if n := h.r.Notifier; n != nil {
		go n.Notify(context.WithoutCancel(ctx), h.portal.Name+" needs you", q.Prompt+" (take over in the live view)", fmt.Sprintf("/runs/%d", h.run.ID))
	}
	err := h.r.Live.WaitTakeover(ctx, h.run.ID, until)
	if errors.Is(err, liveview.ErrNotLive) {
		return errors.New("the run's page is not live in this process; run the portal from the web UI to take over")
	}
	if err == nil {
		h.Log("info", "you took over; the script goes on")
	}
	return err
}
