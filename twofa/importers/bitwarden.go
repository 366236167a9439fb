package importers

import (
	"encoding/json"
	"strings"

	"billhound/twofa"
)

// Bitwarden's (and Vaultwarden's) JSON export: {"encrypted":false,"items":[{"name":...,
// "login":{"username":...,"totp":...}}]}. login.totp is an otpauth:// link, a steam:// link or
// a bare base32 key. Encrypted exports are sealed with the account's or a file password in
// Bitwarden's own scheme; billhound asks for the unencrypted export instead.
type bitwardenFile struct {
	Encrypted bool `json:"encrypted"`
	Items     []struct {
		Name  string `json:"name"`
		Login *struct {
			Username string `json:"username"`
			TOTP     string `json:"totp"`
		} `json:"login"`
	} `json:"items"`
}

func parseBitwarden(data []byte) (Result, error) {
	var f bitwardenFile
	if err := json.Unmarshal(data, &f); err != nil {
		return Result{}, damaged("Bitwarden", err)
	}
	if f.Encrypted {
		return Result{}, bad(ErrNeedPassword, "this Bitwarden export is encrypted; in Bitwarden choose Export vault, file format \".json\" (not \".json (Encrypted)\"), and upload that file — delete it afterwards")
	}
	res := Result{Format: "Bitwarden"}
	for _, it := range f.Items {
		if it.Login == nil || strings.TrimSpace(it.Login.TOTP) == "" {
			continue // a login without 2FA is no account to import
		}
		k, err := bitwardenKey(it.Login.TOTP)
		if err != nil {
			res.Skipped = append(res.Skipped, describe(it.Name, it.Login.Username)+": "+err.Error())
			continue
		}
		if k.Issuer == "" {
			k.Issuer = strings.TrimSpace(it.Name)
		}
		if k.Account == "" {
			k.Account = strings.TrimSpace(it.Login.Username)
		}
		res.Keys = append(res.Keys, k)
	}
	return res, nil
}

func bitwardenKey(totp string) (twofa.Key, error) {
	t := strings.TrimSpace(totp)
	if strings.Contains(t, "://") {
		return twofa.ParseURI(t)
	}
	return twofa.ParseSecret(t)
}
