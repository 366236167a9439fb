package credentials

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"billhound/secrets"
	"billhound/store"
	"billhound/twofa"
)

func TestKeyCheckAndRotate(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	oldBox, _ := secrets.NewBox(bytes.Repeat([]byte{1}, secrets.KeySize))
	newBox, _ := secrets.NewBox(bytes.Repeat([]byte{2}, secrets.KeySize))
	old := &Vault{Store: st, Box: oldBox}
	if inUse, _ := KeyInUse(st); inUse {
		t.Fatal("a new database has a key in use")
	}

	// A database from before key checks: the first stored secret tells a wrong key.
	p := &store.Portal{Name: "p", Script: "x", Username: "u"}
	st.CreatePortal(p)
	p.PasswordSealed, _ = old.SealPassword(p.ID, "pa55word")
	p.FieldsSealed, _ = old.SealFields(p.ID, map[string]string{"pin": "1234"})
	st.UpdatePortal(p)
	key, _ := twofa.ParseSecret("KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF")
	old.SetTOTP(p.ID, key, "key")
	old.SetRecoveryCodes(p.ID, []string{"aaaa-bbbb", "cccc-dddd"})
	empty := &store.Portal{Name: "no secrets", Script: "x"}
	st.CreatePortal(empty)
	// The app's own sign-in secret is sealed with the same key.
	admin := &store.User{Username: "admin", PasswordHash: "x"}
	if err := st.CreateFirstUser(admin); err != nil {
		t.Fatal(err)
	}
	if err := old.SetPendingAccountTOTP(admin.ID, key, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := old.EnableAccountTOTP(admin.ID, key, 1, []string{"rc-1"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if inUse, _ := KeyInUse(st); !inUse {
		t.Fatal("sealed secrets, yet no key in use")
	}
	if err := CheckKey(st, newBox); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("a wrong key passed the check: %v", err)
	}
	if err := CheckKey(st, oldBox); err != nil {
		t.Fatal(err)
	}
	if v, _ := st.Setting(checkSetting, ""); v == "" {
		t.Fatal("no key check recorded")
	}
	if err := CheckKey(st, newBox); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("the recorded check let a wrong key in: %v", err)
	}

	// Rotating with the wrong old key changes nothing.
	if _, err := Rotate(st, newBox, oldBox); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("rotation from a wrong key: %v", err)
	}
	mailPW := "imap-pa55"
	if err := old.SetMailbox(Mailbox{Host: "imap.example.com", Port: 993, Username: "me"}, &mailPW); err != nil {
		t.Fatal(err)
	}
	before, _ := st.Portal(p.ID)
	step := key.Step(time.Now())
	n, err := Rotate(st, oldBox, newBox)
	if err != nil || n != 6 { // password, fields, TOTP, recovery codes, the admin's TOTP, the mailbox password
		t.Fatalf("rotate: %d %v", n, err)
	}
	after, _ := st.Portal(p.ID)
	if bytes.Equal(before.PasswordSealed, after.PasswordSealed) || bytes.Equal(before.TOTPSealed, after.TOTPSealed) {
		t.Fatal("the sealed values did not change")
	}
	v := &Vault{Store: st, Box: newBox}
	pw, err1 := v.Password(after)
	fields, err2 := v.Fields(after)
	k, _, err3 := v.TOTP(after)
	codes, err4 := v.RecoveryCodes(after)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		t.Fatal(err)
	}
	want, _ := key.CodeAt(step)
	got, _ := k.CodeAt(step)
	if pw != "pa55word" || fields["pin"] != "1234" || got != want || len(codes) != 2 || codes[1] != "cccc-dddd" {
		t.Fatalf("after rotation: %q %v %q/%q %v", pw, fields, got, want, codes)
	}
	if _, pw, err := v.Mailbox(); err != nil || pw != mailPW {
		t.Fatalf("the mailbox password after rotation: %q %v", pw, err)
	}
	ut, _ := st.UserTOTP(admin.ID)
	if ak, err := v.AccountTOTP(ut); err != nil || !bytes.Equal(ak.Secret, key.Secret) {
		t.Fatalf("the admin's sign-in secret after rotation: %v", err)
	}
	if _, err := old.Password(after); err == nil {
		t.Fatal("the old key still opens the password")
	}
	if err := CheckKey(st, oldBox); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("the old key passes the check after rotation: %v", err)
	}
	if err := CheckKey(st, newBox); err != nil {
		t.Fatal(err)
	}
	if e, _ := st.Portal(empty.ID); len(e.PasswordSealed)+len(e.TOTPSealed)+len(e.RecoverySealed)+len(e.FieldsSealed) != 0 {
		t.Fatal("rotation sealed something into a portal without secrets")
	}
}
