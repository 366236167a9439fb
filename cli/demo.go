package cli

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"billhound/demoportal"
)

func runDemoPortal(env *Env, args []string) error {
	fs := flags(env, "demo-portal")
	addr := fs.String("addr", "127.0.0.1:9911", "address to listen on")
	user := fs.String("username", "demo", "the demo account's username")
	pass := fs.String("password", "demo-password", "the demo account's password")
	secret := fs.String("totp-secret", "", "start with 2FA already enabled with this base32 secret")
	challenge := fs.Bool("challenge", false, `after each sign-in, show "click the red circle" (only a person can pass it)`)
	fs.SetOutput(env.Stderr)
	if err := fs.Parse(args); err != nil {
		return usageError("%v", err)
	}
	portal := demoportal.New(demoportal.Options{Accounts: []demoportal.Account{{Username: *user, Password: *pass, TOTPSecret: *secret}}, Challenge: *challenge})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	fmt.Fprintf(env.Stdout, "demo portal on http://%s/login — sign in as %q with password %q\n", ln.Addr(), *user, *pass)
	srv := &http.Server{Handler: portal, ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}
