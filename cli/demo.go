package cli

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"billhound/demoportal"
	"billhound/inbox"
)

func runDemoPortal(env *Env, args []string) error {
	fs := flags(env, "demo-portal")
	addr := fs.String("addr", "127.0.0.1:9911", "address to listen on")
	user := fs.String("username", "demo", "the demo account's username")
	pass := fs.String("password", "demo-password", "the demo account's password")
	secret := fs.String("totp-secret", "", "start with 2FA already enabled with this base32 secret")
	challenge := fs.Bool("challenge", false, `after each sign-in, show "click the red circle" (only a person can pass it)`)
	factor := fs.String("factor", "", "a second factor sent instead of computed: sms, email or app (approve on /app)")
	smsURL := fs.String("sms-url", "", "where SMS codes are posted, as a phone's SMS forwarder app would (billhound's http://HOST/api/inbox/sms)")
	smsToken := fs.String("sms-token", "", "the token sent with SMS codes (billhound's SMS inbox token)")
	mailIMAP := fs.String("mail-imap", "", "host:port of a plain IMAP server that e-mail codes are delivered to (APPEND; loopback test servers)")
	mailUser := fs.String("mail-user", "", "the mailbox's username for -mail-imap")
	mailPass := fs.String("mail-password", "", "the mailbox's password for -mail-imap")
	fs.SetOutput(env.Stderr)
	if err := fs.Parse(args); err != nil {
		return usageError("%v", err)
	}
	opt := demoportal.Options{
		Accounts:   []demoportal.Account{{Username: *user, Password: *pass, TOTPSecret: *secret, Factor: *factor}},
		SMSWebhook: *smsURL, SMSToken: *smsToken, Challenge: *challenge,
	}
	switch *factor {
	case "", demoportal.FactorSMS, demoportal.FactorEmail, demoportal.FactorApp:
	default:
		return usageError("-factor must be sms, email or app, not %q", *factor)
	}
	if *mailIMAP != "" {
		opt.SendMail = func(m demoportal.Mail) error {
			now := time.Now()
			return inbox.Append(*mailIMAP, *mailUser, *mailPass, "INBOX", now, inbox.PlainMessage(m.From, m.To, m.Subject, m.Body, now))
		}
	}
	portal := demoportal.New(opt)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	fmt.Fprintf(env.Stdout, "demo portal on http://%s/login — sign in as %q with password %q\n", ln.Addr(), *user, *pass)
	srv := &http.Server{Handler: portal, ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}
