package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"billhound/scripts"
)

// ttyPrompter asks a run's questions on the terminal of `billhound run`. Answers through the
// API (the web UI, a notification) count too: the first one wins.
type ttyPrompter struct {
	in  *bufio.Reader
	out io.Writer
}

// isTerminal reports whether f is a character device (a terminal), not a pipe or a file.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *ttyPrompter) Prompt(ctx context.Context, portal string, q scripts.Question) (string, error) {
	hint := "type the code and press Enter"
	switch q.Kind {
	case scripts.AskText:
		hint = "type the answer and press Enter"
	case scripts.AskConfirm:
		hint = "press Enter when done"
	}
	fmt.Fprintf(p.out, "\n%s needs you: %s\n(%s; or answer in billhound's web UI)\n> ", portal, q.Prompt, hint)
	type line struct {
		s   string
		err error
	}
	ch := make(chan line, 1)
	go func() { // a read from a terminal cannot be cancelled; it ends with the process
		for {
			s, err := p.in.ReadString('\n')
			s = strings.TrimSpace(s)
			if s != "" || q.Kind == scripts.AskConfirm || err != nil {
				ch <- line{s, err}
				return
			}
			fmt.Fprint(p.out, "> ")
		}
	}()
	select {
	case l := <-ch:
		if l.err != nil && l.s == "" {
			return "", l.err
		}
		return l.s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
