package qrscan

import (
	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// DecodeQR returns the text of every QR code found in the image (PNG, JPEG,
// GIF or WebP), without duplicates, in the order found.
func DecodeQR(data []byte, opt DecodeOptions) ([]string, error) {
	in, err := inspect(data, opt)
	if err != nil {
		return nil, err
	}
	defer gate.acquire(in.cost)()
	p, dark, err := in.picture(data)
	if err != nil {
		return nil, err
	}
	texts := scan(p, dark)
	if len(texts) == 0 {
		return nil, inputErr(ErrNoQRCode, "no QR code found in the image; try a sharper, closer photo or a screenshot")
	}
	return texts, nil
}

// scan runs the plan and returns the texts of the first step that finds
// any.
func scan(p picture, dark func() *luma) []string {
	for _, s := range plan(p, dark) {
		if texts := s.run(); len(texts) > 0 {
			return texts
		}
	}
	return nil
}

// run performs one step. The decoder is a port with the odd out-of-range
// index on unusual input; a panic means "nothing found here", not a
// crashed server.
func (s step) run() (texts []string) {
	defer func() {
		if recover() != nil {
			texts = nil
		}
	}()
	bmp := s.view.bitmap(s.global)
	if bmp == nil {
		return nil
	}
	if !s.deep {
		return readAll(bmp)
	}
	m, err := bmp.GetBlackMatrix()
	if err != nil {
		return nil
	}
	return refine(m)
}

var tryHarder = map[gozxing.DecodeHintType]interface{}{
	gozxing.DecodeHintType_TRY_HARDER: true,
}

// readAll runs the single-code reader, then the multi-code reader (which
// finds codes side by side but misses some the single reader gets), and
// merges their texts.
func readAll(bmp *gozxing.BinaryBitmap) (texts []string) {
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			texts = append(texts, t)
		}
	}
	if r, err := qrcode.NewQRCodeReader().Decode(bmp, tryHarder); err == nil {
		add(r.GetText())
	}
	rs, _ := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, tryHarder)
	for _, r := range rs {
		add(r.GetText())
	}
	return texts
}
