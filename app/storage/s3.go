package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 keeps files in a bucket of any S3-compatible object store (AWS S3,
// MinIO, Ceph, Garage, versitygw...). The client is
// github.com/minio/minio-go/v7: one small dependency tree, SigV4 only,
// path-style requests for self-hosted stores, streaming multipart uploads of
// unknown length with a bounded part buffer, and a seekable object reader
// that turns each Seek into a ranged GET (so HTTP Range requests stay cheap).
type S3 struct {
	client *minio.Client
	bucket string
}

// S3Config is how to reach the bucket. Secret is never logged.
type S3Config struct {
	Endpoint  *url.URL // http(s)://host[:port]
	Bucket    string
	Region    string
	AccessKey string
	Secret    string
}

// s3PartSize bounds the memory one upload of unknown length holds (minio-go
// buffers one part at a time).
const s3PartSize = 16 << 20

// NewS3 connects and checks that the bucket exists.
func NewS3(ctx context.Context, c S3Config) (*S3, error) {
	if c.Endpoint == nil {
		return nil, errors.New("storage: no S3 endpoint")
	}
	cl, err := minio.New(c.Endpoint.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(c.AccessKey, c.Secret, ""),
		Secure:       c.Endpoint.Scheme == "https",
		Region:       c.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: S3 client: %w", err)
	}
	ok, err := cl.BucketExists(ctx, c.Bucket)
	if err != nil {
		return nil, fmt.Errorf("storage: S3 bucket %q: %w", c.Bucket, err)
	}
	if !ok {
		return nil, fmt.Errorf("storage: S3 bucket %q does not exist", c.Bucket)
	}
	return &S3{client: cl, bucket: c.Bucket}, nil
}

func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error) {
	if err := CheckKey(key); err != nil {
		return Info{}, err
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	body := r
	if size >= 0 {
		// minio-go reads exactly size bytes; exactReader makes a longer body
		// fail before the last byte is sent, so the PUT never completes.
		body = &exactReader{r: r, left: size}
	}
	_, err := s.client.PutObject(ctx, s.bucket, key, body, size, minio.PutObjectOptions{
		ContentType: contentType, PartSize: s3PartSize,
	})
	if err != nil {
		if errors.Is(err, ErrSize) || errors.Is(err, io.ErrUnexpectedEOF) {
			return Info{}, ErrSize
		}
		return Info{}, fmt.Errorf("storage: S3 put: %w", err)
	}
	return s.Stat(ctx, key)
}

func (s *S3) Open(ctx context.Context, key string) (Object, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	o, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.err(err)
	}
	st, err := o.Stat()
	if err != nil {
		o.Close()
		return nil, s.err(err)
	}
	return &s3Object{Object: o, info: Info{Key: key, Size: st.Size, ModTime: st.LastModified}}, nil
}

func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := CheckKey(key); err != nil {
		return Info{}, err
	}
	st, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s.err(err)
	}
	return Info{Key: key, Size: st.Size, ModTime: st.LastModified}, nil
}

func (s *S3) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if errors.Is(s.err(err), ErrNotFound) {
			return nil
		}
		return fmt.Errorf("storage: S3 delete: %w", err)
	}
	return nil
}

func (s *S3) err(err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.StatusCode == http.StatusNotFound || resp.Code == "NoSuchKey" {
		return ErrNotFound
	}
	return fmt.Errorf("storage: S3: %w", err)
}

type s3Object struct {
	*minio.Object
	info Info
}

func (o *s3Object) Info() Info { return o.info }

// exactReader yields exactly left bytes and fails (ErrSize) on a body that
// is shorter or longer: when the last announced byte is read, it probes for
// one more in the same call, so the error arrives before the reader's user
// sees the end.
type exactReader struct {
	r    io.Reader
	left int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left <= 0 {
		return e.probe(0)
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if e.left == 0 {
		return e.probe(n)
	}
	if errors.Is(err, io.EOF) {
		return n, ErrSize
	}
	return n, err
}

func (e *exactReader) probe(n int) (int, error) {
	var one [1]byte
	for {
		m, err := e.r.Read(one[:])
		if m > 0 {
			return n, ErrSize
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return n, io.EOF
			}
			return n, err
		}
	}
}
