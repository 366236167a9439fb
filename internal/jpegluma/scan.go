// Copyright 2012 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package jpegluma

import "image"

// padded returns the size of the luminance plane: the image padded to
// whole MCUs.
func (d *decoder) padded() (w, h int) {
	h0, v0 := d.comp[0].h, d.comp[0].v
	mxx := (d.width + 8*h0 - 1) / (8 * h0)
	myy := (d.height + 8*v0 - 1) / (8 * v0)
	return 8 * h0 * mxx, 8 * v0 * myy
}

// makeOut allocates the reduced luminance plane.
func (d *decoder) makeOut() {
	pw, ph := d.padded()
	if d.points > 0 {
		d.outStride = pw / 8 * d.points
		d.out = make([]byte, d.outStride*(ph/8*d.points))
		return
	}
	d.outStride = pw / d.scale
	d.out = make([]byte, d.outStride*(ph/d.scale))
}

// Specified in section B.2.3.
func (d *decoder) processSOS(n int) error {
	if d.nComp == 0 {
		return FormatError("missing SOF marker")
	}
	if n < 6 || 4+2*d.nComp < n || n%2 != 0 {
		return FormatError("SOS has wrong length")
	}
	if err := d.readFull(d.tmp[:n]); err != nil {
		return err
	}
	nComp := int(d.tmp[0])
	if n != 4+2*nComp {
		return FormatError("SOS length inconsistent with number of components")
	}
	var scan [maxComponents]struct {
		compIndex uint8
		td        uint8 // DC table selector.
		ta        uint8 // AC table selector.
	}
	totalHV := 0
	for i := 0; i < nComp; i++ {
		cs := d.tmp[1+2*i] // Component selector.
		compIndex := -1
		for j, comp := range d.comp[:d.nComp] {
			if cs == comp.c {
				compIndex = j
			}
		}
		if compIndex < 0 {
			return FormatError("unknown component selector")
		}
		scan[i].compIndex = uint8(compIndex)
		// Section B.2.3 states that "the value of Cs_j shall be different from
		// the values of Cs_1 through Cs_(j-1)". Since we have previously
		// verified that a frame's component identifiers (C_i values in section
		// B.2.2) are unique, it suffices to check that the implicit indexes
		// into d.comp are unique.
		for j := 0; j < i; j++ {
			if scan[i].compIndex == scan[j].compIndex {
				return FormatError("repeated component selector")
			}
		}
		totalHV += d.comp[compIndex].h * d.comp[compIndex].v

		// The baseline t <= 1 restriction is specified in table B.3.
		scan[i].td = d.tmp[2+2*i] >> 4
		if t := scan[i].td; t > maxTh || (d.baseline && t > 1) {
			return FormatError("bad Td value")
		}
		scan[i].ta = d.tmp[2+2*i] & 0x0f
		if t := scan[i].ta; t > maxTh || (d.baseline && t > 1) {
			return FormatError("bad Ta value")
		}
	}
	// Section B.2.3 states that if there is more than one component then the
	// total H*V values in a scan must be <= 10.
	if d.nComp > 1 && totalHV > 10 {
		return FormatError("total sampling factors too large")
	}

	// zigStart and zigEnd are the spectral selection bounds.
	// ah and al are the successive approximation high and low values.
	// The spec calls these values Ss, Se, Ah and Al.
	//
	// For progressive JPEGs, these are the two more-or-less independent
	// aspects of progression. Spectral selection progression is when not
	// all of a block's 64 DCT coefficients are transmitted in one pass.
	// For example, three passes could transmit coefficient 0 (the DC
	// component), coefficients 1-5, and coefficients 6-63, in zig-zag
	// order. Successive approximation is when not all of the bits of a
	// band of coefficients are transmitted in one pass. For example,
	// three passes could transmit the 6 most significant bits, followed
	// by the second-least significant bit, followed by the least
	// significant bit.
	//
	// For sequential JPEGs, these parameters are hard-coded to 0/63/0/0, as
	// per table B.3.
	zigStart, zigEnd, ah, al := int32(0), int32(blockSize-1), uint32(0), uint32(0)
	if d.progressive {
		zigStart = int32(d.tmp[1+2*nComp])
		zigEnd = int32(d.tmp[2+2*nComp])
		ah = uint32(d.tmp[3+2*nComp] >> 4)
		al = uint32(d.tmp[3+2*nComp] & 0x0f)
		if (zigStart == 0 && zigEnd != 0) || zigStart > zigEnd || blockSize <= zigEnd {
			return FormatError("bad spectral selection bounds")
		}
		if zigStart != 0 && nComp != 1 {
			return FormatError("progressive AC coefficients for more than one component")
		}
		if ah != 0 && ah != al+1 {
			return FormatError("bad successive approximation values")
		}
	}

	// mxx and myy are the number of MCUs (Minimum Coded Units) in the image.
	h0, v0 := d.comp[0].h, d.comp[0].v // The h and v values from the Y components.
	mxx := (d.width + 8*h0 - 1) / (8 * h0)
	myy := (d.height + 8*v0 - 1) / (8 * v0)
	if !d.hasLuma() {
		return ErrNoLuma
	}
	if d.out == nil {
		d.makeOut()
	}
	hasY := false
	for i := 0; i < nComp; i++ {
		hasY = hasY || scan[i].compIndex == 0
	}
	if !hasY {
		// Only chroma: not needed, and (unlike the luminance scans) not
		// kept track of, so not decodable either.
		return d.skipScan()
	}
	if (d.progressive || d.keep) && d.coeffs == nil {
		d.coeffs = make([]block16, mxx*myy*h0*v0)
	}

	d.bits = bits{}
	mcu, expectedRST := 0, uint8(rst0Marker)
	var (
		// b is the decoded coefficients, in natural (not zig-zag) order.
		b  block
		dc [maxComponents]int32
		// bx and by are the location of the current block, in units of 8x8
		// blocks: the third block in the first row has (bx, by) = (2, 0).
		bx, by     int
		blockCount int
	)
	for my := 0; my < myy; my++ {
		for mx := 0; mx < mxx; mx++ {
			for i := 0; i < nComp; i++ {
				compIndex := scan[i].compIndex
				hi := d.comp[compIndex].h
				vi := d.comp[compIndex].v
				for j := 0; j < hi*vi; j++ {
					// The blocks are traversed one MCU at a time. For 4:2:0 chroma
					// subsampling, there are four Y 8x8 blocks in every 16x16 MCU.
					//
					// For a sequential 32x16 pixel image, the Y blocks visiting order is:
					//	0 1 4 5
					//	2 3 6 7
					//
					// For progressive images, the interleaved scans (those with nComp > 1)
					// are traversed as above, but non-interleaved scans are traversed left
					// to right, top to bottom:
					//	0 1 2 3
					//	4 5 6 7
					// Only DC scans (zigStart == 0) can be interleaved. AC scans must have
					// only one component.
					//
					// To further complicate matters, for non-interleaved scans, there is no
					// data for any blocks that are inside the image at the MCU level but
					// outside the image at the pixel level. For example, a 24x16 pixel 4:2:0
					// progressive image consists of two 16x16 MCUs. The interleaved scans
					// will process 8 Y blocks:
					//	0 1 4 5
					//	2 3 6 7
					// The non-interleaved scans will process only 6 Y blocks:
					//	0 1 2
					//	3 4 5
					if nComp != 1 {
						bx = hi*mx + j%hi
						by = vi*my + j/hi
					} else {
						q := mxx * hi
						bx = blockCount % q
						by = blockCount / q
						blockCount++
						if bx*8 >= d.width || by*8 >= d.height {
							continue
						}
					}

					// Load the previous partially decoded coefficients, if applicable.
					// Chroma blocks are decoded (the bits must be read) but not
					// kept: in a progressive image only interleaved DC scans
					// hold chroma with luminance, and they need no history.
					if d.progressive && compIndex == 0 {
						d.coeffs[by*mxx*hi+bx].load(&b)
					} else {
						b = block{}
					}

					if ah != 0 {
						if err := d.refine(&b, &d.huff[acTable][scan[i].ta], zigStart, zigEnd, 1<<al); err != nil {
							return err
						}
					} else {
						zig := zigStart
						if zig == 0 {
							zig++
							// Decode the DC coefficient, as specified in section F.2.2.1.
							value, err := d.decodeHuffman(&d.huff[dcTable][scan[i].td])
							if err != nil {
								return err
							}
							if value > 16 {
								return UnsupportedError("excessive DC component")
							}
							dcDelta, err := d.receiveExtend(value)
							if err != nil {
								return err
							}
							dc[compIndex] += dcDelta
							b[0] = dc[compIndex] << al
						}

						if zig <= zigEnd && d.eobRun > 0 {
							d.eobRun--
						} else {
							// Decode the AC coefficients, as specified in section F.2.2.2.
							huff := &d.huff[acTable][scan[i].ta]
							for ; zig <= zigEnd; zig++ {
								value, err := d.decodeHuffman(huff)
								if err != nil {
									return err
								}
								val0 := value >> 4
								val1 := value & 0x0f
								if val1 != 0 {
									zig += int32(val0)
									if zig > zigEnd {
										break
									}
									ac, err := d.receiveExtend(val1)
									if err != nil {
										return err
									}
									b[unzig[zig]] = ac << al
								} else {
									if val0 != 0x0f {
										d.eobRun = uint16(1 << val0)
										if val0 != 0 {
											bits, err := d.decodeBits(int32(val0))
											if err != nil {
												return err
											}
											d.eobRun |= uint16(bits)
										}
										d.eobRun--
										break
									}
									zig += 0x0f
								}
							}
						}
					}

					if d.progressive {
						// Save the coefficients; the image is reconstructed
						// after the last scan.
						if compIndex == 0 {
							d.coeffs[by*mxx*hi+bx].store(&b)
						}
						continue
					}
					if compIndex == 0 {
						if d.keep {
							d.coeffs[by*mxx*hi+bx].store(&b)
						}
						d.reconstructBlock(&b, bx, by)
					}
				} // for j
			} // for i
			mcu++
			if d.ri > 0 && mcu%d.ri == 0 && mcu < mxx*myy {
				// For well-formed input, the RST[0-7] restart marker follows
				// immediately. For corrupt input, call findRST to try to
				// resynchronize.
				if err := d.readFull(d.tmp[:2]); err != nil {
					return err
				} else if d.tmp[0] != 0xff || d.tmp[1] != expectedRST {
					if err := d.findRST(expectedRST); err != nil {
						return err
					}
				}
				expectedRST++
				if expectedRST == rst7Marker+1 {
					expectedRST = rst0Marker
				}
				// Reset the Huffman decoder.
				d.bits = bits{}
				// Reset the DC components, as per section F.2.1.3.1.
				dc = [maxComponents]int32{}
				// Reset the progressive decoder state, as per section G.1.2.2.
				d.eobRun = 0
			}
		} // for mx
	} // for my

	return nil
}

// block16 holds a block's quantized coefficients between progressive scans.
// For 8-bit JPEGs they fit in 11 bits; int16 halves the memory of int32.
type block16 [blockSize]int16

func (c *block16) load(b *block) {
	for i, v := range c {
		b[i] = int32(v)
	}
}

func (c *block16) store(b *block) {
	for i, v := range b {
		c[i] = int16(v)
	}
}

// reconstructProgressiveImage reconstructs the luminance blocks inside the
// image once all scans are read.
func (d *decoder) reconstructProgressiveImage() {
	stride := (d.width + 8*d.comp[0].h - 1) / (8 * d.comp[0].h) * d.comp[0].h
	var b block
	for by := 0; by*8 < d.height; by++ {
		for bx := 0; bx*8 < d.width; bx++ {
			d.coeffs[by*stride+bx].load(&b)
			d.reconstructBlock(&b, bx, by)
		}
	}
}

// reconstructBlock dequantizes a luminance block, performs the inverse DCT
// and stores it, reduced by d.scale, to the output.
func (d *decoder) reconstructBlock(b *block, bx, by int) {
	qt := &d.quant[d.comp[0].tq]
	if d.points > 0 {
		// Only the lowest points×points frequencies are used.
		for v := 0; v < d.points; v++ {
			for u := 0; u < d.points; u++ {
				b[v*8+u] *= qt[zigOf[v*8+u]]
			}
		}
		d.storeScaled(b, bx, by)
		return
	}
	for zig := 0; zig < blockSize; zig++ {
		b[unzig[zig]] *= qt[zig]
	}
	idct(b)
	// Level shift by +128 and clip to [0, 255], as image/jpeg does.
	var px [blockSize]uint8
	for i, c := range b {
		if c < -128 {
			c = 0
		} else if c > 127 {
			c = 255
		} else {
			c += 128
		}
		px[i] = uint8(c)
	}
	s, n, stride := d.scale, 8/d.scale, d.outStride
	dst := d.out[by*n*stride+bx*n:]
	if s == 1 {
		for y := 0; y < 8; y++ {
			copy(dst[y*stride:y*stride+8], px[y*8:y*8+8])
		}
		return
	}
	// Each output pixel is the mean of an s×s box: a box filter, like
	// the QR code's own reductions.
	area := uint32(s * s)
	for oy := 0; oy < n; oy++ {
		for ox := 0; ox < n; ox++ {
			var sum uint32
			for y := oy * s; y < oy*s+s; y++ {
				for _, v := range px[y*8+ox*s : y*8+ox*s+s] {
					sum += uint32(v)
				}
			}
			dst[oy*stride+ox] = uint8((sum + area/2) / area)
		}
	}
}

// image returns the output cropped to the image, its rows made contiguous.
func (d *decoder) image() *image.Gray {
	w := (d.width + d.scale - 1) / d.scale
	h := (d.height + d.scale - 1) / d.scale
	if d.points > 0 {
		w = (d.width*d.points + 7) / 8
		h = (d.height*d.points + 7) / 8
	}
	for y := 1; y < h; y++ {
		copy(d.out[y*w:(y+1)*w], d.out[y*d.outStride:y*d.outStride+w])
	}
	return &image.Gray{Pix: d.out[: w*h : w*h], Stride: w, Rect: image.Rect(0, 0, w, h)}
}
