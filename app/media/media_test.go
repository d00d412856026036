package media_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"partnerportal/app/media"
)

func pngOf(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

func TestSniff(t *testing.T) {
	cases := map[string]string{
		"%PDF-1.7\n%...":                                   "application/pdf",
		"<!DOCTYPE html><html><body>x":                     "text/html",
		"<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>": "image/svg+xml",
		"just words\n":                                     "text/plain",
		string(pngOf(4, 4)):                                "image/png",
		"PK\x03\x04\x14\x00\x00\x00\x08\x00":               "application/zip",
	}
	for in, want := range cases {
		if got := media.Sniff([]byte(in)); got != want {
			t.Errorf("Sniff(%.20q) = %q, want %q", in, got, want)
		}
	}
	for _, m := range []string{"text/html", "image/svg+xml", "text/xml", "application/xml", "application/javascript", "application/zip"} {
		if media.SafeInline(m) {
			t.Errorf("%s served inline", m)
		}
	}
}

func TestImageReencodes(t *testing.T) {
	// A PNG with a script appended (a polyglot) comes out as pixels only.
	poly := append(pngOf(800, 400), []byte("<script>alert(1)</script>")...)
	out, size, err := media.Image(bytes.NewReader(poly), 200, 200, false, media.PNG)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("<script")) {
		t.Error("trailing script survived")
	}
	if size != (image.Point{200, 100}) {
		t.Errorf("fit size %v", size)
	}
	if _, _, err := image.Decode(bytes.NewReader(out)); err != nil {
		t.Errorf("output does not decode: %v", err)
	}
	out, size, err = media.Image(bytes.NewReader(pngOf(800, 400)), 120, 120, true, media.JPEG)
	if err != nil || size != (image.Point{120, 120}) || media.Sniff(out) != "image/jpeg" {
		t.Errorf("fill: %v %v %s", size, err, media.Sniff(out))
	}
	if _, _, err := media.Image(strings.NewReader("<svg xmlns='http://www.w3.org/2000/svg'/>"), 10, 10, false, media.PNG); !errors.Is(err, media.ErrNotImage) {
		t.Errorf("svg: %v", err)
	}
}

// A PNG whose header declares 100,000 × 100,000 pixels is refused from the
// header alone (decoding it would allocate 40 GB).
func TestImageRefusesDecompressionBomb(t *testing.T) {
	small := pngOf(1, 1)
	ihdr := small[8 : 8+25] // length, "IHDR", 13 bytes, crc
	binary.BigEndian.PutUint32(ihdr[8:], 100_000)
	binary.BigEndian.PutUint32(ihdr[12:], 100_000)
	binary.BigEndian.PutUint32(ihdr[21:], crc32.ChecksumIEEE(ihdr[4:21]))
	if _, _, err := media.Image(bytes.NewReader(small), 100, 100, false, media.PNG); !errors.Is(err, media.ErrTooLarge) {
		t.Errorf("bomb: %v", err)
	}
}

func TestDispositionName(t *testing.T) {
	cases := map[string]string{
		"../../etc/passwd":         "passwd",
		"a\"b;c.pdf":               "a_b_c.pdf",
		"C:\\Users\\x\\report.pdf": "report.pdf",
		"line\r\nbreak.txt":        "linebreak.txt",
		"":                         "download",
		"...":                      "download",
		"Zoë Müller.pdf":           "Zoë Müller.pdf",
	}
	for in, want := range cases {
		if got := media.DispositionName(in, "download"); got != want {
			t.Errorf("DispositionName(%q) = %q, want %q", in, got, want)
		}
	}
}
