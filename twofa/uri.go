package twofa

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// URI is the canonical otpauth link for k, with every parameter spelled out
// so no app has to guess a default:
// otpauth://totp/Issuer:Account?secret=...&issuer=...&algorithm=...&digits=...&period=...
// HOTP keys are otpauth://hotp/...&counter=N; Steam keys are TOTP links with encoder=steam
// (as KeePassXC writes them), which ParseURI reads back as Steam.
func (k Key) URI() string {
	var b strings.Builder
	if k.Kind() == TypeHOTP {
		b.WriteString("otpauth://hotp/")
	} else {
		b.WriteString("otpauth://totp/")
	}
	if k.Issuer != "" {
		b.WriteString(escapeLabel(k.Issuer))
		b.WriteByte(':')
	}
	b.WriteString(escapeLabel(k.Account))
	b.WriteString("?secret=")
	b.WriteString(k.Base32())
	if k.Issuer != "" {
		b.WriteString("&issuer=")
		b.WriteString(escapeParam(k.Issuer))
	}
	switch k.Kind() {
	case TypeHOTP:
		fmt.Fprintf(&b, "&algorithm=%s&digits=%d&counter=%d", k.Algorithm, k.Digits, k.Counter)
	case TypeSteam:
		fmt.Fprintf(&b, "&algorithm=%s&digits=%d&period=%d&encoder=steam", k.Algorithm, k.Digits, k.Period)
	default:
		fmt.Fprintf(&b, "&algorithm=%s&digits=%d&period=%d", k.Algorithm, k.Digits, k.Period)
	}
	return b.String()
}

// escapeLabel escapes one half of the label. PathEscape leaves ':' alone, but
// here it separates issuer from account, so it must be escaped too.
func escapeLabel(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
}

// escapeParam uses %20 for spaces: some apps show a '+' literally.
func escapeParam(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// ParseURI reads an otpauth://totp/ or otpauth://hotp/ link (and steam:// links). Missing
// parameters get the format's defaults (SHA1, 6 digits, 30 seconds, counter 0); the issuer
// parameter wins over the label's "Issuer:" prefix. A link of type steam (Aegis), with
// encoder=steam (KeePassXC) or with the issuer Steam and no other digit count is a Steam Guard
// key.
//
// The link is split by hand rather than with url.Parse: url.Parse rejects
// links real apps accept (a '#' or space in an account name) and its errors
// quote the whole link, secret included.
func ParseURI(s string) (Key, error) {
	s = strings.TrimSpace(s)
	scheme, rest, ok := strings.Cut(s, "://")
	if ok && strings.EqualFold(scheme, "steam") {
		return ParseSteamURI(s)
	}
	if !ok || !strings.EqualFold(scheme, "otpauth") {
		return Key{}, wrongScheme(scheme, ok)
	}

	rest, query, _ := strings.Cut(rest, "?")
	typ, label, _ := strings.Cut(rest, "/")
	k := Key{Algorithm: DefaultAlgorithm, Digits: DefaultDigits, Period: DefaultPeriod}
	switch strings.ToLower(typ) {
	case "totp":
	case "hotp":
		k.Type = TypeHOTP
	case "steam":
		k.Type = TypeSteam
	case "":
		return Key{}, inputErr(ErrBadURI, "the otpauth link has no type; it should start with otpauth://totp/")
	default:
		return Key{}, inputErr(ErrBadURI, fmt.Sprintf(
			"the otpauth link's type %q is not supported; only totp, hotp and steam are", clip(typ, 20)))
	}

	// The label is "Issuer:Account" or "Account". Split on a literal ':'
	// before unescaping, so an escaped colon inside the issuer stays put;
	// failing that, the separator itself may be escaped ("%3A").
	if issuer, account, ok := strings.Cut(label, ":"); ok {
		k.Issuer, k.Account = unescapeLabel(issuer), unescapeLabel(account)
	} else if issuer, account, ok := strings.Cut(unescapeLabel(label), ":"); ok {
		k.Issuer, k.Account = strings.TrimSpace(issuer), strings.TrimSpace(account)
	} else {
		k.Account = unescapeLabel(label)
	}

	params, err := parseQuery(query)
	if err != nil {
		return Key{}, err
	}
	secret, ok := params["secret"]
	if !ok || strings.TrimSpace(secret) == "" {
		return Key{}, inputErr(ErrBadURI, "the otpauth link has no secret (secret=…)")
	}
	if k.Secret, err = decodeSecret(secret, "the otpauth link's secret"); err != nil {
		return Key{}, err
	}
	if v := strings.TrimSpace(params["issuer"]); v != "" {
		k.Issuer = v
	}
	if v, ok := params["algorithm"]; ok {
		alg := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(v), "-", ""))
		if _, known := algorithmOf(alg); !known {
			return Key{}, inputErr(ErrBadURI, fmt.Sprintf(
				"the otpauth link's algorithm %q is not supported (SHA1, SHA256 or SHA512)", clip(v, 20)))
		}
		k.Algorithm = alg
	}
	if err := parseKind(&k, params); err != nil {
		return Key{}, err
	}
	if k.Kind() == TypeSteam {
		k.Algorithm, k.Digits = "SHA1", steamDigits
		return k, nil
	}
	if v, ok := params["digits"]; ok {
		d, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || d < minDigits || d > maxDigits {
			return Key{}, inputErr(ErrBadURI, fmt.Sprintf(
				"the otpauth link's digits %q is not supported (6, 7 or 8)", clip(v, 20)))
		}
		k.Digits = d
	}
	if v, ok := params["period"]; ok {
		p, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || p <= 0 || p > maxPeriod {
			return Key{}, inputErr(ErrBadURI, fmt.Sprintf(
				"the otpauth link's period %q is not valid (1 to %d seconds)", clip(v, 20), maxPeriod))
		}
		k.Period = p
	}
	return k, nil
}

// parseKind reads what tells a Steam key from TOTP, and an HOTP key's counter.
func parseKind(k *Key, params map[string]string) error {
	if k.Type == TypeHOTP {
		if v, ok := params["counter"]; ok {
			c, err := strconv.ParseUint(strings.TrimSpace(v), 10, 63)
			if err != nil {
				return inputErr(ErrBadURI, fmt.Sprintf("the otpauth link's counter %q is not a whole number", clip(v, 20)))
			}
			k.Counter = c
		}
		return nil
	}
	digits, hasDigits := params["digits"]
	switch {
	case strings.EqualFold(strings.TrimSpace(params["encoder"]), "steam"):
		k.Type = TypeSteam
	case strings.EqualFold(k.Issuer, "Steam") && (!hasDigits || strings.TrimSpace(digits) == "5"):
		k.Type = TypeSteam
	}
	return nil
}

// unescapeLabel decodes %-escapes in one part of the label. A stray '%' is
// more likely literal than an error, so then the raw text is kept.
func unescapeLabel(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		s = u
	}
	return strings.TrimSpace(s)
}

// wrongScheme explains a link that is not otpauth://. The scheme is shown
// only when it looks like one, so a pasted key is never echoed.
func wrongScheme(scheme string, hasSep bool) error {
	if hasSep && strings.EqualFold(scheme, "otpauth-migration") {
		return inputErr(ErrBadURI, "this is an authenticator export (otpauth-migration://), not a single otpauth:// link")
	}
	if hasSep && looksLikeScheme(scheme) {
		return inputErr(ErrBadURI, fmt.Sprintf("the link starts with %q, not otpauth://", clip(scheme, 20)+"://"))
	}
	return inputErr(ErrBadURI, "the text is not an otpauth:// link")
}

func looksLikeScheme(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i, r := range s {
		letter := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return true
}

// parseQuery splits key=value pairs. Keys are matched case-insensitively and
// the first occurrence wins. Errors name the parameter, never its value.
func parseQuery(q string) (map[string]string, error) {
	params := map[string]string{}
	for _, pair := range strings.Split(q, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if _, seen := params[k]; seen {
			continue
		}
		uv, err := url.QueryUnescape(v)
		if err != nil {
			return nil, inputErr(ErrBadURI, fmt.Sprintf(
				"the otpauth link's %s parameter has a broken %%-escape", clip(k, 20)))
		}
		params[k] = uv
	}
	return params, nil
}

// clip shortens s to n characters for quoting in a message.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
