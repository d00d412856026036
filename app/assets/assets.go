// Package assets serves the static files: each under a URL fingerprinted by
// its content (/static/app.3f2a9c1d0e.css), cached by browsers for a year as
// immutable, and precompressed once with brotli and gzip. The plain URL
// (/static/app.css) still answers, with an ETag and "no-cache", for anything
// that links to it directly.
package assets

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
)

// Prefix is where the files are served.
const Prefix = "/static/"

// Immutable is the Cache-Control of a fingerprinted URL.
const Immutable = "public, max-age=31536000, immutable"

// Asset is one file in every form it is served in.
type Asset struct {
	Name         string // app.css
	Fingerprint  string // app.3f2a9c1d0e.css
	Type         string
	ETag         string // strong, from the content hash
	Body         []byte
	Gzip, Brotli []byte // nil when compressing does not pay
}

// Set is every static file, by plain and by fingerprinted name.
type Set struct {
	byName, byPrint map[string]*Asset
}

// Load reads every file of fsys (flat), minifies the stylesheets and
// compresses the files that gain.
// A file named in transform is served as transform returns it (see Trim).
func Load(fsys fs.FS, transform map[string]func([]byte) []byte) (*Set, error) {
	s := &Set{byName: map[string]*Asset{}, byPrint: map[string]*Asset{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if f := transform[p]; f != nil {
			body = f(body)
		}
		if strings.HasSuffix(p, ".css") {
			body = []byte(MinifyCSS(string(body)))
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:5])
		ext := path.Ext(p)
		a := &Asset{Name: p, Fingerprint: strings.TrimSuffix(p, ext) + "." + hash + ext, ETag: `"` + hash + `"`, Body: body,
			Type: mime.TypeByExtension(ext)}
		if a.Type == "" {
			a.Type = fiber.MIMEOctetStream
		}
		if compressible(a.Type) && len(body) > 256 {
			if a.Brotli, err = brotliBytes(body); err != nil {
				return err
			}
			if a.Gzip, err = gzipBytes(body); err != nil {
				return err
			}
		}
		s.byName[p], s.byPrint[a.Fingerprint] = a, a
		return nil
	})
	return s, err
}

func compressible(typ string) bool {
	return strings.HasPrefix(typ, "text/") || strings.Contains(typ, "javascript") || strings.Contains(typ, "svg") ||
		strings.Contains(typ, "json")
}

func brotliBytes(b []byte) ([]byte, error) {
	var out bytes.Buffer
	w := brotli.NewWriterLevel(&out, brotli.BestCompression)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func gzipBytes(b []byte) ([]byte, error) {
	var out bytes.Buffer
	w, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// URL is the fingerprinted URL of a static file, for templates:
// {{asset "app.css"}}. An unknown name is a mistake in a template: it fails
// the render instead of linking to nothing.
func (s *Set) URL(name string) (string, error) {
	a, ok := s.byName[name]
	if !ok {
		return "", fmt.Errorf("assets: no static file %q", name)
	}
	return Prefix + a.Fingerprint, nil
}

// Get returns the asset served at a path under Prefix (plain or
// fingerprinted) and whether the path was the fingerprinted one.
func (s *Set) Get(name string) (a *Asset, fingerprinted bool) {
	if a, ok := s.byPrint[name]; ok {
		return a, true
	}
	return s.byName[name], false
}

// Handler serves GET and HEAD under Prefix; anything else passes on.
func (s *Set) Handler() fiber.Handler {
	return func(c *fiber.Ctx) error {
		m := c.Method()
		if (m != fiber.MethodGet && m != fiber.MethodHead) || !strings.HasPrefix(c.Path(), Prefix) {
			return c.Next()
		}
		a, fingerprinted := s.Get(strings.TrimPrefix(c.Path(), Prefix))
		if a == nil {
			return c.Next()
		}
		h := &c.Response().Header
		if fingerprinted {
			// The URL is the version: never revalidated, so no ETag.
			h.Set(fiber.HeaderCacheControl, Immutable)
		} else {
			h.Set(fiber.HeaderCacheControl, "no-cache") // revalidate: 304 while the ETag holds
			h.Set(fiber.HeaderETag, a.ETag)
		}
		if a.Gzip != nil || a.Brotli != nil {
			h.Set(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
		}
		h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		h.SetContentType(a.Type)
		if !fingerprinted && etagMatches(string(c.Request().Header.Peek(fiber.HeaderIfNoneMatch)), a.ETag) {
			return c.SendStatus(fiber.StatusNotModified)
		}
		body := a.Body
		switch enc := c.Get(fiber.HeaderAcceptEncoding); {
		case a.Brotli != nil && Accepts(enc, "br"):
			body = a.Brotli
			h.Set(fiber.HeaderContentEncoding, "br")
		case a.Gzip != nil && Accepts(enc, "gzip"):
			body = a.Gzip
			h.Set(fiber.HeaderContentEncoding, "gzip")
		}
		c.Status(fiber.StatusOK)
		return c.Send(body)
	}
}

// Accepts reports whether an Accept-Encoding header lists coding without
// refusing it (q=0).
func Accepts(header, coding string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), coding) {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// etagMatches implements If-None-Match's weak comparison for one ETag.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for part := range strings.SplitSeq(header, ",") {
		p := strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if p == "*" || p == etag {
			return true
		}
	}
	return false
}
