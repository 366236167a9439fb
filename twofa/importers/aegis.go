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

type aegisSlot struct {
	Type      int         `json:"type"` // 1: password
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
	var master []byte
	slots := 0
	for _, s := range f.Header.Slots {
		if s.Type != 1 {
			continue // raw and biometric slots need the phone
		}
		slots++
		if master, err = openSlot(s, password); err != nil {
			return nil, err
		}
		if master != nil {
			break
		}
	}
	if slots == 0 {
		return nil, bad(ErrNeedPassword, "this Aegis export can only be opened with the phone's fingerprint or key store; in Aegis, set a password and export again")
	}
	if master == nil {
		return nil, bad(ErrWrongPassword, "the password does not open this Aegis export; enter the password of the Aegis vault it came from")
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
