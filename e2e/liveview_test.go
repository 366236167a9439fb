package e2e

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/browser"
)

// TestLiveViewSolvesChallenge: a portal asks "click the red circle" after the password, which
// no script can do. The user opens the run on a phone, takes over in the live view, looks for
// the red circle in the picture and taps it; the run goes on and files the invoices.
func TestLiveViewSolvesChallenge(t *testing.T) {
	t.Parallel()
	in := newChallengeInstance(t)
	in.setupAdmin()
	var p portalJSON
	body := map[string]string{"name": "Nimbus checks devices", "script": in.bundledScript("demo-challenge.js"),
		"url": in.portal + "/login", "username": "demo", "password": demoPassword}
	if code := in.call("POST", "/api/portals", body, &p); code != 201 {
		t.Fatalf("add portal: %d", code)
	}
	var run runJSON
	if code := in.call("POST", fmt.Sprintf("/api/portals/%d/runs", p.ID), nil, &run); code != 202 {
		t.Fatalf("start run: %d", code)
	}

	// The user's phone, signed in to billhound (the session cookie of the API client).
	bc, err := browsers.NewContext(ctxFor(t, time.Minute), browser.ContextOptions{BaseURL: in.base,
		ViewportWidth: 390, ViewportHeight: 844, HasTouch: true})
	if err != nil {
		t.Fatal(err)
	}
	defer bc.Close()
	u, _ := url.Parse(in.base)
	for _, c := range in.client.Jar.Cookies(u) {
		if err := bc.AddCookies([]playwright.OptionalCookie{{Name: c.Name, Value: c.Value, URL: playwright.String(in.base)}}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	page.SetDefaultTimeout(30000)
	must := func(err error) {
		t.Helper()
		if err != nil {
			snap(t, page, "live-failure")
			t.Fatal(err)
		}
	}
	_, err = page.Goto(fmt.Sprintf("%s/#/runs/%d", in.base, run.ID))
	must(err)

	// The run waits at the challenge: its log says so, and the live view shows the page.
	must(page.Locator("#run-log li", playwright.PageLocatorOptions{HasText: "take over"}).WaitFor())
	must(page.Locator("#run-needs-you").WaitFor()) // the banner: this run needs you
	must(page.Locator("#live-takeover:not([disabled])").Tap())
	if pressed, _ := page.Locator("#live-takeover").GetAttribute("aria-pressed"); pressed != "true" {
		t.Fatalf("Take over is not pressed: aria-pressed=%q", pressed)
	}
	img := page.Locator("#live-img")
	must(img.WaitFor())
	x, y := findRedCircle(t, page)
	snap(t, page, "live-01-challenge")

	// Tap the circle where the phone shows it.
	must(img.ScrollIntoViewIfNeeded())
	box, err := img.BoundingBox()
	must(err)
	natural, err := img.Evaluate("i => [i.naturalWidth, i.naturalHeight]", nil)
	must(err)
	nw := toFloat(natural.([]any)[0])
	scale := box.Width / nw
	must(page.Touchscreen().Tap(int(box.X+x*scale), int(box.Y+y*scale)))

	if st := waitForRunEnd(t, page); st != "succeeded" {
		logText, _ := page.Locator("#run-log").InnerText()
		snap(t, page, "live-failure")
		t.Fatalf("run status %q after solving the challenge\n%s", st, logText)
	}
	snap(t, page, "live-02-done")
	final := in.waitRun(run.ID)
	if final.NewCount == 0 || !strings.Contains(final.logText(), "verified; going on") {
		t.Fatalf("the run did not go on past the challenge: %d new\n%s", final.NewCount, final.logText())
	}
	if n, _ := page.Locator("#live-view").Count(); n != 0 {
		t.Fatal("the live view is still shown for a finished run")
	}
}

// findRedCircle looks at the live view's current frame the way a person would: for the red
// circle. It returns its middle in the frame's pixels, waiting until the frame shows it.
func findRedCircle(t *testing.T, page playwright.Page) (float64, float64) {
	t.Helper()
	const look = `img => {
		if (!img.complete || !img.naturalWidth) return null;
		const c = document.createElement('canvas');
		c.width = img.naturalWidth; c.height = img.naturalHeight;
		const g = c.getContext('2d');
		g.drawImage(img, 0, 0);
		const d = g.getImageData(0, 0, c.width, c.height).data;
		const xs = [], ys = [];
		for (let i = 0; i < d.length; i += 4) {
			if (d[i] > 170 && d[i + 1] < 90 && d[i + 2] < 90) { const p = i / 4; xs.push(p % c.width); ys.push(Math.floor(p / c.width)); }
		}
		if (xs.length < 400) return null; // not the picture yet (the circle has ~1500 red pixels)
		xs.sort((a, b) => a - b); ys.sort((a, b) => a - b);
		return [xs[xs.length >> 1], ys[ys.length >> 1]];
	}`
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		v, err := page.Locator("#live-img").Evaluate(look, nil)
		if err == nil && v != nil {
			xy := v.([]any)
			return toFloat(xy[0]), toFloat(xy[1])
		}
		time.Sleep(200 * time.Millisecond)
	}
	snap(t, page, "live-failure")
	t.Fatal("the live view never showed the red circle of the challenge")
	return 0, 0
}

func toFloat(v any) float64 {
	switch n := v.(type) {
	case int:
		return float64(n)
	case float64:
		return n
	}
	return 0
}

// bundledScript is a bundled script's source as the UI offers it.
func (in *instance) bundledScript(file string) string {
	in.t.Helper()
	var list []struct{ File, Source string }
	if code := in.call("GET", "/api/bundled-scripts", nil, &list); code != 200 {
		in.t.Fatalf("bundled scripts: %d", code)
	}
	for _, s := range list {
		if s.File == file {
			return s.Source
		}
	}
	in.t.Fatalf("no bundled %s", file)
	return ""
}

// newChallengeInstance is newInstance with the demo portal asking for the challenge.
func newChallengeInstance(t *testing.T) *instance {
	t.Helper()
	in := &instance{t: t, data: t.TempDir()}
	demoAddr := freeAddr(t)
	in.demo = start(t, demoAddr, nil, "demo-portal", "--addr", demoAddr, "--password", demoPassword, "--challenge")
	in.portal = "http://" + demoAddr
	addr := freeAddr(t)
	in.server = start(t, addr, []string{"BILLHOUND_RUN_TIMEOUT=3m"}, "serve", "--addr", addr, "--data", in.data)
	in.base = "http://" + addr
	jar, _ := cookiejar.New(nil)
	in.client = &http.Client{Jar: jar, Timeout: 60 * time.Second}
	return in
}
