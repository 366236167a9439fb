package credentials

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"billhound/secrets"
	"billhound/store"
	"billhound/twofa"
)

func testVault(t *testing.T) (*Vault, *store.Store, string) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "billhound.db")
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := secrets.NewBox(bytes.Repeat([]byte{7}, secrets.KeySize))
	return &Vault{Store: st, Box: box}, st, db
}

func portalWithKey(t *testing.T, v *Vault, name string, k twofa.Key) *store.Portal {
	t.Helper()
	p := &store.Portal{Name: name, Script: "x"}
	if err := v.Store.CreatePortal(p); err != nil {
		t.Fatal(err)
	}
	if err := v.SetTOTP(p.ID, k, "key"); err != nil {
		t.Fatal(err)
	}
	p, _ = v.Store.Portal(p.ID)
	return p
}

// Two portals sharing one secret (one account reached through two billhound portals, or a
// provider reusing its key) never get a code of the same time step: the site would refuse the
// second as a replay. A second process on the same file (the CLI beside the server) shares the
// ledger too.
func TestLedgerIsKeyedByTheSecret(t *testing.T) {
	v, st, db := testVault(t)
	k, _ := twofa.ParseURI("otpauth://totp/Shop:me?secret=JBSWY3DPEHPK3PXP&period=30")
	a := portalWithKey(t, v, "Shop invoices", k)
	b := portalWithKey(t, v, "Shop receipts", k)
	other, _ := twofa.ParseSecret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
	c := portalWithKey(t, v, "Elsewhere", other)

	// A clock in the middle of a step, so no wait for the step's end gets in the way.
	base := time.Unix((time.Now().Unix()/30)*30+10, 0)
	now := func() time.Time { return base }
	ka, _, _ := v.TOTP(a)
	_, stepA, err := v.NextCode(context.Background(), ka, now)
	if err != nil {
		t.Fatal(err)
	}
	// The other portal, through another Vault on another connection, must move on a step.
	st2, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	v2 := &Vault{Store: st2, Box: v.Box}
	kb, _, _ := v2.TOTP(b)
	if ok, _ := v2.ClaimStep(kb, stepA); ok {
		t.Fatal("portal b could claim the step portal a used")
	}
	later := func() time.Time { return base.Add(30 * time.Second) }
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, stepB, err := v2.NextCode(ctx, kb, later)
	if err != nil || stepB != stepA+1 {
		t.Fatalf("portal b got step %d (%v), want %d", stepB, err, stepA+1)
	}
	// A portal with another secret is not held up by them.
	kc, _, _ := v.TOTP(c)
	if ok, _ := v.ClaimStep(kc, stepA); !ok {
		t.Fatal("another secret's step was refused")
	}
	// The ledger names rows by a keyed hash: the database holds neither the secret nor its
	// plain SHA-256.
	for _, f := range []string{db, db + "-wal"} {
		raw, _ := os.ReadFile(f)
		if bytes.Contains(raw, k.Secret) || bytes.Contains(raw, []byte(k.Base32())) {
			t.Fatalf("%s holds the secret", f)
		}
	}
	// Key rotation re-seals the ledger key: the rows keep their names under the new key.
	newBox, _ := secrets.NewBox(bytes.Repeat([]byte{8}, secrets.KeySize))
	if err := CheckKey(st, v.Box); err != nil {
		t.Fatal(err)
	}
	if _, err := Rotate(st, v.Box, newBox); err != nil {
		t.Fatal(err)
	}
	rotated := &Vault{Store: st, Box: newBox}
	if ok, err := rotated.ClaimStep(ka, stepB); ok || err != nil {
		t.Fatalf("after key rotation the used step could be claimed again (%v)", err)
	}
}

// HOTP: each code uses the next counter, in any process, and a secret handed over again with
// a lower counter does not go back.
func TestHOTPCounterPersists(t *testing.T) {
	v, _, _ := testVault(t)
	k, _ := twofa.ParseURI("otpauth://hotp/Bank:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=2")
	p := portalWithKey(t, v, "Bank", k)
	want := []string{"359152", "969429", "338314"} // RFC 4226, counters 2, 3, 4
	for i, w := range want {
		if i == 1 { // the live code panel uses a counter too
			code, _, err := v.ShowCode(p, time.Now())
			if err != nil || code.Code != w || code.Type != "hotp" {
				t.Fatalf("shown code %+v %v, want %s", code, err, w)
			}
			continue
		}
		got, counter, err := v.NextCode(context.Background(), k, time.Now)
		if err != nil || got != w {
			t.Fatalf("code %d = %s (counter %d, %v), want %s", i, got, counter, err, w)
		}
	}
	if err := v.SetTOTP(p.ID, k, "key"); err != nil { // counter=2 again
		t.Fatal(err)
	}
	if got, _, _ := v.NextCode(context.Background(), k, time.Now); got != "254676" { // counter 5
		t.Fatalf("after handing the secret over again: %s, want counter 5's code", got)
	}
	p, _ = v.Store.Portal(p.ID)
	if p.TOTPType != "hotp" {
		t.Errorf("stored type %q", p.TOTPType)
	}
}

// A portal whose clock is 45 s ahead gets codes of its own time, once the offset is known.
func TestShowCodeFollowsThePortalClock(t *testing.T) {
	v, st, _ := testVault(t)
	k, _ := twofa.ParseSecret("JBSWY3DPEHPK3PXP")
	p := portalWithKey(t, v, "Skewed", k)
	now := time.Unix(1700000010, 0)
	st.SetClockSkew(p.ID, 45*time.Second, now)
	p, _ = st.Portal(p.ID)
	code, _, err := v.ShowCode(p, now)
	want, _ := k.Code(now.Add(45 * time.Second))
	if err != nil || code.Code != want {
		t.Fatalf("code %s, want the portal clock's %s", code.Code, want)
	}
	// Small offsets are left alone: the portal's window absorbs them.
	st.SetClockSkew(p.ID, 4*time.Second, now)
	p, _ = st.Portal(p.ID)
	code, _, _ = v.ShowCode(p, now.Add(60*time.Second))
	if want, _ := k.Code(now.Add(60 * time.Second)); code.Code != want {
		t.Fatalf("a 4 s offset was applied")
	}
}

// Recovery codes: each is handed out once, even to runs taking them at the same time.
func TestTakeRecoveryCode(t *testing.T) {
	v, st, _ := testVault(t)
	p := &store.Portal{Name: "r", Script: "x"}
	st.CreatePortal(p)
	codes := []string{"aaaa-1111", "bbbb-2222", "cccc-3333", "dddd-4444", "eeee-5555"}
	if err := v.SetRecoveryCodes(p.ID, codes); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[string]bool{}
	var wg sync.WaitGroup
	for range len(codes) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, _, err := v.TakeRecoveryCode(p.ID)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || got[c] {
				t.Errorf("took %q (%v): twice or failed", c, err)
			}
			got[c] = true
		}()
	}
	wg.Wait()
	if len(got) != len(codes) {
		t.Fatalf("took %v", got)
	}
	if _, _, err := v.TakeRecoveryCode(p.ID); err != ErrNoRecoveryCodes || !strings.Contains(err.Error(), "store them on its page") {
		t.Fatalf("with none left: %v", err)
	}
	p, _ = st.Portal(p.ID)
	if p.RecoveryCount != 0 || p.RecoveryUsed != len(codes) {
		t.Fatalf("count %d used %d", p.RecoveryCount, p.RecoveryUsed)
	}
}
