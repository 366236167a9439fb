package browser_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"billhound/browser"
	"billhound/demoportal"
	"billhound/internal/benchdoc"
	"billhound/netpolicy"

	"github.com/playwright-community/playwright-go"
)

// TestPolicyOverhead measures what the network policy's interception costs on the demo
// portal: a fresh context (as every run gets) loading the login page, signing in, and loading
// the invoices page again, with the policy and without it (a bare Playwright context on the
// same Chromium). Results go to docs/BENCHMARKS.md (make bench).
func TestPolicyOverhead(t *testing.T) {
	out := benchdoc.Path(repoRoot(t))
	if out == "" {
		t.Skip("set BILLHOUND_BENCH_OUT to measure the network policy's overhead (make bench)")
	}
	demo := httptest.NewServer(demoportal.New(demoportal.Options{}))
	defer demo.Close()
	ctx := context.Background()
	open := func(guarded bool) playwright.BrowserContext {
		if guarded {
			bc, err := shared.NewContext(ctx, browser.ContextOptions{BaseURL: demo.URL, Policy: netpolicy.New("127.0.0.1:1").ForRun(nil)})
			if err != nil {
				t.Fatal(err)
			}
			return bc
		}
		bc, err := shared.CurrentBrowser().NewContext(playwright.BrowserNewContextOptions{BaseURL: playwright.String(demo.URL)})
		if err != nil {
			t.Fatal(err)
		}
		return bc
	}
	open(true).Close() // launches Chromium, so CurrentBrowser is set

	const rounds = 25
	var times [2][3][]time.Duration // [unguarded, guarded][login page, sign-in, invoices again]
	for i := 0; i < rounds; i++ {
		for _, guarded := range []bool{i%2 == 0, i%2 != 0} { // alternate who goes first
			bc := open(guarded)
			d := flow(t, bc)
			bc.Close()
			g := 0
			if guarded {
				g = 1
			}
			for k := range d {
				times[g][k] = append(times[g][k], d[k])
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## Network policy: interception overhead\n\n")
	fmt.Fprintf(&b, "Written by `TestPolicyOverhead` (browser/policy_bench_test.go) on %s, %d CPUs, %s; Chromium %s.\n\n",
		time.Now().Format("2006-01-02"), runtime.NumCPU(), runtime.Version(), shared.CurrentBrowser().Version())
	fmt.Fprintf(&b, "Each round opens a fresh browser context (as every run gets) on the demo portal served in-process, "+
		"loads /login, signs in (fill, submit, wait for the signed-in page) and loads /invoices again; "+
		"with billhound's policy (the context's proxy, route and frame/console/download checks) and without (a bare Playwright context), "+
		"alternating which goes first. %d rounds each; medians.\n\n", rounds)
	b.WriteString("| step | without policy | with policy | ratio |\n|---|--:|--:|--:|\n")
	for k, name := range []string{"load /login (cold context)", "sign in", "load /invoices again"} {
		a, g := median(times[0][k]), median(times[1][k])
		fmt.Fprintf(&b, "| %s | %s | %s | %.2f |\n", name, a.Round(100*time.Microsecond), g.Round(100*time.Microsecond), float64(g)/float64(a))
	}
	b.WriteString("\nWhat costs: every connection goes through the context's Go proxy (https as a CONNECT tunnel, so the " +
		"proxy copies bytes and never decrypts), and the frame, console and download checks listen to the page's events. " +
		"There is no Playwright route (a route pauses every request of the context in the driver and turns the HTTP cache " +
		"off): each page has Chromium pause only the URLs that are not http(s), through the DevTools Fetch domain with URL " +
		"patterns, so web requests and the cache are as in a bare context. A ratio near 1 is within the noise of this shared machine.\n")
	t.Log("\n" + b.String())
	if err := benchdoc.WriteSection(out, "netpolicy", b.String()); err != nil {
		t.Fatal(err)
	}
}

// flow times the three steps on a fresh context.
func flow(t *testing.T, bc playwright.BrowserContext) [3]time.Duration {
	t.Helper()
	p, err := browser.NewPage(bc) // as a run opens its page
	if err != nil {
		t.Fatal(err)
	}
	var d [3]time.Duration
	start := time.Now()
	if _, err := p.Goto("/login"); err != nil {
		t.Fatal(err)
	}
	d[0] = time.Since(start)
	start = time.Now()
	p.Locator("#username").Fill(demoportal.DefaultUsername)
	p.Locator("#password").Fill(demoportal.DefaultPassword)
	if err := p.Locator("button[type=submit]").Click(); err != nil {
		t.Fatal(err)
	}
	if err := p.Locator(`a[href="/logout"]`).WaitFor(); err != nil {
		t.Fatal(err)
	}
	d[1] = time.Since(start)
	start = time.Now()
	if _, err := p.Goto("/invoices"); err != nil {
		t.Fatal(err)
	}
	d[2] = time.Since(start)
	return d
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}
