package twofa

import (
	"testing"
	"time"
)

// RFC 6238 Appendix B: the reference codes for each algorithm's seed.
func TestRFC6238Vectors(t *testing.T) {
	seeds := map[string]string{
		"SHA1":   "12345678901234567890",
		"SHA256": "12345678901234567890123456789012",
		"SHA512": "1234567890123456789012345678901234567890123456789012345678901234",
	}
	tests := []struct {
		unix int64
		alg  string
		want string
	}{
		{59, "SHA1", "94287082"},
		{59, "SHA256", "46119246"},
		{59, "SHA512", "90693936"},
		{1111111109, "SHA1", "07081804"},
		{1111111109, "SHA256", "68084774"},
		{1111111109, "SHA512", "25091201"},
		{1111111111, "SHA1", "14050471"},
		{1111111111, "SHA256", "67062674"},
		{1111111111, "SHA512", "99943326"},
		{1234567890, "SHA1", "89005924"},
		{1234567890, "SHA256", "91819424"},
		{1234567890, "SHA512", "93441116"},
		{2000000000, "SHA1", "69279037"},
		{2000000000, "SHA256", "90698825"},
		{2000000000, "SHA512", "38618901"},
		{20000000000, "SHA1", "65353130"},
		{20000000000, "SHA256", "77737706"},
		{20000000000, "SHA512", "47863826"},
	}
	for _, tc := range tests {
		k := Key{Secret: []byte(seeds[tc.alg]), Algorithm: tc.alg, Digits: 8, Period: 30}
		got, err := k.Code(time.Unix(tc.unix, 0))
		if err != nil {
			t.Fatalf("%s at %d: %v", tc.alg, tc.unix, err)
		}
		if got != tc.want {
			t.Errorf("%s at %d: code %s, want %s", tc.alg, tc.unix, got, tc.want)
		}
	}
}

func TestCodeSixDigitsKeepsLeadingZeros(t *testing.T) {
	// At 1111111109 the 8-digit SHA1 code is 07081804; 6 digits keep the
	// last six, "081804", as a string with any leading zero intact.
	k := Key{Secret: []byte("12345678901234567890"), Algorithm: "SHA1", Digits: 6, Period: 30}
	got, err := k.CodeAt(1111111109 / 30)
	if err != nil || got != "081804" {
		t.Fatalf("CodeAt = %q, %v; want 081804", got, err)
	}
}

func TestStepAndRemaining(t *testing.T) {
	k := Key{Secret: []byte("12345678901234567890"), Algorithm: "SHA1", Digits: 6, Period: 30}
	tests := []struct {
		t         time.Time
		step      int64
		remaining time.Duration
	}{
		{time.Unix(0, 0), 0, 30 * time.Second},
		{time.Unix(59, 0), 1, time.Second},
		{time.Unix(60, 0), 2, 30 * time.Second},
		{time.Unix(59, 500_000_000), 1, 500 * time.Millisecond},
		{time.Unix(1234567890, 0), 41152263, 30 * time.Second},
	}
	for _, tc := range tests {
		if got := k.Step(tc.t); got != tc.step {
			t.Errorf("Step(%v) = %d, want %d", tc.t.Unix(), got, tc.step)
		}
		if got := k.Remaining(tc.t); got != tc.remaining {
			t.Errorf("Remaining(%v) = %v, want %v", tc.t.UnixNano(), got, tc.remaining)
		}
	}
	k.Period = 60
	if got := k.Step(time.Unix(119, 0)); got != 1 {
		t.Errorf("60 s period: Step(119) = %d, want 1", got)
	}
}

func TestKeyBase32AndURI(t *testing.T) {
	k := Key{
		Secret:    []byte("Hello!\xde\xad\xbe\xef"),
		Issuer:    "ACME Co: Billing",
		Account:   "jane+bills@example.com",
		Algorithm: "SHA256",
		Digits:    8,
		Period:    60,
	}
	if got := k.Base32(); got != "JBSWY3DPEHPK3PXP" {
		t.Errorf("Base32 = %s", got)
	}
	want := "otpauth://totp/ACME%20Co%3A%20Billing:jane+bills@example.com?secret=JBSWY3DPEHPK3PXP" +
		"&issuer=ACME%20Co%3A%20Billing&algorithm=SHA256&digits=8&period=60"
	if got := k.URI(); got != want {
		t.Errorf("URI =\n %s\nwant\n %s", got, want)
	}
	back, err := ParseURI(k.URI())
	if err != nil {
		t.Fatal(err)
	}
	if !sameKey(back, k) {
		t.Errorf("ParseURI(URI()) = %+v, want %+v", back, k)
	}

	// Without an issuer the label is just the account.
	k.Issuer = ""
	if got := k.URI(); got != "otpauth://totp/jane+bills@example.com?secret=JBSWY3DPEHPK3PXP&algorithm=SHA256&digits=8&period=60" {
		t.Errorf("URI without issuer = %s", got)
	}
}

func TestBadKeyIsNotAnInputError(t *testing.T) {
	// A Key built by hand with impossible values is the program's fault.
	for _, k := range []Key{
		{},
		{Secret: []byte("x"), Algorithm: "MD5", Digits: 6, Period: 30},
		{Secret: []byte("x"), Algorithm: "SHA1", Digits: 5, Period: 30},
		{Secret: []byte("x"), Algorithm: "SHA1", Digits: 6, Period: 0},
	} {
		_, err := k.CodeAt(1)
		if err == nil || IsInputError(err) {
			t.Errorf("CodeAt on %+v: err = %v, want a non-input error", k, err)
		}
	}
}

func sameKey(a, b Key) bool {
	return string(a.Secret) == string(b.Secret) && a.Issuer == b.Issuer && a.Account == b.Account &&
		a.Algorithm == b.Algorithm && a.Digits == b.Digits && a.Period == b.Period
}
