package scripts

import (
	"bytes"
	"context"
	"io"
	"os"
	"regexp"
	"time"
)

// Host is what a running portal script may reach outside the browser. The runner implements it
// for one run of one portal; the engine never sees the store, the archive or other portals.
type Host interface {
	// Credentials are the portal's credential fields (decrypted), e.g. "username", "password".
	Credentials() map[string]string
	// TOTP returns a replay-safe code for the portal's secret. It may block until the next time
	// step begins and must return early with ctx.Err() when ctx ends.
	TOTP(ctx context.Context) (string, error)
	// SaveInvoice files one downloaded document into the archive.
	SaveInvoice(ctx context.Context, doc Document) (SaveResult, error)
	// Known reports whether an invoice with this portal invoice id is already archived.
	Known(id string) (bool, error)
	// Since is the time of the portal's last successful run, or nil.
	Since() *time.Time
	// Log appends one line to the run log. level is "info", "warn" or "error".
	Log(level, message string)
	// Artifact keeps a file (a screenshot, a page's HTML) with the run. name is a plain file name
	// such as "01-login.png"; the host makes it unique and safe.
	Artifact(name string, data []byte) error
}

// RecoveryCodeHost is a Host that can hand out the portal's one-time recovery codes (the
// runner's does). RecoveryCode returns an unused one and marks it used for good; it fails when
// none is left.
type RecoveryCodeHost interface {
	RecoveryCode() (string, error)
}

// Document is one invoice as a script hands it over. Its content is a file on disk (downloads,
// which may be large) or bytes in memory (savePage's PDF); Open reads either.
type Document struct {
	File          string // a temporary file holding the content; it is deleted after SaveInvoice returns
	Data          []byte // the content when File is ""
	SuggestedName string // what the portal called the file; never used to decide its type
	SourceURL     string
	Meta          Meta
}

// Open returns the document's content and its size. The caller closes it.
func (d Document) Open() (io.ReadCloser, int64, error) {
	if d.File == "" {
		return io.NopCloser(bytes.NewReader(d.Data)), int64(len(d.Data)), nil
	}
	f, err := os.Open(d.File)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// Meta is the optional metadata a script passes to download() and savePage().
type Meta struct {
	ID       string // the portal's invoice number: the dedupe key
	Date     string // as the script gave it (a Date becomes RFC 3339); the archive parses it
	Amount   string // as given ("1.234,56 €" or "12.5"); the archive parses it
	Currency string
	Title    string
}

// SaveResult is what download() and savePage() return to the script.
type SaveResult struct {
	Saved     bool   `json:"saved"`
	Duplicate bool   `json:"duplicate"`
	Path      string `json:"path"`
}

// Asker is a Host that can ask the user a question while the run waits (the runner). On other
// hosts ask() fails with a sentence saying so.
type Asker interface {
	// Ask shows q to the user and returns the answer ("" for a confirmation). It returns when
	// ctx ends (the wait's timeout or the run's end) with ctx's error.
	Ask(ctx context.Context, q Question) (string, error)
}

// TakeoverHost is implemented by hosts that can show the run's page live to the user (the
// server's runner). Takeover returns when until reports true, the user presses Done, or ctx
// ends.
type TakeoverHost interface {
	Takeover(ctx context.Context, q Question, until func() (bool, error)) error
}

// Question is what ask() asks.
type Question struct {
	Kind    string        // AskCode, AskText or AskConfirm
	Prompt  string        // shown to the user; not a secret
	Timeout time.Duration // how long the script waits for the answer
}

// Question kinds.
const (
	AskCode     = "code"     // a one-time code sent by SMS, e-mail or an app
	AskText     = "text"     // a line of text
	AskConfirm  = "confirm"  // "I approved it" (in the portal's app)
	AskTakeover = "takeover" // the user handles the page in the live view (a captcha, "is it you?")
)

// CodeReader is a Host that can read one-time codes from the user's mailbox and SMS inbox
// (the runner). Each call waits for a message that arrived after the run started, until ctx
// ends.
type CodeReader interface {
	MailCode(ctx context.Context, q CodeQuery) (string, error)
	SMSCode(ctx context.Context, q CodeQuery) (string, error)
}

// CodeQuery says which message holds the code and how to find the code in it.
type CodeQuery struct {
	From    string         // part of the sender (address, name or phone number); "" for any
	Subject string         // part of the subject (e-mail only); "" for any
	Pattern *regexp.Regexp // the code: the first group if it has one, else the whole match
	Timeout time.Duration  // how long the script waits
}
