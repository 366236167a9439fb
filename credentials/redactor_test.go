package credentials

import (
	"bytes"
	"net/url"
	"path/filepath"
	"testing"

	"billhound/secrets"
	"billhound/store"
	"billhound/twofa"
)

// TestRedactorKnowsEverySecret: the portal's redactor hides the password, every other field,
// the TOTP secret and each recovery code; the username stays.
func TestRedactorKnowsEverySecret(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	box, _ := secrets.NewBox(bytes.Repeat([]byte{9}, secrets.KeySize))
	v := &Vault{Store: st, Box: box}
	p := &store.Portal{Name: "Shop", Script: "x", Username: "buyer-name"}
	st.CreatePortal(p)
	p.PasswordSealed, _ = v.SealPassword(p.ID, `Hx9-Qv7&<b>"z'%20ü`)
	p.FieldsSealed, _ = v.SealFields(p.ID, map[string]string{"customer": "C-778812"})
	st.UpdatePortal(p)
	key, err := twofa.ParseURI("otpauth://totp/Shop:buyer?secret=GAYTEMZUGU3DOOBZMFRGGZDFMY")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.SetTOTP(p.ID, key, "key"); err != nil {
		t.Fatal(err)
	}
	if err := v.SetRecoveryCodes(p.ID, []string{"7f3k-9q2m", "w8rt 5zy1"}); err != nil {
		t.Fatal(err)
	}
	p, _ = st.Portal(p.ID)
	r, err := v.Redactor(p)
	if err != nil {
		t.Fatal(err)
	}
	text := "user buyer-name, pw " + url.QueryEscape(`Hx9-Qv7&<b>"z'%20ü`) + ", customer C-778812, key gayt emzu gu3d oobz mfrg gzdf my, codes 7F3K9Q2M w8rt-5zy1"
	want := "user buyer-name, pw [redacted], customer [redacted], key [redacted], codes [redacted] [redacted]"
	if got := r.Apply(text); got != want {
		t.Errorf("Apply(%q)\n = %q\nwant %q", text, got, want)
	}
}
