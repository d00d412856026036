package resource

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"time"

	"partnerportal/app/pdfdoc"
)

// Sample files, made here rather than downloaded: the seed ships them as
// demo resources and the tests upload them.

// SamplePDF returns a PDF with a title and one paragraph per page.
func SamplePDF(title string, pages []string, created time.Time) ([]byte, error) {
	pdf := pdfdoc.New(pdfdoc.Meta{Title: title, Author: "Partner Portal", Created: created})
	for i, text := range pages {
		pdf.AddPage()
		pdf.SetFont(pdfdoc.Font, "B", 20)
		if i == 0 {
			pdf.MultiCell(0, 10, title, "", "L", false)
			pdf.Ln(4)
		}
		pdf.SetFont(pdfdoc.Font, "", 12)
		pdf.MultiCell(0, 6, text, "", "L", false)
	}
	return pdfdoc.Bytes(pdf)
}

// sampleImage draws a gradient with a band in the accent colour.
func sampleImage(w, h int, accent color.RGBA) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{uint8(40 + 150*x/w), uint8(60 + 120*y/h), 160, 255}
			if y > h/3 && y < h/2 {
				c = accent
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// SamplePNG returns a w × h PNG.
func SamplePNG(w, h int) []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, sampleImage(w, h, color.RGBA{240, 120, 30, 255})) // cannot fail on a valid image
	return b.Bytes()
}

// SampleJPEG returns a w × h JPEG.
func SampleJPEG(w, h int) []byte {
	var b bytes.Buffer
	_ = jpeg.Encode(&b, sampleImage(w, h, color.RGBA{30, 140, 90, 255}), &jpeg.Options{Quality: 85})
	return b.Bytes()
}

// Bomb is a decompression bomb for the tests: a tiny PNG whose header
// declares a 100000 × 100000 canvas.
func Bomb() []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 100000)
	binary.BigEndian.PutUint32(ihdr[4:], 100000)
	ihdr[8], ihdr[9] = 8, 2
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}
