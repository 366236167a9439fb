package server

import (
	"encoding/base64"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"billhound/store"
)

const (
	defaultPageLimit = 50
	maxPageLimit     = 500
	maxSearchLength  = 200
)

// invoiceFilter reads the archive's filters from the query string: portal, from, to (dates),
// min, max (amounts) and q (words to search for).
func invoiceFilter(c echo.Context) (store.InvoiceFilter, error) {
	var f store.InvoiceFilter
	var err error
	if f.PortalID, err = optionalID(c, "portal"); err != nil {
		return f, err
	}
	if f.From, err = queryDate(c, "from"); err != nil {
		return f, err
	}
	if f.To, err = queryDate(c, "to"); err != nil {
		return f, err
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		return f, errBadRequest("the date range ends before it starts: make 'from' the earlier date")
	}
	if f.MinCents, err = queryAmount(c, "min"); err != nil {
		return f, err
	}
	if f.MaxCents, err = queryAmount(c, "max"); err != nil {
		return f, err
	}
	if f.MinCents != nil && f.MaxCents != nil && *f.MinCents > *f.MaxCents {
		return f, errBadRequest("the amount range ends below where it starts: make 'min' the smaller amount")
	}
	q := c.QueryParam("q")
	if utf8.RuneCountInString(q) > maxSearchLength || !utf8.ValidString(q) {
		return f, errBadRequest("the search text is too long: use at most " + strconv.Itoa(maxSearchLength) + " characters")
	}
	f.Match = store.SearchQuery(q)
	return f, nil
}

func queryDate(c echo.Context, name string) (string, error) {
	v := c.QueryParam(name)
	if v == "" {
		return "", nil
	}
	if _, err := time.Parse("2006-01-02", v); err != nil {
		return "", errBadRequest("'" + name + "' must be a date like 2025-03-31")
	}
	return v, nil
}

var amountPattern = regexp.MustCompile(`^-?[0-9]{1,12}(\.[0-9]{1,2})?$`)

// queryAmount reads an amount like 12.50 into cents.
func queryAmount(c echo.Context, name string) (*int64, error) {
	v := strings.TrimSpace(c.QueryParam(name))
	if v == "" {
		return nil, nil
	}
	if !amountPattern.MatchString(v) {
		return nil, errBadRequest("'" + name + "' must be an amount like 12.50 (a dot before the cents, no currency)")
	}
	f, _ := strconv.ParseFloat(v, 64)
	cents := int64(math.Round(f * 100))
	return &cents, nil
}

func pageLimit(v string) (int, error) {
	if v == "" {
		return defaultPageLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPageLimit {
		return 0, errBadRequest("'limit' must be a number from 1 to " + strconv.Itoa(maxPageLimit))
	}
	return n, nil
}

// EncodeCursor makes the opaque cursor of the page after cur.
func EncodeCursor(cur store.InvoiceCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cur.Date + "/" + strconv.FormatInt(cur.ID, 10)))
}

// DecodeCursor reads a cursor made by EncodeCursor; "" is the first page (nil).
func DecodeCursor(v string) (*store.InvoiceCursor, error) {
	if v == "" {
		return nil, nil
	}
	bad := errBadRequest("the cursor is not one this server gave out: start again from the first page (no 'cursor')")
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(raw) > 40 {
		return nil, bad
	}
	date, idText, ok := strings.Cut(string(raw), "/")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id < 1 {
		return nil, bad
	}
	if _, err := time.Parse("2006-01-02", date); err != nil && date != "" {
		return nil, bad
	}
	return &store.InvoiceCursor{Date: date, ID: id}, nil
}
