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

// zbarFound is what zbarimg decoded of each folder and kind in the last
// `make bench` (docs/BENCHMARKS.md, "QR decoding"): billhound must read at
// least as many, everywhere.
var zbarFound = map[string]int{
	"zxing/multi-qrcode-1": 4,
	"zxing/qrcode-1":       20,
	"zxing/qrcode-2":       21,
	"zxing/qrcode-3":       42,
	"zxing/qrcode-4":       34,
	"zxing/qrcode-5":       15,
	"zxing/qrcode-6":       15,
	"zxing-cpp/qrcode-1":   8,
	"zxing-cpp/qrcode-2":   28,
	"zxing-cpp/qrcode-3":   17,
	"zxing-cpp/qrcode-4":   15,
	"zxing-cpp/qrcode-5":   12,
	"zxing-cpp/qrcode-6":   14,
	"zxing-cpp/qrcode-7":   0,
	"authenticator-export": 3,
	"kind/dim":             1,
	"kind/glare":           4,
	"kind/perspective":     2,
	"kind/damaged":         0,
	"kind/stretched":       6,
	"kind/small-12mp":      5,
}

// rateFolders lists the shared folders and the photo kinds, by report name.
func rateFolders(t testing.TB) (names, dirs []string) {
	for _, set := range []string{"zxing", "zxing-cpp"} {
		ds, _ := filepath.Glob(filepath.Join(photoDir, set, "*"))
		if len(ds) == 0 {
			t.Fatalf("test images not available in %s: the shared QR photos sit beside the repository (see internal/shareddata)", photoDir)
		}
		sort.Strings(ds)
		for _, d := range ds {
			names, dirs = append(names, set+"/"+filepath.Base(d)), append(dirs, d)
		}
	}
	names, dirs = append(names, "authenticator-export"), append(dirs, filepath.Join(photoDir, "authenticator-export"))
	for _, k := range kindFolders(t) {
		names, dirs = append(names, "kind/"+k.name), append(dirs, k.dir)
	}
	return names, dirs
}

// TestDecodeRate decodes the real photos and the photo kinds, and fails
// where billhound reads fewer codes than zbar did (zbarFound), or where a
// set's share falls below its floor: what the decoder achieved when the
// floor was set, less a margin. It also checks the median time per photo.
func TestDecodeRate(t *testing.T) {
	if testing.Short() {
		t.Skip("decode-rate test is slow; skipped with -short")
	}
	if raceDetector {
		t.Skip("decode-rate test is too slow under -race; TestDecodeQRConcurrent covers data races")
	}
	floors := map[string]float64{
		"zxing":     0.945, // measured 96.2 %
		"zxing-cpp": 0.905, // measured 92.2 %
	}
	verbose := os.Getenv("TWOFA_QR_VERBOSE") != ""
	setFound, setWant := map[string]int{}, map[string]int{}
	var times []time.Duration
	names, dirs := rateFolders(t)
	for f, dir := range dirs {
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
			times = append(times, r.took)
			if verbose && n < len(s.want) {
				t.Logf("MISS %s (%d/%d) %v", s.path, n, len(s.want), r.took.Round(time.Millisecond))
			}
		}
		t.Logf("%-22s %3d/%3d = %5.1f%%  zbar %3d  (slowest image %v)", names[f],
			found, want, 100*float64(found)/float64(want), zbarFound[names[f]], slowest.Round(time.Millisecond))
		if found < zbarFound[names[f]] {
			t.Errorf("%s: decoded %d codes, fewer than zbar's %d", names[f], found, zbarFound[names[f]])
		}
		set, _, _ := strings.Cut(names[f], "/")
		setFound[set] += found
		setWant[set] += want
	}
	for set, floor := range floors {
		share := float64(setFound[set]) / float64(setWant[set])
		t.Logf("%-22s %3d/%3d = %5.1f%%", set, setFound[set], setWant[set], 100*share)
		if share < floor {
			t.Errorf("%s: decoded %.1f%%, below the floor of %.1f%%", set, 100*share, 100*floor)
		}
	}
	// Two photos decode at a time here (decodeAll), so this is looser than
	// the benchmark's one-at-a-time median.
	if m := median(times); m > 150*time.Millisecond {
		t.Errorf("median time per photo %v, over 150 ms", m)
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
