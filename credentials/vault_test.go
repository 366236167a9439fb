package credentials

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"billhound/secrets"
	"billhound/store"
	"billhound/twofa"
)

func TestVaultSealsBoundToThePortal(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "billhound.db")
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	box, _ := secrets.NewBox(bytes.Repeat([]byte{9}, secrets.KeySize))
	v := &Vault{Store: st, Box: box}

	a := &store.Portal{Name: "a", Script: "x"}
	b := &store.Portal{Name: "b", Script: "x"}
	st.CreatePortal(a)
	st.CreatePortal(b)
	sealed, err := v.SealPassword(a.ID, "hunter2-long")
	if err != nil {
		t.Fatal(err)
	}
	a.PasswordSealed = sealed
	st.UpdatePortal(a)
	a, _ = st.Portal(a.ID)
	if pw, err := v.Password(a); err != nil || pw != "hunter2-long" {
		t.Fatalf("password: %q %v", pw, err)
	}
	// The same bytes in another portal's row do not open: a copied row gives nothing away.
	b.PasswordSealed = sealed
	if _, err := v.Password(b); err != secrets.ErrOpen {
		t.Fatalf("moved password opened: %v", err)
	}

	k, _ := twofa.ParseSecret("JBSWY3DPEHPK3PXP")
	k.Issuer, k.Account = "Nimbus", "demo"
	if err := v.SetTOTP(a.ID, k, "key"); err != nil {
		t.Fatal(err)
	}
	a, _ = st.Portal(a.ID)
	got, ok, err := v.TOTP(a)
	if err != nil || !ok || got.Base32() != "JBSWY3DPEHPK3PXP" || a.TOTPIssuer != "Nimbus" || a.TOTPSource != "key" {
		t.Fatalf("totp: %+v %v %v", got, ok, err)
	}

	// Showing a code claims its step: the next run must take a later one.
	now := time.Now()
	code, ok, err := v.ShowCode(a, now)
	if err != nil || !ok || len(code.Code) != 6 || code.Remaining < 0 || code.Remaining > 30 {
		t.Fatalf("show code: %+v %v %v", code, ok, err)
	}
	if claimed, _ := v.ClaimStep(k, k.Step(now)); claimed {
		t.Fatal("the shown step could be claimed again")
	}
	if _, ok, _ := v.ShowCode(b, now); ok {
		t.Fatal("a portal without a secret showed a code")
	}

	for _, f := range []string{db, db + "-wal"} {
		raw, _ := os.ReadFile(f)
		if bytes.Contains(raw, []byte("hunter2-long")) || bytes.Contains(raw, []byte("JBSWY3DPEHPK3PXP")) {
			t.Fatalf("%s holds a plaintext secret", f)
		}
	}
}

// TestKeptSessionSealed: a kept browser session is sealed in the store (its cookie is not in the
// database file), opens again for its own portal only, and an unreadable one is an error the
// runner can recover from.
func TestKeptSessionSealed(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "billhound.db")
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	box, _ := secrets.NewBox(bytes.Repeat([]byte{9}, secrets.KeySize))
	v := &Vault{Store: st, Box: box}
	a := &store.Portal{Name: "a", Script: "x"}
	b := &store.Portal{Name: "b", Script: "x"}
	st.CreatePortal(a)
	st.CreatePortal(b)
	state := []byte(`{"cookies":[{"name":"sid","value":"cookie-value-that-signs-in-0123456789"}],"origins":[]}`)
	now := time.Now().Truncate(time.Second)
	if err := v.KeepSession(a.ID, state, now); err != nil {
		t.Fatal(err)
	}
	got, at, ok, err := v.Session(a.ID)
	if err != nil || !ok || !bytes.Equal(got, state) || !at.Equal(now) {
		t.Fatalf("Session = %q %v %v %v", got, at, ok, err)
	}
	if _, _, ok, err := v.Session(b.ID); ok || err != nil {
		t.Fatalf("portal b has no session: %v %v", ok, err)
	}
	st.Close()
	for _, f := range []string{db, db + "-wal"} {
		raw, _ := os.ReadFile(f)
		if bytes.Contains(raw, []byte("cookie-value-that-signs-in")) {
			t.Fatalf("the session cookie is readable in %s", f)
		}
	}
	st, _ = store.Open(db)
	defer st.Close()
	v.Store = st
	// Moved to another portal's row, the sealed bytes do not open.
	k, _ := st.KeptSession(a.ID)
	st.KeepSession(b.ID, k.Sealed, now)
	if _, _, ok, err := v.Session(b.ID); ok || err == nil {
		t.Fatalf("a copied session opened for another portal: %v %v", ok, err)
	}
	if err := v.KeepSession(a.ID, nil, now); err == nil {
		t.Fatal("an empty state was kept")
	}
}
