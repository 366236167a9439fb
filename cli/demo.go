package cli

import (
	"flag"
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
	shape := fs.String("shape", "", `how the sign-in looks: "" (one form) or email-first (the e-mail address, then the password, then six code boxes; -username defaults to `+demoportal.DefaultEmail+`)`)
	fs.SetOutput(env.Stderr)
	if err := fs.Parse(args); err != nil {
		return usageError("%v", err)
	}
	switch *shape {
	case "", demoportal.ShapeEmailFirst:
	default:
		return usageError("-shape must be email-first or empty, not %q", *shape)
	}
	if *shape == demoportal.ShapeEmailFirst && !flagSet(fs, "username") {
		*user = demoportal.DefaultEmail // its first page asks for an e-mail address
	}
	opt := demoportal.Options{
		Accounts:   []demoportal.Account{{Username: *user, Password: *pass, TOTPSecret: *secret, Factor: *factor}},
		SMSWebhook: *smsURL, SMSToken: *smsToken, Challenge: *challenge, Shape: *shape,
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

// flagSet reports whether the command line gave the flag.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
