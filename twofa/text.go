package twofa

import (
	"errors"
	"fmt"
	"strings"

	"billhound/qrscan"
)

// ParseText reads what a QR code held (or what a user pasted): an
// otpauth:// link or an authenticator export (otpauth-migration://).
func ParseText(s string) ([]Key, error) {
	t := strings.TrimSpace(strings.TrimPrefix(s, "\uFEFF"))
	lower := strings.ToLower(t)
	switch {
	case strings.HasPrefix(lower, "otpauth-migration:"):
		return ParseMigrationURI(t)
	case strings.HasPrefix(lower, "otpauth:"):
		k, err := ParseURI(t)
		if err != nil {
			return nil, err
		}
		return []Key{k}, nil
	case t == "":
		return nil, inputErr(ErrNotOTP, "the QR code is empty, not a 2FA setup code (otpauth://)")
	case looksLikeKey(t):
		// A bare key is secret; don't quote it back.
		return nil, inputErr(ErrNotOTP, "the QR code holds a bare key, not a 2FA setup code (otpauth://); type the key in instead")
	}
	return nil, inputErr(ErrNotOTP, fmt.Sprintf("the QR code holds %q, not a 2FA setup code (otpauth://)", preview(t)))
}

// preview is the start of a QR code's text for an error message. It stops
// before any query string, where a misdirected link would carry its secret.
func preview(t string) string {
	cut := t
	if i := strings.IndexAny(cut, "?#\r\n"); i >= 0 {
		cut = cut[:i]
	}
	p := clip(cut, 40)
	if p == cut && cut != t {
		p += "…"
	}
	return p
}

// looksLikeKey reports whether t could be a base32 key on its own.
func looksLikeKey(t string) bool {
	_, err := decodeSecret(t, typedKey)
	return err == nil
}

// KeysFromImage finds the QR codes in an image and returns the accounts they
// hold, without duplicates. QR codes that are not 2FA setup codes are
// ignored as long as at least one is; otherwise the first one's error is
// returned.
func KeysFromImage(data []byte, opt qrscan.DecodeOptions) ([]Key, error) {
	texts, err := qrscan.DecodeQR(data, opt)
	var ie *qrscan.InputError
	if errors.As(err, &ie) {
		// One error type for every input problem, whichever package found it.
		return nil, inputErr(ie.Kind, ie.Msg)
	}
	if err != nil {
		return nil, err
	}
	var keys []Key
	var firstErr error
	seen := map[string]bool{}
	for _, t := range texts {
		ks, err := ParseText(t)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		for _, k := range ks {
			if id := k.URI(); !seen[id] {
				seen[id] = true
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return nil, firstErr
	}
	return keys, nil
}
