package runner

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"billhound/store"
)

// TestScriptPicksHeadful: a portal whose script says `@browser headful` passes a bot check
// that refuses headless Chromium; the same script without the line fails it.
func TestScriptPicksHeadful(t *testing.T) {
	t.Setenv("DISPLAY", "") // billhound brings its own virtual display
	t.Setenv("WAYLAND_DISPLAY", "")
	r, st := newTestRunner(t)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.Contains(req.UserAgent(), "HeadlessChrome") {
			w.WriteHeader(http.StatusForbidden)
		}
		fmt.Fprint(w, `<p id=verdict>refused</p><script>if (!navigator.webdriver && !/Headless/.test(navigator.userAgent))
			document.getElementById('verdict').textContent = 'welcome';</script>`)
	}))
	defer site.Close()
	body := "page.goto('/');\nif (page.text('#verdict') !== 'welcome') throw new Error('the bot check refused us');\n"
	for _, tc := range []struct {
		header string
		want   string
	}{{"// @browser headful\n", store.RunSucceeded}, {"", store.RunFailed}} {
		p := &store.Portal{Name: "Fussy " + tc.want, Script: "// ==Portal==\n// @name Fussy\n// @url " + site.URL + "/\n" + tc.header + "// ==/Portal==\n" + body}
		if err := st.CreatePortal(p); err != nil {
			t.Fatal(err)
		}
		res, err := r.RunNow(context.Background(), p.ID, "cli")
		if err != nil {
			t.Fatal(err)
		}
		if res.Run.Status != tc.want {
			t.Errorf("script with %q: run %s (%s), want %s", tc.header, res.Run.Status, res.Run.Error, tc.want)
		}
	}
}
