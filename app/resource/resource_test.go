package resource_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"

	"partnerportal/app/media"
	"partnerportal/app/resource"
	"partnerportal/app/storage"
)

func put(t *testing.T, s storage.Store, key string, b []byte) {
	t.Helper()
	if _, err := s.Put(context.Background(), key, bytes.NewReader(b), int64(len(b)), ""); err != nil {
		t.Fatal(err)
	}
}

func TestProcessPDF(t *testing.T) {
	s, _ := storage.NewLocal(t.TempDir())
	pdf, err := resource.SamplePDF("Battlecard", []string{"Our zeppelin integration wins deals.", "Second page", "Third", "Fourth"}, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got := media.Sniff(pdf); got != "application/pdf" {
		t.Fatalf("sniffed %s", got)
	}
	v := resource.Version{OrganizationID: 1, ResourceID: 2, ID: 3, Key: resource.FileKey(1, 2, 3), Type: "application/pdf"}
	put(t, s, v.Key, pdf)
	res, err := resource.Process(context.Background(), s, v)
	if err != nil {
		t.Fatal(err)
	}
	if res.Err != "" || res.Pages != 3 || !strings.Contains(res.Text, "zeppelin") {
		t.Fatalf("%+v", res)
	}
	for n := 1; n <= 3; n++ {
		o, err := s.Open(context.Background(), resource.PreviewKey(1, 2, 3, n))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(o)
		o.Close()
		if err != nil || cfg.Width == 0 || cfg.Width > resource.PreviewW {
			t.Errorf("page %d: %+v %v", n, cfg, err)
		}
	}
	// A damaged PDF is a failed preview with a reason, not an error to retry.
	put(t, s, "org/1/bad", append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("garbage "), 100)...))
	res, err = resource.Process(context.Background(), s, resource.Version{OrganizationID: 1, ResourceID: 2, ID: 4, Key: "org/1/bad", Type: "application/pdf"})
	if err != nil || res.Err == "" || res.Pages != 0 {
		t.Errorf("damaged: %+v %v", res, err)
	}
}

func TestProcessImageReencodesAndRefusesBombs(t *testing.T) {
	s, _ := storage.NewLocal(t.TempDir())
	ctx := context.Background()
	// A polyglot: a valid PNG with an HTML script appended.
	poly := append(resource.SamplePNG(2000, 500), []byte("<html><script>alert(1)</script></html>")...)
	put(t, s, "org/1/poly", poly)
	res, err := resource.Process(ctx, s, resource.Version{OrganizationID: 1, ResourceID: 1, ID: 1, Key: "org/1/poly", Type: "image/png"})
	if err != nil || res.Err != "" || res.Pages != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	o, _ := s.Open(ctx, resource.PreviewKey(1, 1, 1, 1))
	thumb, _ := io.ReadAll(o)
	o.Close()
	if bytes.Contains(thumb, []byte("script")) {
		t.Error("the polyglot's script survived")
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(thumb))
	if err != nil || cfg.Width != resource.PreviewW {
		t.Errorf("thumbnail %+v %v", cfg, err)
	}
	// A decompression bomb: a tiny PNG whose header claims 100000 × 100000.
	put(t, s, "org/1/bomb", resource.Bomb())
	res, err = resource.Process(ctx, s, resource.Version{OrganizationID: 1, ResourceID: 1, ID: 2, Key: "org/1/bomb", Type: "image/png"})
	if err != nil || res.Err == "" || res.Pages != 0 {
		t.Errorf("bomb: %+v %v", res, err)
	}
	if _, err := s.Stat(ctx, resource.PreviewKey(1, 1, 2, 1)); err == nil {
		t.Error("a preview was made of the bomb")
	}
}

func TestProcessTextAndTypes(t *testing.T) {
	s, _ := storage.NewLocal(t.TempDir())
	put(t, s, "org/1/t", []byte("# Template\n\nDear partner,\x00 the kumquat offer\r\n"))
	res, err := resource.Process(context.Background(), s, resource.Version{OrganizationID: 1, ResourceID: 1, ID: 1, Key: "org/1/t", Type: "text/markdown"})
	if err != nil || !strings.Contains(res.Text, "kumquat") || strings.ContainsRune(res.Text, 0) {
		t.Errorf("%+v %v", res, err)
	}
	cases := []struct{ sniffed, name, typ, kind, inline string }{
		{"text/plain", "a.MD", "text/markdown", resource.KindMD, "text/plain; charset=utf-8"},
		{"text/plain", "a.csv", "text/csv", resource.KindText, "text/plain; charset=utf-8"},
		{"text/html", "a.md", "text/html", resource.KindOther, ""},
		{"image/svg+xml", "a.png", "image/svg+xml", resource.KindOther, ""},
		{"text/xml", "a.txt", "text/xml", resource.KindOther, ""},
		{"application/zip", "a.zip", "application/zip", resource.KindOther, ""},
		{"video/webm", "a.webm", "video/webm", resource.KindVideo, "video/webm"},
		{"application/pdf", "a.txt", "application/pdf", resource.KindPDF, "application/pdf"},
	}
	for _, c := range cases {
		typ := resource.Type(c.sniffed, c.name)
		if typ != c.typ || resource.Kind(typ) != c.kind || resource.InlineType(typ) != c.inline {
			t.Errorf("%s %s: %s %s %q", c.sniffed, c.name, typ, resource.Kind(typ), resource.InlineType(typ))
		}
	}
	if resource.Allowed("text/html", []string{"application/pdf"}) || !resource.Allowed("application/pdf", []string{"application/pdf"}) {
		t.Error("Allowed")
	}
}

func TestReceive(t *testing.T) {
	s, _ := storage.NewLocal(t.TempDir())
	ctx := context.Background()
	allowed := []string{"application/pdf", "image/png", "text/markdown", "application/zip"}
	png := resource.SamplePNG(10, 10)
	got, err := resource.Receive(ctx, s, 7, "logo.PNG", bytes.NewReader(png), 1<<20, allowed)
	if err != nil || got.Type != "image/png" || got.Size != int64(len(png)) || !strings.HasPrefix(got.Key, "org/7/files/") || len(got.SHA256) != 32 {
		t.Fatalf("%+v %v", got, err)
	}
	// The name does not decide the type: HTML named .pdf is refused as HTML.
	_, err = resource.Receive(ctx, s, 7, "x.pdf", strings.NewReader("<!DOCTYPE html><html><script>alert(1)</script>"), 1<<20, allowed)
	var et resource.ErrType
	if !errors.As(err, &et) || et.Type != "text/html" {
		t.Errorf("html: %v", err)
	}
	_, err = resource.Receive(ctx, s, 7, "a.svg", strings.NewReader(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), 1<<20, allowed)
	if !errors.As(err, &et) {
		t.Errorf("svg: %v", err)
	}
	// Over the limit: refused while streaming, nothing left behind.
	_, err = resource.Receive(ctx, s, 7, "big.md", io.LimitReader(repeat('a'), 3<<20), 1<<20, allowed)
	var tl resource.ErrTooLarge
	if !errors.As(err, &tl) {
		t.Errorf("big: %v", err)
	}
	// Exactly the limit is fine.
	if _, err := resource.Receive(ctx, s, 7, "edge.md", io.LimitReader(repeat('a'), 1<<20), 1<<20, allowed); err != nil {
		t.Errorf("at the limit: %v", err)
	}
}

type repeat byte

func (r repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}
