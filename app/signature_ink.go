package app

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// A drawn signature must carry ink: the pad sends a PNG of the canvas, and a
// blank or fully transparent one would be stored and shown as "Drawn by
// hand" with nothing in it.

// Limits of a signature image: the pad is a few hundred CSS pixels at most 2×,
// so these leave room for any screen while refusing a small file that
// declares a huge image (decoding allocates width×height×4 bytes).
const (
	maxSignatureSide   = 4000
	maxSignaturePixels = 4_000_000
)

// isInk is a pixel that shows on the white page: mostly opaque and clearly
// darker than white.
func isInk(c color.Color) bool {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return n.A >= 0x40 && int(n.R)+int(n.G)+int(n.B) < 3*0xe0
}

// signaturePNGInk decodes a signature PNG within the size limits and reports
// whether any pixel carries ink. ok is false when the bytes are not such a PNG.
func signaturePNGInk(b []byte) (ink, ok bool) {
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width < 1 || cfg.Height < 1 || cfg.Width > maxSignatureSide ||
		cfg.Height > maxSignatureSide || cfg.Width*cfg.Height > maxSignaturePixels {
		return false, false
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return false, false
	}
	return hasInk(img), true
}

func hasInk(img image.Image) bool {
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if isInk(img.At(x, y)) {
				return true
			}
		}
	}
	return false
}
