package runner

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/credentials"
)

// clockWatch learns the portal's clock from the Date headers of its responses during a run. A
// portal checks a code against its own clock; when that clock is off, codes computed on ours
// are refused. A Date header has whole seconds, cut down, and reaches us a little later, so
// each sample (Date minus the time it arrived) is a lower bound of the offset, at most about a
// second below it. The largest sample is the estimate: never ahead of the portal's clock, so a
// code is never sent for a step the portal has not begun (the end of a step is guarded by
// MinRemaining), and a stale Date (a cached answer) only lowers a sample, which max ignores.
type clockWatch struct {
	host string // the portal's host: its responses are samples, and so are page loads

	mu      sync.Mutex
	samples []time.Duration // portal clock minus ours
	told    bool            // a large offset was logged already
}

const maxClockSamples = 31

func newClockWatch(portalURL string) *clockWatch {
	c := &clockWatch{}
	if u, err := url.Parse(portalURL); err == nil {
		c.host = strings.ToLower(u.Hostname())
	}
	return c
}

// observe is the page's response listener. It runs on Playwright's event goroutine, so it
// only reads what the event already carries.
func (c *clockWatch) observe(resp playwright.Response) {
	received := time.Now()
	h := resp.Headers()
	date := h["date"]
	if date == "" || h["age"] != "" { // Age: served by a shared cache, Date is not now
		return
	}
	if !c.relevant(resp) {
		return
	}
	t, err := http.ParseTime(date)
	if err != nil {
		return
	}
	c.add(t.Sub(received))
}

func (c *clockWatch) relevant(resp playwright.Response) bool {
	if req := resp.Request(); req != nil && req.IsNavigationRequest() {
		return true
	}
	u, err := url.Parse(resp.URL())
	return err == nil && c.host != "" && strings.EqualFold(u.Hostname(), c.host)
}

func (c *clockWatch) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.samples = append(c.samples, d)
	if len(c.samples) > maxClockSamples {
		c.samples = c.samples[1:]
	}
}

// skew is the offset seen in this run (the largest sample); ok is false before any sample.
func (c *clockWatch) skew() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.samples) == 0 {
		return 0, false
	}
	return slices.Max(c.samples), true
}

// portalNow is the time on the portal's clock: this run's estimate, or else the one learned
// by earlier runs. A large offset is logged once, so a user reading the log knows why codes
// are computed for another time.
func (h *runHost) portalNow() time.Time {
	if h.clock == nil {
		h.clock = newClockWatch("")
	}
	skew, ok := h.clock.skew()
	if !ok {
		skew = h.portal.ClockSkew()
	}
	if credentials.Corrects(skew) {
		h.clock.mu.Lock()
		first := !h.clock.told
		h.clock.told = true
		h.clock.mu.Unlock()
		if first {
			h.Log("info", fmt.Sprintf("the portal's clock is %s; 2FA codes follow the portal's clock", describeSkew(skew)))
		}
	}
	return credentials.PortalTime(skew, time.Now())
}

// saveClock keeps what this run learned of the portal's clock for the portal page and for
// codes shown or used later.
func (h *runHost) saveClock() {
	if h.portal == nil || h.clock == nil {
		return
	}
	skew, ok := h.clock.skew()
	if !ok {
		return
	}
	if err := h.r.Store.SetClockSkew(h.portal.ID, skew, time.Now()); err != nil {
		h.r.Logger.Warn("cannot store the portal's clock offset", "portal", h.portal.ID, "err", err)
	}
}

// describeSkew says "45 s ahead of this machine's" or "12 s behind this machine's".
func describeSkew(d time.Duration) string {
	s := d.Round(time.Second)
	if s < 0 {
		return fmt.Sprintf("%d s behind this machine's", int(-s.Seconds()))
	}
	return fmt.Sprintf("%d s ahead of this machine's", int(s.Seconds()))
}
