// Package importers reads the exports of authenticator apps (Aegis, 2FAS, Ente Auth,
// Bitwarden, andOTP, Google Authenticator's export QR codes and plain lists of otpauth://
// links) into twofa keys. Parse tells the format from the content, never from the file name.
//
// Every error caused by the file or the password is a *twofa.InputError whose message tells
// the user what to do; no message ever holds a secret.
package importers

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"billhound/qrscan"
	"billhound/twofa"
)

// Kinds of bad import, besides twofa's own.
var (
	ErrUnknownFormat = errors.New("the file is not an export billhound can read")
	ErrNeedPassword  = errors.New("the export is encrypted")
	ErrWrongPassword = errors.New("the password does not open the export")
	ErrDamaged       = errors.New("the export is damaged")
)

// MaxSize bounds an export: Aegis keeps icons inside, but even a large vault is a few MB.
const MaxSize = 16 << 20

// UnknownFormatMessage is what the user reads for a file of no known format. Microsoft
// Authenticator is named because it is the one common app with no export at all.
const UnknownFormatMessage = "billhound cannot read this file. It reads exports of Aegis (.json, plain or " +
	"password-protected), 2FAS (.2fas), Ente Auth (plain text), Bitwarden and Vaultwarden " +
	"(unencrypted .json), andOTP (plain .json), Google Authenticator's export QR codes and text " +
	"files of otpauth:// links. Microsoft Authenticator has no export: open the portal's 2FA " +
	"settings, set the authenticator up again there and upload the QR code it shows."

// Result is what an export held.
type Result struct {
	Format  string      // "Aegis", "2FAS", ... for people
	Keys    []twofa.Key // the usable accounts, in the export's order
	Skipped []string    // accounts left out and why ("Yandex (bob): Yandex codes are not supported")
}

// Parse reads an export. password is needed only for encrypted ones.
func Parse(data []byte, password string) (Result, error) {
	if len(data) > MaxSize {
		return Result{}, bad(ErrDamaged, fmt.Sprintf("the file is larger than %d MB; an authenticator export is much smaller — check you picked the right file", MaxSize>>20))
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(data)
	var res Result
	var err error
	switch {
	case len(trimmed) == 0:
		return Result{}, bad(ErrUnknownFormat, "the file is empty; export the accounts from the authenticator app again")
	case isImage(trimmed):
		res, err = parseImage(data)
	case trimmed[0] == '{' || trimmed[0] == '[':
		res, err = parseJSON(trimmed, password)
	default:
		res, err = parseLines(trimmed)
	}
	if err != nil {
		return Result{}, err
	}
	if len(res.Keys) == 0 {
		if len(res.Skipped) > 0 {
			return Result{}, bad(twofa.ErrUnsupported, fmt.Sprintf("none of the accounts in the %s export can be used: %s", res.Format, strings.Join(res.Skipped, "; ")))
		}
		return Result{}, bad(ErrUnknownFormat, fmt.Sprintf("the %s export holds no accounts", res.Format))
	}
	return res, nil
}

// parseJSON tells the JSON exports apart by their top-level fields.
func parseJSON(data []byte, password string) (Result, error) {
	if data[0] == '[' {
		return parseAndOTP(data)
	}
	fields, err := topLevel(data)
	if err != nil {
		return Result{}, err
	}
	switch {
	case fields["db"] && fields["header"]:
		return parseAegis(data, password)
	case fields["servicesEncrypted"] || (fields["services"] && fields["schemaVersion"]):
		return parseTwoFAS(data, password)
	case fields["items"] || fields["encrypted"]:
		return parseBitwarden(data)
	}
	return Result{}, bad(ErrUnknownFormat, UnknownFormatMessage)
}

func isImage(b []byte) bool {
	return bytes.HasPrefix(b, []byte("\x89PNG")) || bytes.HasPrefix(b, []byte("\xff\xd8\xff")) ||
		bytes.HasPrefix(b, []byte("GIF8")) || (len(b) > 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP")
}

// parseImage reads Google Authenticator's export QR codes (or any QR code of otpauth links).
func parseImage(data []byte) (Result, error) {
	keys, err := twofa.KeysFromImage(data, qrscan.DecodeOptions{})
	if err != nil {
		return Result{}, err
	}
	return Result{Format: "QR code", Keys: keys}, nil
}

func bad(kind error, msg string) error { return &twofa.InputError{Kind: kind, Msg: msg} }

// entry is one account as an export describes it, before it becomes a key.
type entry struct {
	kind            string // twofa.TypeTOTP, TypeHOTP, TypeSteam; "" = TOTP
	secret          string // base32
	issuer, account string
	algorithm       string
	digits, period  int
	counter         uint64
}

// key checks an entry and makes it a key; the error says what is wrong with it, never the
// secret.
func (e entry) key() (twofa.Key, error) {
	k, err := twofa.ParseSecret(e.secret)
	if err != nil {
		return twofa.Key{}, err
	}
	k.Issuer, k.Account = strings.TrimSpace(e.issuer), strings.TrimSpace(e.account)
	switch strings.ToLower(e.kind) {
	case "", twofa.TypeTOTP:
	case twofa.TypeHOTP:
		k.Type, k.Counter = twofa.TypeHOTP, e.counter
	case twofa.TypeSteam:
		return twofa.SteamKey(k.Secret, k.Account), nil
	default:
		return twofa.Key{}, bad(twofa.ErrUnsupported, fmt.Sprintf("%s codes are not supported", e.kind))
	}
	if a := strings.ToUpper(strings.ReplaceAll(e.algorithm, "-", "")); a != "" {
		k.Algorithm = a
	}
	if e.digits != 0 {
		k.Digits = e.digits
	}
	if e.period != 0 {
		k.Period = e.period
	}
	if err := k.Check(); err != nil {
		return twofa.Key{}, bad(twofa.ErrUnsupported, fmt.Sprintf("its settings are not supported (%s, %d digits, %d seconds)", k.Algorithm, k.Digits, k.Period))
	}
	return k, nil
}

// add appends an entry's key to res, or the reason it was left out to res.Skipped.
func (res *Result) add(e entry) {
	k, err := e.key()
	if err != nil {
		res.Skipped = append(res.Skipped, describe(e.issuer, e.account)+": "+err.Error())
		return
	}
	res.Keys = append(res.Keys, k)
}

// describe names an account for a message: "GitHub (bob)".
func describe(issuer, account string) string {
	issuer, account = strings.TrimSpace(issuer), strings.TrimSpace(account)
	switch {
	case issuer != "" && account != "":
		return issuer + " (" + account + ")"
	case issuer != "":
		return issuer
	case account != "":
		return account
	}
	return "an account without a name"
}
