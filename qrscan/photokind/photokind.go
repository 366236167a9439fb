// Package photokind makes photos of the kinds users take of a QR code (a
// dim room, glare on a monitor, a small code in a 12-megapixel photo,
// strong perspective, a damaged finder pattern, modules wider than tall)
// from real material: screenshots of a real 2FA page (the demo portal's,
// taken in Chromium, and a Google Authenticator export screen) placed into
// real phone photos (ZXing's qrcode-1 set) as backgrounds, then degraded
// the way the kind's situation degrades a photo. There were no real photos
// of these kinds to measure on; these are generated, deterministically
// from a seed, and say so wherever they are reported.
package photokind

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Kind is one situation a photo is taken in.
type Kind struct {
	Name string // folder name
	What string // for reports
	// W, H is the photo's size; Quality its JPEG quality (before the
	// kind's own changes).
	W, H    int
	Quality int
	shape   func(r *rand.Rand, s float64) shape
	degrade func(r *rand.Rand, s float64, img *image.Gray, code quad)
	damage  bool // paint over one finder pattern
}

// PerKind is how many photos each kind has, in rising strength.
const PerKind = 6

// Photo is one generated photo and the text its code holds.
type Photo struct {
	Name string
	JPEG []byte
	Text string
}

// Set is the material photos are made from.
type Set struct {
	sources []*source
	bgs     []*image.Gray
}

// source is a clean screenshot holding one QR code.
type source struct {
	name string
	img  *image.Gray
	text string
	code codeFrame
}

// Load reads the screenshots in srcDir (NAME.png beside NAME.txt), the
// Google Authenticator export screen and the phone photos of the shared QR
// set in photos (../shared/qr-photos), and locates every code in them.
func Load(srcDir, photos string) (*Set, error) {
	set := &Set{}
	names, _ := filepath.Glob(filepath.Join(srcDir, "*.png"))
	names = append(names, filepath.Join(photos, "authenticator-export", "example_export.png"))
	for _, n := range names {
		img, err := readGray(n)
		if err != nil {
			return nil, err
		}
		text, err := os.ReadFile(strings.TrimSuffix(n, ".png") + ".txt")
		if err != nil {
			return nil, err
		}
		cf, ok := locate(img)
		if !ok {
			return nil, fmt.Errorf("%s: no QR code found to place", n)
		}
		set.sources = append(set.sources, &source{filepath.Base(n), img, strings.TrimSpace(string(text)), cf})
	}
	if len(set.sources) < 2 {
		return nil, fmt.Errorf("%s holds no screenshots; run go run ./qrscan/kindgen -screenshots", srcDir)
	}
	bgNames, _ := filepath.Glob(filepath.Join(photos, "zxing", "qrcode-1", "*.png"))
	for _, n := range bgNames {
		img, err := readGray(n)
		if err != nil {
			return nil, err
		}
		if bg := background(img); bg != nil {
			set.bgs = append(set.bgs, bg)
		}
	}
	if len(set.bgs) == 0 {
		return nil, fmt.Errorf("no background photos in %s", photos)
	}
	return set, nil
}

// Make returns photo i of kind k: the same photo for the same material.
func (set *Set) Make(k Kind, i int) Photo {
	var seed uint64
	for _, c := range k.Name {
		seed = seed*31 + uint64(c)
	}
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	s := (float64(i) + 0.5) / PerKind
	src := set.sources[i%len(set.sources)]
	bg := set.bgs[r.IntN(len(set.bgs))]

	img := cover(bg, k.W, k.H)
	code := src.img
	if k.damage {
		code = paintFinder(r, s, src)
	}
	sh := k.shape(r, s)
	q := place(img, code, src.code, sh)
	boxBlur(img)
	k.degrade(r, s, img, q)
	quality := k.Quality
	if k.Name == "dim" {
		quality -= int(15 * s)
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: quality})
	return Photo{Name: fmt.Sprintf("%s/%02d", k.Name, i+1), JPEG: b.Bytes(), Text: src.text}
}

// Committed are the kinds whose photos are small enough to keep in the
// repository; Small12MP is made when a test needs it.
var Committed = []Kind{Dim, Glare, Perspective, Damaged, Stretched}

// All kinds, in report order.
var All = append(append([]Kind(nil), Committed...), Small12MP)

var (
	Dim = Kind{Name: "dim", What: "a monitor photographed in a dim room: light falling off across the frame, high-ISO noise, stronger JPEG", W: 960, H: 720, Quality: 85,
		shape: func(r *rand.Rand, s float64) shape { return usual(r, 0.5) },
		degrade: func(r *rand.Rand, s float64, img *image.Gray, _ quad) {
			a := r.Float64() * 2 * math.Pi
			lightGradient(img, math.Cos(a), math.Sin(a), 0.4-0.25*s, 0.75-0.2*s)
			noise(r, img, 4+10*s)
		}}
	Glare = Kind{Name: "glare", What: "glare on a monitor: a saturated bright spot over part of the code and a veil over the rest", W: 960, H: 720, Quality: 85,
		shape: func(r *rand.Rand, s float64) shape { return usual(r, 0.5) },
		degrade: func(r *rand.Rand, s float64, img *image.Gray, q quad) {
			// The spot sits somewhere on the code, a third to half of it wide.
			x, y := q.at(0.15+0.7*r.Float64(), 0.15+0.7*r.Float64())
			blob(img, x, y, (0.07+0.1*s)*q.size(), 220+220*s, 0.05+0.2*s)
			noise(r, img, 3)
		}}
	Perspective = Kind{Name: "perspective", What: "strong perspective: the code seen 40 to 65 degrees off its axis", W: 960, H: 720, Quality: 85,
		shape: func(r *rand.Rand, s float64) shape {
			sh := usual(r, 0.5)
			sh.tilt = (40 + 25*s) * math.Pi / 180
			return sh
		},
		degrade: func(r *rand.Rand, s float64, img *image.Gray, _ quad) { noise(r, img, 3) }}
	Damaged = Kind{Name: "damaged", What: "a damaged corner: one finder pattern painted over (a sticker or a marker)", W: 960, H: 720, Quality: 85, damage: true,
		shape:   func(r *rand.Rand, s float64) shape { return usual(r, 0.5) },
		degrade: func(r *rand.Rand, s float64, img *image.Gray, _ quad) { noise(r, img, 3) }}
	Stretched = Kind{Name: "stretched", What: "modules wider than tall: the photo stretched 1.4 to 1.8 times horizontally (a resize, a monitor's wrong aspect)", W: 960, H: 720, Quality: 85,
		shape: func(r *rand.Rand, s float64) shape {
			sh := usual(r, 0.4)
			sh.rot /= 3
			sh.stretch = 1.4 + 0.4*s
			return sh
		},
		degrade: func(r *rand.Rand, s float64, img *image.Gray, _ quad) { noise(r, img, 3) }}
	Small12MP = Kind{Name: "small-12mp", What: "a small code in a 12-megapixel photo: about 300 px wide in 4032×3024", W: 4032, H: 3024, Quality: 90,
		shape: func(r *rand.Rand, s float64) shape {
			sh := usual(r, 0)
			sh.codePx = 260 + 80*r.Float64()
			return sh
		},
		degrade: func(r *rand.Rand, s float64, img *image.Gray, _ quad) { noise(r, img, 3+2*s) }}
)

// usual is a hand-held photo's framing: the code about frac of the frame's
// height, off centre, turned up to 20 degrees, seen up to 15 degrees off axis.
func usual(r *rand.Rand, frac float64) shape {
	return shape{
		cx: 0.5 + 0.1*(r.Float64()-0.5), cy: 0.5 + 0.1*(r.Float64()-0.5),
		codeFrac: frac * (0.8 + 0.3*r.Float64()),
		context:  1.4 + 0.8*r.Float64(),
		rot:      (r.Float64() - 0.5) * 40 * math.Pi / 180,
		tilt:     r.Float64() * 15 * math.Pi / 180,
		tiltAxis: r.Float64() * math.Pi,
		stretch:  1,
	}
}

func readGray(path string) (*image.Gray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			cr, cg, cb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			g.Pix[y*g.Stride+x] = uint8((cr + 2*cg + cb) >> 10)
		}
	}
	return g, nil
}
