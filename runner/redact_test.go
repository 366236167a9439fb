package runner

import "testing"

func TestRedactor(t *testing.T) {
	r := &redactor{}
	r.add("s3cret-pw")
	r.add("123456")
	r.add("ab") // too short to mask safely
	r.add("s3cret-pw")
	cases := map[string]string{
		"login with s3cret-pw failed": "login with •••••• failed",
		"code 123456 rejected":        "code •••••• rejected",
		"tab and ab stay":             "tab and ab stay",
		"<input value=\"s3cret-pw\">": "<input value=\"••••••\">",
	}
	for in, want := range cases {
		if got := r.apply(in); got != want {
			t.Errorf("apply(%q) = %q, want %q", in, got, want)
		}
	}
	if len(r.secrets) != 2 {
		t.Errorf("secrets kept: %d, want 2 (duplicates and short values dropped)", len(r.secrets))
	}
}
