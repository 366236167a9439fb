package scripts

import (
	"errors"
	"io"
	"os"
	"strings"
	"syscall"

	"billhound/archive"

	"github.com/playwright-community/playwright-go"
)

// remotePathRefusal is how playwright-go refuses Download.Path() on a browser reached over
// BILLHOUND_BROWSER_WS: the file is on the server's machine, only a stream of it comes here.
const remotePathRefusal = "Path is not available when connecting remotely"

func refusedAsRemote(err error) bool {
	return err != nil && strings.Contains(err.Error(), remotePathRefusal)
}

// streamDownload keeps a download of a remote browser. Playwright streams it from the server
// (SaveAs), but writes all it gets to the path it is given: into a plain file, an endless answer
// would fill this disk before any check. So SaveAs writes into a named pipe in the run's folder
// and this side copies the pipe into the run's file with the size cap. Over the cap or on a full
// disk that file is removed at once and the call fails; the rest of the stream is read and
// dropped in the background so SaveAs ends.
func (s *session) streamDownload(c *call, d playwright.Download) (Document, error) {
	name, err := s.files.freeName("stream-*")
	if err != nil {
		return Document{}, c.failMsg(err, err.Error())
	}
	r, keep, err := openPipe(name)
	if err != nil {
		err = archive.DiskError(err, name)
		return Document{}, c.failf(err, "could not keep the downloaded file: %s", describe(err, c.timeout))
	}
	saved := make(chan error, 1)
	go func() {
		err := d.SaveAs(name)
		keep.Close() // the last writer gone: the reader sees the end of what SaveAs wrote
		saved <- err
		_ = d.Delete() // the server's copy
	}()
	type copied struct {
		body *spooled
		err  error
	}
	done := make(chan copied, 1)
	go func() {
		body, err := s.files.spool(r, "the download")
		done <- copied{body, err}
		if err != nil {
			_, _ = io.Copy(io.Discard, r)
		}
		r.Close()
		os.Remove(name)
	}()
	var got copied
	select {
	case got = <-done:
	case <-s.ctx.Done():
		return Document{}, c.fail(s.ctx.Err())
	}
	if got.err != nil {
		return Document{}, c.failMsg(got.err, got.err.Error())
	}
	// The copy reached the end of the pipe, so SaveAs has returned.
	if err := <-saved; err != nil || got.body.size == 0 {
		s.files.remove(got.body.path)
		return Document{}, s.downloadFailed(c, d, err)
	}
	return Document{File: got.body.path, SuggestedName: d.SuggestedFilename(), SourceURL: d.URL()}, nil
}

// downloadFailed says why a download that SaveAs could not keep failed: the browser's reason,
// the stream's error, or an empty file (err nil).
func (s *session) downloadFailed(c *call, d playwright.Download, err error) error {
	if err == nil {
		err = errors.New("the downloaded file is empty")
		return c.failMsg(err, err.Error())
	}
	if f := d.Failure(); f != nil {
		return c.failf(err, "the download failed: %s", cleanMessage(f.Error()))
	}
	return c.failf(err, "could not keep the downloaded file: %s", describe(err, c.timeout))
}

// openPipe makes a named pipe at path and opens its reading end, non-blocking so reads wait in
// Go's poller, not in a thread. keep is a writing end held until the real writer is done: with
// no writer at all, a read would see the end before the real writer even opened the pipe.
func openPipe(path string) (r, keep *os.File, err error) {
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		return nil, nil, err
	}
	r, err = os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err == nil {
		keep, err = os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			r.Close()
		}
	}
	if err != nil {
		os.Remove(path)
		return nil, nil, err
	}
	return r, keep, nil
}
