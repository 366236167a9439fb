// Copyright 2009 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package jpegluma decodes the luminance of a JPEG, optionally reduced 2, 4
// or 8 times while decoding, in a fraction of the memory Go's image/jpeg
// needs: that one keeps every component's coefficients of a progressive
// JPEG as int32 until the last scan (12 bytes a pixel for 4:4:4, so 950 MB
// for a 40-megapixel photo) and returns the image at full size. This one
// keeps only the luminance coefficients, as int16 (2 bytes a pixel), skips
// the chroma-only scans unread, and writes each 8×8 block straight into
// the reduced output. A QR decoder needs nothing else.
//
// The code is Go's image/jpeg (see LICENSE) with those changes; at scale 1
// its output is pixel for pixel the Y plane image/jpeg decodes.
package jpegluma

import (
	"image"
	"io"
)

// A FormatError reports that the input is not a valid JPEG.
type FormatError string

func (e FormatError) Error() string { return "invalid JPEG format: " + string(e) }

// An UnsupportedError reports that the input uses a valid but unimplemented JPEG feature.
type UnsupportedError string

func (e UnsupportedError) Error() string { return "unsupported JPEG feature: " + string(e) }

var errUnsupportedSubsamplingRatio = UnsupportedError("luma/chroma subsampling ratio")

// Component specification, specified in section B.2.2.
type component struct {
	h  int   // Horizontal sampling factor.
	v  int   // Vertical sampling factor.
	c  uint8 // Component identifier.
	tq uint8 // Quantization table destination selector.
}

const (
	dcTable = 0
	acTable = 1
	maxTc   = 1
	maxTh   = 3
	maxTq   = 3

	maxComponents = 4
)

const (
	sof0Marker = 0xc0 // Start Of Frame (Baseline Sequential).
	sof1Marker = 0xc1 // Start Of Frame (Extended Sequential).
	sof2Marker = 0xc2 // Start Of Frame (Progressive).
	dhtMarker  = 0xc4 // Define Huffman Table.
	rst0Marker = 0xd0 // ReSTart (0).
	rst7Marker = 0xd7 // ReSTart (7).
	soiMarker  = 0xd8 // Start Of Image.
	eoiMarker  = 0xd9 // End Of Image.
	sosMarker  = 0xda // Start Of Scan.
	dqtMarker  = 0xdb // Define Quantization Table.
	driMarker  = 0xdd // Define Restart Interval.
	comMarker  = 0xfe // COMment.
	// "APPlication specific" markers aren't part of the JPEG spec per se,
	// but in practice, their use is described at
	// https://www.sno.phy.queensu.ca/~phil/exiftool/TagNames/JPEG.html
	app0Marker  = 0xe0
	app14Marker = 0xee
	app15Marker = 0xef
)

// See https://www.sno.phy.queensu.ca/~phil/exiftool/TagNames/JPEG.html#Adobe
const (
	adobeTransformUnknown = 0
	adobeTransformYCbCr   = 1
	adobeTransformYCbCrK  = 2
)

// unzig maps from the zig-zag ordering to the natural ordering. For example,
// unzig[3] is the column and row of the fourth element in zig-zag order. The
// value is 16, which means first column (16%8 == 0) and third row (16/8 == 2).
var unzig = [blockSize]int{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
}

// Deprecated: Reader is not used by the [image/jpeg] package and should
// not be used by others. It is kept for compatibility.
type Reader interface {
	io.ByteReader
	io.Reader
}

// bits holds the unprocessed bits that have been taken from the byte-stream.
// The n least significant bits of a form the unread bits, to be read in MSB to
// LSB order.
type bits struct {
	a uint32 // accumulator.
	m uint32 // mask. m==1<<(n-1) when n>0, with m==0 when n==0.
	n int32  // the number of unread bits in a.
}

type decoder struct {
	r    io.Reader
	bits bits
	// bytes is a byte buffer, similar to a bufio.Reader, except that it
	// has to be able to unread more than 1 byte, due to byte stuffing.
	// Byte stuffing is specified in section F.1.2.3.
	bytes struct {
		// buf[i:j] are the buffered bytes read from the underlying
		// io.Reader that haven't yet been passed further on.
		buf  [4096]byte
		i, j int
		// nUnreadable is the number of bytes to back up i after
		// overshooting. It can be 0, 1 or 2.
		nUnreadable int
	}
	width, height int

	scale int // the output is reduced by this factor: 1, 2, 4 or 8
	// points, if not 0, is DecodeScaled's output pixels per block side.
	points int
	keep   bool   // keep a baseline image's coefficients too, for Scaled.Full
	out    []byte // the reduced, padded luminance plane; nil until the first scan
	// outStride is out's row length: the padded width over scale.
	outStride int
	// pendingMarker is a marker that skipScan read past, for the main loop.
	pendingMarker byte

	ri    int // Restart Interval.
	nComp int

	// As per section 4.5, there are four modes of operation (selected by the
	// SOF? markers): sequential DCT, progressive DCT, lossless and
	// hierarchical, although this implementation does not support the latter
	// two non-DCT modes. Sequential DCT is further split into baseline and
	// extended, as per section 4.11.
	baseline    bool
	progressive bool

	jfif                bool
	adobeTransformValid bool
	adobeTransform      uint8
	eobRun              uint16 // End-of-Band run, specified in section G.1.2.2.

	comp   [maxComponents]component
	coeffs []block16 // Saved luminance state between progressive-mode scans.
	huff   [maxTc + 1][maxTh + 1]huffman
	quant  [maxTq + 1]block // Quantization tables, in zig-zag order.
	tmp    [2 * blockSize]byte
}

// nextMarker reads up to and including the next marker and returns it.
func (d *decoder) nextMarker() (byte, error) {
	if m := d.pendingMarker; m != 0 {
		d.pendingMarker = 0
		return m, nil
	}
	for {
		err := d.readFull(d.tmp[:2])
		if err != nil {
			return 0, err
		}
		for d.tmp[0] != 0xff {
			// Strictly speaking, this is a format error. However, libjpeg is
			// liberal in what it accepts (next_marker in jdmarker.c treats it
			// as a warning), so extraneous data is silently ignored, as in
			// image/jpeg.
			d.tmp[0] = d.tmp[1]
			d.tmp[1], err = d.readByte()
			if err != nil {
				return 0, err
			}
		}
		marker := d.tmp[1]
		if marker == 0 {
			// Treat "\xff\x00" as extraneous data.
			continue
		}
		for marker == 0xff {
			// Section B.1.1.2 says, "Any marker may optionally be preceded by any
			// number of fill bytes, which are bytes assigned code X'FF'".
			marker, err = d.readByte()
			if err != nil {
				return 0, err
			}
		}
		return marker, nil
	}
}

// decode reads the segments of a JPEG from r up to the End Of Image
// marker, or with configOnly up to the first scan.
func (d *decoder) decode(r io.Reader, configOnly bool) error {
	d.r = r

	// Check for the Start Of Image marker.
	if err := d.readFull(d.tmp[:2]); err != nil {
		return err
	}
	if d.tmp[0] != 0xff || d.tmp[1] != soiMarker {
		return FormatError("missing SOI marker")
	}

	// Process the remaining segments until the End Of Image marker.
	for {
		marker, err := d.nextMarker()
		if err != nil {
			return err
		}
		if marker == eoiMarker { // End Of Image.
			break
		}
		if rst0Marker <= marker && marker <= rst7Marker {
			// Some encoders end the last scan with a restart marker; like
			// image/jpeg, ignore it. Restart markers have no length.
			continue
		}

		// Read the 16-bit length of the segment. The value includes the 2 bytes for the
		// length itself, so we subtract 2 to get the number of remaining bytes.
		if err = d.readFull(d.tmp[:2]); err != nil {
			return err
		}
		n := int(d.tmp[0])<<8 + int(d.tmp[1]) - 2
		if n < 0 {
			return FormatError("short segment length")
		}

		switch marker {
		case sof0Marker, sof1Marker, sof2Marker:
			d.baseline = marker == sof0Marker
			d.progressive = marker == sof2Marker
			err = d.processSOF(n)
			if configOnly && d.jfif {
				return err
			}
		case dhtMarker:
			if configOnly {
				err = d.ignore(n)
			} else {
				err = d.processDHT(n)
			}
		case dqtMarker:
			if configOnly {
				err = d.ignore(n)
			} else {
				err = d.processDQT(n)
			}
		case sosMarker:
			if configOnly {
				return nil
			}
			err = d.processSOS(n)
		case driMarker:
			if configOnly {
				err = d.ignore(n)
			} else {
				err = d.processDRI(n)
			}
		case app0Marker:
			err = d.processApp0Marker(n)
		case app14Marker:
			err = d.processApp14Marker(n)
		default:
			if app0Marker <= marker && marker <= app15Marker || marker == comMarker {
				err = d.ignore(n)
			} else if marker < 0xc0 { // See Table B.1 "Marker code assignments".
				err = FormatError("unknown marker")
			} else {
				err = UnsupportedError("unknown marker")
			}
		}
		if err != nil {
			return err
		}
	}
	if d.out == nil {
		return FormatError("missing SOS marker")
	}
	if d.progressive {
		d.reconstructProgressiveImage()
	}
	return nil
}

// isRGB reports whether a 3-component image holds RGB rather than YCbCr,
// by the same rules as image/jpeg.
func (d *decoder) isRGB() bool {
	if d.jfif {
		return false
	}
	if d.adobeTransformValid && d.adobeTransform == adobeTransformUnknown {
		// 0 means Unknown (and in practice RGB) and 1 means YCbCr.
		return true
	}
	return d.comp[0].c == 'R' && d.comp[1].c == 'G' && d.comp[2].c == 'B'
}

// hasLuma reports whether the first component is the luminance: true for
// grey and YCbCr images, false for RGB and the 4-component CMYK and YCCK.
func (d *decoder) hasLuma() bool {
	return d.nComp == 1 || d.nComp == 3 && !d.isRGB()
}

// Header is what a JPEG's headers say, read without decoding any pixel.
type Header struct {
	Width, Height int
	// The luminance plane is padded to whole MCUs: this large.
	PaddedWidth, PaddedHeight int
	Components                int  // 1 grey, 3 YCbCr or RGB, 4 CMYK or YCCK
	Progressive               bool // all coefficients are kept until the last scan
	// Luma is whether Decode can read the image: its first component is the
	// luminance.
	Luma bool
}

// ReadHeader reads the headers of the JPEG in r up to its first scan.
func ReadHeader(r io.Reader) (Header, error) {
	var d decoder
	if err := d.decode(r, true); err != nil {
		return Header{}, err
	}
	if d.nComp == 0 {
		return Header{}, FormatError("missing SOF marker")
	}
	pw, ph := d.padded()
	return Header{Width: d.width, Height: d.height, PaddedWidth: pw, PaddedHeight: ph,
		Components: d.nComp, Progressive: d.progressive, Luma: d.hasLuma()}, nil
}

// Memory returns how many bytes Decode allocates for the image at scale:
// the output plane and, for a progressive JPEG, the luminance coefficients
// kept between scans. The rest is a few kilobytes.
func (h Header) Memory(scale int) int64 {
	px := int64(h.PaddedWidth) * int64(h.PaddedHeight)
	n := px / int64(scale*scale)
	if h.Progressive {
		n += 2 * px // an int16 per pixel
	}
	return n
}

// ErrNoLuma is returned by Decode for RGB, CMYK and YCCK JPEGs, which have
// no luminance component to read.
var ErrNoLuma = UnsupportedError("colour model without a luminance component")

// Decode reads the luminance of the JPEG in r, reduced by scale (1, 2, 4
// or 8): each output pixel is the rounded mean of a scale×scale block, and
// the output is ceil(width/scale)×ceil(height/scale). Besides the output it
// allocates, for a progressive JPEG, 2 bytes per pixel (ProgressiveBytes).
func Decode(r io.Reader, scale int) (*image.Gray, error) {
	switch scale {
	case 1, 2, 4, 8:
	default:
		return nil, UnsupportedError("scale other than 1, 2, 4 or 8")
	}
	d := decoder{scale: scale}
	if err := d.decode(r, false); err != nil {
		return nil, err
	}
	return d.image(), nil
}
