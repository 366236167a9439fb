package importers

import (
	"encoding/json"
	"testing"
)

// TestAegisSlots: Aegis vaults as the app writes them, with raw (0), password (1) and
// biometric (2) slots. Password slots open the vault; one only the phone can open gets a
// sentence saying how to export it with a password, whatever password is typed.
func TestAegisSlots(t *testing.T) {
	const pw, backup = "correct horse", "battery staple"
	fingerprint := "can only be unlocked with the phone's fingerprint; in Aegis, add a password in Settings > Security and export again"
	for _, c := range []struct {
		name     string
		slots    []aegisSlotSpec
		password string
		kind     error
		says     string
	}{
		{"fingerprint and password", []aegisSlotSpec{{typ: 2}, {typ: 1, password: pw}}, pw, nil, ""},
		{"fingerprint and password, wrong password", []aegisSlotSpec{{typ: 2}, {typ: 1, password: pw}}, "wrong horse", ErrWrongPassword, "password does not open this Aegis export"},
		{"fingerprint and password, no password", []aegisSlotSpec{{typ: 2}, {typ: 1, password: pw}}, "", ErrNeedPassword, "enter the password you set in Aegis"},
		{"backup password", []aegisSlotSpec{{typ: 1, password: pw}, {typ: 1, password: backup}}, backup, nil, ""},
		{"fingerprint only", []aegisSlotSpec{{typ: 2}}, pw, ErrNeedPassword, fingerprint},
		{"fingerprint only, no password", []aegisSlotSpec{{typ: 2}}, "", ErrNeedPassword, fingerprint},
		{"raw only", []aegisSlotSpec{{typ: 0}}, pw, ErrNeedPassword, "can only be unlocked with a key kept on the phone"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := Parse(aegisVault(t, c.slots...), c.password)
			if c.kind == nil {
				if err != nil {
					t.Fatal(err)
				}
				check(t, res, "Aegis", github, bank, steam)
				return
			}
			wantErr(t, err, c.kind, c.says)
		})
	}
}

// TestAegisDamaged: a vault cut short, inside its JSON or inside its sealed content, and one
// whose password slot was damaged, each say so; a damaged slot does not stop a good one.
func TestAegisDamaged(t *testing.T) {
	const pw = "correct horse"
	vault := aegisVault(t, aegisSlotSpec{typ: 2}, aegisSlotSpec{typ: 1, password: pw})
	_, err := Parse(vault[:len(vault)-30], pw)
	wantErr(t, err, ErrDamaged, "export it again")

	var f map[string]any
	json.Unmarshal(vault, &f)
	db := f["db"].(string)
	f["db"] = db[:len(db)/2]
	_, err = Parse(mustJSON(t, f), pw)
	wantErr(t, err, ErrDamaged, "damaged or incomplete")

	f["db"] = db
	slots := f["header"].(map[string]any)["slots"].([]any)
	slots[1].(map[string]any)["n"] = 1 << 30 // a setting that would tie up the server's memory
	_, err = Parse(mustJSON(t, f), pw)
	wantErr(t, err, ErrDamaged, "password settings billhound does not accept")

	// The same password in a damaged slot and a good one (Aegis keeps a backup slot too).
	json.Unmarshal(aegisVault(t, aegisSlotSpec{typ: 1, password: pw}, aegisSlotSpec{typ: 1, password: pw}), &f)
	f["header"].(map[string]any)["slots"].([]any)[0].(map[string]any)["salt"] = "not hex"
	res, err := Parse(mustJSON(t, f), pw)
	if err != nil {
		t.Fatalf("a damaged slot stopped the good one: %v", err)
	}
	check(t, res, "Aegis", github, bank, steam)
}
