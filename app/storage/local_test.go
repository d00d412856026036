package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"partnerportal/app/storage"
)

// StoreContract is what every back end must do; the S3 back end runs it too.
func StoreContract(t *testing.T, s storage.Store) {
	ctx := context.Background()
	body := bytes.Repeat([]byte("0123456789"), 100_000) // 1 MB
	info, err := s.Put(ctx, "org/1/a/v1", bytes.NewReader(body), int64(len(body)), "text/plain")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(body)) {
		t.Fatalf("size %d", info.Size)
	}
	o, err := s.Open(ctx, "org/1/a/v1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Seek(999_990, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	tail, _ := io.ReadAll(o)
	if string(tail) != "0123456789" {
		t.Errorf("ranged read %q", tail)
	}
	o.Close()
	// A body shorter or longer than announced is refused and leaves the old one.
	if _, err := s.Put(ctx, "org/1/a/v1", strings.NewReader("short"), 10, ""); err == nil {
		t.Error("short body accepted")
	}
	if _, err := s.Put(ctx, "org/1/a/v1", strings.NewReader("too long body"), 3, ""); err == nil {
		t.Error("long body accepted")
	}
	if st, err := s.Stat(ctx, "org/1/a/v1"); err != nil || st.Size != int64(len(body)) {
		t.Errorf("after refused puts: %+v %v", st, err)
	}
	if _, err := s.Open(ctx, "org/1/missing"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
	if err := s.Delete(ctx, "org/1/a/v1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(ctx, "org/1/a/v1"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if err := s.Delete(ctx, "org/1/a/v1"); err != nil {
		t.Errorf("second delete: %v", err)
	}
	for _, k := range []string{"../etc/passwd", "/abs", "a//b", "A/B", "a/../b", "", "a/"} {
		if _, err := s.Put(ctx, k, strings.NewReader("x"), 1, ""); err == nil {
			t.Errorf("key %q accepted", k)
		}
	}
}

func TestLocal(t *testing.T) {
	dir := t.TempDir()
	s, err := storage.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	StoreContract(t, s)
	// No temporary files are left behind by refused uploads.
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, _ error) error {
		if d != nil && strings.HasPrefix(d.Name(), ".upload-") {
			t.Errorf("left behind %s", p)
		}
		return nil
	})
}
