package browser

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/playwright-community/playwright-go"
)

// Mode is how Chromium is started for a run.
type Mode string

const (
	// Headless is Chromium without a window: fast and light, fine for most portals.
	Headless Mode = "headless"
	// Headful is a windowed Chromium on a display (billhound's own virtual one when there is no
	// $DISPLAY) without the marks of automation that bot checks look for: no
	// --enable-automation, navigator.webdriver false, no "HeadlessChrome" in the user agent,
	// and the user's locale and time zone. For portals that refuse headless browsers.
	Headful Mode = "headful"
)

// Modes lists every mode, in the order help texts name them.
var Modes = []Mode{Headless, Headful}

// ParseMode reads a mode as users write it (config, a script's @browser line). "" is "".
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case "", Headless, Headful:
		return m, nil
	}
	return "", fmt.Errorf("%q is not a browser mode; use headless or headful", s)
}

// stealthArgs hide automation from the page in headful mode. AutomationControlled is what makes
// Chromium set navigator.webdriver; --enable-automation (Playwright's default) adds the
// "controlled by automated software" bar and the same flag.
var stealthArgs = []string{"--disable-blink-features=AutomationControlled"}

// launchOptions are the options Chromium is launched with in mode. display is the X display
// for headful mode ("" keeps the environment's); xauth the matching authority file.
func (m *Manager) launchOptions(mode Mode, display, xauth string) playwright.BrowserTypeLaunchOptions {
	o := playwright.BrowserTypeLaunchOptions{
		ExecutablePath: playwright.String(m.opt.ChromiumPath),
		Headless:       playwright.Bool(mode != Headful),
		Args:           chromiumArgs,
		Timeout:        playwright.Float(60_000),
		// billhound shuts down in order (runs, then Close); Chromium must not die first.
		HandleSIGINT:  playwright.Bool(false),
		HandleSIGTERM: playwright.Bool(false),
		HandleSIGHUP:  playwright.Bool(false),
	}
	if mode != Headful {
		return o
	}
	o.Args = append(append([]string{}, chromiumArgs...), stealthArgs...)
	o.IgnoreDefaultArgs = []string{"--enable-automation"}
	if display != "" {
		env := environ()
		env["DISPLAY"] = display
		env["XAUTHORITY"] = xauth
		o.Env = env
	}
	return o
}

// remoteLaunchOptions is the launch request a Playwright server gets in the
// x-playwright-launch-options header: the same arguments as a local launch. The server picks
// its own Chromium and display.
func (m *Manager) remoteLaunchOptions(mode Mode) string {
	o := map[string]any{"headless": mode != Headful, "args": chromiumArgs}
	if mode == Headful {
		o["args"] = append(append([]string{}, chromiumArgs...), stealthArgs...)
		o["ignoreDefaultArgs"] = []string{"--enable-automation"}
	}
	b, _ := json.Marshal(o)
	return string(b)
}

// contextOptions turns opt into Playwright's options for a context of mode (without the proxy).
func (m *Manager) contextOptions(mode Mode, opt ContextOptions) playwright.BrowserNewContextOptions {
	w, h := opt.ViewportWidth, opt.ViewportHeight
	if w <= 0 {
		w = 1280
	}
	if h <= 0 {
		h = 800
	}
	o := playwright.BrowserNewContextOptions{
		AcceptDownloads: playwright.Bool(true),
		Viewport:        &playwright.Size{Width: w, Height: h},
		// A service worker's requests could bypass the context's route; portals work without.
		ServiceWorkers: playwright.ServiceWorkerPolicyBlock,
	}
	if opt.BaseURL != "" {
		o.BaseURL = playwright.String(opt.BaseURL)
	}
	locale, tz := m.contextLocale(mode, opt)
	if locale != "" {
		o.Locale = playwright.String(locale)
	}
	if tz != "" {
		o.TimezoneId = playwright.String(tz)
	}
	if opt.UserAgent != "" {
		o.UserAgent = playwright.String(opt.UserAgent)
	}
	return o
}

// contextLocale is the locale and time zone a context of mode gets: the ContextOptions', else
// the Manager's, else (headful mode, which should look like the user's own browser) the
// machine's.
func (m *Manager) contextLocale(mode Mode, opt ContextOptions) (locale, tz string) {
	locale, tz = opt.Locale, opt.TimezoneID
	if locale == "" {
		locale = m.opt.Locale
	}
	if tz == "" {
		tz = m.opt.TimezoneID
	}
	if mode == Headful {
		if locale == "" {
			locale = UserLocale()
		}
		if tz == "" {
			tz = UserTimezone()
		}
	}
	return locale, tz
}

// environ is the process environment as a map (Playwright replaces Chromium's environment
// with the one it is given).
func environ() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}
