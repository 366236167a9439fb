package scripts

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"billhound/browser"

	"github.com/dlclark/regexp2/v2"
)

// TestTimeout: a busy loop, a waitFor with a huge timeout and a long sleep all end at the run's
// limit (within 2 s) with ErrTimeout, naming the limit and where the script stood.
func TestTimeout(t *testing.T) {
	site := newSite(t)
	const limit = 1500 * time.Millisecond
	cases := []struct{ name, src, want string }{
		// No page call first: a slow machine could still be loading the page at the limit.
		{"busy loop", `let i = 0;
while (true) { i++; }`, "the script ran longer than its 1.5s limit and was stopped at demo.js:9"},
		{"waitFor", `page.goto("/widgets");
page.waitFor("#never", {timeout: 1e9});`, `the script ran longer than its 1.5s limit and was stopped at demo.js:9 while in page.waitFor("#never")`},
		{"sleep", `sleep(1e9);`, "the script ran longer than its 1.5s limit and was stopped at demo.js:8 while in sleep(1000000000)"},
		{"caught", `page.goto("/widgets");
for (;;) { try { page.waitFor("#never", {timeout: 1e9}); } catch (e) { log("caught", e); } }`, "the script ran longer than its 1.5s limit"},
		{"evaluate", `page.goto("/widgets");
page.evaluate("() => { while (true) {} }");`, `while in page.evaluate("() => { while (true) {} }")`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var took time.Duration
			h, err := runScript(t, tc.src, runOpts{base: site.URL, timeout: limit, action: 30 * time.Second, took: &took})
			if !errors.Is(err, ErrTimeout) {
				t.Fatalf("err = %v, want ErrTimeout", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if took > limit+2*time.Second {
				t.Errorf("the run took %s, limit %s", took, limit)
			}
			if strings.Contains(h.logText(), "caught") {
				t.Errorf("the script caught the interruption: %s", h.logText())
			}
		})
	}
}

// TestCancel: a cancelled parent context stops the run with its cause, not ErrTimeout.
func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	bc, err := testBrowser.NewContext(ctx, browser.ContextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer bc.Close()
	page, _ := bc.NewPage()
	time.AfterFunc(300*time.Millisecond, func() { cancel(errors.New("shutting down")) })
	err = NewEngine(EngineOptions{}).Run(ctx, RunOptions{Source: testHeader + "sleep(60000);", Page: page, Host: newHost(), Filename: "x.js"})
	if err == nil || errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "shutting down") {
		t.Fatalf("err = %v", err)
	}
}

// TestRegexpBounded: a catastrophic RegExp (regexp2, which goja cannot interrupt) stops after
// the match timeout instead of outliving the run.
func TestRegexpBounded(t *testing.T) {
	old := regexp2.DefaultMatchTimeout
	regexp2.DefaultMatchTimeout = 300 * time.Millisecond
	defer func() { regexp2.DefaultMatchTimeout = old }()
	var took time.Duration
	h := mustRun(t, `log(/^(?=(a|aa)+$)\1*c/.test("a".repeat(40) + "b"));`, runOpts{took: &took})
	if took > 5*time.Second || h.logText() != "info: false" {
		t.Fatalf("took %s, log %q", took, h.logText())
	}
}
