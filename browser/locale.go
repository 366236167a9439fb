package browser

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// bcp47 is what Chromium accepts as a locale: "de", "de-DE", "pt-BR".
var bcp47 = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z]{2})?$`)

// UserLocale is this machine's locale as a browser names it ("de_DE.UTF-8" → "de-DE"), from
// $LC_ALL, $LC_MESSAGES or $LANG; "en-US" when they say nothing usable (like "C" or "POSIX").
func UserLocale() string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(k)
		if v == "" {
			continue
		}
		if l, ok := posixLocale(v); ok {
			return l
		}
		break // the first one set decides, as for every other program
	}
	return "en-US"
}

// posixLocale turns "de_DE.UTF-8@euro" into "de-DE".
func posixLocale(v string) (string, bool) {
	v, _, _ = strings.Cut(v, ".")
	v, _, _ = strings.Cut(v, "@")
	l := strings.Replace(v, "_", "-", 1)
	return l, bcp47.MatchString(l)
}

// UserTimezone is this machine's IANA time zone ("Europe/Berlin"): $TZ when it names one, else
// the zone /etc/localtime links to, else /etc/timezone, else "UTC".
func UserTimezone() string {
	if tz := strings.TrimPrefix(os.Getenv("TZ"), ":"); tz != "" && validZone(tz) {
		return tz
	}
	if target, err := filepath.EvalSymlinks("/etc/localtime"); err == nil {
		if _, zone, ok := strings.Cut(target, "/zoneinfo/"); ok && validZone(zone) {
			return zone
		}
	}
	if b, err := os.ReadFile("/etc/timezone"); err == nil {
		if zone := strings.TrimSpace(string(b)); validZone(zone) {
			return zone
		}
	}
	return "UTC"
}

func validZone(name string) bool {
	if name == "" || name == "Local" || strings.HasPrefix(name, "/") {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}
