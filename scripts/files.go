package scripts

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"billhound/archive"
)

// DefaultMaxDownload is the largest download or page.fetch body a run accepts unless
// EngineOptions.MaxDownload says otherwise.
const DefaultMaxDownload int64 = 100 << 20

// runFiles holds a run's downloads and fetch bodies on disk, in a folder of its own that is
// created on first use and removed with everything in it when the run ends. Bodies never pass
// through memory whole: they are copied to disk with a size cap.
type runFiles struct {
	root string // EngineOptions.TempDir
	max  int64

	mu  sync.Mutex
	dir string // "" until the first file
}

func newRunFiles(eo EngineOptions) *runFiles {
	f := &runFiles{root: eo.TempDir, max: eo.MaxDownload}
	if f.max <= 0 {
		f.max = DefaultMaxDownload
	}
	if f.root == "" {
		f.root = os.TempDir()
	}
	return f
}

// errTooLarge is wrapped by the refusal of a body over the cap.
var errTooLarge = errors.New("larger than the download limit")

// tooLarge says which limit a body passed and where it is set.
func (f *runFiles) tooLarge(what string) error {
	return fmt.Errorf("%w: %s is larger than %s (BILLHOUND_MAX_DOWNLOAD); raise that limit if the portal's files really are this big", errTooLarge, what, sizeText(f.max))
}

// create opens a new empty file in the run's folder.
func (f *runFiles) create(pattern string) (*os.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dir == "" {
		if err := os.MkdirAll(f.root, 0o700); err != nil {
			return nil, archive.DiskError(err, f.root)
		}
		dir, err := os.MkdirTemp(f.root, "run-*")
		if err != nil {
			return nil, archive.DiskError(err, f.root)
		}
		f.dir = dir
	}
	file, err := os.CreateTemp(f.dir, pattern)
	if err != nil {
		return nil, archive.DiskError(err, f.dir)
	}
	return file, nil
}

// freeName is the name of a file of the run that does not exist (yet): for a writer that
// creates its file itself.
func (f *runFiles) freeName(pattern string) (string, error) {
	file, err := f.create(pattern)
	if err != nil {
		return "", err
	}
	file.Close()
	os.Remove(file.Name())
	return file.Name(), nil
}

// spooled is a body on disk.
type spooled struct {
	path string
	size int64
	head []byte // the first 512 bytes, to tell an HTML page from a file
}

// spool copies r into a new file of the run, refusing more than the cap (what names the body
// in that error). On any error the file is removed.
func (f *runFiles) spool(r io.Reader, what string) (*spooled, error) {
	file, err := f.create("body-*")
	if err != nil {
		return nil, err
	}
	head := make([]byte, 0, 512)
	n, err := io.Copy(file, io.LimitReader(&headReader{r: r, head: &head}, f.max+1))
	if err == nil && n > f.max {
		err = f.tooLarge(what)
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(file.Name())
		return nil, archive.DiskError(err, file.Name())
	}
	return &spooled{path: file.Name(), size: n, head: head}, nil
}

// checkSize refuses a file already on disk (a browser download) that is over the cap.
func (f *runFiles) checkSize(path, what string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	if st.Size() > f.max {
		return 0, f.tooLarge(what)
	}
	return st.Size(), nil
}

// headReader keeps the first bytes read through it.
type headReader struct {
	r    io.Reader
	head *[]byte
}

func (h *headReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if room := cap(*h.head) - len(*h.head); room > 0 && n > 0 {
		*h.head = append(*h.head, p[:min(room, n)]...)
	}
	return n, err
}

// remove deletes one file of the run (once it is archived or no longer needed).
func (f *runFiles) remove(path string) {
	if path != "" {
		os.Remove(path)
	}
}

// removeAll deletes the run's folder when the run ends.
func (f *runFiles) removeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dir != "" {
		os.RemoveAll(f.dir)
		f.dir = ""
	}
}

// CleanTempDir removes the run folders in dir (EngineOptions.TempDir) older than age: what runs
// of a process that died left behind. A live run's folder is younger than its time limit. It
// returns how many it removed.
func CleanTempDir(dir string, age time.Duration) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !e.IsDir() || !strings.HasPrefix(e.Name(), "run-") || time.Since(info.ModTime()) < age {
			continue
		}
		if os.RemoveAll(filepath.Join(dir, e.Name())) == nil {
			n++
		}
	}
	return n
}

// sizeText prints a byte count the way the limit is configured: "100 MB", "1.5 GB", "512 bytes".
func sizeText(n int64) string {
	for _, u := range []struct {
		unit string
		size int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}} {
		if n >= u.size {
			if n%u.size == 0 {
				return fmt.Sprintf("%d %s", n/u.size, u.unit)
			}
			return fmt.Sprintf("%.1f %s", float64(n)/float64(u.size), u.unit)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
