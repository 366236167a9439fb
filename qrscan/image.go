package qrscan

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"strconv"

	// Formats users upload: screenshots (PNG, WebP), phone photos (JPEG),
	// the odd GIF.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/webp"

	"billhound/internal/jpegluma"
)

const (
	// DecodeBudget is the memory one image may take to decode and search,
	// estimated from its header before any pixel is decoded; an image that
	// would take more is refused. All decodes in progress together stay
	// within it too (see gate). Measured peaks stay under 300 MB (see
	// TestDecodePeakMemory).
	DecodeBudget = 220 << 20
	// DefaultMaxPixels bounds even images that are cheap to decode (a
	// baseline JPEG of any size is, reduced while decoding), because
	// decoding time grows with the pixels: 108-megapixel phone photos pass.
	DefaultMaxPixels = 120_000_000
	// maxLumaPixels: JPEGs larger than this are decoded reduced 2, 4 or 8
	// times, to at most this. The QR search reduces photos to 1600 px
	// anyway, and its full-resolution views cap at 2400 px.
	maxLumaPixels = 24_000_000
	// searchBytes is what the QR search takes besides the image raster:
	// reduced and enlarged views, bit matrices.
	searchBytes = 32 << 20
)

// DecodeOptions tunes DecodeQR.
type DecodeOptions struct {
	MaxPixels int // largest width×height accepted; 0 means DefaultMaxPixels
}

func (o DecodeOptions) maxPixels() int64 {
	if o.MaxPixels <= 0 {
		return DefaultMaxPixels
	}
	return int64(o.MaxPixels)
}

// intake is how an upload will be decoded, decided from its header.
type intake struct {
	w, h  int
	kind  string // for messages: "PNG", "progressive JPEG"…
	cost  int64  // estimated peak memory of decoding and searching
	scale int    // > 0: a JPEG whose luminance jpegluma decodes at this reduction
	// points > 0: a JPEG photo first decoded at points eighths of its size
	// (see picture).
	points int
}

// inspect reads the header of an uploaded image and decides how to decode
// it, refusing what is not an image or would cost too much, before any
// pixel memory is allocated.
func inspect(data []byte, opt DecodeOptions) (*intake, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if errors.Is(err, image.ErrFormat) || len(data) == 0 {
		return nil, inputErr(ErrNotImage, "the file is not an image (PNG, JPEG, GIF or WebP expected)")
	}
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, errDamaged
	}
	in := &intake{w: cfg.Width, h: cfg.Height}
	px := int64(cfg.Width) * int64(cfg.Height)
	limit := opt.maxPixels()
	// perPixel is the decoded image's bytes per pixel, plus the grey
	// raster, plus the one flattened on black for translucent images.
	var perPixel int64
	switch format {
	case "jpeg":
		hdr, err := jpegluma.ReadHeader(bytes.NewReader(data))
		if err != nil {
			return nil, errDamaged
		}
		in.kind = "JPEG"
		if hdr.Progressive {
			in.kind = "progressive JPEG"
		}
		if hdr.Luma {
			in.scale = 1
			for in.scale < 8 && px/int64(in.scale*in.scale) > maxLumaPixels {
				in.scale *= 2
			}
			in.cost = hdr.Memory(in.scale) + searchBytes
			if in.scale == 1 && px > maxFinerPixels {
				in.points = 8
				for in.points > 1 && (max(in.w, in.h)*in.points+7)/8 > workingSide {
					in.points--
				}
				in.cost = max(in.cost, hdr.ScaledMemory(in.points)+searchBytes)
			}
			if hdr.Progressive {
				// 2 bytes a pixel of coefficients, beside a reduced raster.
				limit = min(limit, (DecodeBudget-searchBytes-maxLumaPixels)/2)
			}
			return in, in.check(px, limit)
		}
		// RGB and CMYK JPEGs, rare, go through image/jpeg: an RGBA or CMYK
		// image, and for progressive ones int32 coefficients per component.
		perPixel = 8 + rasters(cfg.ColorModel)
		if hdr.Progressive {
			perPixel += 4 * int64(hdr.Components)
		}
	case "png":
		in.kind = "PNG"
		perPixel = bytesPerPixel(cfg.ColorModel) + rasters(cfg.ColorModel)
		if len(data) > 28 && data[28] == 1 {
			// Interlaced: the seven passes are decoded into images of
			// their own, then merged.
			perPixel += bytesPerPixel(cfg.ColorModel)
		}
	case "gif":
		// Only the first frame is decoded, however many follow, and
		// image/gif checks that it lies within the size read here.
		in.kind = "GIF"
		perPixel = 1 + rasters(cfg.ColorModel)
	case "webp":
		in.kind = "WebP"
		perPixel = 2 + rasters(cfg.ColorModel) // lossy: 4:2:0, 1.5 bytes a pixel
		if cfg.ColorModel != color.YCbCrModel {
			// Lossless or with alpha: 4 bytes a pixel of ARGB, transformed
			// into another buffer.
			perPixel = 8 + rasters(cfg.ColorModel)
		}
	default:
		return nil, inputErr(ErrNotImage, "the file is not an image (PNG, JPEG, GIF or WebP expected)")
	}
	in.cost = px*perPixel + searchBytes
	limit = min(limit, (DecodeBudget-searchBytes)/perPixel)
	return in, in.check(px, limit)
}

// check refuses an image of px pixels over limit, or over the budget.
func (in *intake) check(px, limit int64) error {
	if px <= limit && in.cost <= DecodeBudget {
		return nil
	}
	mp := strconv.FormatInt(limit/1_000_000, 10)
	if limit < 1_000_000 {
		mp = strconv.FormatFloat(float64(limit)/1e6, 'f', -1, 64)
	}
	return inputErr(ErrImageTooBig, fmt.Sprintf(
		"the image is %d×%d pixels; billhound reads %s images up to %s megapixels: send a smaller screenshot or photo",
		in.w, in.h, in.kind, mp))
}

// bytesPerPixel is the size of a pixel of the image the standard decoders
// return for a colour model.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel, color.YCbCrModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8 // 16-bit RGBA
}

// rasters is how many grey rasters the search makes of an image in colour
// model m: one, and one more flattened on black if m can be translucent.
func rasters(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.Gray16Model, color.RGBAModel, color.RGBA64Model, color.YCbCrModel, color.CMYKModel:
		return 1
	}
	return 2
}

// decode decodes the image as inspect decided: its grey raster and, for
// translucent images, a function making the raster flattened on black.
func (in *intake) decode(data []byte) (l *luma, dark func() *luma, err error) {
	// The decoders are robust, but a panic on a crafted file must not take
	// the server down.
	defer func() {
		if recover() != nil {
			l, dark, err = nil, nil, errDamaged
		}
	}()
	if in.scale > 0 {
		g, err := jpegluma.Decode(bytes.NewReader(data), in.scale)
		if err != nil {
			return nil, nil, errDamaged
		}
		return &luma{w: g.Rect.Dx(), h: g.Rect.Dy(), pix: g.Pix}, nil, nil
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, nil, errDamaged
	}
	// Transparent pixels become white; for light-on-transparent codes the
	// plan also flattens onto black, but only if it gets that far.
	if isTranslucent(img) {
		dark = func() *luma { return toLuma(img, 0) }
	}
	return toLuma(img, 255), dark, nil
}

// picture decodes the image for the plan. A JPEG photo over
// maxFinerPixels is first decoded at the largest eighth of its size that
// fits workingSide, straight from the DCT coefficients (a fraction of the
// full decode's inverse-DCT work); its full resolution is decoded only if
// the plan gets to a step that needs it.
func (in *intake) picture(data []byte) (picture, func() *luma, error) {
	if in.points > 0 {
		if s := scaledJPEG(data, in.points); s != nil {
			full := memo(func() *luma { return grayLuma(s.View(8)) })
			return picture{
				full: full, w: in.w, h: in.h, pre: grayLuma(s.Gray),
				// Crops and reductions by 2 and 4 come straight from the
				// coefficients: the inverse DCT of only what they need.
				crop: func(x0, y0, x1, y1 int) *luma {
					g := s.Crop(image.Rect(x0, y0, x1, y1))
					if g == nil {
						return nil
					}
					l := grayLuma(g)
					l.x0, l.y0 = max(x0, 0), max(y0, 0)
					return l
				},
				shrink: func(f int) *luma {
					if f != 2 && f != 4 {
						return nil
					}
					return grayLuma(s.View(8 / f))
				},
			}, nil, nil
		}
	}
	l, dark, err := in.decode(data)
	if err != nil {
		return picture{}, nil, err
	}
	return picture{full: func() *luma { return l }, w: l.w, h: l.h}, dark, nil
}

// scaledJPEG decodes data at m eighths of its size; nil if that fails (the
// full decode then reports why).
func scaledJPEG(data []byte, m int) (s *jpegluma.Scaled) {
	defer func() {
		if recover() != nil {
			s = nil
		}
	}()
	s, err := jpegluma.DecodeScaled(bytes.NewReader(data), m)
	if err != nil {
		return nil
	}
	return s
}

func grayLuma(g *image.Gray) *luma {
	return &luma{w: g.Rect.Dx(), h: g.Rect.Dy(), pix: g.Pix}
}

var errDamaged = inputErr(ErrBadImage, "the image could not be read; the file seems damaged or incomplete")
