package importers

import (
	"encoding/json"
	"strings"
)

// andOTP's plain backup: a JSON array of {"secret","issuer","label","digits","type",
// "algorithm","period","counter",...}; type is TOTP, HOTP or STEAM. Its encrypted backups
// (.json.aes) are binary and are refused as an unknown format: export a plain one.
type andOTPEntry struct {
	Secret    string `json:"secret"`
	Issuer    string `json:"issuer"`
	Label     string `json:"label"`
	Digits    int    `json:"digits"`
	Type      string `json:"type"`
	Algorithm string `json:"algorithm"`
	Period    int    `json:"period"`
	Counter   uint64 `json:"counter"`
}

func parseAndOTP(data []byte) (Result, error) {
	var entries []andOTPEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return Result{}, damaged("andOTP", err)
	}
	res := Result{Format: "andOTP"}
	for _, e := range entries {
		if e.Secret == "" && e.Type == "" {
			return Result{}, bad(ErrUnknownFormat, UnknownFormatMessage)
		}
		issuer, account := e.Issuer, e.Label
		if issuer == "" { // older andOTP versions kept "Issuer - account" in the label
			if i, a, ok := strings.Cut(e.Label, " - "); ok {
				issuer, account = i, a
			}
		}
		res.add(entry{kind: strings.ToLower(e.Type), secret: e.Secret, issuer: issuer, account: account,
			algorithm: e.Algorithm, digits: e.Digits, period: e.Period, counter: e.Counter})
	}
	return res, nil
}
