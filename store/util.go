package store

import (
	"fmt"
	"time"
)

// parseDBTime reads a DATETIME as the SQLite driver writes it.
func parseDBTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("store: unreadable time %q", s)
}
