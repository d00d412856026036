package resource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"partnerportal/app/media"
	"partnerportal/app/storage"
)

// Limits of the work after an upload.
const (
	MaxText      = 1 << 20 // extracted text kept for search
	PreviewPages = 3       // PDF pages rendered
	PreviewW     = 1000    // preview images fit inside PreviewW × PreviewH
	PreviewH     = 1400
	toolTimeout  = 90 * time.Second
)

// Version is what Process needs to know about an uploaded file.
type Version struct {
	OrganizationID, ResourceID, ID int64
	Key                            string
	Type                           string
}

// Result is what the work produced. Err is the reason the preview failed,
// shown to people ("" when it worked); Text is "" when there is none.
type Result struct {
	Text  string
	Pages int
	Err   string
}

// Process extracts the text and makes the previews of one version, writing
// the preview images to files under PreviewKey. Running it twice writes the
// same keys again (idempotent). A returned error is a fault worth a retry
// (storage unreachable); a file that cannot be previewed is a Result with Err.
func Process(ctx context.Context, files storage.Store, v Version) (Result, error) {
	switch Kind(v.Type) {
	case KindImage:
		return processImage(ctx, files, v)
	case KindPDF:
		return processPDF(ctx, files, v)
	case KindText, KindMD:
		o, err := files.Open(ctx, v.Key)
		if err != nil {
			return Result{}, err
		}
		defer o.Close()
		b, err := io.ReadAll(io.LimitReader(o, MaxText))
		if err != nil {
			return Result{}, err
		}
		return Result{Text: CleanText(b)}, nil
	}
	return Result{}, nil
}

func processImage(ctx context.Context, files storage.Store, v Version) (Result, error) {
	o, err := files.Open(ctx, v.Key)
	if err != nil {
		return Result{}, err
	}
	defer o.Close()
	f := media.PNG
	if v.Type == "image/jpeg" {
		f = media.JPEG
	}
	img, _, err := media.Image(o, PreviewW, PreviewH, false, f)
	if err != nil {
		if errors.Is(err, media.ErrNotImage) || errors.Is(err, media.ErrTooLarge) {
			return Result{Err: "No preview: " + err.Error() + "."}, nil
		}
		return Result{}, err
	}
	if _, err := files.Put(ctx, PreviewKey(v.OrganizationID, v.ResourceID, v.ID, 1), bytes.NewReader(img), int64(len(img)), ""); err != nil {
		return Result{}, err
	}
	return Result{Pages: 1}, nil
}

func processPDF(ctx context.Context, files storage.Store, v Version) (Result, error) {
	dir, err := os.MkdirTemp("", "resource-pdf-*")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "in.pdf")
	if err := copyToFile(ctx, files, v.Key, src); err != nil {
		return Result{}, err
	}
	var res Result
	text, err := run(ctx, MaxText, "pdftotext", "-l", "200", "-enc", "UTF-8", "-q", src, "-")
	if err != nil {
		res.Err = "The text of this PDF could not be read."
	}
	res.Text = CleanText(text)
	if _, err := run(ctx, 0, "pdftoppm", "-png", "-r", "60", "-f", "1", "-l", fmt.Sprint(PreviewPages), src, filepath.Join(dir, "page")); err != nil {
		res.Err = "The pages of this PDF could not be drawn; it may be damaged or protected."
		return res, nil
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	sort.Strings(pages) // page-1 … page-3 (pdftoppm pads to the page count's width)
	for i, p := range pages {
		f, err := os.Open(p)
		if err != nil {
			return Result{}, err
		}
		img, _, err := media.Image(f, PreviewW, PreviewH, false, media.PNG)
		f.Close()
		if err != nil {
			res.Err = "The pages of this PDF could not be drawn: " + err.Error() + "."
			return res, nil
		}
		if _, err := files.Put(ctx, PreviewKey(v.OrganizationID, v.ResourceID, v.ID, i+1), bytes.NewReader(img), int64(len(img)), ""); err != nil {
			return Result{}, err
		}
		res.Pages = i + 1
	}
	if res.Pages == 0 {
		res.Err = "This PDF has no pages to show."
	}
	return res, nil
}

func copyToFile(ctx context.Context, files storage.Store, key, dst string) error {
	o, err := files.Open(ctx, key)
	if err != nil {
		return err
	}
	defer o.Close()
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, o); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// run runs a tool with a timeout and returns at most max bytes of its output
// (0: output discarded).
func run(ctx context.Context, max int64, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb bytes.Buffer
	if max > 0 {
		cmd.Stdout = &limitedWriter{w: &out, left: max}
	}
	cmd.Stderr = &limitedWriter{w: &errb, left: 4096}
	if err := cmd.Run(); err != nil {
		return out.Bytes(), fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}

type limitedWriter struct {
	w    io.Writer
	left int64
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	n := len(p)
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	l.left -= int64(len(p))
	_, err := l.w.Write(p)
	return n, err
}

// CleanText makes extracted bytes storable text: valid UTF-8, no NUL or
// other control characters but newlines and tabs, form feeds as newlines.
func CleanText(b []byte) string {
	if !utf8.Valid(b) {
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\f' || r == '\r':
			return '\n'
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, string(b))
}
