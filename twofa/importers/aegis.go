package importers

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"golang.org/x/crypto/scrypt"
)

// Aegis' vault file (docs/vault.md in Aegis): {"version":1,"header":{"slots":...,"params":...},
// "db":...}. Plain, db is the content object; encrypted, db is the content sealed with
// AES-256-GCM under a random master key (nonce and tag in header.params, hex), and each
// password slot holds that master key sealed with a key scrypt derives from the password.
type aegisFile struct {
	Header struct {
		Slots  []aegisSlot  `json:"slots"`
		Params *aegisParams `json:"params"`
	} `json:"header"`
	DB json.RawMessage `json:"db"`
}

type aegisParams struct {
	Nonce string `json:"nonce"`
	Tag   string `json:"tag"`
}

// Aegis' slot types: the master key sealed by a raw key, by a password, or by a key the
// phone's key store releases on a fingerprint. Only a password slot can be opened elsewhere.
const (
	aegisRawSlot       = 0
	aegisPasswordSlot  = 1
	aegisBiometricSlot = 2
)

type aegisSlot struct {
	Type      int         `json:"type"` // aegisRawSlot, aegisPasswordSlot, aegisBiometricSlot
	Key       string      `json:"key"`
	KeyParams aegisParams `json:"key_params"`
	N         int         `json:"n"`
	R         int         `json:"r"`
	P         int         `json:"p"`
	Salt      string      `json:"salt"`
}

type aegisContent struct {
	Entries []struct {
		Type   string `json:"type"`
		Name   string `json:"name"`
		Issuer string `json:"issuer"`
		Info   struct {
			Secret  string `json:"secret"`
			Algo    string `json:"algo"`
			Digits  int    `json:"digits"`
			Period  int    `json:"period"`
			Counter uint64 `json:"counter"`
		} `json:"info"`
	} `json:"entries"`
}

// Limits on the scrypt settings a file may ask for: Aegis uses N=2^15, r=8, p=1; a file asking
// for far more would only tie up the server's memory.
const (
	maxScryptN = 1 << 20
	maxScryptR = 16
	maxScryptP = 4
)

func parseAegis(data []byte, password string) (Result, error) {
	var f aegisFile
	if err := json.Unmarshal(data, &f); err != nil {
		return Result{}, damaged("Aegis", err)
	}
	content := []byte(f.DB)
	if len(content) > 0 && content[0] == '"' { // encrypted: a base64 string
		var err error
		if content, err = openAegis(f, password); err != nil {
			return Result{}, err
		}
	}
	var c aegisContent
	if err := json.Unmarshal(content, &c); err != nil {
		return Result{}, damaged("Aegis", err)
	}
	res := Result{Format: "Aegis"}
	for _, e := range c.Entries {
		res.add(entry{kind: e.Type, secret: e.Info.Secret, issuer: e.Issuer, account: e.Name,
			algorithm: e.Info.Algo, digits: e.Info.Digits, period: e.Info.Period, counter: e.Info.Counter})
	}
	return res, nil
}

// openAegis finds the master key through a password slot and opens the vault's content.
func openAegis(f aegisFile, password string) ([]byte, error) {
	if err := passwordSlotIn(f.Header.Slots); err != nil {
		return nil, err
	}
	if password == "" {
		return nil, bad(ErrNeedPassword, "this Aegis export is protected by a password; enter the password you set in Aegis")
	}
	var sealedDB string
	if err := json.Unmarshal(f.DB, &sealedDB); err != nil {
		return nil, damaged("Aegis", err)
	}
	db, err := base64.StdEncoding.DecodeString(sealedDB)
	if err != nil || f.Header.Params == nil {
		return nil, bad(ErrDamaged, "the Aegis export is damaged (its encrypted content cannot be read); export it again and upload the new file")
	}
	master, err := masterKey(f.Header.Slots, password)
	if err != nil {
		return nil, err
	}
	nonce, tag, err := hexParams(*f.Header.Params)
	if err != nil {
		return nil, err
	}
	plain, err := openGCM(master, nonce, append(db, tag...))
	if err != nil {
		return nil, bad(ErrDamaged, "the Aegis export's content does not match its key: the file is damaged or incomplete; export it again and upload the new file")
	}
	return plain, nil
}

// passwordSlotIn refuses a vault no password opens (only the phone's fingerprint or key store
// can), with a sentence saying how to export it with a password.
func passwordSlotIn(slots []aegisSlot) error {
	biometric := false
	for _, s := range slots {
		switch s.Type {
		case aegisPasswordSlot:
			return nil
		case aegisBiometricSlot:
			biometric = true
		}
	}
	if biometric {
		return bad(ErrNeedPassword, "this Aegis export can only be unlocked with the phone's fingerprint; in Aegis, add a password in Settings > Security and export again")
	}
	return bad(ErrNeedPassword, "this Aegis export can only be unlocked with a key kept on the phone, not with a password; in Aegis, add a password in Settings > Security and export again")
}

// masterKey opens the vault's master key with the password through its password slots (a
// vault may have several: Aegis keeps a backup password too); a damaged password slot does
// not stop another from opening it.
func masterKey(slots []aegisSlot, password string) ([]byte, error) {
	var tried int
	var damagedSlot error
	for _, s := range slots {
		if s.Type != aegisPasswordSlot {
			continue
		}
		tried++
		master, err := openSlot(s, password)
		if err != nil {
			damagedSlot = err
		} else if master != nil {
			return master, nil
		}
	}
	if damagedSlot != nil && tried == 1 {
		return nil, damagedSlot
	}
	return nil, bad(ErrWrongPassword, "the password does not open this Aegis export; enter the password of the Aegis vault it came from")
}

// openSlot returns the master key, or nil when the password is not this slot's.
func openSlot(s aegisSlot, password string) ([]byte, error) {
	if s.N <= 1 || s.N > maxScryptN || s.N&(s.N-1) != 0 || s.R <= 0 || s.R > maxScryptR || s.P <= 0 || s.P > maxScryptP {
		return nil, bad(ErrDamaged, fmt.Sprintf("the Aegis export asks for password settings billhound does not accept (scrypt N=%d, r=%d, p=%d)", s.N, s.R, s.P))
	}
	salt, err1 := hex.DecodeString(s.Salt)
	key, err2 := hex.DecodeString(s.Key)
	nonce, tag, err3 := hexParams(s.KeyParams)
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, bad(ErrDamaged, "the Aegis export's password slot is damaged; export it again and upload the new file")
	}
	derived, err := scrypt.Key([]byte(password), salt, s.N, s.R, s.P, 32)
	if err != nil {
		return nil, err
	}
	master, err := openGCM(derived, nonce, append(key, tag...))
	if err != nil {
		return nil, nil // another password
	}
	return master, nil
}

func hexParams(p aegisParams) (nonce, tag []byte, err error) {
	nonce, err1 := hex.DecodeString(strings.TrimSpace(p.Nonce))
	tag, err2 := hex.DecodeString(strings.TrimSpace(p.Tag))
	if err1 != nil || err2 != nil || len(nonce) != 12 || len(tag) != 16 {
		return nil, nil, bad(ErrDamaged, "the Aegis export's encryption settings are damaged; export it again and upload the new file")
	}
	return nonce, tag, nil
}
