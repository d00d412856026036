// Package storage keeps uploaded files (resources, course media, logos,
// invoice PDFs) behind one small interface, so the web tier and the workers
// do not care where the bytes live. Everything streams: Put reads from an
// io.Reader, Open hands back a ReadSeeker (HTTP Range requests seek in it), and
// no method holds a whole file in memory.
//
// Keys are chosen by the portal, never by a user: lowercase letters, digits
// and "/._-", no "..", no leading slash. Callers scope them by organization
// (e.g. "org/12/resources/34/v1").
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// ErrNotFound is returned for a key that holds nothing.
var ErrNotFound = errors.New("storage: not found")

// Info describes a stored object.
type Info struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// Object is an open stored file: read it, seek in it, close it.
type Object interface {
	io.ReadSeekCloser
	Info() Info
}

// Store is where files live.
type Store interface {
	// Put stores everything r yields under key, replacing what was there
	// only once the whole body arrived (a failed upload leaves nothing).
	// size is the expected length or -1 when unknown; a body of another
	// length is an error.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error)
	Open(ctx context.Context, key string) (Object, error)
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

var keyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._/-]{0,511}$`)

// CheckKey reports whether key is one the portal may use.
func CheckKey(key string) error {
	if !keyRE.MatchString(key) || strings.Contains(key, "..") || strings.Contains(key, "//") || strings.HasSuffix(key, "/") {
		return fmt.Errorf("storage: bad key %q", key)
	}
	return nil
}

// ErrSize is returned when a body is longer or shorter than announced, or
// longer than a limit.
var ErrSize = errors.New("storage: body size does not match")

// countingReader fails once more than max bytes were read.
type countingReader struct {
	r   io.Reader
	n   int64
	max int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.max >= 0 && c.n > c.max {
		return n, ErrSize
	}
	return n, err
}
