package credentials

import (
	"errors"
	"fmt"
	"time"

	"billhound/store"
)

// A portal's kept browser session (its cookies and local storage) signs in as the user does: it
// is sealed like the password, bound to the portal and its own purpose.
func sessionPurpose(portalID int64) string { return fmt.Sprintf("portal/%d/session", portalID) }

// KeepSession seals a browser storage state (Playwright's JSON) and keeps it for the portal's
// next run, replacing the one kept before.
func (v *Vault) KeepSession(portalID int64, state []byte, at time.Time) error {
	if len(state) == 0 {
		return errors.New("an empty browser session cannot be kept")
	}
	sealed, err := v.Box.Seal(sessionPurpose(portalID), state)
	if err != nil {
		return err
	}
	return v.Store.KeepSession(portalID, sealed, at)
}

// Session opens the portal's kept storage state. ok is false when none is kept, or when a
// persistent browser profile holds the session instead (no state, but keptAt is set).
func (v *Vault) Session(portalID int64) (state []byte, keptAt time.Time, ok bool, err error) {
	k, err := v.Store.KeptSession(portalID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, time.Time{}, false, nil
	}
	if err != nil {
		return nil, time.Time{}, false, err
	}
	if len(k.Sealed) == 0 {
		return nil, k.KeptAt, false, nil
	}
	state, err = v.Box.Open(sessionPurpose(portalID), k.Sealed)
	if err != nil {
		return nil, k.KeptAt, false, fmt.Errorf("open the kept browser session: %w", err)
	}
	return state, k.KeptAt, true, nil
}
