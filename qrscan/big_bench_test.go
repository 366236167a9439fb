package qrscan

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkDecode12MP decodes the generated 12-megapixel photos, for
// profiling the path a phone photo takes.
func BenchmarkDecode12MP(b *testing.B) {
	ks := kindFolders(b)
	dir := ks[len(ks)-1].dir
	files, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
	var datas [][]byte
	for _, f := range files {
		d, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		datas = append(datas, d)
	}
	b.ResetTimer()
	for range b.N {
		for _, d := range datas {
			DecodeQR(d, DecodeOptions{})
		}
	}
}
