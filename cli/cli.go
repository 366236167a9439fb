// Package cli is billhound's command line: `billhound serve` (the default) and the commands
// that work on the same data dir beside a running server.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"billhound/config"
)

// Env is what a command may touch of its process; tests give their own.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	UI             fs.FS // the embedded SPA, for serve
}

// exitError carries an exit code with its message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

type command struct {
	name, usage, help string
	run               func(env *Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "serve [--addr ADDR] [--data DIR]", "start the web UI and API (the default)", runServe},
		{"demo-portal", "demo-portal [--addr ADDR]", "serve the built-in demo portal to try billhound without real accounts", runDemoPortal},
		{"qr", "qr decode IMAGE...", "print the otpauth URIs found in QR code images", runQR},
		{"totp", "totp (--uri URI | --secret BASE32 | --qr IMAGE)", "print the current 2FA code", runTOTP},
		{"portal", "portal add NAME --script FILE --username U --password-file F [--url URL] [--schedule 24h] [--window \"mon-fri 08:00-20:00\"] [--field NAME=VALUE]... [--totp-qr IMAGE | --totp-secret S | --totp-uri URI]\n  billhound portal list", "add or list portals", runPortal},
		{"import", "import FILE [--password-file F] [--assign \"N=Portal name\"]...", "list the accounts of an authenticator app's export (Aegis, 2FAS, Ente Auth, Bitwarden, andOTP, Google Authenticator QR, otpauth:// lines) and put them into portals", runImport},
		{"run", "run NAME", "run a portal's script now and report what was new or already archived; exit 1 when it failed (with why and what to do), 3 when it found nothing", runRun},
		{"invoices", "invoices [--portal NAME] [--json]", "list archived invoices", runInvoices},
		{"export", "export --since YYYY-MM-DD [--target NAME]", "re-send the invoices dated since a day to the export targets (or one of them), now", runExport},
		{"backup", "backup FILE.tar.gz [--with-key]", "snapshot the database and the archive (and the secret key with --with-key) while the server runs", runBackup},
		{"restore", "restore FILE.tar.gz [--data DIR] [--force]", "restore a backup into an empty data dir (--force: replace a data dir's database and archive)", runRestore},
		{"health", "health", "ask the server at BILLHOUND_ADDR whether it is healthy (exit 1 when not; Docker's HEALTHCHECK)", runHealth},
		{"key", "key rotate", "re-seal every stored secret with a new secret key (stop the server first)", runKey},
	}
}

// Main runs the command line and returns the process exit code.
func Main(args []string, env *Env) int {
	name := "serve"
	if len(args) > 0 && (args[0] == "--help" || args[0] == "-help" || args[0] == "-h") {
		name = "help" // not `serve --help`: the user asks what billhound can do
	} else if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" {
		usage(env.Stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(env, args)
			if err == nil {
				return 0
			}
			if errors.Is(err, flag.ErrHelp) {
				return 2
			}
			var ee *exitError
			if errors.As(err, &ee) {
				if ee.msg != "" {
					fmt.Fprintln(env.Stderr, "billhound "+name+": "+ee.msg)
				}
				return ee.code
			}
			fmt.Fprintln(env.Stderr, "billhound "+name+": "+err.Error())
			return 1
		}
	}
	fmt.Fprintf(env.Stderr, "billhound: unknown command %q\n\n", name)
	usage(env.Stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "billhound: fetches invoices from online portals, answering their 2FA prompts itself.\n\nUsage:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  billhound %s\n      %s\n", c.usage, c.help)
	}
	fmt.Fprintf(w, "\nSettings (environment variable, or the flag where one is shown):\n%s", config.Describe())
}

// flags returns a flag set for a command that also takes every config flag.
func flags(env *Env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("billhound "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// loadConfig registers the config flags on fs and parses args (command flags first).
func loadConfig(env *Env, fs *flag.FlagSet, args []string) (*config.Config, error) {
	return config.Load(fs, reorder(fs, args), env.Getenv)
}

// reorder moves flags before positional arguments, so `billhound run Demo --data x` works as
// well as `billhound run --data x Demo` (the flag package stops at the first positional).
func reorder(fs *flag.FlagSet, args []string) []string {
	var fl, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			fl = append(fl, a)
			if !strings.Contains(a, "=") && i+1 < len(args) && !isBoolFlag(a) {
				fl = append(fl, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(fl, append([]string{"--"}, pos...)...)
}

// isBoolFlag knows the boolean flags of the commands (they take no value).
func isBoolFlag(a string) bool {
	a = strings.TrimLeft(a, "-")
	return a == "json" || a == "help" || a == "h" || a == "with-key" || a == "force"
}

func fail(format string, a ...any) error { return &exitError{code: 1, msg: fmt.Sprintf(format, a...)} }

func usageError(format string, a ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, a...)}
}

// DefaultEnv is the process's own environment.
func DefaultEnv(ui fs.FS) *Env {
	return &Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, UI: ui}
}
