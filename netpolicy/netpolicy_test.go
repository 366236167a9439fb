package netpolicy

import (
	"errors"
	"testing"
)

func TestCheckURL(t *testing.T) {
	p := New(":8080")
	cases := []struct {
		url     string
		blocked bool
	}{
		{"https://example.com/invoices", false},
		{"http://127.0.0.1:9911/login", false},
		{"http://127.0.0.1:8080/api/portals", true},
		{"http://localhost:8080/", true},
		{"http://[::1]:8080/", true},
		{"http://0.0.0.0:8080/", true},
		{"file:///etc/passwd", true},
		{"FILE:///etc/passwd", true},
		{"data:text/html,<b>x</b>", true},
		{"chrome://version", true},
		{"view-source:https://example.com", true},
		{"devtools://devtools/bundled/inspector.html", true},
		{"javascript:alert(1)", true},
		{"/relative", true},
	}
	for _, c := range cases {
		err := p.CheckURL(c.url)
		if got := err != nil; got != c.blocked {
			t.Errorf("CheckURL(%q) = %v, want blocked=%v", c.url, err, c.blocked)
		}
		if err != nil && !errors.Is(err, ErrBlocked) {
			t.Errorf("CheckURL(%q): error %v does not wrap ErrBlocked", c.url, err)
		}
	}
}

func TestCheckAddr(t *testing.T) {
	p := New("127.0.0.1:8080")
	if err := p.CheckAddr("127.0.0.1:8080"); err == nil {
		t.Error("own address allowed")
	}
	if err := p.CheckAddr("[::1]:8080"); err == nil {
		t.Error("own port on ::1 allowed")
	}
	if err := p.CheckAddr("127.0.0.1:9911"); err != nil {
		t.Errorf("other port refused: %v", err)
	}
	if err := p.CheckAddr("93.184.216.34:8080"); err != nil {
		t.Errorf("a remote host on the same port refused: %v", err)
	}
}
