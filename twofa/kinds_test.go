package twofa

import (
	"errors"
	"testing"
	"time"
)

// Published vectors: KeePassXC's Steam tests and a 20-byte zero secret.
func TestSteamCodes(t *testing.T) {
	k, err := ParseURI("otpauth://totp/Steam:gabe?secret=63BEDWCQZKTQWPESARIERL5DTTQFCJTK&issuer=Steam")
	if err != nil {
		t.Fatal(err)
	}
	if k.Kind() != TypeSteam || k.Digits != 5 {
		t.Fatalf("issuer Steam read as %s with %d digits", k.Kind(), k.Digits)
	}
	for at, want := range map[int64]string{1511200518: "FR8RV", 1511200714: "9P3VP"} {
		if got, err := k.Code(time.Unix(at, 0)); err != nil || got != want {
			t.Errorf("code at %d = %q, %v; want %s", at, got, err, want)
		}
	}
	zero := SteamKey(make([]byte, 20), "x")
	for step, want := range map[int64]string{0: "RYH4D", 1: "DR2DK"} {
		if got, _ := zero.CodeAt(step); got != want {
			t.Errorf("zero secret, step %d = %q, want %s", step, got, want)
		}
	}
	// The canonical link reads back as Steam, and so do Aegis' and Bitwarden's forms.
	for _, uri := range []string{k.URI(), "otpauth://steam/gabe?secret=63BEDWCQZKTQWPESARIERL5DTTQFCJTK",
		"steam://63BEDWCQZKTQWPESARIERL5DTTQFCJTK",
		"otpauth://totp/x?secret=63BEDWCQZKTQWPESARIERL5DTTQFCJTK&encoder=steam"} {
		back, err := ParseURI(uri)
		if err != nil || back.Kind() != TypeSteam {
			t.Errorf("%s read as %q, %v", uri, back.Kind(), err)
			continue
		}
		if got, _ := back.Code(time.Unix(1511200518, 0)); got != "FR8RV" {
			t.Errorf("%s: code %q", uri, got)
		}
	}
	// An issuer named Steam with an explicit 6-digit setting stays a plain TOTP key.
	if k, _ := ParseURI("otpauth://totp/Steam:x?secret=63BEDWCQZKTQWPESARIERL5DTTQFCJTK&digits=6"); k.Kind() != TypeTOTP {
		t.Errorf("digits=6 read as %s", k.Kind())
	}
}

// RFC 4226 appendix D: the secret "12345678901234567890" and its first counter values.
func TestHOTPLinks(t *testing.T) {
	k, err := ParseURI("otpauth://hotp/Bank:me?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=3")
	if err != nil {
		t.Fatal(err)
	}
	if k.Kind() != TypeHOTP || k.Counter != 3 || k.TimeBased() {
		t.Fatalf("got %+v", k)
	}
	for counter, want := range []string{"755224", "287082", "359152", "969429"} {
		if got, _ := k.CodeAt(int64(counter)); got != want {
			t.Errorf("counter %d = %s, want %s", counter, got, want)
		}
	}
	back, err := ParseURI(k.URI())
	if err != nil || back.Kind() != TypeHOTP || back.Counter != 3 || back.Issuer != "Bank" {
		t.Fatalf("round trip of %s: %+v, %v", k.URI(), back, err)
	}
	if _, err := ParseURI("otpauth://hotp/x?secret=GEZDGNBVGY3TQOJQ&counter=abc"); !errors.Is(err, ErrBadURI) {
		t.Errorf("bad counter: %v", err)
	}
}
