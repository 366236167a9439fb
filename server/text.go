package server

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/labstack/echo/v4"

	"billhound/textrule"
)

// Length limits of the text fields a user names things with (in characters).
const (
	maxName     = textrule.MaxName
	maxUsername = textrule.MaxUsername
	maxLabel    = textrule.MaxLabel
	maxURL      = textrule.MaxURL
)

// checkText is textrule.Check as a 400 answer.
func checkText(field, v string, max int) error {
	if err := textrule.Check(field, v, max); err != nil {
		return errBadRequest(err.Error())
	}
	return nil
}

// idPattern is what an id looks like: digits, no sign, no leading zero, at most 19 digits
// (ParseInt then rejects those beyond int64).
var idPattern = regexp.MustCompile(`^[1-9][0-9]{0,18}$`)

func parseID(name, v string) (int64, error) {
	if idPattern.MatchString(v) {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			return id, nil
		}
	}
	return 0, errBadRequest(fmt.Sprintf("%s must be a positive whole number written with digits only, like 42 (got %q)", name, clip(v)))
}

// strictIDs checks every route parameter that is an id before a handler sees it, so a new
// :id route is covered without remembering to.
func strictIDs(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for i, name := range c.ParamNames() {
			if name == "id" || len(name) > 2 && name[len(name)-2:] == "Id" {
				if _, err := parseID(name, c.ParamValues()[i]); err != nil {
					return err
				}
			}
		}
		return next(c)
	}
}

// clip keeps an echoed value short in an error message (%q then escapes what is not printable).
func clip(v string) string {
	if r := []rune(v); len(r) > 24 {
		return string(r[:24]) + "…"
	}
	return v
}
