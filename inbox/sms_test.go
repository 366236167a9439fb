package inbox

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// TestParseSMS: the request shapes of the common forwarder apps.
func TestParseSMS(t *testing.T) {
	cases := []struct{ name, ct, body, url, from, text string }{
		{"incoming sms to url forwarder", "application/json; charset=utf-8",
			`{"from":"+4915112345678","text":"Your code: 123456","sentStamp":"1700000000000","receivedStamp":"1700000000500","sim":"SIM1"}`, "/", "+4915112345678", "Your code: 123456"},
		{"sms webhooks", "application/json", `{"body":"Code 654321","from":"BANK","timestamp":1598773970403}`, "/", "BANK", "Code 654321"},
		{"message key", "application/json", `{"sender":"Shop","message":"PIN 4321"}`, "/", "Shop", "PIN 4321"},
		{"smsforwarder form", "application/x-www-form-urlencoded", "from=10086&content=Code%3A+778899&timestamp=1700000000", "/", "10086", "Code: 778899"},
		{"json without content type", "", `{"address":"555","body":"code 1111"}`, "/", "555", "code 1111"},
		{"query only", "", "", "/?from=ACME&text=code+2222", "ACME", "code 2222"},
		{"plain text", "text/plain", "Your code is 3333", "/", "", "Your code is 3333"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", tc.url, strings.NewReader(tc.body))
			if tc.ct != "" {
				r.Header.Set("Content-Type", tc.ct)
			}
			s, err := ParseSMS(r)
			if err != nil || s.From != tc.from || s.Text != tc.text {
				t.Fatalf("got %+v, %v", s, err)
			}
		})
	}
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{"from":"x"}`))
	if _, err := ParseSMS(r); err != ErrNoText {
		t.Fatalf("no text: %v", err)
	}
}
