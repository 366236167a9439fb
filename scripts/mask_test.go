package scripts

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestScreenshotMasksSecrets: page.screenshot() covers the password field, the one-time-code
// field and any field or text showing a credential, short ones included, and leaves the page as
// it was.
func TestScreenshotMasksSecrets(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `<!doctype html><html><head><style>
body { margin: 0; background: #fff; font: 20px monospace; }
.box { position: absolute; left: 20px; width: 300px; height: 40px; margin: 0; padding: 0; border: 0; background: #fff; color: #000; font: 20px monospace; }
</style></head><body>
<input class=box id=plain style="top: 20px">
<input class=box id=pw type=password style="top: 80px">
<input class=box id=code name=otp style="top: 140px">
<input class=box id=pin style="top: 200px">
<p class=box id=echo style="top: 260px"></p>
<input class=box id=other style="top: 320px">
</body></html>`)
	}))
	defer site.Close()
	h := newHost()
	h.creds["pin"] = "a1!"
	mustRun(t, asserts+`
page.goto("/");
page.fill("#plain", credentials.password);
page.fill("#pw", credentials.password);
page.fill("#code", "424242");
page.fill("#pin", credentials.pin);
page.evaluate("(v) => { document.getElementById('echo').textContent = 'yours: ' + v; }", credentials.password);
page.fill("#other", "not a secret");
page.screenshot("form");
eq(page.evaluate("document.querySelectorAll('[data-billhound-mask]').length"), 0, "the page is left as it was");
`, runOpts{base: site.URL, host: h})
	shot := h.artifacts["01-form.png"]
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v (artifacts %v)", err, keys(h.artifacts))
	}
	black := func(r image.Rectangle) bool {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if cr, cg, cb, _ := img.At(x, y).RGBA(); cr|cg|cb != 0 {
					return false
				}
			}
		}
		return true
	}
	box := func(top int) image.Rectangle { return image.Rect(22, top+2, 318, top+38) }
	for name, top := range map[string]int{"a text field holding the password": 20, "the password field": 80,
		"the one-time-code field": 140, "a field holding a 3-character secret": 200, "text showing the password": 260} {
		if !black(box(top)) {
			t.Errorf("%s is not masked", name)
		}
	}
	if black(box(320)) {
		t.Error("a field without a secret is masked too")
	}
}
