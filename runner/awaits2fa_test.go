package runner

import (
	"testing"
	"time"

	"billhound/store"
)

// TestDueWaitsForTheSecret: a new portal whose script needs TOTP codes is not run by its
// schedule before its secret is stored (it would only fail while the user is still in the
// Connect 2FA dialog); with the secret, or for a script without 2FA, the first run is due at once.
func TestDueWaitsForTheSecret(t *testing.T) {
	_, st := newTestRunner(t)
	add := func(name, twofa string) *store.Portal {
		p := &store.Portal{Name: name, Script: "// ==Portal==\n// @name T\n// @twofa " + twofa + "\n// ==/Portal==\n", Schedule: "24h"}
		if err := st.CreatePortal(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	needs, plain := add("needs codes", "totp"), add("no 2FA", "none")
	due := func() map[int64]bool {
		ps, err := DueIn(st, time.Now(), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		m := map[int64]bool{}
		for _, p := range ps {
			m[p.ID] = true
		}
		return m
	}
	if d := due(); d[needs.ID] || !d[plain.ID] {
		t.Fatalf("before the secret: due %v", d)
	}
	if err := st.SetTOTP(needs.ID, store.TOTP{Sealed: []byte("sealed"), Digits: 6, Period: 30, Algorithm: "SHA1"}); err != nil {
		t.Fatal(err)
	}
	if d := due(); !d[needs.ID] {
		t.Fatalf("with the secret: due %v", d)
	}
}
