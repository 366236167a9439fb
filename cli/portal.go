package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"billhound/runner"
	"billhound/scripts"
	"billhound/scripts/portals"
	"billhound/store"
	"billhound/textrule"
	"billhound/twofa"
)

func runPortal(env *Env, args []string) error {
	if len(args) == 0 {
		return usageError("usage: billhound portal add NAME ... | billhound portal list")
	}
	switch args[0] {
	case "add":
		return portalAdd(env, args[1:])
	case "list":
		return portalList(env, args[1:])
	}
	return usageError("unknown portal command %q (add, list)", args[0])
}

func portalAdd(env *Env, args []string) error {
	fs := flags(env, "portal add")
	scriptPath := fs.String("script", "", "portal script file, or the name of a bundled one (demo.js)")
	username := fs.String("username", "", "the portal account's username")
	passwordFile := fs.String("password-file", "", "file holding the password (- reads standard input)")
	url := fs.String("url", "", "the portal's address, if not the script's @url")
	totpQR := fs.String("totp-qr", "", "image of the portal's 2FA QR code")
	totpSecret := fs.String("totp-secret", "", "the portal's 2FA security key (base32)")
	totpURI := fs.String("totp-uri", "", "the portal's otpauth:// URI")
	schedule := fs.String("schedule", "", "run by itself this often, e.g. 24h (the server runs schedules)")
	window := fs.String("window", "", `start scheduled runs only then, e.g. "mon-fri 08:00-20:00" (server time zone)`)
	extra := fieldFlag{}
	fs.Var(extra, "field", "another credential field the script's @fields asks for, as NAME=VALUE (repeatable)")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return usageError("%v", err)
	}
	if fs.NArg() != 1 {
		return usageError("give one portal NAME (quote names with spaces)")
	}
	name := strings.TrimSpace(fs.Arg(0))
	if *scriptPath == "" {
		return usageError("--script is required")
	}
	script, err := readScript(*scriptPath)
	if err != nil {
		return fail("%v", err)
	}
	for _, f := range []struct {
		field, v string
		max      int
	}{{"the name", name, textrule.MaxName}, {"--username", *username, textrule.MaxUsername}, {"--url", *url, textrule.MaxURL}} {
		if err := textrule.Check(f.field, f.v, f.max); err != nil {
			return fail("%v", err)
		}
	}
	header, err := scripts.ParseHeader(script)
	if err != nil {
		return fail("%s: %v", *scriptPath, err)
	}
	for name := range extra {
		if name == "username" || name == "password" || !slices.Contains(header.Fields, name) {
			return fail("--field %s: the script does not ask for it (its @fields: %s)", name, strings.Join(header.Fields, " "))
		}
	}
	if _, err := runner.ParseSchedule(*schedule); err != nil {
		return fail("--schedule: %v", err)
	}
	loginWindow, err := runner.ParseWindow(*window)
	if err != nil {
		return fail("--window: %v", err)
	}
	password := ""
	if *passwordFile != "" {
		password, err = readSecretFile(*passwordFile)
		if err != nil {
			return fail("--password-file: %v", err)
		}
	}
	var key *twofa.Key
	source := ""
	switch n := countSet(*totpQR, *totpSecret, *totpURI); {
	case n > 1:
		return usageError("give at most one of --totp-qr, --totp-secret, --totp-uri")
	case *totpQR != "":
		k, err := keyFromImageFile(*totpQR)
		if err != nil {
			return fail("--totp-qr: %v", err)
		}
		key, source = &k, "qr"
	case *totpSecret != "":
		k, err := twofa.ParseSecret(*totpSecret)
		if err != nil {
			return fail("--totp-secret: %v", err)
		}
		key, source = &k, "key"
	case *totpURI != "":
		k, err := twofa.ParseURI(*totpURI)
		if err != nil {
			return fail("--totp-uri: %v", err)
		}
		key, source = &k, "uri"
	}

	a, err := openApp(cfg, newLogger("warn", cfg.LogFormat))
	if err != nil {
		return err
	}
	defer a.close()
	p := &store.Portal{Name: name, Script: script, URL: *url, Username: *username, Schedule: *schedule,
		LoginWindow: loginWindow.String()}
	if err := a.store.CreatePortal(p); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fail("a portal named %q already exists", name)
		}
		return err
	}
	// Sealed values are bound to the portal's id, known only now.
	if p.PasswordSealed, err = a.vault.SealPassword(p.ID, password); err != nil {
		return err
	}
	if p.FieldsSealed, err = a.vault.SealFields(p.ID, extra); err != nil {
		return err
	}
	if err := a.store.UpdatePortal(p); err != nil {
		return err
	}
	if key != nil {
		if err := a.vault.SetTOTP(p.ID, *key, source); err != nil {
			return err
		}
	}
	twofaNote := "no 2FA"
	if key != nil {
		twofaNote = "2FA " + key.Issuer
	}
	fmt.Fprintf(env.Stdout, "added portal %q (id %d, %s)\n", p.Name, p.ID, strings.TrimSpace(twofaNote))
	return nil
}

func portalList(env *Env, args []string) error {
	fs := flags(env, "portal list")
	a, err := openFor(env, fs, args, "warn")
	if err != nil {
		return err
	}
	defer a.close()
	ps, err := a.store.Portals()
	if err != nil {
		return err
	}
	last, err := a.store.LastRuns()
	if err != nil {
		return err
	}
	counts, err := a.store.InvoiceCounts()
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		fmt.Fprintln(env.Stdout, "no portals yet; add one with `billhound portal add` or in the web UI")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tUSERNAME\t2FA\tSCHEDULE\tINVOICES\tLAST RUN")
	for _, p := range ps {
		tf := "-"
		if p.HasTOTP() {
			tf = "totp"
		}
		lr := "never"
		if r, ok := last[p.ID]; ok {
			lr = r.Status + " " + r.StartedAt.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", p.ID, p.Name, p.Username, tf, orDash(p.Schedule), counts[p.ID], lr)
	}
	return tw.Flush()
}

func readScript(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return string(data), nil
	}
	if src, ok := portals.Source(path); ok && !strings.Contains(path, "/") {
		return src, nil
	}
	return "", err
}

// readSecretFile reads a password from a file (or stdin), dropping one trailing newline.
func readSecretFile(path string) (string, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(os.Stdin, 1<<20))
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return "", err
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if s == "" {
		return "", errors.New("the file is empty")
	}
	return s, nil
}

func countSet(vals ...string) int {
	n := 0
	for _, v := range vals {
		if v != "" {
			n++
		}
	}
	return n
}

// fieldFlag collects repeated --field NAME=VALUE flags.
type fieldFlag map[string]string

func (f fieldFlag) String() string { return "" } // never print values: they may be secrets

func (f fieldFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok || name == "" || value == "" {
		return errors.New("want NAME=VALUE")
	}
	f[name] = value
	return nil
}
