package app

import (
	"bytes"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"partnerportal/app/assets"
)

// brotliQuality for pages: quality 5 is the first with the better match
// finder, 7 % smaller pages than 4 (Fiber's default) for about the same time
// once the writer is reused; higher qualities gain under 1 % for several
// times the time (docs/BENCHMARKS.md, "Page weight").
const brotliQuality = 5

var brotliWriters = sync.Pool{New: func() any { return brotli.NewWriterLevel(nil, brotliQuality) }}

// compressResponses compresses pages and fragments (HTML, JSON, text) with
// brotli or gzip when the client asks for it. Static files arrive already
// compressed (app/assets) and tiny bodies are left alone.
func compressResponses(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err
	}
	res := c.Response()
	if res.IsBodyStream() {
		// Files (downloads, previews, video) stream from storage: reading
		// one here would hold it whole in memory. The types worth
		// compressing are pages, which are never streams.
		return nil
	}
	body := res.Body()
	if len(body) < 256 || len(res.Header.Peek(fiber.HeaderContentEncoding)) > 0 || !compressibleType(res.Header.ContentType()) {
		return nil
	}
	c.Vary(fiber.HeaderAcceptEncoding)
	switch enc := c.Get(fiber.HeaderAcceptEncoding); {
	case assets.Accepts(enc, "br"):
		var out bytes.Buffer
		out.Grow(len(body) / 3)
		w := brotliWriters.Get().(*brotli.Writer)
		w.Reset(&out)
		_, err := w.Write(body)
		if err == nil {
			err = w.Close()
		}
		brotliWriters.Put(w)
		if err != nil {
			return err
		}
		res.SetBodyRaw(out.Bytes())
		res.Header.Set(fiber.HeaderContentEncoding, "br")
	case assets.Accepts(enc, "gzip"):
		res.SetBodyRaw(fasthttp.AppendGzipBytesLevel(nil, body, fasthttp.CompressDefaultCompression))
		res.Header.Set(fiber.HeaderContentEncoding, "gzip")
	}
	return nil
}

func compressibleType(ct []byte) bool {
	return bytes.HasPrefix(ct, []byte("text/")) || bytes.Contains(ct, []byte("json")) || bytes.Contains(ct, []byte("javascript")) ||
		bytes.Contains(ct, []byte("xml"))
}
