package app

// Helpers shared by the agreement pages: the partner's signing pages and the
// vendor console's agreement pages.

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// Limits of what staff write and partners sign.
const (
	maxAgreementTitle = 200
	maxAgreementBody  = 200000
	minSignerName     = 2
	maxSignerName     = 200
	maxSignatureURL   = 200 << 10 // bytes of the PNG data URL
	maxUserAgent      = 512
	pngDataURLPrefix  = "data:image/png;base64,"
)

// agreementHash is the SHA-256 of the exact text shown and signed.
func agreementHash(body string) []byte {
	sum := sha256.Sum256([]byte(body))
	return sum[:]
}

// paramID reads a positive numeric :id; anything else is a 404.
func paramID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

// formSwitch reads an on/off field: "on" is true, "off" or absent (an
// unticked checkbox) is false; anything else is a bad request.
func formSwitch(c *fiber.Ctx, name string) (bool, error) {
	switch c.FormValue(name) {
	case "on":
		return true, nil
	case "off", "":
		return false, nil
	}
	return false, fiber.NewError(fiber.StatusBadRequest, "The form sent an unexpected value. Reload the page and try again.")
}

// signatureImageProblem checks a drawn signature: a PNG data URL under the
// size limit whose base64 decodes to a PNG image. It returns the message to
// show beside the field, or "" when the image is acceptable.
func signatureImageProblem(dataURL string) string {
	if dataURL == "" {
		return "Draw your signature in the box, or choose to use your typed name instead."
	}
	if len(dataURL) >= maxSignatureURL {
		return "The drawn signature is too large. Clear it and draw it again, or use your typed name."
	}
	raw, ok := strings.CutPrefix(dataURL, pngDataURLPrefix)
	if !ok {
		return "The drawn signature could not be read. Clear it and draw it again, or use your typed name."
	}
	img, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(img) == 0 {
		return "The drawn signature could not be read. Clear it and draw it again, or use your typed name."
	}
	ink, ok := signaturePNGInk(img)
	if !ok {
		return "The drawn signature could not be read. Clear it and draw it again, or use your typed name."
	}
	if !ink {
		return "The signature box is empty. Draw your signature in it, or choose to use your typed name instead."
	}
	return ""
}

// drawnSignatureImage is the stored drawing when it is a PNG data URL with
// ink in it, else "" (a signature stored before blank drawings were refused).
func drawnSignatureImage(dataURL string) string {
	raw, ok := strings.CutPrefix(dataURL, pngDataURLPrefix)
	if !ok {
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return ""
	}
	if ink, ok := signaturePNGInk(b); !ok || !ink {
		return ""
	}
	return dataURL
}

// signatureView is one stored signature as the partner and the console show it.
type signatureView struct {
	queries.GetSignatureForPartnerRow
	SHA256     string       // hex of the hash stored with the signature
	TextIntact bool         // the version's text still hashes to it
	Image      template.URL // the drawn signature, checked to be a PNG data URL with ink
	// BlankDrawing: stored as drawn, but no readable drawing with ink (stored
	// before blank drawings were refused); the page never shows an empty box.
	BlankDrawing bool
}

func newSignatureView(row queries.GetSignatureForPartnerRow) signatureView {
	v := signatureView{
		GetSignatureForPartnerRow: row,
		SHA256:                    hex.EncodeToString(row.SignedTextSha256),
		TextIntact:                bytes.Equal(agreementHash(row.Body), row.SignedTextSha256),
	}
	if row.SignatureKind == "drawn" {
		if img := drawnSignatureImage(row.SignatureImage); img != "" {
			v.Image = template.URL(img) //nolint:gosec // a PNG data URL that decodes, checked just above
		} else {
			v.BlankDrawing = true
		}
	}
	return v
}
