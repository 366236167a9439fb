package qrscan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// addImageSeeds adds small images of every format and JPEG shape to the
// upload fuzzer's corpus.
func addImageSeeds(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("..", "internal", "jpegluma", "testdata", "*.jpg"))
	webps, _ := filepath.Glob(filepath.Join(photoDir, "zxing-cpp", "*", "*.webp"))
	gifs, _ := filepath.Glob(filepath.Join(photoDir, "*", "*", "*.gif"))
	for _, name := range append(append(names, webps...), gifs...) {
		if data, err := os.ReadFile(name); err == nil && len(data) < 16<<10 {
			f.Add(data)
		}
	}
}

// checkUpload is what an upload may do: succeed with texts, or fail with
// an InputError whose message is a sentence.
func checkUpload(t *testing.T, data []byte) {
	texts, err := DecodeQR(data, DecodeOptions{MaxPixels: 1 << 20})
	if err != nil {
		msg := err.Error()
		if !IsInputError(err) || !strings.HasPrefix(msg, strings.ToLower(msg[:1])) || strings.Contains(msg, "jpeg") {
			t.Fatalf("%v is not a clear InputError", err)
		}
		return
	}
	if len(texts) == 0 {
		t.Fatal("no error and no text")
	}
}
