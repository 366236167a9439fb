package inbox

import (
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Append delivers a raw RFC 5322 message into a folder over plain IMAP (APPEND), the way a mail
// server files incoming mail. The demo portal sends its e-mail codes this way into a test's
// mailbox on loopback; billhound itself only reads.
func Append(addr, username, password, folder string, at time.Time, raw string) error {
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Login(username, password).Wait(); err != nil {
		return err
	}
	if folder == "" {
		folder = "INBOX"
	}
	cmd := c.Append(folder, int64(len(raw)), &imap.AppendOptions{Time: at})
	if _, err := cmd.Write([]byte(raw)); err != nil {
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err = cmd.Wait()
	return err
}

// PlainMessage is a minimal text/plain e-mail with CRLF line ends.
func PlainMessage(from, to, subject, body string, at time.Time) string {
	return fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%d@billhound.test>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		from, to, subject, at.Format(time.RFC1123Z), at.UnixNano(),
		strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))
}
