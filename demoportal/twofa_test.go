package demoportal

import (
	"bytes"
	"image/png"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// testSecret is a 20-byte base32 secret for accounts that start with 2FA on.
const testSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// setupPage signs in the default demo account and opens the 2FA setup. It returns the secret
// shown as text and the setup id of the confirm form.
func setupPage(t *testing.T, b *browser) (body, secret, setupID string) {
	t.Helper()
	if got := b.login(t, "demo", "demo-password"); got.path != "/account" {
		t.Fatalf("login landed on %s", got.path)
	}
	got := b.get(t, "/settings/2fa")
	secret = strings.ReplaceAll(find(t, got.body, `<code id="totp-secret">([A-Z2-7 ]+)</code>`), " ", "")
	setupID = find(t, got.body, `name="setup" value="([^"]+)"`)
	return got.body, secret, setupID
}

func TestEnrolment(t *testing.T) {
	tests := []struct {
		name      string
		wait      time.Duration
		code      func(t *testing.T, secret string, step int64) string
		wantError string // "" means 2FA ends up enabled
	}{
		{"current code", 0, func(t *testing.T, s string, step int64) string { return codeAt(t, s, step) }, ""},
		{"code of the previous step", 0, func(t *testing.T, s string, step int64) string { return codeAt(t, s, step-1) }, ""},
		{"59 s later", 59 * time.Second, func(t *testing.T, s string, step int64) string { return codeAt(t, s, step) }, ""},
		{"wrong code", 0, func(*testing.T, string, int64) string { return "000000" }, msgBadCode},
		{"not digits", 0, func(*testing.T, string, int64) string { return "abcdef" }, msgBadCode},
		{"code two steps old", 0, func(t *testing.T, s string, step int64) string { return codeAt(t, s, step-2) }, msgBadCode},
		{"61 s later", 61 * time.Second, func(t *testing.T, s string, step int64) string { return codeAt(t, s, step) }, "The setup expired. Start again."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			b := f.browser()
			_, secret, setupID := setupPage(t, b)
			if len(secret) != 32 { // 20 bytes in base32
				t.Fatalf("secret %q has %d characters, want 32", secret, len(secret))
			}
			f.clock.Add(tt.wait)
			step := stepOf(f.clock.Now())
			got := b.post(t, "/settings/2fa", "setup", setupID, "code", tt.code(t, secret, step))
			if e := errorText(got.body); e != tt.wantError {
				t.Fatalf("error %q, want %q", e, tt.wantError)
			}
			if tt.wantError != "" {
				if f.portal.TOTPSecret("demo") != "" {
					t.Fatal("2FA enabled after a failed confirmation")
				}
				// The form is still there; an expired setup shows a fresh secret.
				again := strings.ReplaceAll(find(t, got.body, `<code id="totp-secret">([A-Z2-7 ]+)</code>`), " ", "")
				if fresh := again != secret; fresh != strings.Contains(tt.wantError, "expired") {
					t.Fatalf("secret changed = %v after %q", fresh, tt.wantError)
				}
				return
			}
			if !contains(got.body, "Two-factor authentication is on.") {
				t.Fatalf("no confirmation:\n%s", got.body)
			}
			list := find(t, got.body, `(?s)<ul id="recovery-codes" class="codes">(.*?)</ul>`)
			codes := regexp.MustCompile(`<li>([0-9a-f]{4}-[0-9a-f]{4})</li>`).FindAllStringSubmatch(list, -1)
			if len(codes) != 10 {
				t.Fatalf("%d recovery codes, want 10:\n%s", len(codes), list)
			}
			if got := f.portal.TOTPSecret("demo"); got != secret {
				t.Fatalf("TOTPSecret = %q, want %q", got, secret)
			}
			if len(f.portal.UsedSteps("demo")) != 1 {
				t.Fatalf("UsedSteps = %v, want the confirmed step", f.portal.UsedSteps("demo"))
			}
			// The page now says 2FA is on, and the next sign-in asks for a code.
			if body := b.get(t, "/settings/2fa").body; !contains(body, "Two-factor authentication is on") {
				t.Fatalf("security page after enabling:\n%s", body)
			}
			if got := f.browser().login(t, "demo", "demo-password"); got.path != "/login/2fa" {
				t.Fatalf("sign-in after enabling landed on %s, want /login/2fa", got.path)
			}
		})
	}
}

// TestEnrolmentCodeCannotBeReplayed: the code that confirmed the setup is spent, so signing in
// with it right away fails, as billhound's replay-safe totp() expects.
func TestEnrolmentCodeCannotBeReplayed(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	_, secret, setupID := setupPage(t, b)
	step := stepOf(f.clock.Now())
	b.post(t, "/settings/2fa", "setup", setupID, "code", codeAt(t, secret, step))

	c := f.browser()
	c.login(t, "demo", "demo-password")
	if got := c.post(t, "/login/2fa", "code", codeAt(t, secret, step)); errorText(got.body) != msgReusedCode {
		t.Fatalf("replayed enrolment code: error %q", errorText(got.body))
	}
	if got := c.post(t, "/login/2fa", "code", codeAt(t, secret, step+1)); got.path != "/account" {
		t.Fatalf("next step's code landed on %s", got.path)
	}
}

func TestNewSetupPerVisit(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	_, first, oldID := setupPage(t, b)
	second := strings.ReplaceAll(find(t, b.get(t, "/settings/2fa").body, `<code id="totp-secret">([A-Z2-7 ]+)</code>`), " ", "")
	if first == second {
		t.Fatal("reloading the setup page showed the same secret")
	}
	// The form of the first visit no longer enables anything.
	got := b.post(t, "/settings/2fa", "setup", oldID, "code", codeAt(t, first, stepOf(f.clock.Now())))
	if errorText(got.body) != "The setup expired. Start again." || f.portal.TOTPSecret("demo") != "" {
		t.Fatalf("stale setup form: error %q, secret %q", errorText(got.body), f.portal.TOTPSecret("demo"))
	}
}

// TestTwoFactorLogin walks through sign-ins of an account with 2FA; each case is a new browser
// and the cases build on each other (used steps and recovery codes persist).
func TestTwoFactorLogin(t *testing.T) {
	f := newFixture(t, Account{Username: "alice", Password: "pw", TOTPSecret: testSecret})
	now := stepOf(f.clock.Now())
	recovery := f.portal.RecoveryCodes("alice")
	if len(recovery) != 10 {
		t.Fatalf("%d recovery codes, want 10", len(recovery))
	}
	totpCode := func(delta int64) func() (string, string) {
		return func() (string, string) { return "/login/2fa", codeAt(t, testSecret, now+delta) }
	}
	recoveryCode := func(c string) func() (string, string) {
		return func() (string, string) { return "/login/recovery", c }
	}
	field := map[string]string{"/login/2fa": "code", "/login/recovery": "recovery_code"}
	tests := []struct {
		name      string
		submit    func() (path, code string)
		wantError string
	}{
		{"current step", totpCode(0), ""},
		{"same step again", totpCode(0), msgReusedCode},
		{"next step", totpCode(+1), ""},
		{"previous step", totpCode(-1), ""},
		{"two steps back", totpCode(-2), msgBadCode},
		{"two steps ahead", totpCode(+2), msgBadCode},
		{"wrong code", func() (string, string) { return "/login/2fa", "123 456" }, msgBadCode},
		{"recovery code", recoveryCode(recovery[0]), ""},
		{"same recovery code", recoveryCode(recovery[0]), msgUsedRecovery},
		{"recovery code without dash, upper case", recoveryCode(strings.ToUpper(strings.ReplaceAll(recovery[1], "-", ""))), ""},
		{"made-up recovery code", recoveryCode("abcd-efgh"), msgBadRecovery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := f.browser()
			if got := b.login(t, "alice", "pw"); got.path != "/login/2fa" ||
				!contains(got.body, "Enter the 6-digit code from your authenticator app") ||
				!contains(got.body, `<input name="code" id="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6"`) {
				t.Fatalf("password step landed on %s:\n%s", got.path, got.body)
			}
			path, code := tt.submit()
			got := b.post(t, path, field[path], code)
			if e := errorText(got.body); e != tt.wantError {
				t.Fatalf("error %q, want %q", e, tt.wantError)
			}
			wantPath := path
			if tt.wantError == "" {
				wantPath = "/account"
			}
			if got.path != wantPath {
				t.Fatalf("landed on %s, want %s", got.path, wantPath)
			}
		})
	}
	if got, want := f.portal.UsedSteps("alice"), []int64{now - 1, now, now + 1}; !slices.Equal(got, want) {
		t.Fatalf("UsedSteps = %v, want %v", got, want)
	}
	if n := len(f.portal.RecoveryCodes("alice")); n != 8 {
		t.Fatalf("%d unused recovery codes, want 8", n)
	}
}

func TestTooManyCodeAttempts(t *testing.T) {
	f := newFixture(t, Account{Username: "alice", Password: "pw", TOTPSecret: testSecret})
	b := f.browser()
	b.login(t, "alice", "pw")
	var got page
	for range maxCodeAttempts {
		got = b.post(t, "/login/2fa", "code", "000000")
	}
	if got.path != "/login" || errorText(got.body) != msgTooMany {
		t.Fatalf("after %d wrong codes: %s, error %q", maxCodeAttempts, got.path, errorText(got.body))
	}
	// The pending sign-in is gone: even a right code needs the password again.
	if got := b.post(t, "/login/2fa", "code", codeAt(t, testSecret, stepOf(f.clock.Now()))); got.path != "/login" {
		t.Fatalf("code after lockout landed on %s", got.path)
	}
}

func TestPendingLoginExpires(t *testing.T) {
	f := newFixture(t, Account{Username: "alice", Password: "pw", TOTPSecret: testSecret})
	b := f.browser()
	b.login(t, "alice", "pw")
	f.clock.Add(pendingLoginTTL + time.Second)
	got := b.post(t, "/login/2fa", "code", codeAt(t, testSecret, stepOf(f.clock.Now())))
	if got.path != "/login" || errorText(got.body) != msgLoginExpired {
		t.Fatalf("late code: %s, error %q", got.path, errorText(got.body))
	}
}

func TestDisable(t *testing.T) {
	f := newFixture(t, Account{Username: "alice", Password: "pw", TOTPSecret: testSecret})
	now := stepOf(f.clock.Now())
	b := f.browser()
	b.login(t, "alice", "pw")
	b.post(t, "/login/2fa", "code", codeAt(t, testSecret, now))

	if got := b.post(t, "/settings/2fa/disable", "code", codeAt(t, testSecret, now)); errorText(got.body) != msgReusedCode {
		t.Fatalf("disable with a spent code: error %q", errorText(got.body))
	}
	got := b.post(t, "/settings/2fa/disable", "code", codeAt(t, testSecret, now+1))
	if !contains(got.body, "Two-factor authentication is off.") || !contains(got.body, `id="totp-qr"`) {
		t.Fatalf("after disabling:\n%s", got.body)
	}
	if f.portal.TOTPSecret("alice") != "" {
		t.Fatal("secret kept after disabling")
	}
	if got := f.browser().login(t, "alice", "pw"); got.path != "/account" {
		t.Fatalf("sign-in without 2FA landed on %s", got.path)
	}
}

func TestQRCode(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	body, secret, _ := setupPage(t, b)
	src := find(t, body, `<img id="totp-qr" alt="QR code" src="([^"]+)"`)
	if !strings.HasPrefix(src, "/settings/2fa/qr.png?") {
		t.Fatalf("QR src %q", src)
	}
	got := b.get(t, src)
	if got.status != http.StatusOK || got.header.Get("Content-Type") != "image/png" {
		t.Fatalf("QR: %d %s", got.status, got.header.Get("Content-Type"))
	}
	img, err := png.Decode(bytes.NewReader([]byte(got.body)))
	if err != nil {
		t.Fatal(err)
	}
	if w := img.Bounds().Dx(); w < 200 || w > 280 {
		t.Errorf("QR image %d px wide, want about 240", w)
	}
	// Quiet zone: the border rows and columns are white.
	for i := 0; i < img.Bounds().Dx(); i++ {
		if r, _, _, _ := img.At(i, 0).RGBA(); r != 0xffff {
			t.Fatalf("pixel (%d,0) is not white: no quiet zone", i)
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The image is a clean, generated code: read it as one (a plain scan of some random secrets'
	// codes trips over gozxing's locator now and then).
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		t.Fatalf("decoding the QR code: %v", err)
	}
	want := "otpauth://totp/Nimbus%20Cloud:demo?secret=" + secret + "&issuer=Nimbus%20Cloud"
	if res.GetText() != want {
		t.Fatalf("QR says %q, want %q", res.GetText(), want)
	}
	// Another browser of the same user cannot fetch this setup's QR code.
	other := f.browser()
	other.login(t, "demo", "demo-password")
	if got := other.get(t, src); got.status != http.StatusNotFound {
		t.Fatalf("QR of another session: %d, want 404", got.status)
	}
}

func TestSecretHelpers(t *testing.T) {
	if got := groupSecret("ABCDEFGHIJ"); got != "ABCD EFGH IJ" {
		t.Errorf("groupSecret = %q", got)
	}
	if got, err := normalizeSecret("jbsw y3dp ehpk 3pxp===="); err != nil || got != "JBSWY3DPEHPK3PXP" {
		t.Errorf("normalizeSecret = %q, %v", got, err)
	}
	if _, err := normalizeSecret("not base32!"); err == nil {
		t.Error("normalizeSecret accepted garbage")
	}
	if got := otpauthURI("Acme & Co", "bob@example.com", "ABC"); got != "otpauth://totp/Acme%20%26%20Co:bob%40example.com?secret=ABC&issuer=Acme%20%26%20Co" {
		t.Errorf("otpauthURI = %q", got)
	}
	for _, tc := range []struct {
		unix int64
		want int64
	}{{0, 0}, {29, 0}, {30, 1}, {-1, -1}, {-30, -1}, {-31, -2}} {
		if got := stepAt(time.Unix(tc.unix, 0)); got != tc.want {
			t.Errorf("stepAt(%d) = %d, want %d", tc.unix, got, tc.want)
		}
	}
}
