package app

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"

	"github.com/gofiber/fiber/v2"
)

// streamedForm reads a streamed multipart upload (streamedUpload) part by
// part, with what every such form shares: the body is read as it arrives
// (never c.Body() on a stream: it would read the whole upload into memory),
// the number of parts is bounded, a field name that is not storable text is
// refused, and when the CSRF check was deferred to the body the token must
// be the first part, before anything is stored. Used by the Partner Room
// and lesson uploads.
type streamedForm struct {
	c        *fiber.Ctx
	body     io.Reader
	mr       *multipart.Reader
	deferred bool // the CSRF token is still to come
	parts    int
	maxParts int
	// The form fields a refusal is shown at: a body that cannot be read, a
	// field name that is not text.
	readField, nameField string
}

func newStreamedForm(c *fiber.Ctx, boundary string, maxParts int, readField, nameField string) *streamedForm {
	var body io.Reader
	if c.Request().IsBodyStream() {
		body = c.Context().RequestBodyStream()
	} else {
		body = bytes.NewReader(c.Body())
	}
	deferred, _ := c.Locals(localCSRFDeferred).(bool)
	return &streamedForm{c: c, body: body, mr: multipart.NewReader(body, boundary), deferred: deferred,
		maxParts: maxParts, readField: readField, nameField: nameField}
}

// next is the next part after the CSRF token, with its field name; io.EOF
// after the last one (then finish).
func (f *streamedForm) next() (*multipart.Part, string, error) {
	for {
		part, err := f.mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, "", io.EOF
		}
		n := f.parts
		f.parts++
		if err != nil || n > f.maxParts {
			return nil, "", &errUploadRefused{fiber.StatusBadRequest, f.readField, "The upload could not be read. Reload the page and try again."}
		}
		name := part.FormName()
		if !storable([]byte(name)) {
			return nil, "", &errUploadRefused{fiber.StatusUnprocessableEntity, f.nameField, (&badInput{Field: fieldLabel([]byte(name))}).Message()}
		}
		if f.deferred {
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			if name != "_csrf" {
				b = nil
			}
			if err := checkStreamedCSRF(f.c, string(b)); err != nil {
				return nil, "", err
			}
			f.deferred = false
			continue
		}
		return part, name, nil
	}
}

// finish checks that the token came (a form of no parts has none) and reads
// what follows the closing boundary (an epilogue, the chunked encoding's
// end) so the connection is left at the next request.
func (f *streamedForm) finish() error {
	if f.deferred {
		return checkStreamedCSRF(f.c, "")
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(f.body, 64<<10))
	return nil
}
