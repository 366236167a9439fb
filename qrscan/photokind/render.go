package photokind

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// codeFrame is where a code lies in a clean image: its finder-pattern
// centres and its size in modules.
type codeFrame struct {
	tl, tr, bl [2]float64
	dim        int
}

// locate finds the code in a clean image with gozxing's detector.
func locate(img *image.Gray) (codeFrame, bool) {
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(gozxing.NewLuminanceSourceFromImage(img)))
	if err != nil {
		return codeFrame{}, false
	}
	m, err := bmp.GetBlackMatrix()
	if err != nil {
		return codeFrame{}, false
	}
	res, err := detector.NewDetector(m).Detect(nil)
	if err != nil {
		return codeFrame{}, false
	}
	p := res.GetPoints()
	pt := func(i int) [2]float64 { return [2]float64{p[i].GetX(), p[i].GetY()} }
	return codeFrame{tl: pt(1), tr: pt(2), bl: pt(0), dim: res.GetBits().GetWidth()}, true
}

// axes are one module's steps right (u) and down (v), and the code's centre.
func (c codeFrame) axes() (u, v, ctr [2]float64) {
	n := float64(c.dim - 7)
	u = [2]float64{(c.tr[0] - c.tl[0]) / n, (c.tr[1] - c.tl[1]) / n}
	v = [2]float64{(c.bl[0] - c.tl[0]) / n, (c.bl[1] - c.tl[1]) / n}
	h := float64(c.dim)/2 - 3.5
	ctr = [2]float64{c.tl[0] + h*(u[0]+v[0]), c.tl[1] + h*(u[1]+v[1])}
	return u, v, ctr
}

// background keeps the largest part of a phone photo beside its own code,
// so that the only code in a generated photo is the placed one.
func background(img *image.Gray) *image.Gray {
	cf, ok := locate(img)
	if !ok {
		return nil
	}
	u, v, c := cf.axes()
	h := float64(cf.dim)/2 + 6 // the code and a margin, in modules
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, s := range [4][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		x := c[0] + h*(s[0]*u[0]+s[1]*v[0])
		y := c[1] + h*(s[0]*u[1]+s[1]*v[1])
		x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
	}
	w, ht := img.Rect.Dx(), img.Rect.Dy()
	strips := []image.Rectangle{
		image.Rect(0, 0, int(x0), ht), image.Rect(int(x1)+1, 0, w, ht),
		image.Rect(0, 0, w, int(y0)), image.Rect(0, int(y1)+1, w, ht),
	}
	best := image.Rectangle{}
	for _, s := range strips {
		s = s.Intersect(img.Rect)
		if s.Dx()*s.Dy() > best.Dx()*best.Dy() {
			best = s
		}
	}
	if best.Dx() < w/5 && best.Dy() < ht/5 || best.Dx() < 40 || best.Dy() < 40 {
		return nil
	}
	return img.SubImage(best).(*image.Gray)
}

// bilinear samples g at (x, y), pixel centres at integer+0.5; outside is
// out.
func bilinear(g *image.Gray, x, y float64, out float64) float64 {
	x, y = x-0.5, y-0.5
	b := g.Rect
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	if x0 < -1 || y0 < -1 || x0 >= b.Dx() || y0 >= b.Dy() {
		return out
	}
	fx, fy := x-float64(x0), y-float64(y0)
	at := func(xx, yy int) float64 {
		xx, yy = min(max(xx, 0), b.Dx()-1), min(max(yy, 0), b.Dy()-1)
		return float64(g.Pix[yy*g.Stride+xx])
	}
	top := at(x0, y0)*(1-fx) + at(x0+1, y0)*fx
	bot := at(x0, y0+1)*(1-fx) + at(x0+1, y0+1)*fx
	return top*(1-fy) + bot*fy
}

// cover scales bg to cover w×h, cropping the overflow equally.
func cover(bg *image.Gray, w, h int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, w, h))
	s := max(float64(w)/float64(bg.Rect.Dx()), float64(h)/float64(bg.Rect.Dy()))
	ox := (float64(bg.Rect.Dx())*s - float64(w)) / 2
	oy := (float64(bg.Rect.Dy())*s - float64(h)) / 2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out.Pix[y*w+x] = uint8(bilinear(bg, (float64(x)+0.5+ox)/s, (float64(y)+0.5+oy)/s, 128))
		}
	}
	return out
}

// paintFinder covers one of the code's finder patterns with a sticker
// (light) or a marker blot (dark), ragged at the edge.
func paintFinder(r *rand.Rand, s float64, src *source) *image.Gray {
	img := image.NewGray(src.img.Rect)
	copy(img.Pix, src.img.Pix)
	f := [3][2]float64{src.code.tl, src.code.tr, src.code.bl}[r.IntN(3)]
	u, _, _ := src.code.axes()
	rad := (4.3 + 2.2*s) * math.Hypot(u[0], u[1])
	col := uint8(230 + r.IntN(25))
	if r.IntN(3) == 0 {
		col = uint8(20 + r.IntN(40))
	}
	ph := r.Float64() * 2 * math.Pi
	b := img.Rect
	for y := max(0, int(f[1]-1.3*rad)); y < min(b.Dy(), int(f[1]+1.3*rad)); y++ {
		for x := max(0, int(f[0]-1.3*rad)); x < min(b.Dx(), int(f[0]+1.3*rad)); x++ {
			dx, dy := float64(x)+0.5-f[0], float64(y)+0.5-f[1]
			a := math.Atan2(dy, dx)
			if math.Hypot(dx, dy) < rad*(1+0.12*math.Sin(3*a+ph)) {
				img.Pix[y*img.Stride+x] = col
			}
		}
	}
	return img
}

// shape is how the photographed part of the screen lands in the photo.
type shape struct {
	cx, cy   float64 // the code's centre, as fractions of the frame
	codeFrac float64 // the code's side, as a fraction of the frame's height
	codePx   float64 // or in pixels, if set
	context  float64 // the part of the screenshot shown, in code sides
	rot      float64 // turn in the image plane
	tilt     float64 // angle between the screen's normal and the view
	tiltAxis float64 // direction, in the screen, of the axis it turns about
	stretch  float64 // horizontal scale of the whole photo
}

// quad is a code's corners in the photo: top-left, top-right,
// bottom-right, bottom-left.
type quad [4][2]float64

func (q quad) at(s, t float64) (float64, float64) {
	x := (q[0][0]*(1-s)+q[1][0]*s)*(1-t) + (q[3][0]*(1-s)+q[2][0]*s)*t
	y := (q[0][1]*(1-s)+q[1][1]*s)*(1-t) + (q[3][1]*(1-s)+q[2][1]*s)*t
	return x, y
}

func (q quad) size() float64 {
	var d float64
	for i := range 4 {
		j := (i + 1) % 4
		d += math.Hypot(q[j][0]-q[i][0], q[j][1]-q[i][1])
	}
	return d / 4
}

// project maps a point of the screen (pixels from the code's centre, in
// the photo's scale) into the photo.
func (sh shape) project(x, y, w, h, side float64) (float64, float64) {
	ca, sa := math.Cos(sh.tiltAxis), math.Sin(sh.tiltAxis)
	p, q := x*ca+y*sa, -x*sa+y*ca
	z := q * math.Sin(sh.tilt)
	q *= math.Cos(sh.tilt)
	dist := 2.5 * side // a close camera: strong foreshortening
	k := dist / (dist + z)
	x, y = k*(p*ca-q*sa), k*(p*sa+q*ca)
	cr, sr := math.Cos(sh.rot), math.Sin(sh.rot)
	x, y = x*cr-y*sr, x*sr+y*cr
	return sh.cx*w + sh.stretch*x, sh.cy*h + y
}

// place draws the part of img around its code into the photo as sh says,
// as a screen shows it (raised black, lowered white), and returns where
// the code landed.
func place(photo, img *image.Gray, cf codeFrame, sh shape) quad {
	W, H := float64(photo.Rect.Dx()), float64(photo.Rect.Dy())
	side := sh.codePx
	if side == 0 {
		side = sh.codeFrac * H
	}
	u, v, c := cf.axes()
	half := float64(cf.dim) / 2
	e := sh.context
	// Corner pairs: the screenshot's region corners and their photo points.
	var pairs [4][4]float64
	var code quad
	for i, s := range [4][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		sx := c[0] + e*half*(s[0]*u[0]+s[1]*v[0])
		sy := c[1] + e*half*(s[0]*u[1]+s[1]*v[1])
		px, py := sh.project(s[0]*e*side/2, s[1]*e*side/2, W, H, side)
		pairs[i] = [4]float64{px, py, sx, sy}
		code[i][0], code[i][1] = sh.project(s[0]*side/2, s[1]*side/2, W, H, side)
	}
	hm := fit4(pairs)
	det := u[0]*v[1] - u[1]*v[0]
	x0, y0, x1, y1 := W, H, 0.0, 0.0
	for _, p := range pairs {
		x0, y0, x1, y1 = min(x0, p[0]), min(y0, p[1]), max(x1, p[0]), max(y1, p[1])
	}
	const black, white = 28.0, 232.0
	lim := e * half
	for y := max(0, int(y0)); y < min(int(H), int(y1)+1); y++ {
		for x := max(0, int(x0)); x < min(int(W), int(x1)+1); x++ {
			var sum float64
			n := 0
			for _, o := range [4][2]float64{{0.25, 0.25}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}} {
				sx, sy := hm.apply(float64(x)+o[0], float64(y)+o[1])
				dx, dy := sx-c[0], sy-c[1]
				a := (dx*v[1] - dy*v[0]) / det
				b := (u[0]*dy - u[1]*dx) / det
				if math.Abs(a) > lim || math.Abs(b) > lim {
					continue
				}
				sum += black + bilinear(img, sx, sy, 255)*(white-black)/255
				n++
			}
			if n > 0 {
				i := y*photo.Stride + x
				photo.Pix[i] = uint8((sum + float64(photo.Pix[i])*float64(4-n)) / 4)
			}
		}
	}
	return code
}

// homography maps (x, y) to ((h0x+h1y+h2)/w, (h3x+h4y+h5)/w), w = h6x+h7y+1.
type homography [8]float64

func (h homography) apply(x, y float64) (float64, float64) {
	w := h[6]*x + h[7]*y + 1
	return (h[0]*x + h[1]*y + h[2]) / w, (h[3]*x + h[4]*y + h[5]) / w
}

// fit4 solves the homography taking each pair's first point to its second.
func fit4(ps [4][4]float64) homography {
	var a [8][9]float64
	for i, p := range ps {
		x, y, u, v := p[0], p[1], p[2], p[3]
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for c := range 8 {
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		for r := range 8 {
			if r != c && a[c][c] != 0 {
				f := a[r][c] / a[c][c]
				for j := c; j < 9; j++ {
					a[r][j] -= f * a[c][j]
				}
			}
		}
	}
	var h homography
	for i := range 8 {
		h[i] = a[i][8] / a[i][i]
	}
	return h
}

// boxBlur softens the photo a little, as a phone's optics and
// demosaicing do.
func boxBlur(img *image.Gray) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	tmp := make([]uint8, len(img.Pix))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s := 0
			for d := -1; d <= 1; d++ {
				s += int(img.Pix[y*w+min(max(x+d, 0), w-1)])
			}
			tmp[y*w+x] = uint8(s / 3)
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s := 0
			for d := -1; d <= 1; d++ {
				s += int(tmp[min(max(y+d, 0), h-1)*w+x])
			}
			img.Pix[y*w+x] = uint8(s / 3)
		}
	}
}

// lightGradient darkens the photo from gain g1 on one side (direction
// dx, dy) to g0 on the other.
func lightGradient(img *image.Gray, dx, dy, g0, g1 float64) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	r := math.Hypot(float64(w), float64(h)) / 2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			t := ((float64(x)-float64(w)/2)*dx + (float64(y)-float64(h)/2)*dy) / r
			g := g0 + (g1-g0)*(t+1)/2
			img.Pix[y*w+x] = uint8(float64(img.Pix[y*w+x]) * g)
		}
	}
}

// noise adds sensor noise of standard deviation sigma.
func noise(r *rand.Rand, img *image.Gray, sigma float64) {
	for i, p := range img.Pix {
		img.Pix[i] = uint8(min(255, max(0, float64(p)+r.NormFloat64()*sigma+0.5)))
	}
}

// blob adds a light source's reflection at (x, y): a veil over the whole
// photo and a Gaussian spot that saturates at its core.
func blob(img *image.Gray, x, y, sigma, amp, veil float64) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for py := 0; py < h; py++ {
		for px := 0; px < w; px++ {
			v := float64(img.Pix[py*w+px])
			v += (255 - v) * veil
			d2 := (float64(px)-x)*(float64(px)-x) + (float64(py)-y)*(float64(py)-y)
			if d2 < 16*sigma*sigma {
				v += amp * math.Exp(-d2/(2*sigma*sigma))
			}
			img.Pix[py*w+px] = uint8(min(255, v))
		}
	}
}
