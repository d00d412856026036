// Package media decides what an uploaded file is and makes safe images from
// it. The type comes from the content (github.com/gabriel-vasile/mimetype),
// never from the file name or the browser's Content-Type. Images shown by the
// portal (previews, logos, course covers, badges) are decoded and encoded
// again (github.com/disintegration/imaging for the resize), so nothing but
// pixels survives: a polyglot's trailing script or an EXIF payload is gone,
// and an image whose header claims more than MaxPixels is refused before it is
// decoded (a decompression bomb never allocates its canvas).
package media

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif" // decoders for the image formats uploads may use
	"image/jpeg"
	"image/png"
	"io"
	"path"
	"strings"
	"unicode"

	"github.com/disintegration/imaging"
	"github.com/gabriel-vasile/mimetype"
	_ "golang.org/x/image/webp"
)

// SniffLen is how many leading bytes Sniff looks at.
const SniffLen = 3072

// MaxPixels bounds the canvas an uploaded image may declare (50 megapixels).
const MaxPixels = 50_000_000

// Sniff returns the MIME type of content that starts with head (no
// parameters, e.g. "application/pdf", "text/plain").
func Sniff(head []byte) string {
	m := mimetype.Detect(head)
	return strings.TrimSpace(strings.SplitN(m.String(), ";", 2)[0])
}

// SniffReader peeks at the start of r and returns its type and a reader that
// still yields every byte.
func SniffReader(r io.Reader) (string, io.Reader, error) {
	br := bufio.NewReaderSize(r, SniffLen)
	head, err := br.Peek(SniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return "", nil, err
	}
	return Sniff(head), br, nil
}

// SafeInline reports whether a file of this type may be shown in the page
// (previews, players). Everything else is served as an attachment only;
// HTML, SVG, XML and scripts never inline.
func SafeInline(mime string) bool {
	switch mime {
	case "image/png", "image/jpeg", "image/gif", "image/webp",
		"video/mp4", "video/webm", "audio/mpeg", "audio/ogg",
		"application/pdf", "text/plain":
		return true
	}
	return false
}

// IsImage reports whether Image can decode the type.
func IsImage(mime string) bool {
	switch mime {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
		return true
	}
	return false
}

// ErrNotImage is returned for content that is not a decodable raster image
// (SVG included: it is a document, not pixels).
var ErrNotImage = errors.New("not a PNG, JPEG, GIF or WebP image")

// ErrTooLarge is returned for an image whose declared canvas exceeds MaxPixels.
var ErrTooLarge = errors.New("the image is too large (more than 50 megapixels)")

// Format is an output encoding.
type Format int

const (
	PNG Format = iota
	JPEG
)

// Image decodes r and returns it re-encoded, fitted inside maxW × maxH
// (aspect kept, never enlarged); with fill set the result is exactly
// maxW × maxH, cropped to the centre. JPEG output is flattened on white.
func Image(r io.Reader, maxW, maxH int, fill bool, f Format) ([]byte, image.Point, error) {
	var buf bytes.Buffer
	// Check the declared size before decoding the pixels.
	cfg, kind, err := image.DecodeConfig(io.TeeReader(r, &buf))
	if err != nil {
		return nil, image.Point{}, ErrNotImage
	}
	switch kind {
	case "png", "jpeg", "gif", "webp":
	default:
		return nil, image.Point{}, ErrNotImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, image.Point{}, ErrTooLarge
	}
	img, _, err := image.Decode(io.MultiReader(&buf, r))
	if err != nil {
		return nil, image.Point{}, fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	var out image.Image
	b := img.Bounds()
	switch {
	case fill:
		out = imaging.Fill(img, maxW, maxH, imaging.Center, imaging.Lanczos)
	case b.Dx() > maxW || b.Dy() > maxH:
		out = imaging.Fit(img, maxW, maxH, imaging.Lanczos)
	default:
		out = imaging.Clone(img)
	}
	var w bytes.Buffer
	switch f {
	case JPEG:
		flat := image.NewRGBA(out.Bounds())
		draw.Draw(flat, flat.Bounds(), &image.Uniform{C: color.White}, image.Point{}, draw.Src)
		draw.Draw(flat, flat.Bounds(), out, out.Bounds().Min, draw.Over)
		err = jpeg.Encode(&w, flat, &jpeg.Options{Quality: 85})
	default:
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&w, out)
	}
	if err != nil {
		return nil, image.Point{}, err
	}
	return w.Bytes(), out.Bounds().Size(), nil
}

// DispositionName makes a file name safe for a Content-Disposition header and
// for a download: path parts, control characters, quotes and separators are
// removed, and it is never empty.
func DispositionName(name, fallback string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == '"' || r == '/' || r == '\\' || r == ';' || r == '%':
			b.WriteRune('_')
		case unicode.IsControl(r) || r == unicode.ReplacementChar:
		default:
			b.WriteRune(r)
		}
	}
	s := strings.Trim(strings.TrimSpace(b.String()), ".")
	if s == "" {
		s = fallback
	}
	if len(s) > 150 {
		s = s[len(s)-150:]
	}
	return s
}
