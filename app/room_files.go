package app

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/media"
	"partnerportal/app/resource"
	"partnerportal/app/storage"
)

// fileCSP is the Content-Security-Policy of every stored file we serve: a
// file opened on its own (a direct link, "open in new tab") runs in a
// sandbox with no scripts, forms or plugins and loads nothing.
const fileCSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"

// serveStored streams one stored file. Every file response carries nosniff,
// a Content-Disposition with a sanitised name and the sandbox CSP. inline is
// honoured only for a type resource.InlineType allows (never HTML, SVG or
// XML); otherwise the file is an attachment typed application/octet-stream.
// A single byte range (HTTP Range) is answered with 206, so the browser's
// player can seek in a video; nothing is read into memory.
func (h *Handler) serveStored(c *fiber.Ctx, key, name, typ string, inline bool) error {
	if key == "" || h.Files == nil {
		return fiber.ErrNotFound
	}
	obj, err := h.Files.Open(c.Context(), key)
	if errors.Is(err, storage.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	size := obj.Info().Size
	ctype := resource.InlineType(typ)
	disp := "inline"
	if !inline || ctype == "" {
		disp, ctype = "attachment", "application/octet-stream"
	}
	safe := media.DispositionName(name, "download")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Content-Security-Policy", fileCSP)
	c.Set("Content-Disposition", fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, disp, asciiName(safe), url.PathEscape(safe)))
	c.Set("Content-Type", ctype)
	c.Set("Accept-Ranges", "bytes")
	c.Set("Cache-Control", "private, no-store")
	start, length, partial, ok := byteRange(c.Get(fiber.HeaderRange), size)
	if !ok {
		obj.Close()
		c.Set("Content-Range", fmt.Sprintf("bytes */%d", size))
		return c.SendStatus(fiber.StatusRequestedRangeNotSatisfiable)
	}
	if partial {
		if _, err := obj.Seek(start, io.SeekStart); err != nil {
			obj.Close()
			return err
		}
		c.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, start+length-1, size))
		c.Status(fiber.StatusPartialContent)
	}
	if c.Method() == fiber.MethodHead {
		obj.Close()
		c.Response().Header.SetContentLength(int(length))
		return nil
	}
	// fasthttp closes the stream once it is sent (or the client left). A
	// whole file on local disk goes as the *os.File itself: fasthttp then
	// flushes the headers and the kernel copies it (sendfile).
	if f, ok := obj.(interface{ OSFile() *os.File }); ok && !partial {
		c.Response().SetBodyStream(f.OSFile(), int(length))
		return nil
	}
	c.Response().SetBodyStream(readCloser{io.LimitReader(obj, length), obj}, int(length))
	return nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// byteRange reads a Range header: one range (bytes=a-b, a-, -n) is served
// partially; none, several or a malformed one is served whole; an
// unsatisfiable one is refused (ok false).
func byteRange(h string, size int64) (start, length int64, partial, ok bool) {
	if !strings.HasPrefix(h, "bytes=") || strings.Contains(h, ",") {
		return 0, size, false, true
	}
	a, b, found := strings.Cut(strings.TrimSpace(h[len("bytes="):]), "-")
	if !found {
		return 0, size, false, true
	}
	switch {
	case a == "": // the last b bytes
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return 0, size, false, true
		}
		if size == 0 {
			return 0, 0, false, false
		}
		n = min(n, size)
		return size - n, n, true, true
	default:
		s, err := strconv.ParseInt(a, 10, 64)
		if err != nil || s < 0 {
			return 0, size, false, true
		}
		if s >= size {
			return 0, 0, false, false
		}
		e := size - 1
		if b != "" {
			x, err := strconv.ParseInt(b, 10, 64)
			if err != nil || x < s {
				return 0, size, false, true
			}
			e = min(x, size-1)
		}
		return s, e - s + 1, true, true
	}
}

// asciiName is the plain filename= fallback: non-ASCII becomes "_".
func asciiName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '_'
		}
		return r
	}, s)
}
