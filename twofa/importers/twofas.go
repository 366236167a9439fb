package importers

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// 2FAS' backup (.2fas): {"services":[...],"schemaVersion":4,...}. Protected by a password,
// "services" is empty and "servicesEncrypted" is "ciphertext:salt:iv", each part base64: the
// services' JSON sealed with AES-256-GCM (tag appended) under a key PBKDF2-HMAC-SHA256 derives
// from the password and salt in 10,000 rounds.
type twoFASFile struct {
	Services          []twoFASService `json:"services"`
	ServicesEncrypted string          `json:"servicesEncrypted"`
}

type twoFASService struct {
	Name   string `json:"name"`
	Secret string `json:"secret"`
	OTP    struct {
		Label     string  `json:"label"`
		Account   string  `json:"account"`
		Issuer    string  `json:"issuer"`
		Digits    int     `json:"digits"`
		Period    int     `json:"period"`
		Algorithm *string `json:"algorithm"`
		TokenType string  `json:"tokenType"`
		Counter   uint64  `json:"counter"`
	} `json:"otp"`
}

const twoFASRounds = 10000

func parseTwoFAS(data []byte, password string) (Result, error) {
	var f twoFASFile
	if err := json.Unmarshal(data, &f); err != nil {
		return Result{}, damaged("2FAS", err)
	}
	services := f.Services
	if len(services) == 0 && f.ServicesEncrypted != "" {
		plain, err := openTwoFAS(f.ServicesEncrypted, password)
		if err != nil {
			return Result{}, err
		}
		if err := json.Unmarshal(plain, &services); err != nil {
			return Result{}, damaged("2FAS", err)
		}
	}
	res := Result{Format: "2FAS"}
	for _, s := range services {
		o := s.OTP
		issuer := firstOf(o.Issuer, s.Name)
		account := o.Account
		if account == "" && o.Label != "" {
			_, account, _ = strings.Cut(o.Label, ":")
			account = firstOf(account, o.Label)
		}
		alg := ""
		if o.Algorithm != nil {
			alg = *o.Algorithm
		}
		res.add(entry{kind: strings.ToLower(o.TokenType), secret: s.Secret, issuer: issuer, account: account,
			algorithm: alg, digits: o.Digits, period: o.Period, counter: o.Counter})
	}
	return res, nil
}

func openTwoFAS(sealed, password string) ([]byte, error) {
	if password == "" {
		return nil, bad(ErrNeedPassword, "this 2FAS backup is protected by a password; enter the password you chose when you exported it")
	}
	parts := strings.Split(sealed, ":")
	if len(parts) != 3 {
		return nil, bad(ErrDamaged, "the 2FAS backup's encrypted part is damaged; export it again and upload the new file")
	}
	var raw [3][]byte
	for i, p := range parts {
		b, err := base64.StdEncoding.DecodeString(p)
		if err != nil {
			return nil, bad(ErrDamaged, "the 2FAS backup's encrypted part is damaged; export it again and upload the new file")
		}
		raw[i] = b
	}
	ciphertext, salt, iv := raw[0], raw[1], raw[2]
	if len(iv) != 12 || len(ciphertext) < 16 {
		return nil, bad(ErrDamaged, "the 2FAS backup's encrypted part is damaged; export it again and upload the new file")
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, twoFASRounds, 32)
	if err != nil {
		return nil, err
	}
	plain, err := openGCM(key, iv, ciphertext)
	if err != nil {
		// GCM cannot tell a wrong password from a damaged file; the password is far likelier.
		return nil, bad(ErrWrongPassword, "the password does not open this 2FAS backup; enter the password you chose when you exported it")
	}
	return plain, nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
