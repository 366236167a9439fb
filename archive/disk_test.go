package archive

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"billhound/internal/fulldisk"
)

// TestFullDisk: on a 2 MB filesystem a 3 MB file fails with a sentence that says the disk is
// full, and leaves no file behind: no 0-byte name, no partial temporary file. A file that fits
// is filed afterwards as usual.
func TestFullDisk(t *testing.T) {
	dir, ok := fulldisk.Dir(t, 2<<20)
	if !ok {
		return
	}
	a := &Archive{Root: filepath.Join(dir, "archive")}
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	big := io.MultiReader(bytes.NewReader(pdf), bytes.NewReader(make([]byte, 3<<20)))
	_, err := a.Write(Item{"p", "BIG-1", day}, big, time.Now())
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "the disk is full") || !strings.Contains(err.Error(), "free some space") {
		t.Fatalf("3 MB on a 2 MB disk: %v", err)
	}
	if left := files(t, dir); len(left) > 0 {
		t.Fatalf("files left on the full disk: %v", left)
	}
	f, err := a.Write(Item{"p", "SMALL-1", day}, bytes.NewReader(pdf), time.Now())
	if err != nil || f.Path != filepath.Join("p", "2025", "2025-03-01_SMALL-1.pdf") {
		t.Fatalf("a small file after the failure: %+v %v", f, err)
	}

	// Artifacts are written the same way.
	filler, _ := os.Create(filepath.Join(dir, "filler"))
	_, _ = filler.Write(make([]byte, 3<<20)) // fills the disk
	filler.Close()
	err = WriteFile(filepath.Join(dir, "failure.html"), bytes.Repeat([]byte("x"), 64<<10), 0o640)
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("WriteFile on a full disk: %v", err)
	}
	for _, name := range files(t, dir) {
		if !strings.Contains(name, "/filler (") && !strings.Contains(name, "SMALL-1.pdf (") {
			t.Errorf("left on the full disk: %s", name)
		}
	}
}

// files lists every regular file below dir with its size.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, p+" ("+strconv.FormatInt(info.Size(), 10)+" bytes)")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
