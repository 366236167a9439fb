package notify

import (
	"bytes"
	"testing"

	"billhound/credentials"
	"billhound/secrets"
)

// TestKeyRotationKeepsNotificationSecrets: `billhound key rotate` re-seals the notification
// secrets with the new key; the old key no longer opens them.
func TestKeyRotationKeepsNotificationSecrets(t *testing.T) {
	n, _ := newNotifier(t)
	var u Update
	u.Ntfy.Enabled, u.Ntfy.URL, u.Ntfy.Token = true, "https://ntfy.example.com/bills", testToken
	save(t, n, u.Apply(Settings{}))
	if err := credentials.CheckKey(n.Store, n.Box); err != nil {
		t.Fatal(err)
	}
	newBox, _ := secrets.NewBox(bytes.Repeat([]byte{9}, secrets.KeySize))
	if _, err := credentials.Rotate(n.Store, n.Box, newBox); err != nil {
		t.Fatal(err)
	}
	s, err := Load(n.Store, newBox)
	if err != nil || s.Ntfy.Token != testToken {
		t.Fatalf("after rotation: %v %q", err, s.Ntfy.Token)
	}
	if _, err := Load(n.Store, n.Box); err == nil {
		t.Fatal("the old key still opens the notification secrets")
	}
}
