package runner

import (
	"fmt"
	"sort"
	"time"
)

// Missing is an invoice a monthly portal should have delivered by now.
type Missing struct {
	Month      string `json:"month"`      // "2024-05"
	ExpectedBy string `json:"expectedBy"` // the day after which it counts as missing, "2024-05-10"
	Message    string `json:"message"`    // "invoice for May 2024 missing"
}

// graceDays is how long after its usual day an invoice may be late before billhound says so.
const graceDays = 7

// MissingMonth tells whether a portal that delivers one invoice a month has missed one. dates
// are the portal's invoice dates (YYYY-MM-DD, any order). A portal counts as monthly when its
// last three invoices fall in three consecutive months, one each; the usual day is their
// median day of the month. The month after the last invoice is missing a week after that day.
func MissingMonth(dates []string, now time.Time) *Missing {
	var days []time.Time
	for _, d := range dates {
		if t, err := time.Parse("2006-01-02", d); err == nil {
			days = append(days, t)
		}
	}
	if len(days) < 3 {
		return nil
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	last := days[len(days)-3:]
	perMonth := map[int]int{}
	for _, d := range days {
		perMonth[monthIndex(d)]++
	}
	for i, d := range last {
		if perMonth[monthIndex(d)] != 1 || (i > 0 && monthIndex(d) != monthIndex(last[i-1])+1) {
			return nil
		}
	}
	usual := []int{last[0].Day(), last[1].Day(), last[2].Day()}
	sort.Ints(usual)
	next := time.Date(last[2].Year(), last[2].Month()+1, 1, 0, 0, 0, 0, now.Location())
	day := min(usual[1], daysIn(next))
	due := next.AddDate(0, 0, day-1+graceDays)
	if now.Before(due) {
		return nil
	}
	return &Missing{
		Month:      next.Format("2006-01"),
		ExpectedBy: due.Format("2006-01-02"),
		Message:    fmt.Sprintf("invoice for %s missing", next.Format("January 2006")),
	}
}

func monthIndex(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 }

func daysIn(month time.Time) int {
	return time.Date(month.Year(), month.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
