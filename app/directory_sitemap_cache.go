package app

import (
	"bytes"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/valyala/fasthttp"
)

// sitemapKey is what a directory's sitemap depends on: the organization, its
// public address and the version of its published profiles (count, sum of
// ids, last update; PublishedProfilesVersion).
type sitemapKey struct {
	org, n, idSum, last int64
	base                string
}

// sitemap is a rendered sitemap with its compressed forms.
type sitemap struct{ raw, gzip, br []byte }

func newSitemap(raw []byte) *sitemap {
	var br bytes.Buffer
	w := brotli.NewWriterLevel(&br, brotliQuality)
	_, _ = w.Write(raw) // a bytes.Buffer does not fail
	_ = w.Close()
	return &sitemap{raw: raw, gzip: fasthttp.AppendGzipBytesLevel(nil, raw, fasthttp.CompressDefaultCompression), br: br.Bytes()}
}

// sitemapCache keeps the newest sitemap of each organization (one entry
// per organization: an older version is replaced, never served).
type sitemapCache struct {
	mu sync.Mutex
	m  map[int64]sitemapEntry
}

type sitemapEntry struct {
	key sitemapKey
	sm  *sitemap
}

func (c *sitemapCache) get(k sitemapKey) *sitemap {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k.org]; ok && e.key == k {
		return e.sm
	}
	return nil
}

func (c *sitemapCache) put(k sitemapKey, sm *sitemap) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]sitemapEntry{}
	}
	c.m[k.org] = sitemapEntry{key: k, sm: sm}
}
