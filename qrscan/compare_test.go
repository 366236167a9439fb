package qrscan

import (
	"billhound/internal/benchdoc"
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
		for r := range benchRounds {
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

// benchDoc renders the qr-decoding section of docs/BENCHMARKS.md. Peers are, in order: billhound,
// gozxing default, gozxing try-harder, zbar.
func benchDoc(peers []peer, groups []*benchGroup, startup time.Duration, zbarVersion string, converted int, took time.Duration) string {
	const bh, gz, gzTH, zb = 0, 1, 2, 3
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	var sets []string
	bySet := map[string][]*benchGroup{}
	for _, g := range groups {
		if bySet[g.set] == nil {
			sets = append(sets, g.set)
		}
		bySet[g.set] = append(bySet[g.set], g)
	}
	rows := []*benchGroup{}
	var totals []*benchGroup
	for _, set := range sets {
		rows = append(rows, bySet[set]...)
		if len(bySet[set]) > 1 {
			tot := merge("**"+set+" (all)**", bySet[set])
			rows = append(rows, tot)
			totals = append(totals, tot)
		}
	}
	all := merge("**all**", groups)
	rows = append(rows, all)

	cpu := "unknown CPU"
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(info), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}

	w("## QR decoding\n\n")
	w("Generated by `TestCompareDecoders` (qrscan/compare_test.go); rerun with `make bench`, which rewrites this section.\n\n")
	w("- Date: %s\n", time.Now().Format("2006-01-02"))
	w("- Machine: %d CPUs (%s), %s %s/%s, zbarimg %s\n", runtime.NumCPU(), cpu, runtime.Version(), runtime.GOOS, runtime.GOARCH, zbarVersion)
	w("- Images: `../shared/qr-photos` (see its README.md): %d expected codes in %d folders\n", all.want, len(groups))
	w("- Measuring took %v\n\n", took.Round(time.Second))

	w("### What is measured\n\n")
	w("Each image is decoded by four decoders, one image at a time, on one core each:\n\n")
	w("- **billhound**: `qrscan.DecodeQR`, as the server calls it on an upload.\n")
	w("- **gozxing default**: gozxing v0.1.1 used the plain way: the whole decoded image, `HybridBinarizer`, `qrcode.NewQRCodeReader().Decode(bmp, nil)`; for images holding several codes the multi-code reader `multi/qrcode` instead.\n")
	w("- **gozxing try-harder**: the same with the `TRY_HARDER` hint. (The images' README reference column also tries the inverted image and a 1600 px downscale; this one does not, so its share can be lower.)\n")
	w("- **zbar**: `zbarimg %s FILE`, one process per image. QR is the only symbology enabled, which makes zbar faster, not slower. `--raw` ends each code's text with a newline, but texts hold newlines too, so every run of whole lines of its output counts as a text it found; that can only favour zbar. Its text conversion is its own: where it renders Shift-JIS or Big5 as other characters, that code counts as missed.", strings.Join(zbarArgs, " "))
	if converted > 0 {
		w(" This zbarimg could not read WebP, so %d images were converted to PNG first with Go's decoder; the conversion is not timed.", converted)
	} else {
		w(" It read every image (WebP included) itself; none needed converting.")
	}
	w("\n\n")
	w("A code counts as decoded under the same rules as `TestDecodeRate`: the exact text (`NAME.txt`), each text of a multi-code image (`NAME.any.txt`, so one image can count several codes), the known start (`NAME.prefix.txt`), or a part of a structured-append sequence. Shares are of expected codes, so they match `TestDecodeRate`; the README's reference figures count images, which differs only on `zxing/multi-qrcode-1` (one image, four codes).\n\n")
	w("Times are wall time per image, from the file's bytes to the texts (image decoding included for all four). ")
	w("The machine has 2 cores and timings are noisy, so the decoders run interleaved (for each image all four back to back, in a rotating order, after a garbage collection), each image is timed %d times per decoder and its median kept. ", benchRounds)
	w("Speed is given as a ratio, billhound's time / the peer's, the median over images of that image's ratio (so < 1 means billhound is faster); absolute milliseconds are for orientation only. ")
	w("zbar's times include starting a process, about %.0f ms here (median on a 1×1 image), which an in-process decoder does not pay.\n\n", ms(startup))

	w("### Share of codes decoded\n\n")
	w("| folder | codes | billhound | gozxing default | gozxing try-harder | zbar |\n|---|--:|--:|--:|--:|--:|\n")
	for _, g := range rows {
		w("| %s | %d | %s | %s | %s | %s |\n", g.name, g.want,
			pct(g.found[bh], g.want), pct(g.found[gz], g.want), pct(g.found[gzTH], g.want), pct(g.found[zb], g.want))
	}

	w("\n### Time per image\n\n")
	w("| folder | images | median ms billhound | median ms gozxing default | median ms gozxing try-harder | median ms zbar | p90 ms billhound | p90 ms gozxing default | p90 ms zbar | billhound / gozxing default | billhound / zbar |\n")
	w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, g := range rows {
		w("| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f |\n", g.name, len(g.times[bh]),
			ms(median(g.times[bh])), ms(median(g.times[gz])), ms(median(g.times[gzTH])), ms(median(g.times[zb])),
			ms(quantile(g.times[bh], 0.9)), ms(quantile(g.times[gz], 0.9)), ms(quantile(g.times[zb], 0.9)),
			median(g.ratios[gz]), median(g.ratios[zb]))
	}

	w("\n### Reading\n\n")
	// Per folder: more codes than every peer, as many as the best, or
	// fewer than one of them.
	var wins, ties, losses []string
	complete := 0 // ties where billhound and a peer read every code
	for _, g := range groups {
		best := max(g.found[gz], g.found[gzTH], g.found[zb])
		switch {
		case g.found[bh] > best:
			wins = append(wins, g.name)
		case g.found[bh] == best:
			ties = append(ties, fmt.Sprintf("%s (%s)", g.name, pct(best, g.want)))
			if best == g.want {
				complete++
			}
		default:
			var ahead []string
			for _, p := range []int{gz, gzTH, zb} {
				if g.found[p] > g.found[bh] {
					ahead = append(ahead, fmt.Sprintf("%s %d", peers[p].name, g.found[p]))
				}
			}
			losses = append(losses, fmt.Sprintf("%s (billhound %d of %d, %s)", g.name, g.found[bh], g.want, strings.Join(ahead, ", ")))
		}
	}
	list := func(xs []string) string {
		if len(xs) == 0 {
			return "none"
		}
		return strings.Join(xs, "; ")
	}
	if len(losses) == 0 && len(ties) == 0 {
		w("- The goal in the images' README, more codes than gozxing and zbar in every folder, is met.\n")
	} else {
		w("- The goal in the images' README, more codes than gozxing and zbar in every folder, is **not met**: %d folders tied (%d of them read completely by billhound and a peer, so nothing is left to win), %d lost.\n", len(ties), complete, len(losses))
	}
	w("- billhound decodes more codes than every peer in %d of %d folders: %s.\n", len(wins), len(groups), list(wins))
	w("- As many as the best peer in %d: %s.\n", len(ties), list(ties))
	w("- **Fewer than a peer in %d: %s.**\n", len(losses), list(losses))
	for _, g := range append(totals, all) {
		w("- %s: billhound %s, gozxing default %s, try-harder %s, zbar %s.\n", strings.Trim(g.name, "*"),
			pct(g.found[bh], g.want), pct(g.found[gz], g.want), pct(g.found[gzTH], g.want), pct(g.found[zb], g.want))
	}
	if all.found[gzTH] == all.found[gz] {
		w("- gozxing's TRY_HARDER hint decodes no more than its default on these images.\n")
	}
	// A wrong text is worse than none for a 2FA secret: the user gets no
	// error, just codes that never work.
	w("- Images where a decoder returned text but none of it expected (wrong text rather than no text): billhound %d, gozxing default %d, try-harder %d, zbar %d.\n",
		all.wrong[bh], all.wrong[gz], all.wrong[gzTH], all.wrong[zb])

	var slower []string
	for _, g := range groups {
		if median(g.ratios[gz]) > 1 {
			slower = append(slower, fmt.Sprintf("%s (%.2f×)", g.name, median(g.ratios[gz])))
		}
	}
	w("- Speed: over all images billhound takes %.2f× the time of plain gozxing and %.2f× that of zbar (median per-image ratios). ",
		median(all.ratios[gz]), median(all.ratios[zb]))
	w("Of zbar's median %.0f ms, about %.0f ms is starting the process, so that ratio is the cost of calling a program per image more than a verdict on zbar's decoder. ",
		ms(median(all.times[zb])), ms(startup))
	w("Folders where billhound is slower than plain gozxing: %s. ", list(slower))
	w("At the 90th percentile billhound takes %.0f ms, gozxing %.0f ms, zbar %.0f ms.",
		ms(quantile(all.times[bh], 0.9)), ms(quantile(all.times[gz], 0.9)), ms(quantile(all.times[zb], 0.9)))
	if quantile(all.times[bh], 0.9) > quantile(all.times[gz], 0.9) {
		w(" That tail is billhound's: when its first look at an image finds nothing, it tries further views (other scales, thresholds, a second-chance detector) before giving up, so the images it struggles with, or cannot read at all, cost it several times a single reader call.")
	}
	w("\n")
	return b.String()
}
