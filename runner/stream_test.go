package runner

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"billhound/archive"
	"billhound/internal/fulldisk"
	"billhound/scripts"
	"billhound/store"
)

// pdfOf returns a PDF-looking body of n bytes.
func pdfOf(n int) []byte {
	b := bytes.Repeat([]byte("% filler line of an invoice\n"), n/28+1)
	copy(b, "%PDF-1.4\n")
	return b[:n]
}

// fileSite serves /big.pdf (size bytes) as a link target and as a browser download.
func fileSite(t *testing.T, size int) *httptest.Server {
	body := pdfOf(size)
	attach := append(pdfOf(size-1), '\n') // another file of the same size, not a duplicate
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Files</title><a id="dl" href="/attach.pdf">invoice</a>`)
	})
	mux.HandleFunc("GET /big.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(body)
	})
	mux.HandleFunc("GET /attach.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="attach.pdf"`)
		w.Write(attach)
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func addPortal(t *testing.T, r *Runner, st *store.Store, name, url, body string) *store.Portal {
	t.Helper()
	script := "// ==Portal==\n// @name " + name + "\n// @url " + url + "/\n// ==/Portal==\n" + body
	p := &store.Portal{Name: name, Script: script, Username: "u"}
	if err := st.CreatePortal(p); err != nil {
		t.Fatal(err)
	}
	var err error
	if p.PasswordSealed, err = r.Vault.SealPassword(p.ID, "pw-long-enough"); err != nil {
		t.Fatal(err)
	}
	if err := st.UpdatePortal(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLargeDownloadsAreArchivedIntact: a 20 MB file by URL and by a click on an attachment link
// is streamed into the archive with the right SHA-256 and size.
func TestLargeDownloadsAreArchivedIntact(t *testing.T) {
	r, st := newTestRunner(t)
	r.Engine = scripts.NewEngine(scripts.EngineOptions{Logger: r.Logger, MaxDownload: 30 << 20, TempDir: t.TempDir()})
	site := fileSite(t, 20<<20)
	p := addPortal(t, r, st, "Files", site.URL, `page.goto("/");
download("/big.pdf", {id: "URL-1"});
download("#dl", {id: "CLICK-1"});
`)
	res, err := r.RunNow(context.Background(), p.ID, "cli")
	if err != nil || res.Run.Status != store.RunSucceeded {
		t.Fatalf("run: %v %+v", err, res.Run)
	}
	if len(res.New) != 2 {
		t.Fatalf("filed %d invoices, want 2", len(res.New))
	}
	for i, inv := range res.New {
		served := pdfOf(20 << 20)
		if i == 1 {
			served = append(pdfOf(20<<20-1), '\n')
		}
		sum := sha256.Sum256(served)
		want := hex.EncodeToString(sum[:])
		data, err := os.ReadFile(r.Archive.Path(inv.Path))
		got := sha256.Sum256(data)
		if err != nil || inv.SHA256 != want || hex.EncodeToString(got[:]) != want || inv.Size != 20<<20 {
			t.Errorf("%s: sha %s size %d on disk %d bytes %v; want sha %s", inv.Number, inv.SHA256, inv.Size, len(data), err, want)
		}
	}
}

// TestFullDiskFailsTheRun: with the archive (then also the download folder and artifacts) on a
// nearly full 2 MB disk, a 3 MB download fails the run with "the disk is full", even when the
// script catches the error, and no empty or partial file is left on that disk.
func TestFullDiskFailsTheRun(t *testing.T) {
	disk, ok := fulldisk.Dir(t, 2<<20)
	if !ok {
		return
	}
	r, st := newTestRunner(t)
	r.Archive = &archive.Archive{Root: filepath.Join(disk, "archive")}
	r.Artifacts = filepath.Join(disk, "runs")
	site := fileSite(t, 3<<20)

	// The download folder elsewhere: the archive's write fails; the script catches the error.
	r.Engine = scripts.NewEngine(scripts.EngineOptions{Logger: r.Logger, TempDir: t.TempDir()})
	p := addPortal(t, r, st, "Full", site.URL, `page.goto("/");
try { download("/big.pdf", {id: "F-1"}); } catch (e) { log("caught: " + e.message); }
`)
	res, err := r.RunNow(context.Background(), p.ID, "cli")
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Status != store.RunFailed || !strings.Contains(res.Run.Error, "the disk is full") {
		t.Fatalf("archive on a full disk: run %s, error %q", res.Run.Status, res.Run.Error)
	}
	assertNoEmptyFiles(t, disk)

	// Everything on the disk, filled up to a few KB: the download itself, then the failure
	// screenshot and HTML cannot be written.
	r.Engine = scripts.NewEngine(scripts.EngineOptions{Logger: r.Logger, TempDir: filepath.Join(disk, "tmp")})
	fill(t, filepath.Join(disk, "filler"))
	p = addPortal(t, r, st, "Fuller", site.URL, `page.goto("/");
download("/big.pdf", {id: "F-2"});
`)
	res, err = r.RunNow(context.Background(), p.ID, "cli")
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Status != store.RunFailed || !strings.Contains(res.Run.Error, "the disk is full") {
		t.Fatalf("download folder on a full disk: run %s, error %q", res.Run.Status, res.Run.Error)
	}
	t.Logf("the run's error: %s", res.Run.Error)
	assertNoEmptyFiles(t, disk)
}

// fill writes to path until the disk is full, then frees 8 KB.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	n := int64(0)
	for {
		w, err := f.Write(chunk)
		n += int64(w)
		if err != nil {
			break
		}
	}
	if err := f.Truncate(n - 8<<10); err != nil {
		t.Fatal(err)
	}
}

// assertNoEmptyFiles fails when a file below dir (other than the filler) is empty or a
// temporary leftover, or when the archive holds anything at all.
func assertNoEmptyFiles(t *testing.T, dir string) {
	t.Helper()
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(p) == "filler" {
			return err
		}
		info, _ := d.Info()
		rel, _ := filepath.Rel(dir, p)
		switch {
		case info.Size() == 0:
			t.Errorf("0-byte file left on the full disk: %s", rel)
		case strings.HasPrefix(filepath.Base(p), ".incoming"):
			t.Errorf("temporary file left on the full disk: %s (%d bytes)", rel, info.Size())
		case strings.HasPrefix(rel, "archive"+string(filepath.Separator)):
			t.Errorf("a file was archived although the disk was full: %s (%d bytes)", rel, info.Size())
		}
		return nil
	})
}
