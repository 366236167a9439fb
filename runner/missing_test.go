package runner

import (
	"testing"
	"time"
)

func TestMissingMonth(t *testing.T) {
	monthly := []string{"2024-02-03", "2024-03-04", "2024-04-03"}
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	cases := []struct {
		name  string
		dates []string
		now   string
		want  string
	}{
		{"before the usual day", monthly, "2024-05-02", ""},
		{"within the week of grace", monthly, "2024-05-09", ""},
		{"a week after the usual day", monthly, "2024-05-10", "invoice for May 2024 missing"},
		{"months later: the first missing month", monthly, "2024-09-01", "invoice for May 2024 missing"},
		{"delivered", append(monthly, "2024-05-03"), "2024-05-20", ""},
		{"two in a month is not monthly", []string{"2024-02-03", "2024-03-04", "2024-03-20", "2024-04-03"}, "2024-06-01", ""},
		{"a gap is not monthly", []string{"2024-01-03", "2024-03-04", "2024-04-03"}, "2024-06-01", ""},
		{"too few", []string{"2024-03-04", "2024-04-03"}, "2024-06-01", ""},
		{"short month", []string{"2023-11-30", "2023-12-30", "2024-01-31"}, "2024-03-07", "invoice for February 2024 missing"},
	}
	for _, tc := range cases {
		got := MissingMonth(tc.dates, day(tc.now))
		switch {
		case tc.want == "" && got != nil:
			t.Errorf("%s: %+v, want none", tc.name, got)
		case tc.want != "" && (got == nil || got.Message != tc.want):
			t.Errorf("%s: %+v, want %q", tc.name, got, tc.want)
		}
	}
}
