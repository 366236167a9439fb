// Package textract reads what an archived invoice says: a PDF's text layer (in a child
// process, see child.go) and an HTML receipt's visible text; meta.go finds the invoice
// number, date and total in that text; indexer.go keeps the archive's full-text index filled.
//
// The PDF library is github.com/ledongthuc/pdf: pure Go, no dependencies, maintained, and it
// decodes what real invoices use (CID fonts with Identity-H encoding and a ToUnicode map, as
// Chromium prints them, and simple fonts in WinAnsi). pdfcpu does not extract text, and
// go-pdfium's WebAssembly build would keep a large runtime resident.
package textract

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Extractor reads PDFs in a child process of Executable, one child per batch of files. A file
// that takes longer than Timeout, or kills the child, gives no text; the child is replaced for
// the files after it.
type Extractor struct {
	Executable string        // the binary to run as the child; default os.Executable()
	Timeout    time.Duration // per file; default 10 s
}

// PDFTexts returns the text of each PDF at paths ("" where a file has none or cannot be read),
// and per file why not (nil when it was read).
func (x *Extractor) PDFTexts(ctx context.Context, paths []string) ([]string, []error) {
	texts, errs := make([]string, len(paths)), make([]error, len(paths))
	for i := 0; i < len(paths); {
		c, err := x.start(ctx)
		if err != nil {
			for ; i < len(paths); i++ {
				errs[i] = err
			}
			break
		}
		for ; i < len(paths); i++ {
			r, err := c.extract(paths[i], x.timeout())
			if err != nil { // the child is gone or stuck: this file fails, a new child goes on
				errs[i] = err
				i++
				break
			}
			texts[i] = r.Text
			if r.Error != "" {
				errs[i] = errors.New(r.Error)
			}
		}
		c.stop()
	}
	return texts, errs
}

func (x *Extractor) timeout() time.Duration {
	if x.Timeout > 0 {
		return x.Timeout
	}
	return 10 * time.Second
}

type child struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	replies chan reply
}

func (x *Extractor) start(ctx context.Context) (*child, error) {
	exe := x.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("find billhound's executable: %w", err)
		}
	}
	cmd := exec.CommandContext(ctx, exe, childArg)
	cmd.Env = []string{envChild + "=1"}
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the text extraction process: %w", err)
	}
	c := &child{cmd: cmd, in: in, replies: make(chan reply)}
	go func() {
		defer close(c.replies)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 2*maxTextSize+64<<10)
		for sc.Scan() {
			var r reply
			if json.Unmarshal(sc.Bytes(), &r) != nil {
				return
			}
			c.replies <- r
		}
	}()
	return c, nil
}

func (c *child) extract(path string, timeout time.Duration) (reply, error) {
	line, _ := json.Marshal(request{Path: path})
	if _, err := c.in.Write(append(line, '\n')); err != nil {
		return reply{}, fmt.Errorf("the text extraction process ended: %w", err)
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case r, ok := <-c.replies:
		if !ok {
			return reply{}, errors.New("the text extraction process ended on this file (too large or broken)")
		}
		return r, nil
	case <-t.C:
		return reply{}, fmt.Errorf("reading the PDF took longer than %v", timeout)
	}
}

func (c *child) stop() {
	c.in.Close()
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
	for range c.replies { // let the reader goroutine end
	}
}

// Text is what the file at path says, by its content type: PDFs through x, HTML and plain
// text read here. Other types (images) have none.
func Text(ctx context.Context, x *Extractor, path, contentType string) (string, error) {
	switch {
	case contentType == "application/pdf":
		texts, errs := x.PDFTexts(ctx, []string{path})
		return texts[0], errs[0]
	case strings.HasPrefix(contentType, "text/html"), strings.HasPrefix(contentType, "text/plain"),
		contentType == "application/xml": // e-invoices (XRechnung, UBL): their element texts
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxHTMLSize))
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(contentType, "text/plain") {
			return clean(string(data)), nil
		}
		return htmlText(data), nil
	}
	return "", nil
}
