package cli

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"billhound/twofa/importers"
)

// runImport lists the accounts of an authenticator app's export and, with --assign, seals the
// chosen ones into portals. Accounts are numbered from 1 as listed.
func runImport(env *Env, args []string) error {
	fs := flags(env, "import")
	passwordFile := fs.String("password-file", "", "file holding the export's password, for an encrypted export (- reads standard input)")
	assigns := assignFlag{}
	fs.Var(&assigns, "assign", `put account N into a portal, as "N=Portal name" (repeatable)`)
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return usageError("%v", err)
	}
	if fs.NArg() != 1 {
		return usageError("usage: billhound import FILE [--password-file F] [--assign \"N=Portal name\"]...")
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fail("%v", err)
	}
	password := ""
	if *passwordFile != "" {
		if password, err = readSecretFile(*passwordFile); err != nil {
			return fail("--password-file: %v", err)
		}
	}
	res, err := importers.Parse(data, password)
	if err != nil {
		if errors.Is(err, importers.ErrNeedPassword) && *passwordFile == "" {
			return fail("%v (give it with --password-file)", err)
		}
		return fail("%v", err)
	}
	fmt.Fprintf(env.Stdout, "%d accounts found (%s)\n", len(res.Keys), res.Format)
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "N\tISSUER\tACCOUNT\tKIND")
	for i, k := range res.Keys {
		kind := fmt.Sprintf("%s, %d digits", k.Kind(), k.Digits)
		if k.TimeBased() {
			kind += fmt.Sprintf(", %d s", k.Period)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", i+1, orDash(k.Issuer), orDash(k.Account), kind)
	}
	tw.Flush()
	for _, s := range res.Skipped {
		fmt.Fprintln(env.Stdout, "skipped: "+s)
	}
	if len(assigns) == 0 {
		fmt.Fprintln(env.Stdout, `put an account into a portal with --assign "N=Portal name"`)
		return nil
	}
	a, err := openApp(cfg, newLogger("warn", cfg.LogFormat))
	if err != nil {
		return err
	}
	defer a.close()
	// Check every assignment before storing any.
	type pick struct {
		n      int
		portal int64
		name   string
	}
	var picks []pick
	for _, as := range assigns {
		if as.n < 1 || as.n > len(res.Keys) {
			return fail("--assign %d: the export has accounts 1 to %d", as.n, len(res.Keys))
		}
		p, err := a.findPortal(as.portal)
		if err != nil {
			return fail("--assign %d: %v", as.n, err)
		}
		picks = append(picks, pick{as.n, p.ID, p.Name})
	}
	for _, pk := range picks {
		k := res.Keys[pk.n-1]
		if err := a.vault.SetTOTP(pk.portal, k, "import"); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "account %d (%s) is now the 2FA secret of portal %q\n", pk.n, strings.TrimSpace(k.Issuer+" "+k.Account), pk.name)
	}
	return nil
}

type assignment struct {
	n      int
	portal string
}

// assignFlag collects repeated --assign N=NAME flags.
type assignFlag []assignment

func (f *assignFlag) String() string { return "" }

func (f *assignFlag) Set(v string) error {
	num, name, ok := strings.Cut(v, "=")
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if !ok || err != nil || strings.TrimSpace(name) == "" {
		return errors.New(`want "N=Portal name", N the account's number in the list`)
	}
	*f = append(*f, assignment{n, strings.TrimSpace(name)})
	return nil
}
