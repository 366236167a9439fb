// Command kindgen writes the photo-kind test set (qrscan/testdata/kinds):
// photos of the kinds users take (dim room, glare on a monitor, strong
// perspective, a damaged finder pattern, modules wider than tall), made from
// real material by package photokind. Run from the repository root:
//
//	go run ./qrscan/kindgen -screenshots   # recapture the sources in Chromium
//	go run ./qrscan/kindgen                # regenerate the images
//
// The output is deterministic for given sources and backgrounds.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"billhound/internal/shareddata"
	"billhound/qrscan/photokind"
)

func main() {
	dir := flag.String("dir", filepath.Join("qrscan", "testdata", "kinds"), "the kinds set's folder")
	shots := flag.Bool("screenshots", false, "recapture the demo portal's 2FA page in Chromium first")
	flag.Parse()
	if err := run(*dir, *shots); err != nil {
		fmt.Fprintln(os.Stderr, "kindgen:", err)
		os.Exit(1)
	}
}

func run(dir string, shots bool) error {
	src := filepath.Join(dir, "sources")
	if shots {
		if err := os.MkdirAll(src, 0o755); err != nil {
			return err
		}
		if err := screenshots(src); err != nil {
			return err
		}
	}
	photos, err := shareddata.QRPhotos()
	if err != nil {
		return err
	}
	set, err := photokind.Load(src, photos)
	if err != nil {
		return err
	}
	for _, k := range photokind.Committed {
		out := filepath.Join(dir, k.Name)
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
		for i := range photokind.PerKind {
			img := set.Make(k, i)
			name := fmt.Sprintf("%02d", i+1)
			if err := os.WriteFile(filepath.Join(out, name+".jpg"), img.JPEG, 0o644); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(out, name+".txt"), []byte(img.Text), 0o644); err != nil {
				return err
			}
		}
		fmt.Printf("%s: %d images\n", k.Name, photokind.PerKind)
	}
	return nil
}
