package app

// One rule at the edge for text we cannot store: a NUL byte or bytes that are
// not UTF-8 in any query parameter or form field (URL-encoded or multipart,
// names included) refuse the whole request with 422 and the field's name,
// before any handler reads it. PostgreSQL's text types refuse both (SQLSTATE
// 22021), so without this rule each handler had to remember it or answer
// 500. Nothing is saved: the handler never runs.

import (
	"bytes"
	"errors"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
)

// badInput names the first field whose name or value cannot be stored.
type badInput struct {
	Field string // the field's name as a person can read it
}

func (e *badInput) Error() string { return "unstorable characters in field " + e.Field }

// Message is what the person sees.
func (e *badInput) Message() string {
	return "The field “" + e.Field + "” contains characters the portal cannot store " +
		"(a NUL byte or text that is not UTF-8). Remove them and send it again."
}

// errUnreadableForm is a multipart body that does not parse.
var errUnreadableForm = errors.New("unreadable multipart form")

// storable is true for valid UTF-8 without NUL bytes.
func storable(b []byte) bool {
	return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0
}

// fieldLabel is a field name safe to show and log: valid UTF-8, no control
// characters, at most 60 characters.
func fieldLabel(name []byte) string {
	s := strings.ToValidUTF8(string(name), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '\uFFFD'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	if s == "" {
		s = "(no name)"
	}
	return s
}

// findBadInput returns the first query parameter or form field (name or
// value) that is not storable text, or nil. A multipart body that cannot be
// parsed is errUnreadableForm.
func findBadInput(c *fiber.Ctx) error {
	var bad []byte
	visit := func(k, v []byte) {
		if bad == nil && (!storable(k) || !storable(v)) {
			bad = append([]byte{}, k...)
		}
	}
	c.Request().URI().QueryArgs().VisitAll(visit)
	if bad != nil {
		return &badInput{Field: fieldLabel(bad)}
	}
	ct, _, _ := mime.ParseMediaType(string(c.Request().Header.ContentType()))
	switch ct {
	case fiber.MIMEApplicationForm:
		c.Request().PostArgs().VisitAll(visit)
	case fiber.MIMEMultipartForm:
		if streamedUpload(c) {
			break // the upload handler reads and checks its fields as they stream
		}
		form, err := c.MultipartForm()
		if err != nil {
			return errUnreadableForm
		}
		for k, vs := range form.Value {
			for _, v := range vs {
				visit([]byte(k), []byte(v))
			}
		}
		for k, fs := range form.File {
			for _, f := range fs {
				visit([]byte(k), []byte(f.Filename))
			}
		}
	}
	if bad != nil {
		return &badInput{Field: fieldLabel(bad)}
	}
	return nil
}

// checkInput is the middleware of the HTML routes: the refusal goes through
// handleError, so an htmx request gets the error fragment and any other
// request the error page.
func checkInput(c *fiber.Ctx) error {
	var bi *badInput
	switch err := findBadInput(c); {
	case errors.As(err, &bi):
		return fiber.NewError(fiber.StatusUnprocessableEntity, bi.Message())
	case err != nil:
		return fiber.NewError(fiber.StatusBadRequest, "The form could not be read. Reload the page and try again.")
	}
	return c.Next()
}

// apiInputProblem is the same rule for the JSON API (see api): a 422 with the
// field named in the API's own error shape.
func apiInputProblem(c *fiber.Ctx) error {
	var bi *badInput
	switch err := findBadInput(c); {
	case errors.As(err, &bi):
		return apiFields(map[string]string{bi.Field: bi.Message()})
	case err != nil:
		return apiFail(fiber.StatusBadRequest, "The multipart body could not be read.")
	}
	return nil
}
