package archive

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// dateLayouts are the formats portals print dates in. Day-first forms with dots are European;
// slashes are read month-first unless the first number cannot be a month.
var dateLayouts = []string{
	time.RFC3339, time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02",
	"2006/01/02", "02.01.2006", "2.1.2006", "02.01.06", "01/02/2006", "1/2/2006", "02/01/2006",
	"Jan 2, 2006", "January 2, 2006", "Jan 2 2006", "2 Jan 2006", "2 January 2006", "02 Jan 2006",
	"2. January 2006", "Mon, 02 Jan 2006", "Mon Jan 2 2006", "2006-01",
}

// ParseDate reads a date in any common format. It returns the calendar day (UTC midnight).
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(strings.Join(strings.Fields(s), " "))
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1990 || t.Year() > 2200 {
				continue
			}
			if t.Location() != time.UTC && (layout == time.RFC3339 || layout == time.RFC3339Nano) {
				// A JS Date becomes RFC 3339 in UTC; keep the calendar day the portal meant.
				t = t.In(time.Local)
			}
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised date %q (use e.g. 2024-03-01, 01.03.2024 or Mar 1, 2024)", s)
}

var currencySymbols = map[string]string{"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "CHF": "CHF", "Fr.": "CHF", "zł": "PLN", "kr": "SEK"}

var isoCurrency = regexp.MustCompile(`\b[A-Z]{3}\b`)

// ParseAmount reads an amount as portals print it ("1.234,56 €", "$1,234.56", "12.5",
// "EUR 19,99") and returns it as a plain decimal ("1234.56") and an ISO currency if one was
// shown. The last "." or "," followed by one or two digits is the decimal mark.
func ParseAmount(s string) (string, string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "", nil
	}
	currency := ""
	if m := isoCurrency.FindString(s); m != "" {
		currency = m
	} else {
		for sym, code := range currencySymbols {
			if strings.Contains(s, sym) {
				currency = code
				break
			}
		}
	}
	var digits strings.Builder
	neg := strings.Contains(s, "-") || strings.Contains(s, "−")
	for _, r := range s {
		if (r >= '0' && r <= '9') || r == '.' || r == ',' {
			digits.WriteRune(r)
		}
	}
	num := digits.String()
	if num == "" {
		return "", "", fmt.Errorf("no number in amount %q", s)
	}
	dec := strings.LastIndexAny(num, ".,")
	intPart, frac := num, ""
	if dec >= 0 && len(num)-dec-1 <= 2 && len(num)-dec-1 > 0 {
		intPart, frac = num[:dec], num[dec+1:]
	}
	intPart = strings.NewReplacer(".", "", ",", "").Replace(intPart)
	if intPart == "" {
		intPart = "0"
	}
	v, err := strconv.ParseFloat(intPart+"."+frac+"0", 64)
	if err != nil {
		return "", "", fmt.Errorf("unrecognised amount %q", s)
	}
	if neg {
		v = -v
	}
	return strconv.FormatFloat(v, 'f', 2, 64), currency, nil
}
