// Package config reads billhound's settings from BILLHOUND_* environment variables and command
// line flags (flags win). The table below is the one place an option is declared; the README's
// configuration section lists the same names and defaults.
package config

import (
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is every setting a billhound process uses. It is passed in, never global.
type Config struct {
	Addr          string
	DataDir       string
	SecretKey     string
	SecretKeyFile string
	DriverDir     string
	ChromiumPath  string
	RunTimeout    time.Duration
	BrowserIdle   time.Duration
	BrowserMode   string // "headless" or "headful": how runs start Chromium unless their script says
	BrowserWS     string // a remote Playwright browser server (ws:// or wss://); "" launches Chromium here
	Locale        string // e.g. "de-DE" for every browser context; "" = Chromium's (headful: the machine's)
	Timezone      string // e.g. "Europe/Berlin"; "" = the machine's
	LogLevel      string
	MaxDownload   int64 // bytes
	ScriptMemory  int64 // bytes
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is believed (the login
	// throttle keys on the client address); empty means none.
	TrustedProxies []netip.Prefix
	PublicURL      string // where users open billhound ("" = derived from Addr; see Public)
	MaxRuns        int
	RetryBackoff   []time.Duration // pauses before automatic retries; empty: none
	LogFormat      string          // text or json
	MetricsPublic  bool            // /metrics answers without an API token
	MinFreeDisk    int64           // bytes; /healthz reports not healthy below it
}

type option struct {
	env, flag, def, help string
	secret               bool
	set                  func(c *Config, v string) error
}

func str(dst func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *dst(c) = v; return nil }
}

func dur(dst func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a duration like 90s or 5m", v)
		}
		*dst(c) = d
		return nil
	}
}

// prefixes reads a comma-separated list of IPs and CIDRs; a bare IP is a prefix of one address.
func prefixes(dst func(*Config) *[]netip.Prefix) func(*Config, string) error {
	return func(c *Config, v string) error {
		var out []netip.Prefix
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			if p, err := netip.ParsePrefix(f); err == nil {
				out = append(out, p.Masked())
			} else if a, err := netip.ParseAddr(f); err == nil {
				out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			} else {
				return fmt.Errorf("%q is not an IP address or CIDR like 10.0.0.0/8", f)
			}
		}
		*dst(c) = out
		return nil
	}
}

// localeName is a BCP 47 tag as browsers take it: "de", "de-DE", "pt-BR".
var localeName = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[A-Za-z]{2})?$`)

var options = []option{
	{"BILLHOUND_ADDR", "addr", ":8080", "address the web UI and API listen on", false, str(func(c *Config) *string { return &c.Addr })},
	{"BILLHOUND_DATA", "data", "./data", "data directory: SQLite database, archive, run artifacts, secret key", false, str(func(c *Config) *string { return &c.DataDir })},
	{"BILLHOUND_SECRET_KEY", "", "", "key encrypting stored secrets (64 hex chars); when unset, one is generated into <data>/secret.key", true, str(func(c *Config) *string { return &c.SecretKey })},
	{"BILLHOUND_SECRET_KEY_FILE", "", "", "file holding the secret key (Docker/systemd secrets)", false, str(func(c *Config) *string { return &c.SecretKeyFile })},
	{"BILLHOUND_PLAYWRIGHT_DRIVER", "playwright-driver", ".cache/playwright-driver", "Playwright 1.52.0 driver folder (package/ and node), made by tools/install-deps.sh", false, str(func(c *Config) *string { return &c.DriverDir })},
	{"BILLHOUND_CHROMIUM", "chromium", "/usr/bin/chromium", "Chromium executable", false, str(func(c *Config) *string { return &c.ChromiumPath })},
	{"BILLHOUND_RUN_TIMEOUT", "run-timeout", "5m", "time limit of one portal run; the script is stopped after it", false, dur(func(c *Config) *time.Duration { return &c.RunTimeout })},
	{"BILLHOUND_BROWSER_IDLE", "browser-idle", "5m", "close Chromium after it was idle this long", false, dur(func(c *Config) *time.Duration { return &c.BrowserIdle })},
	{"BILLHOUND_BROWSER_MODE", "browser-mode", "headless", "headless, or headful (a windowed Chromium on a virtual display, without automation marks) for portals that refuse headless browsers; a script's `@browser` line wins", false, func(c *Config, v string) error {
		switch m := strings.ToLower(strings.TrimSpace(v)); m {
		case "headless", "headful":
			c.BrowserMode = m
			return nil
		}
		return fmt.Errorf("%q is not a browser mode; use headless or headful", v)
	}},
	{"BILLHOUND_BROWSER_WS", "browser-ws", "", "a Playwright 1.52 browser server to run browsers on instead of this machine (ws://host:port/ of `playwright run-server`)", false, func(c *Config, v string) error {
		v = strings.TrimSpace(v)
		if v != "" && !strings.HasPrefix(v, "ws://") && !strings.HasPrefix(v, "wss://") {
			return fmt.Errorf("%q must start with ws:// or wss://", v)
		}
		c.BrowserWS = v
		return nil
	}},
	{"BILLHOUND_LOCALE", "locale", "", "locale pages see (like de-DE); unset: Chromium's, in headful mode the machine's ($LANG)", false, func(c *Config, v string) error {
		v = strings.TrimSpace(v)
		if v != "" && !localeName.MatchString(v) {
			return fmt.Errorf("%q is not a locale like de-DE or en", v)
		}
		c.Locale = v
		return nil
	}},
	{"BILLHOUND_TIMEZONE", "timezone", "", "time zone pages see (like Europe/Berlin); unset: Chromium's, in headful mode the machine's", false, func(c *Config, v string) error {
		v = strings.TrimSpace(v)
		if v != "" {
			if _, err := time.LoadLocation(v); err != nil || v == "Local" {
				return fmt.Errorf("%q is not a time zone like Europe/Berlin", v)
			}
		}
		c.Timezone = v
		return nil
	}},
	{"BILLHOUND_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated IPs/CIDRs of reverse proxies whose X-Forwarded-For names the client", false, prefixes(func(c *Config) *[]netip.Prefix { return &c.TrustedProxies })},
	{"BILLHOUND_PUBLIC_URL", "public-url", "", "address users open billhound at, for the links in notifications (like https://bills.example.com); unset: http://localhost:<port of the listen address>", false, func(c *Config, v string) error {
		v = strings.TrimRight(strings.TrimSpace(v), "/")
		if v != "" && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
			return fmt.Errorf("%q must start with http:// or https://", v)
		}
		c.PublicURL = v
		return nil
	}},
	{"BILLHOUND_LOG_LEVEL", "log-level", "info", "debug, info, warn or error", false, str(func(c *Config) *string { return &c.LogLevel })},
	{"BILLHOUND_LOG_FORMAT", "log-format", "text", "text, or json (one JSON object a line, for log collectors)", false, func(c *Config, v string) error {
		if v != "text" && v != "json" {
			return fmt.Errorf("%q is not text or json", v)
		}
		c.LogFormat = v
		return nil
	}},
	{"BILLHOUND_METRICS_PUBLIC", "", "", "1: /metrics answers without an API token (only on a network you trust)", false, func(c *Config, v string) error {
		c.MetricsPublic = v == "1" || v == "true"
		if v != "" && !c.MetricsPublic && v != "0" && v != "false" {
			return fmt.Errorf("%q is not 1 or 0", v)
		}
		return nil
	}},
	{"BILLHOUND_MIN_FREE_DISK", "min-free-disk", "500MB", "/healthz reports not healthy when the data dir's disk has less free space", false, func(c *Config, v string) error {
		n, err := ParseSize(v)
		c.MinFreeDisk = n
		return err
	}},
	{"BILLHOUND_MAX_DOWNLOAD", "max-download", "100MB", "largest file a script may download or page.fetch (like 100MB, 1GB or bytes)", false, func(c *Config, v string) error {
		n, err := ParseSize(v)
		c.MaxDownload = n
		return err
	}},
	{"BILLHOUND_SCRIPT_MEMORY", "script-memory", "512MB", "memory one portal script may use; its sandbox process is stopped past it", false, func(c *Config, v string) error {
		n, err := ParseSize(v)
		if err == nil && n < 64<<20 {
			err = fmt.Errorf("%q is below the 64MB a script needs", v)
		}
		c.ScriptMemory = n
		return err
	}},
	{"BILLHOUND_MAX_RUNS", "max-runs", "2", "how many portal runs go at once (server and CLI together); more wait as queued", false, func(c *Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > 64 {
			return fmt.Errorf("%q is not a number of runs between 1 and 64", v)
		}
		c.MaxRuns = n
		return nil
	}},
	{"BILLHOUND_RETRY_BACKOFF", "retry-backoff", "5m,30m,2h", "pauses before retrying a run whose portal was unreachable or too slow; off: never retry", false, func(c *Config, v string) error {
		ds, err := ParseBackoff(v)
		c.RetryBackoff = ds
		return err
	}},
}

// ParseBackoff reads a comma-separated list of pauses like "5m,30m,2h"; "off" is none.
func ParseBackoff(v string) ([]time.Duration, error) {
	if s := strings.TrimSpace(v); s == "off" || s == "none" {
		return nil, nil
	}
	var out []time.Duration
	for _, part := range strings.Split(v, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%q is not a list of pauses like 5m,30m,2h (or off)", v)
		}
		out = append(out, d)
	}
	if len(out) > 10 {
		return nil, fmt.Errorf("%q has more than 10 retries", v)
	}
	return out, nil
}

// Public is the address links in notifications start with: PublicURL, or else one made from
// the listen address (":8080" and "0.0.0.0:8080" give http://localhost:8080).
func (c *Config) Public() string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return "http://localhost:8080"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// ParseSize reads a size like "100MB", "1.5GB", "512KB" or plain bytes ("1048576"). KB, MB
// and GB are binary (1 MB = 1024 × 1024 bytes), as the limit's messages print them.
func ParseSize(v string) (int64, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	unit := int64(1)
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, unit = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.size
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 1 || f*float64(unit) > 1<<50 || s == "" {
		return 0, fmt.Errorf("%q is not a size like 100MB, 1GB or a number of bytes", v)
	}
	return int64(f * float64(unit)), nil
}

// Load applies defaults, then the environment, then flags parsed from args. getenv is
// os.Getenv in production and a map lookup in tests.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string) (*Config, error) {
	c := &Config{}
	values := map[string]*string{}
	for _, o := range options {
		v := o.def
		if e := getenv(o.env); e != "" {
			v = e
		}
		if o.flag != "" {
			values[o.env] = fs.String(o.flag, v, o.help+" ($"+o.env+")")
		} else {
			vv := v
			values[o.env] = &vv
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	var problems []string
	for _, o := range options {
		if err := o.set(c, *values[o.env]); err != nil {
			problems = append(problems, o.env+": "+err.Error())
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("configuration: %s", strings.Join(problems, "; "))
	}
	return c, nil
}

// FromEnv is Load with the process environment and no flags.
func FromEnv() (*Config, error) {
	return Load(flag.NewFlagSet("billhound", flag.ContinueOnError), nil, os.Getenv)
}

// Describe lists every option with its default, for `billhound help`.
func Describe() string {
	var b strings.Builder
	for _, o := range options {
		name := o.env
		if o.flag != "" {
			name += " (--" + o.flag + ")"
		}
		def := o.def
		if def == "" {
			def = "unset"
		}
		fmt.Fprintf(&b, "  %-48s %s [default: %s]\n", name, o.help, def)
	}
	return b.String()
}
