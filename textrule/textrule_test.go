package textrule

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		v    string
		want string // part of the error; "" = accepted
	}{
		{"Hetzner Cloud", ""},
		{"Ünïcødé 請求書", ""},
		{"bad\x00name", "control character (U+0000)"},
		{"tab\there", "control character"},
		{"invoice\u202Efdp.exe", "text-direction character (U+202E)"},
		{"zero\u200Bwidth", "invisible"},
		{"bom\ufeff", "invisible"},
		{strings.Repeat("x", 101), "longer than 100 characters"},
		{"\xff\xfe", "not valid UTF-8"},
	}
	for _, c := range cases {
		err := Check("the name", c.v, MaxName)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q refused: %v", c.v, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: error %v, want one with %q", c.v, err, c.want)
		}
	}
}
