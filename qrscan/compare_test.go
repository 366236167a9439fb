package qrscan

import (
	"billhound/internal/benchdoc"
	"billhound/qrscan/photokind"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// benchRounds is how often each image is timed per decoder; the per-image
// time is the median of the rounds, which smooths out a stray scheduler
// hiccup on a small machine without making `make bench` long.
const benchRounds = 5

// peer is one decoder under comparison. run returns the texts found and
// the time the decoder itself took: setup the decoder would not pay in
// real use (such as a format conversion for zbar) is left out.
type peer struct {
	name string
	run  func(s sample, data []byte) ([]string, time.Duration)
}

// TestCompareDecoders measures DecodeQR against plain gozxing (default and
// TRY_HARDER) and zbarimg on the same images in the same run, and writes
// the results as Markdown into the "qr-decoding" section of
// $BILLHOUND_BENCH_OUT (relative to the repository root). It is a
// measurement, not a check: `make bench` runs it.
func TestCompareDecoders(t *testing.T) {
	// go test runs in the package directory, one below the root.
	out := benchdoc.Path("..")
	if out == "" {
		t.Skip("set BILLHOUND_BENCH_OUT to run the decoder comparison (make bench)")
	}
	if raceDetector {
		t.Skip("timings under -race mean nothing")
	}
	zbarVersion, err := exec.Command("zbarimg", "--version").Output()
	if err != nil {
		t.Fatalf("zbarimg is needed for the comparison (apt-get install zbar-tools): %v", err)
	}
	zb := &zbar{tmp: t.TempDir(), png: map[string]string{}}

	peers := []peer{
		{"billhound", func(_ sample, data []byte) ([]string, time.Duration) {
			start := time.Now()
			texts, _ := DecodeQR(data, DecodeOptions{})
			return texts, time.Since(start)
		}},
		{"gozxing default", func(s sample, data []byte) ([]string, time.Duration) {
			multi := isMulti(s)
			start := time.Now()
			texts := gozxingDecode(data, multi, nil)
			return texts, time.Since(start)
		}},
		{"gozxing try-harder", func(s sample, data []byte) ([]string, time.Duration) {
			multi := isMulti(s)
			start := time.Now()
			texts := gozxingDecode(data, multi, tryHarder)
			return texts, time.Since(start)
		}},
		{"zbar", func(s sample, _ []byte) ([]string, time.Duration) {
			texts, took, err := zb.decode(s.path)
			if err != nil {
				t.Errorf("zbarimg %s: %v", s.path, err)
			}
			return texts, took
		}},
	}

	var groups []*benchGroup
	for _, set := range []string{"zxing", "zxing-cpp"} {
		dirs, _ := filepath.Glob(filepath.Join(photoDir, set, "*"))
		if len(dirs) == 0 {
			t.Skipf("test images not available in %s", photoDir)
		}
		slices.Sort(dirs)
		for _, dir := range dirs {
			groups = append(groups, &benchGroup{name: set + "/" + filepath.Base(dir), set: set, dir: dir})
		}
	}
	groups = append(groups, &benchGroup{name: "authenticator-export", set: "authenticator-export",
		dir: filepath.Join(photoDir, "authenticator-export")})
	for _, k := range kindFolders(t) {
		g := &benchGroup{name: "kind/" + k.name, set: "photo kinds (generated)", dir: k.dir}
		if k.name == photokind.Small12MP.Name {
			g.rounds = 3 // gozxing takes seconds on each
		}
		groups = append(groups, g)
	}

	startup := zb.startup(t)
	began := time.Now()
	for _, g := range groups {
		g.measure(t, peers)
		t.Logf("%-22s %s", g.name, g.summary(peers))
	}
	took := time.Since(began)

	doc := benchDoc(peers, groups, startup, strings.TrimSpace(string(zbarVersion)), zb.converted, took)
	if err := benchdoc.WriteSection(out, "qr-decoding", doc); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote section qr-decoding of %s (measuring took %v)", out, took.Round(time.Second))
}

// benchGroup is one folder of images and what each peer did on it.
type benchGroup struct {
	name, set, dir string
	rounds         int               // timings per image and decoder; 0: benchRounds
	want           int               // expected texts
	found          []int             // by peer
	wrong          []int             // by peer: images with texts, none expected
	times          [][]time.Duration // by peer, per image (median of rounds)
	ratios         [][]float64       // by peer, per image: billhound's time / the peer's
}

// measure runs every peer on every image, interleaved: for each image the
// peers run back to back, in an order that rotates, so slow drift on the
// machine (thermal, other load) hits all of them alike.
func (g *benchGroup) measure(t *testing.T, peers []peer) {
	samples := loadSamples(t, g.dir)
	g.found = make([]int, len(peers))
	g.wrong = make([]int, len(peers))
	g.times = make([][]time.Duration, len(peers))
	g.ratios = make([][]float64, len(peers))
	for i, s := range samples {
		data, err := os.ReadFile(s.path)
		if err != nil {
			t.Fatal(err)
		}
		g.want += len(s.want)
		rounds := make([][]time.Duration, len(peers))
		n := benchRounds
		if g.rounds > 0 {
			n = g.rounds
		}
		for r := range n {
			for k := range peers {
				p := (i + r + k) % len(peers)
				// Garbage left by the previous decoder is collected now,
				// not during the next one's timing.
				runtime.GC()
				texts, took := peers[p].run(s, data)
				rounds[p] = append(rounds[p], took)
				if r == 0 {
					n := s.found(texts)
					g.found[p] += n
					if n == 0 && len(texts) > 0 {
						g.wrong[p]++
					}
				}
			}
		}
		for p := range peers {
			g.times[p] = append(g.times[p], median(rounds[p]))
		}
		for p := range peers {
			g.ratios[p] = append(g.ratios[p], float64(g.times[0][i])/float64(g.times[p][i]))
		}
	}
}

func (g *benchGroup) summary(peers []peer) string {
	var b strings.Builder
	for p := range peers {
		fmt.Fprintf(&b, "%s %d/%d %.0fms  ", peers[p].name, g.found[p], g.want, ms(median(g.times[p])))
	}
	return b.String()
}

// merge sums groups into a total row.
func merge(name string, groups []*benchGroup) *benchGroup {
	m := &benchGroup{name: name}
	for _, g := range groups {
		if m.found == nil {
			m.found = make([]int, len(g.found))
			m.wrong = make([]int, len(g.found))
			m.times = make([][]time.Duration, len(g.times))
			m.ratios = make([][]float64, len(g.ratios))
		}
		m.want += g.want
		for p := range g.found {
			m.found[p] += g.found[p]
			m.wrong[p] += g.wrong[p]
			m.times[p] = append(m.times[p], g.times[p]...)
			m.ratios[p] = append(m.ratios[p], g.ratios[p]...)
		}
	}
	return m
}

// isMulti says the image holds several codes (NAME.any.txt); plain gozxing
// then gets its multi-code reader, as a user of it would pick.
func isMulti(s sample) bool {
	base := strings.TrimSuffix(s.path, filepath.Ext(s.path))
	_, err := os.Stat(base + ".any.txt")
	return err == nil
}

// gozxingDecode is gozxing used the plain way: the whole image, hybrid
// binarizer, one reader call.
func gozxingDecode(data []byte, multi bool, hints map[gozxing.DecodeHintType]interface{}) (texts []string) {
	defer func() {
		if recover() != nil {
			texts = nil // the port panics on some input; that is a miss
		}
	}()
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(gozxing.NewLuminanceSourceFromImage(img)))
	if err != nil {
		return nil
	}
	if multi {
		rs, _ := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints)
		for _, r := range rs {
			texts = append(texts, r.GetText())
		}
		return texts
	}
	if r, err := qrcode.NewQRCodeReader().Decode(bmp, hints); err == nil {
		texts = append(texts, r.GetText())
	}
	return texts
}

// zbar runs zbarimg, one process per image as a script would.
type zbar struct {
	tmp       string
	png       map[string]string // image → PNG copy, for images zbarimg can't read
	converted int
}

// zbarArgs: QR only (billhound reads nothing else, and it spares zbar the
// other symbologies' time) and no D-Bus message (not part of decoding).
var zbarArgs = []string{"--raw", "-q", "--nodbus", "-Sdisable", "-Sqrcode.enable"}

func (z *zbar) run(path string) (out []byte, took time.Duration, err error) {
	cmd := exec.Command("zbarimg", append(slices.Clone(zbarArgs), path)...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	start := time.Now()
	err = cmd.Run()
	took = time.Since(start)
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 4 {
		err = nil // 4: no code found
	}
	return stdout.Bytes(), took, err
}

// decode returns the texts zbarimg prints. Some builds can't read WebP;
// then the image is converted to PNG first, outside the timing.
func (z *zbar) decode(path string) ([]string, time.Duration, error) {
	if p, ok := z.png[path]; ok {
		path = p
	}
	out, took, err := z.run(path)
	if err != nil && strings.EqualFold(filepath.Ext(path), ".webp") {
		p, cerr := z.toPNG(path)
		if cerr != nil {
			return nil, took, cerr
		}
		z.png[path] = p
		z.converted++
		out, took, err = z.run(p)
	}
	if err != nil {
		return nil, took, err
	}
	return zbarTexts(string(out)), took, nil
}

// zbarTexts splits zbarimg --raw output into candidate texts. It prints
// each code's text and a newline, but a text may hold newlines (CR LF in
// most of these), so code boundaries are unknown: every run of whole
// lines is a candidate. That can only favour zbar.
func zbarTexts(out string) []string {
	out = strings.TrimSuffix(out, "\n")
	if out == "" {
		return nil
	}
	lines := strings.Split(out, "\n")
	var texts []string
	for i := range lines {
		for j := i + 1; j <= len(lines); j++ {
			texts = append(texts, strings.Join(lines[i:j], "\n"))
		}
	}
	return texts
}

func (z *zbar) toPNG(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return "", err
	}
	p := filepath.Join(z.tmp, fmt.Sprintf("%d.png", len(z.png)))
	return p, os.WriteFile(p, b.Bytes(), 0o644)
}

// startup is zbarimg's median time on a 1×1 image: the process start that
// every zbar timing includes and an in-process decoder doesn't pay.
func (z *zbar) startup(t *testing.T) time.Duration {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(z.tmp, "dot.png")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var times []time.Duration
	for range 21 {
		_, took, err := z.run(p)
		if err != nil {
			t.Fatalf("zbarimg: %v", err)
		}
		times = append(times, took)
	}
	return median(times)
}

func median[T time.Duration | float64](xs []T) T { return quantile(xs, 0.5) }

// quantile is the nearest-rank quantile.
func quantile[T time.Duration | float64](xs []T, q float64) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func pct(found, want int) string { return fmt.Sprintf("%.1f %%", 100*float64(found)/float64(want)) }
