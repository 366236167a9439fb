package runner

import (
	"net/http/httptest"
	"testing"
	"time"

	"billhound/store"
	"billhound/twofa"
)

// TestRunConfirmsTheSecret: a run whose code the portal refuses leaves the secret unconfirmed;
// one that signs in with a code from it confirms it, naming the run; a new secret starts
// unconfirmed again, and a confirmation meant for the old secret does not reach it.
func TestRunConfirmsTheSecret(t *testing.T) {
	r, st := newTestRunner(t)
	right, _ := twofa.ParseSecret("JBSWY3DPEHPK3PXP")
	wrong, _ := twofa.ParseSecret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
	site := &skewedSite{key: right, used: map[int64]bool{}}
	srv := httptest.NewServer(site)
	defer srv.Close()
	p := &store.Portal{Name: "Confirm", Script: "// ==Portal==\n// @name Confirm\n// @url " + srv.URL + "/\n// ==/Portal==\n" + loginScript}
	if err := st.CreatePortal(p); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		key     twofa.Key
		status  string
		confirm bool
	}{{wrong, store.RunFailed, false}, {right, store.RunSucceeded, true}} {
		if err := r.Vault.SetTOTP(p.ID, c.key, "key"); err != nil {
			t.Fatal(err)
		}
		res, err := r.RunNow(contextWithTimeout(t, 2*time.Minute), p.ID, "cli")
		if err != nil {
			t.Fatal(err)
		}
		if res.Run.Status != c.status {
			t.Fatalf("run %s (%s), want %s", res.Run.Status, res.Run.Error, c.status)
		}
		got, _ := st.Portal(p.ID)
		if (got.TOTPConfirmedAt != nil) != c.confirm {
			t.Fatalf("after a %s run: confirmed at %v, want confirmed: %v", c.status, got.TOTPConfirmedAt, c.confirm)
		}
		if c.confirm && got.TOTPConfirmedRun != res.Run.ID {
			t.Errorf("confirmed by run %d, want %d", got.TOTPConfirmedRun, res.Run.ID)
		}
	}

	old, _ := st.Portal(p.ID)
	if err := r.Vault.SetTOTP(p.ID, right, "qr"); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Portal(p.ID); got.TOTPConfirmedAt != nil || got.TOTPConfirmedRun != 0 {
		t.Fatalf("a new secret starts confirmed (%v, run %d)", got.TOTPConfirmedAt, got.TOTPConfirmedRun)
	}
	if ok, err := st.ConfirmTOTP(p.ID, 99, old.TOTPSealed, time.Now()); ok || err != nil {
		t.Fatalf("a run of the old secret confirmed the new one (%v, %v)", ok, err)
	}
}
