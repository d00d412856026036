package app

import (
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Header limits. fasthttp reads a request's headers into one buffer
// (readBufferSize) and, when they do not fit, refuses the request before it
// has even parsed the request line: its 431 cannot know the path, so it cannot
// tell an API client (JSON) from a browser (a page). maxHeaderBytes is our own
// limit, checked first thing with the path known; the buffer leaves room
// above it so that ours is the one people meet.
const (
	maxHeaderBytes = 8 << 10
	readBufferSize = 16 << 10
)

// errHeadersTooLarge is our 431 (the path is known, so handleError answers the
// API in JSON and a browser with a page).
var errHeadersTooLarge = fiber.NewError(fiber.StatusRequestHeaderFieldsTooLarge,
	"The request's headers are too large. Clear this site's cookies and try again.")

// limitHeaders runs before every route, hot routes included.
func limitHeaders(c *fiber.Ctx) error {
	h := &c.Request().Header
	if len(h.RawHeaders())+len(h.RequestURI()) > maxHeaderBytes {
		return errHeadersTooLarge
	}
	return c.Next()
}

// maxBodyBytes is the body limit of every request but the streamed uploads.
// fasthttp streams request bodies (StreamRequestBody, for the uploads), so
// the limit is ours: a larger body is refused before it is read.
const maxBodyBytes = 2 << 20

// streamedUpload reports whether the request is an upload whose handler
// reads the body as a stream and applies UPLOAD_MAX_BYTES per file: the two
// Partner Room uploads, and a training lesson's form (a video, an
// attachment) when it is sent as multipart (a lesson form without files may
// come URL-encoded: that one is an ordinary body).
func streamedUpload(c *fiber.Ctx) bool {
	if c.Method() != fiber.MethodPost {
		return false
	}
	p := c.Path()
	if p == "/console/resources" || (strings.HasPrefix(p, "/console/resources/") && strings.HasSuffix(p, "/files")) {
		return true
	}
	return lessonUploadPath(p) && strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEMultipartForm)
}

// lessonUploadPath: /console/training/courses/{id}/lessons (a new lesson)
// and /console/training/courses/{id}/lessons/{lesson} (an edited one).
func lessonUploadPath(p string) bool {
	rest, ok := strings.CutPrefix(p, "/console/training/courses/")
	if !ok {
		return false
	}
	id, rest, _ := strings.Cut(rest, "/")
	lesson, ok := strings.CutPrefix(rest, "lessons")
	if !digits(id) || !ok {
		return false
	}
	return lesson == "" || (lesson[0] == '/' && digits(lesson[1:]))
}

func digits(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// limitBody runs before every route, hot routes included.
func limitBody(c *fiber.Ctx) error {
	if streamedUpload(c) {
		// The handler may refuse the upload before reading all of its body
		// (CSRF, a type or size refused): the rest of that body must not be
		// read as the connection's next request, so the connection ends
		// with the answer.
		c.Context().SetConnectionClose()
		return c.Next()
	}
	n := c.Request().Header.ContentLength()
	if n > maxBodyBytes {
		c.Context().SetConnectionClose() // the body stays unread
		return fiber.NewError(fiber.StatusRequestEntityTooLarge, "The request is too large.")
	}
	// Bodies stream (StreamRequestBody) only for the uploads above; every
	// other route gets its body read here, up to the limit, so that a
	// handler or middleware that refuses a request without reading its
	// body never leaves the rest of it on the connection (the client's
	// write would be reset).
	if c.Request().IsBodyStream() {
		b, err := io.ReadAll(io.LimitReader(c.Context().RequestBodyStream(), maxBodyBytes+1))
		if err != nil {
			return fiber.NewError(fiber.StatusBadRequest, "The request body could not be read.")
		}
		if len(b) > maxBodyBytes {
			return fiber.NewError(fiber.StatusRequestEntityTooLarge, "The request is too large.")
		}
		c.Request().SetBody(b)
	}
	return c.Next()
}
