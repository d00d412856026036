package storage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"partnerportal/app/storage"
)

// VersityGW finds the versitygw binary (an S3-compatible server; `.ci/services`
// installs it into ~/.cache/partnerportal/bin). Missing under CI is a failure,
// elsewhere the S3 tests are skipped with the command that installs it.
func versityGW(t testing.TB) string {
	if p := os.Getenv("VERSITYGW"); p != "" {
		return p
	}
	if dir, err := os.UserCacheDir(); err == nil { // $XDG_CACHE_HOME or ~/.cache, as .ci/services
		p := filepath.Join(dir, "partnerportal", "bin", "versitygw")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	msg := "versitygw not found: run .ci/services (or GOBIN=~/.cache/partnerportal/bin go install github.com/versity/versitygw/cmd/versitygw@v1.8.0)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// StartS3 runs a real versitygw (posix back end in a temp dir) on a free port
// with a bucket, and returns the store's settings. The server stops with the test.
func StartS3(t testing.TB) storage.S3Config {
	bin := versityGW(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	data := t.TempDir()
	access, secret := "room11-access", "room11-secret-key-0123456789"
	cmd := exec.Command(bin, "--port", addr, "--access", access, "--secret", secret, "posix", data)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	cl, err := minio.New(addr, &minio.Options{Creds: credentials.NewStaticV4(access, secret, ""), BucketLookup: minio.BucketLookupPath, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for {
		err = cl.MakeBucket(ctx, "portal", minio.MakeBucketOptions{Region: "us-east-1"})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not come up: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return storage.S3Config{Endpoint: &url.URL{Scheme: "http", Host: addr}, Bucket: "portal", Region: "us-east-1", AccessKey: access, Secret: secret}
}

func TestS3(t *testing.T) {
	cfg := StartS3(t)
	ctx := context.Background()
	s, err := storage.NewS3(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	StoreContract(t, s)

	// A body of unknown length larger than one part streams up in parts.
	big := int64(40 << 20)
	if _, err := s.Put(ctx, "org/1/big", io.LimitReader(zeros{}, big), -1, "application/octet-stream"); err != nil {
		t.Fatal(err)
	}
	o, err := s.Open(ctx, "org/1/big")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if o.Info().Size != big {
		t.Errorf("size %d", o.Info().Size)
	}
	if _, err := o.Seek(big-4, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	tail, _ := io.ReadAll(o)
	if len(tail) != 4 {
		t.Errorf("tail %d bytes", len(tail))
	}

	// A wrong secret is refused by the server (it is a real S3, not a double).
	bad := cfg
	bad.Secret = "wrong-secret-0123456789"
	if _, err := storage.NewS3(ctx, bad); err == nil {
		t.Error("wrong secret accepted")
	} else if strings.Contains(err.Error(), bad.Secret) || strings.Contains(fmt.Sprint(err), cfg.Secret) {
		t.Error("the secret appears in the error")
	}
	if _, err := storage.NewS3(ctx, storage.S3Config{Endpoint: cfg.Endpoint, Bucket: "nope", AccessKey: cfg.AccessKey, Secret: cfg.Secret}); err == nil {
		t.Error("missing bucket accepted")
	}
	if _, err := s.Stat(ctx, "org/1/none"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("stat missing: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
