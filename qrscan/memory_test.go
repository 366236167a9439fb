package qrscan

import (
	"bufio"
	"bytes"
	"compress/lzw"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// peakLimit is what decoding any accepted image may take, as the whole
// process's peak resident memory (the test binary's own included).
const peakLimit = 300 << 20

// TestDecodePeakMemory decodes the costliest images each format accepts,
// and some it refuses, each in a child process, and reads the child's
// peak resident memory (VmHWM): what the kernel really gave it.
func TestDecodePeakMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes images of up to 120 megapixels; skipped with -short")
	}
	if raceDetector {
		t.Skip("the race detector multiplies memory use")
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const want = "otpauth://totp/Big:photo?secret=" + testSecret + "&issuer=Big"
	cases := []struct {
		name, path string
		want       string // the text found, or the error's start
	}{
		// 4:4:4, made by ImageMagick; image/jpeg took 950 MB for it.
		{"progressive JPEG 8000×5000", filepath.Join("testdata", "progressive-40mp.jpg"), want},
		// The largest progressive JPEG accepted: 2 bytes a pixel.
		{"progressive JPEG 10752×8000", filepath.Join("testdata", "progressive-86mp.jpg"), want},
		{"baseline JPEG 12000×10000", write("base.jpg", baselineJPEG(t, 12000, 10000)), "no QR code found"},
		// Decompression bombs: kilobytes that decode to the largest images
		// accepted, 16-bit with alpha (10 bytes a pixel with the rasters),
		// 8-bit RGB interlaced, a GIF of 3 bytes a pixel.
		{"PNG bomb 16-bit RGBA 4400×4400", write("rgba64.png", pngBomb(t, 4400, 4400, 16, 6, 0)), "no QR code found"},
		{"PNG bomb RGB 7680×5120", write("rgb.png", pngBomb(t, 7680, 5120, 8, 2, 0)), "no QR code found"},
		{"PNG bomb RGB interlaced 5400×4000", write("adam7.png", pngBomb(t, 5400, 4000, 8, 2, 1)), "no QR code found"},
		{"GIF bomb 8100×8100", write("bomb.gif", gifBomb(t, 8100, 8100)), "no QR code found"},
		{"PNG header 50000×50000", write("huge.png", pngHeader(50000, 50000)), "the image is 50000×50000 pixels"},
		{"PNG bomb 16-bit RGBA 4500×4500", write("over.png", pngBomb(t, 4500, 4500, 16, 6, 0)), "the image is 4500×4500 pixels"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestDecodePeakMemoryChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), "TWOFA_PEAK_FILE="+c.path)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			var peak int64
			var result string
			for _, line := range strings.Split(string(out), "\n") {
				if v, ok := strings.CutPrefix(line, "PEAK "); ok {
					peak, _ = strconv.ParseInt(v, 10, 64)
				}
				if v, ok := strings.CutPrefix(line, "RESULT "); ok {
					result = v
				}
			}
			if peak == 0 {
				t.Fatalf("the child reported no peak:\n%s", out)
			}
			t.Logf("peak %d MB: %s", peak>>20, result)
			if !strings.HasPrefix(result, c.want) {
				t.Errorf("got %q, want %q", result, c.want)
			}
			if peak > peakLimit {
				t.Errorf("peak memory %d MB, over %d MB", peak>>20, peakLimit>>20)
			}
		})
	}
}

// TestDecodePeakMemoryChild is TestDecodePeakMemory's child: it decodes
// $TWOFA_PEAK_FILE and prints the result and its peak resident memory.
func TestDecodePeakMemoryChild(t *testing.T) {
	path := os.Getenv("TWOFA_PEAK_FILE")
	if path == "" {
		return // run as a child only
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	texts, err := DecodeQR(data, DecodeOptions{})
	if err != nil {
		fmt.Println("RESULT " + err.Error())
	} else {
		fmt.Println("RESULT " + strings.Join(texts, " | "))
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			fmt.Printf("PEAK %d\n", kb<<10)
		}
	}
}

// pngBomb is a valid PNG of w×h pixels, all zero, in a few kilobytes.
func pngBomb(t *testing.T, w, h uint32, depth, colorType, interlace byte) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		c := append([]byte(typ), data...)
		b.Write(c)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(c))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	chunk("IHDR", append(ihdr, depth, colorType, 0, 0, interlace))
	channels := map[byte]int{0: 1, 2: 3, 4: 2, 6: 4}[colorType]
	bpp := channels * int(depth) / 8
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	row := make([]byte, 1+int(w)*bpp) // filter 0, zero pixels
	// Adam7's passes: the origin and step of their columns and rows.
	passes := [][4]int{{0, 8, 0, 8}, {4, 8, 0, 8}, {0, 4, 4, 8}, {2, 4, 0, 4}, {0, 2, 2, 4}, {1, 2, 0, 2}, {0, 1, 1, 2}}
	if interlace == 0 {
		passes = [][4]int{{0, 1, 0, 1}}
	}
	for _, p := range passes {
		pw := (int(w) - p[0] + p[1] - 1) / p[1]
		ph := (int(h) - p[2] + p[3] - 1) / p[3]
		for range ph {
			zw.Write(row[:1+pw*bpp])
		}
	}
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// gifBomb is a valid GIF of w×h pixels of colour 0, in a few kilobytes.
func gifBomb(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("GIF89a")
	binary.Write(&b, binary.LittleEndian, [2]uint16{uint16(w), uint16(h)})
	b.Write([]byte{0x80, 0, 0, 0, 0, 0, 255, 255, 255}) // 2-colour global table
	b.WriteByte(',')
	binary.Write(&b, binary.LittleEndian, [4]uint16{0, 0, uint16(w), uint16(h)})
	b.Write([]byte{0, 2}) // no local table; LZW minimum code size 2
	var z bytes.Buffer
	lw := lzw.NewWriter(&z, lzw.LSB, 2)
	row := make([]byte, w)
	for range h {
		lw.Write(row)
	}
	lw.Close()
	for data := z.Bytes(); len(data) > 0; {
		n := min(len(data), 255)
		b.WriteByte(byte(n))
		b.Write(data[:n])
		data = data[n:]
	}
	b.Write([]byte{0, ';'})
	return b.Bytes()
}

// baselineJPEG is a grey baseline JPEG of w×h pixels, written by image/jpeg.
func baselineJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 50}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
