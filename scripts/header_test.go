package scripts

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseHeader(t *testing.T) {
	defaults := Header{Name: "X", TwoFA: "none", Fields: []string{"username", "password"}}
	cases := []struct {
		name, src string
		want      Header
		err       string
	}{
		{name: "contract example", src: `// ==Portal==
// @name     Example Cloud
// @url      https://example.com/login
// @twofa    totp                 (none | totp | optional | manual)
// @fields   username password    (credential fields the UI asks for; default: username password)
// @version  1
// ==/Portal==

page.goto("https://example.com/login");`,
			want: Header{Name: "Example Cloud", URL: "https://example.com/login", TwoFA: "totp", Fields: []string{"username", "password"}, Version: "1"}},
		{name: "defaults", src: "// ==Portal==\n// @name X\n// ==/Portal==\n", want: defaults},
		{name: "after comments, CRLF, BOM, blank comment lines", src: "\uFEFF// Copyright me\r\n\r\n// ==Portal==\r\n//\r\n//   @name   X\r\n// ==/Portal==\r\n",
			want: defaults},
		{name: "fields with commas, case-insensitive keys, extras", src: "// ==Portal==\n// @Name Bank (EU)\n// @TWOFA Optional\n// @fields email, password, pin\n// @author me\n// ==/Portal==",
			want: Header{Name: "Bank (EU)", TwoFA: "optional", Fields: []string{"email", "password", "pin"}, Extra: map[string]string{"author": "me"}}},
		{name: "sms and email", src: "// ==Portal==\n// @name X\n// @twofa sms\n// ==/Portal==", want: Header{Name: "X", TwoFA: "sms", Fields: []string{"username", "password"}}},
		{name: "email", src: "// ==Portal==\n// @name X\n// @twofa email (a code by mail)\n// ==/Portal==", want: Header{Name: "X", TwoFA: "email", Fields: []string{"username", "password"}}},
		{name: "missing", src: "page.goto('x');\n// ==Portal==\n", err: "portal header, line 1: no ==Portal== block"},
		{name: "empty", src: "", err: "line 1: no ==Portal== block"},
		{name: "not closed", src: "// ==Portal==\n// @name X\n\npage.goto('x')", err: "line 4: the ==Portal== block is not closed"},
		{name: "not closed at end", src: "// ==Portal==\n// @name X\n", err: "line 1: the ==Portal== block is not closed"},
		{name: "no name", src: "// ==Portal==\n// @url https://x.example\n// ==/Portal==", err: "line 1: the ==Portal== block has no @name"},
		{name: "bad twofa", src: "// ==Portal==\n// @name X\n// @twofa phone\n// ==/Portal==", err: `line 3: @twofa must be none, totp, optional, manual, sms or email, not "phone"`},
		{name: "bad url", src: "// ==Portal==\n// @name X\n// @url example.com/login\n// ==/Portal==", err: `line 3: @url must be an absolute http(s) URL`},
		{name: "duplicate", src: "// ==Portal==\n// @name X\n// @name Y\n// ==/Portal==", err: "line 3: @name is given twice (first on line 2)"},
		{name: "empty value", src: "// ==Portal==\n// @name\n// ==/Portal==", err: "line 2: @name needs a value"},
		{name: "junk line", src: "// ==Portal==\n// @name X\n// name Y\n// ==/Portal==", err: "line 3: expected `// @key value`"},
		{name: "bad field", src: "// ==Portal==\n// @name X\n// @fields user-name\n// ==/Portal==", err: `line 3: @fields: "user-name" is not a field name`},
		{name: "persistent profile", src: "// ==Portal==\n// @name X\n// @profile Persistent   (keep the browser profile)\n// ==/Portal==",
			want: Header{Name: "X", TwoFA: "none", Fields: []string{"username", "password"}, Profile: "persistent"}},
		{name: "bad profile", src: "// ==Portal==\n// @name X\n// @profile shared\n// ==/Portal==", err: `line 3: @profile can only be persistent (or left out), not "shared"`},
		{name: "browser mode", src: "// ==Portal==\n// @name X\n// @browser Headful   (headless | headful)\n// ==/Portal==",
			want: Header{Name: "X", TwoFA: "none", Fields: []string{"username", "password"}, Browser: "headful"}},
		{name: "bad browser mode", src: "// ==Portal==\n// @name X\n// @browser firefox\n// ==/Portal==", err: `line 3: @browser must be headless or headful, not "firefox"`},
		{name: "nested start", src: "// ==Portal==\n// @name X\n// ==Portal==\n", err: "line 3: a second `// ==Portal==`"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ParseHeader(tc.src)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(h, tc.want) {
				t.Errorf("got  %+v\nwant %+v", h, tc.want)
			}
		})
	}
}
