package resource

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"partnerportal/app/media"
	"partnerportal/app/storage"
)

// ErrTooLarge is an upload over the configured limit.
type ErrTooLarge struct{ Max int64 }

func (e ErrTooLarge) Error() string {
	return fmt.Sprintf("files may be at most %s", Size(e.Max))
}

// Stored is one received file.
type Stored struct {
	Key    string
	Name   string
	Type   string
	Size   int64
	SHA256 []byte
}

// Receive streams one uploaded file into storage under a new key in the
// organization's folder: the type is sniffed from the first bytes (and must
// be allowed), the size is bounded by max while the bytes flow, and the
// SHA-256 is computed on the way. Nothing is held in memory beyond the
// sniffing buffer. A refused or failed upload leaves nothing stored.
func Receive(ctx context.Context, files storage.Store, orgID int64, name string, r io.Reader, max int64, allowed []string) (Stored, error) {
	sniffed, r, err := media.SniffReader(r)
	if err != nil {
		return Stored{}, err
	}
	typ := Type(sniffed, name)
	if !Allowed(typ, allowed) {
		return Stored{}, ErrType{Type: typ}
	}
	var rnd [16]byte
	_, _ = rand.Read(rnd[:]) // crypto/rand never fails on Linux
	key := fmt.Sprintf("org/%d/files/%s", orgID, hex.EncodeToString(rnd[:]))
	sum := sha256.New()
	lr := &limitReader{r: io.TeeReader(r, sum), left: max}
	info, err := files.Put(ctx, key, lr, -1, typ)
	if err != nil {
		_ = files.Delete(ctx, key)
		if errors.Is(err, errOverLimit) {
			return Stored{}, ErrTooLarge{Max: max}
		}
		return Stored{}, err
	}
	return Stored{Key: key, Name: name, Type: typ, Size: info.Size, SHA256: sum.Sum(nil)}, nil
}

var errOverLimit = errors.New("over the upload limit")

type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, errOverLimit
	}
	return n, err
}
