package twofa

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"strconv"

	// Formats users upload: screenshots (PNG, WebP), phone photos (JPEG),
	// the odd GIF.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/webp"
)

// DefaultMaxPixels bounds the images DecodeQR accepts: a 40-megapixel photo
// already needs 160 MB decoded, and no phone camera produces more.
const DefaultMaxPixels = 40_000_000

// DecodeOptions tunes DecodeQR.
type DecodeOptions struct {
	MaxPixels int // largest width×height accepted; 0 means DefaultMaxPixels
}

func (o DecodeOptions) maxPixels() int {
	if o.MaxPixels <= 0 {
		return DefaultMaxPixels
	}
	return o.MaxPixels
}

// loadImage decodes an uploaded image after checking, from the header
// alone, that it is an image and not too large, so a hostile or huge file
// is refused before any pixel memory is allocated.
func loadImage(data []byte, opt DecodeOptions) (img image.Image, err error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if errors.Is(err, image.ErrFormat) || len(data) == 0 {
		return nil, inputErr(ErrNotImage, "the file is not an image (PNG, JPEG, GIF or WebP expected)")
	}
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, errDamaged
	}
	limit := opt.maxPixels()
	if int64(cfg.Width)*int64(cfg.Height) > int64(limit) {
		return nil, inputErr(ErrImageTooBig, fmt.Sprintf(
			"the image is %d×%d pixels; the limit is %s megapixels",
			cfg.Width, cfg.Height, strconv.FormatFloat(float64(limit)/1e6, 'f', -1, 64)))
	}

	// The standard decoders are robust, but a panic on a crafted file must
	// not take the server down.
	defer func() {
		if recover() != nil {
			img, err = nil, errDamaged
		}
	}()
	img, _, err = image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, errDamaged
	}
	return img, nil
}

var errDamaged = inputErr(ErrBadImage, "the image could not be read; the file seems damaged or incomplete")
