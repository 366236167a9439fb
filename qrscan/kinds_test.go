package qrscan

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"billhound/qrscan/photokind"
)

// kindsDir holds the photo-kind set: photos of the kinds users take,
// generated from real screenshots and phone photos by package photokind
// (go run ./qrscan/kindgen rewrites it). The 12-megapixel kind is made
// when needed instead: it would take megabytes in the repository.
var kindsDir = filepath.Join("testdata", "kinds")

// kindGroup is one kind's folder of photos.
type kindGroup struct{ name, dir string }

var (
	bigOnce sync.Once
	bigDir  string
	bigErr  error
)

// kindFolders lists every kind's folder, generating the 12-megapixel
// photos into a folder shared by the package's tests.
func kindFolders(t testing.TB) []kindGroup {
	t.Helper()
	var out []kindGroup
	for _, k := range photokind.Committed {
		out = append(out, kindGroup{k.Name, filepath.Join(kindsDir, k.Name)})
	}
	bigOnce.Do(func() {
		set, err := photokind.Load(filepath.Join(kindsDir, "sources"), photoDir)
		if err != nil {
			bigErr = err
			return
		}
		bigDir, bigErr = os.MkdirTemp("", "qrscan-12mp-")
		if bigErr != nil {
			return
		}
		var wg sync.WaitGroup
		for i := range photokind.PerKind {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := set.Make(photokind.Small12MP, i)
				base := filepath.Join(bigDir, filepath.Base(p.Name))
				if err := os.WriteFile(base+".jpg", p.JPEG, 0o644); err != nil {
					bigErr = err
				}
				if err := os.WriteFile(base+".txt", []byte(p.Text), 0o644); err != nil {
					bigErr = err
				}
			}()
		}
		wg.Wait()
	})
	if bigErr != nil {
		t.Fatalf("making the 12-megapixel photos (the shared QR photos are needed: %s): %v", photoDir, bigErr)
	}
	return append(out, kindGroup{photokind.Small12MP.Name, bigDir})
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	os.Exit(code)
}
