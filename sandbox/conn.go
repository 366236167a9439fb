package sandbox

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"sync"
)

// MaxFrame bounds one message between the parent and a child: a page's HTML, a fetch body the
// script reads, a log line. A larger message is refused with an error, never buffered.
const MaxFrame = 128 << 20

// Conn carries length-prefixed JSON messages over the socket shared by a parent and its child.
// Send and Recv may be used from two goroutines (one each), not more.
type Conn struct {
	// RecvLimit bounds the frames Recv accepts (0: MaxFrame). The server sets it low for what a
	// child may send, so a script cannot make the server hold a huge message.
	RecvLimit int

	c  net.Conn
	r  *bufio.Reader
	mu sync.Mutex // serialises Send
}

func newConn(c net.Conn) *Conn {
	return &Conn{c: c, r: bufio.NewReaderSize(c, 64<<10)}
}

// Send writes v as one frame.
func (c *Conn) Send(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("sandbox: encode a message: %w", err)
	}
	if len(b) > MaxFrame {
		return fmt.Errorf("sandbox: a message of %d MB is larger than the %d MB limit", len(b)>>20, MaxFrame>>20)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(b)))
	if _, err := c.c.Write(hdr[:]); err != nil {
		return err
	}
	_, err = c.c.Write(b)
	return err
}

// Recv reads one frame into v.
func (c *Conn) Recv(v any) error {
	var hdr [4]byte
	if _, err := io.ReadFull(c.r, hdr[:]); err != nil {
		return err
	}
	n := int(binary.BigEndian.Uint32(hdr[:]))
	limit := c.RecvLimit
	if limit <= 0 || limit > MaxFrame {
		limit = MaxFrame
	}
	if n > limit {
		return fmt.Errorf("sandbox: a message of %d MB is larger than the %d MB limit", n>>20, limit>>20)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(c.r, b); err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// Close closes the socket; a Recv in progress returns an error.
func (c *Conn) Close() error { return c.c.Close() }
