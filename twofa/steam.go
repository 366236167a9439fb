package twofa

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
	"strings"
)

// Steam Guard codes are TOTP (SHA1, 30 seconds) with a different last step: the truncated
// number is written in five characters of Steam's own alphabet instead of decimal digits.
// There is no published specification; this is what Steam's app and every authenticator that
// supports it (Aegis, 2FAS, KeePassXC) compute.
const (
	steamAlphabet = "23456789BCDFGHJKMNPQRTVWXY"
	steamDigits   = 5
)

func steamCode(secret []byte, step uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], step)
	mac := hmac.New(sha1.New, secret)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	var b strings.Builder
	for range steamDigits {
		b.WriteByte(steamAlphabet[n%uint32(len(steamAlphabet))])
		n /= uint32(len(steamAlphabet))
	}
	return b.String()
}

// SteamKey is a Steam Guard key: SHA1, five characters, 30 seconds.
func SteamKey(secret []byte, account string) Key {
	return Key{Secret: secret, Issuer: "Steam", Account: account, Algorithm: "SHA1",
		Digits: steamDigits, Period: DefaultPeriod, Type: TypeSteam}
}

// ParseSteamURI reads steam://SECRET, the form Bitwarden and some exporters use for a Steam
// Guard key (the secret in base32).
func ParseSteamURI(s string) (Key, error) {
	s = strings.TrimSpace(s)
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || !strings.EqualFold(scheme, "steam") {
		return Key{}, inputErr(ErrBadURI, "the text is not a steam:// link")
	}
	secret, err := decodeSecret(rest, "the steam:// link's secret")
	if err != nil {
		return Key{}, err
	}
	return SteamKey(secret, ""), nil
}
