package qrscan

import (
	"billhound/internal/shareddata"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// photoDir holds real QR photos and screenshots with their expected texts;
// see its README.md.
// It sits in ../shared beside the repository, for developers and CI alike.
var photoDir = func() string {
	if d, err := shareddata.QRPhotos(); err == nil {
		return d
	}
	return filepath.Join("..", "..", "shared", "qr-photos") // missing: the tests using it say so
}()

// sample is one image and what it must decode to.
type sample struct {
	path string
	// want lists texts that must each be found (several for .any.txt).
	want []string
	// match compares a decoded text with one wanted text.
	match func(got, want string) bool
}

func normText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
}

func exact(got, want string) bool { return normText(got) == normText(want) }

func prefix(got, want string) bool { return strings.HasPrefix(got, want) }

// partOf accepts one part of a structured-append sequence: the parts'
// texts are pieces of the sequence's text.
func partOf(got, want string) bool {
	g := normText(got)
	return g != "" && strings.Contains(want, g)
}

// loadSamples pairs each image in dir with its expectation file: NAME.txt
// (exact), NAME.any.txt (each line), NAME.prefix.txt, or for a part
// NAME-NN of a structured-append sequence, NAME.txt.
func loadSamples(t testing.TB, dir string) []sample {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("test images not available: %v", err)
	}
	read := func(name string) (string, bool) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		return string(b), err == nil
	}
	var out []sample
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		switch ext {
		case ".png", ".jpg", ".jpeg", ".gif", ".webp":
		default:
			continue
		}
		base := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
		s := sample{path: filepath.Join(dir, e.Name())}
		if txt, ok := read(base + ".txt"); ok {
			s.want, s.match = []string{txt}, exact
		} else if txt, ok := read(base + ".any.txt"); ok {
			for _, line := range strings.Split(normText(txt), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					s.want = append(s.want, line)
				}
			}
			s.match = exact
		} else if txt, ok := read(base + ".prefix.txt"); ok {
			s.want, s.match = []string{strings.TrimSpace(txt)}, prefix
		} else if i := strings.LastIndex(base, "-"); i > 0 {
			txt, ok := read(base[:i] + ".txt")
			if !ok {
				t.Fatalf("%s: no expectation file", s.path)
			}
			s.want, s.match = []string{normText(txt)}, partOf
		} else {
			t.Fatalf("%s: no expectation file", s.path)
		}
		out = append(out, s)
	}
	return out
}

// found counts how many of s.want are among the decoded texts.
func (s sample) found(texts []string) int {
	n := 0
	for _, w := range s.want {
		for _, g := range texts {
			if s.match(g, w) {
				n++
				break
			}
		}
	}
	return n
}

// TestDecodeRate measures the share of expected texts decoded from real
// photos, per folder, and fails if a set's share falls below the floor:
// what the decoder achieved when this test was written, less a margin.
// For comparison, plain gozxing decodes 88.3 % of the zxing set and 69.5 %
// of the zxing-cpp set (see the images' README).
func TestDecodeRate(t *testing.T) {
	if testing.Short() {
		t.Skip("decode-rate test is slow; skipped with -short")
	}
	if raceDetector {
		t.Skip("decode-rate test is too slow under -race; TestDecodeQRConcurrent covers data races")
	}
	floors := map[string]float64{
		"zxing":     0.935, // measured 95.6 %
		"zxing-cpp": 0.87,  // measured 89.4 %
	}
	verbose := os.Getenv("TWOFA_QR_VERBOSE") != ""
	for _, set := range []string{"zxing", "zxing-cpp"} {
		dirs, _ := filepath.Glob(filepath.Join(photoDir, set, "*"))
		if len(dirs) == 0 {
			t.Skipf("test images not available in %s", photoDir)
		}
		sort.Strings(dirs)
		var setFound, setWant int
		for _, dir := range dirs {
			samples := loadSamples(t, dir)
			results := decodeAll(t, samples)
			var found, want int
			var slowest time.Duration
			for i, s := range samples {
				r := results[i]
				n := s.found(r.texts)
				found += n
				want += len(s.want)
				slowest = max(slowest, r.took)
				if verbose && n < len(s.want) {
					t.Logf("MISS %s (%d/%d) %v", s.path, n, len(s.want), r.took.Round(time.Millisecond))
				}
			}
			t.Logf("%-22s %3d/%3d = %5.1f%%  (slowest image %v)", set+"/"+filepath.Base(dir),
				found, want, 100*float64(found)/float64(want), slowest.Round(time.Millisecond))
			setFound += found
			setWant += want
		}
		share := float64(setFound) / float64(setWant)
		t.Logf("%-22s %3d/%3d = %5.1f%%", set, setFound, setWant, 100*share)
		if share < floors[set] {
			t.Errorf("%s: decoded %.1f%%, below the floor of %.1f%%", set, 100*share, 100*floors[set])
		}
	}
}

type decodeResult struct {
	texts []string
	took  time.Duration
}

// decodeAll decodes the samples' images on all CPUs.
func decodeAll(t *testing.T, samples []sample) []decodeResult {
	results := make([]decodeResult, len(samples))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				data, err := os.ReadFile(samples[i].path)
				if err != nil {
					t.Error(err)
					continue
				}
				start := time.Now()
				texts, _ := DecodeQR(data, DecodeOptions{})
				results[i] = decodeResult{texts, time.Since(start)}
			}
		}()
	}
	for i := range samples {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}
