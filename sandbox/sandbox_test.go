package sandbox

import (
	"net"
	"strings"
	"testing"
)

func TestExitReason(t *testing.T) {
	cases := []struct {
		exit Exit
		want string
	}{
		{Exit{Killed: "memory", Memory: 512 << 20, Code: -1, Signal: "killed"}, "more than 512 MB"},
		{Exit{Code: 2, Stderr: "fatal error: runtime: out of memory\n", Memory: 256 << 20}, "more than 256 MB"},
		{Exit{Code: 2, Stderr: "runtime: goroutine stack exceeds 134217728-byte limit\nfatal error: stack overflow"}, "stack overflow"},
		{Exit{Killed: "deadline", Code: -1, Signal: "killed"}, "did not stop at its time limit"},
		{Exit{Code: -1, Signal: "terminated"}, "was killed (terminated)"},
		{Exit{Code: 3, Stderr: "panic: boom\n\ngoroutine 1"}, "crashed (exit status 3: panic: boom)"},
		{Exit{Code: 0}, ""},
	}
	for _, c := range cases {
		got := c.exit.Reason()
		if c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("%+v: Reason() = %q, want %q", c.exit, got, c.want)
		}
	}
}

func TestTailBufferKeepsHeadAndTail(t *testing.T) {
	b := &tailBuffer{max: 20}
	b.Write([]byte("HEADLINE-"))
	b.Write([]byte(strings.Repeat("x", 100)))
	b.Write([]byte("-END"))
	got := b.String()
	if !strings.HasPrefix(got, "HEADLINE-") || !strings.HasSuffix(got, "-END") || len(got) > 20 {
		t.Fatalf("tail buffer = %q", got)
	}
}

func TestConnRefusesLargeFrames(t *testing.T) {
	a, b := net.Pipe()
	ca, cb := newConn(a), newConn(b)
	cb.RecvLimit = 1 << 10
	go func() { _ = ca.Send(strings.Repeat("y", 4<<10)) }()
	var s string
	if err := cb.Recv(&s); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("a 4 KB frame over a 1 KB limit: %v", err)
	}
	a.Close()
	b.Close()

	a, b = net.Pipe()
	ca, cb = newConn(a), newConn(b)
	go func() { _ = ca.Send(map[string]int{"n": 7}) }()
	var m map[string]int
	if err := cb.Recv(&m); err != nil || m["n"] != 7 {
		t.Fatalf("round trip: %v %v", m, err)
	}
}
