package importers

import (
	"errors"
	"strings"
	"testing"
	"time"

	"billhound/twofa"
)

// want is an account as the user sees it, plus one code that proves the secret came through.
type want struct {
	issuer, account, kind string
	at                    int64 // a time, or for HOTP the counter
	code                  string
}

var (
	github = want{"GitHub", "bob@example.com", "totp", 1700000000, ""}
	bank   = want{"Bank", "alice", "hotp", 4, "338314"} // RFC 4226, counter 4
	steam  = want{"Steam", "gabe", "steam", 1511200518, "FR8RV"}
)

func init() {
	k, _ := twofa.ParseSecret("JBSWY3DPEHPK3PXP")
	github.code, _ = k.Code(time.Unix(github.at, 0))
}

func check(t *testing.T, res Result, format string, wants ...want) {
	t.Helper()
	if res.Format != format {
		t.Errorf("format %q, want %q", res.Format, format)
	}
	if len(res.Keys) != len(wants) {
		t.Fatalf("got %d accounts, want %d; skipped: %v", len(res.Keys), len(wants), res.Skipped)
	}
	for i, w := range wants {
		k := res.Keys[i]
		if k.Issuer != w.issuer || k.Account != w.account || k.Kind() != w.kind {
			t.Errorf("account %d = %s/%s (%s), want %s/%s (%s)", i, k.Issuer, k.Account, k.Kind(), w.issuer, w.account, w.kind)
		}
		var code string
		if k.TimeBased() {
			code, _ = k.Code(time.Unix(w.at, 0))
		} else {
			code, _ = k.CodeAt(w.at)
		}
		if code != w.code {
			t.Errorf("account %d: code %q, want %q", i, code, w.code)
		}
	}
}

func wantErr(t *testing.T, err error, kind error, part string) {
	t.Helper()
	if !errors.Is(err, kind) || !twofa.IsInputError(err) {
		t.Fatalf("error %v, want kind %v", err, kind)
	}
	if !strings.Contains(err.Error(), part) {
		t.Errorf("error %q does not say %q", err, part)
	}
	for _, secret := range []string{"JBSWY3DPEHPK3PXP", "63BEDWCQ", "GEZDGNBV"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q shows a secret", err)
		}
	}
}

func TestAegis(t *testing.T) {
	res, err := Parse(aegisPlain(t), "")
	if err != nil {
		t.Fatal(err)
	}
	check(t, res, "Aegis", github, bank, steam)
	if len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0], "Yandex (ivan)") {
		t.Errorf("skipped %v, want the Yandex account named", res.Skipped)
	}
	if res.Keys[1].Counter != 4 {
		t.Errorf("HOTP counter %d, want 4", res.Keys[1].Counter)
	}

	enc := aegisEncrypted(t, "correct horse")
	res, err = Parse(enc, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	check(t, res, "Aegis", github, bank, steam)

	_, err = Parse(enc, "wrong horse")
	wantErr(t, err, ErrWrongPassword, "password does not open this Aegis export")
	_, err = Parse(enc, "")
	wantErr(t, err, ErrNeedPassword, "enter the password")
	_, err = Parse(enc[:len(enc)/2], "correct horse")
	wantErr(t, err, ErrDamaged, "damaged or incomplete")
	_, err = Parse(aegisPlain(t)[:200], "")
	wantErr(t, err, ErrDamaged, "export it again")
}

func TestTwoFAS(t *testing.T) {
	res, err := Parse(twoFASFileOf(t, twoFASServices, ""), "")
	if err != nil {
		t.Fatal(err)
	}
	check(t, res, "2FAS", github, steam)

	enc := twoFASEncrypted(t, "s3cret pass")
	res, err = Parse(enc, "s3cret pass")
	if err != nil {
		t.Fatal(err)
	}
	check(t, res, "2FAS", github, steam)

	_, err = Parse(enc, "not it")
	wantErr(t, err, ErrWrongPassword, "password does not open this 2FAS backup")
	_, err = Parse(enc, "")
	wantErr(t, err, ErrNeedPassword, "protected by a password")
	_, err = Parse(enc[:len(enc)-40], "s3cret pass")
	wantErr(t, err, ErrDamaged, "damaged or incomplete")
}

func TestBitwarden(t *testing.T) {
	export := `{"encrypted": false, "folders": [], "items": [
	  {"id": "1", "type": 1, "name": "GitHub", "login": {"username": "bob@example.com", "password": "hunter2", "totp": "otpauth://totp/bob@example.com?secret=JBSWY3DPEHPK3PXP"}},
	  {"id": "2", "type": 1, "name": "Forum", "login": {"username": "x", "password": "y", "totp": null}},
	  {"id": "3", "type": 2, "name": "a note", "secureNote": {"type": 0}},
	  {"id": "4", "type": 1, "name": "Steam", "login": {"username": "gabe", "totp": "steam://63BEDWCQZKTQWPESARIERL5DTTQFCJTK"}},
	  {"id": "5", "type": 1, "name": "Bank", "login": {"username": "alice", "totp": "otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=4&issuer=Bank"}},
	  {"id": "6", "type": 1, "name": "Shop", "login": {"username": "carol", "totp": "jbsw y3dp ehpk 3pxp"}},
	  {"id": "7", "type": 1, "name": "Broken", "login": {"username": "dave", "totp": "JBSW0"}}
	]}`
	res, err := Parse([]byte(export), "")
	if err != nil {
		t.Fatal(err)
	}
	shop := github
	shop.issuer, shop.account = "Shop", "carol"
	check(t, res, "Bitwarden", github, steam, bank, shop)
	if len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0], "Broken (dave)") {
		t.Errorf("skipped %v", res.Skipped)
	}
	_, err = Parse([]byte(`{"encrypted": true, "passwordProtected": true, "salt": "x", "kdfType": 0, "data": "2.abc|def|ghi"}`), "pw")
	wantErr(t, err, ErrNeedPassword, `file format ".json"`)
	_, err = Parse([]byte(export[:300]), "")
	wantErr(t, err, ErrDamaged, "damaged or incomplete")
}

func TestAndOTP(t *testing.T) {
	export := `[{"secret":"JBSWY3DPEHPK3PXP","issuer":"GitHub","label":"bob@example.com","digits":6,"type":"TOTP","algorithm":"SHA1","thumbnail":"Default","last_used":1700000000000,"used_frequency":3,"period":30,"tags":[]},
	 {"secret":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ","issuer":"Bank","label":"alice","digits":6,"type":"HOTP","algorithm":"SHA1","thumbnail":"Default","last_used":0,"used_frequency":0,"counter":4,"tags":[]},
	 {"secret":"63BEDWCQZKTQWPESARIERL5DTTQFCJTK","issuer":"","label":"Steam - gabe","digits":5,"type":"STEAM","algorithm":"SHA1","thumbnail":"Default","last_used":0,"used_frequency":0,"period":30,"tags":[]}]`
	res, err := Parse([]byte(export), "")
	if err != nil {
		t.Fatal(err)
	}
	check(t, res, "andOTP", github, bank, steam)
	_, err = Parse([]byte(export[:120]), "")
	wantErr(t, err, ErrDamaged, "damaged or incomplete")
}

func TestLines(t *testing.T) {
	// Ente Auth's plain export: one otpauth:// link a line, with its own extra parameters.
	export := "otpauth://totp/GitHub:bob%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=GitHub&algorithm=sha1&digits=6&period=30&codeDisplay=%7B%22pinned%22%3Afalse%2C%22trashed%22%3Afalse%7D\n" +
		"\n" +
		"otpauth://hotp/Bank:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Bank&counter=4\r\n" +
		"otpauth://steam/Steam:gabe?secret=63BEDWCQZKTQWPESARIERL5DTTQFCJTK&issuer=Steam&digits=5&period=30\n" +
		"otpauth://totp/Bad?secret=12345\n"
	res, err := Parse([]byte(export), "")
	if err != nil {
		t.Fatal(err)
	}
	check(t, res, "otpauth:// links", github, bank, steam)
	if len(res.Skipped) != 1 || !strings.HasPrefix(res.Skipped[0], "line 5:") {
		t.Errorf("skipped %v", res.Skipped)
	}
}

func TestUnknownFormats(t *testing.T) {
	for name, data := range map[string]string{
		"a letter":            "Dear Sir,\nplease find attached\nthe invoice\nfor March\nregards",
		"binary":              "\x00\x01\x02\x03andOTP encrypted",
		"other JSON":          `{"accounts": []}`,
		"JSON list of others": `[{"name": "x"}]`,
	} {
		_, err := Parse([]byte(data), "")
		wantErr(t, err, ErrUnknownFormat, "Microsoft Authenticator has no export")
		_ = name
	}
	_, err := Parse(nil, "")
	wantErr(t, err, ErrUnknownFormat, "the file is empty")
}
