package app

import (
	"bufio"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/media"
	"partnerportal/app/resource"
)

// A lesson's form (POST /console/training/courses/:id/lessons and
// …/lessons/:lesson) sent as multipart is on the streamed-upload path
// (streamedUpload): the 2 MB body limit does not apply, and its video and
// attachment stream into storage as they arrive, each sniffed by its bytes
// and bounded by UPLOAD_MAX_BYTES, never read whole into memory. A refused
// file is a 413 (over the limit) or a 422 (not an MP4/WebM video) with the
// message in place; files stored before a refusal are deleted, so nothing
// is half-saved.

// lessonBodyBytes bounds the Markdown field (100,000 characters of up to 4
// bytes each); other text fields get maxFieldBytes.
const lessonBodyBytes = 400_000 + 1024

// readLessonUpload reads the streamed multipart lesson form: the CSRF token
// first (when it was not sent as a header), the text fields, and the files
// "video" and "attachment", stored under prefix.
func (h *Handler) readLessonUpload(c *fiber.Ctx, prefix string) (url.Values, map[string]upload, error) {
	ctx := c.Context()
	fields := url.Values{}
	stored := map[string]upload{}
	mt, params, err := mime.ParseMediaType(string(c.Request().Header.ContentType()))
	if err != nil || mt != fiber.MIMEMultipartForm || params["boundary"] == "" {
		return fields, nil, &errUploadRefused{fiber.StatusBadRequest, "video", "The form could not be read. Reload the page and try again."}
	}
	max := h.Config.UploadMaxBytes
	// Two files at most, and the text around them.
	if n := c.Request().Header.ContentLength(); int64(n) > 2*max+1<<20 {
		return fields, nil, fileTooLarge(max, "", "video")
	}
	if h.Files == nil {
		return fields, nil, &errUploadRefused{fiber.StatusUnprocessableEntity, "video", "File uploads are not configured."}
	}
	form := newStreamedForm(c, params["boundary"], maxUploadFields, "video", "title")
	body := form.body
	fail := func(err error) (url.Values, map[string]upload, error) {
		h.dropUploads(ctx, stored)
		// A file refused (too large, not a video): read the rest of the
		// body (bounded above) so that the browser, still sending, gets the
		// answer rather than a reset connection. A forged or broken
		// request is not read further.
		var r *errUploadRefused
		if errors.As(err, &r) && (r.status == fiber.StatusRequestEntityTooLarge || r.status == fiber.StatusUnprocessableEntity) {
			_, _ = io.Copy(io.Discard, io.LimitReader(body, 2*max+2<<20))
		}
		return fields, nil, err
	}
	for {
		part, name, err := form.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(err)
		}
		if name != "video" && name != "attachment" {
			limit := int64(maxFieldBytes)
			if name == "body" {
				limit = lessonBodyBytes
			}
			b, err := io.ReadAll(io.LimitReader(part, limit+1))
			if err != nil || int64(len(b)) > limit {
				msg := "This field is too long."
				if shownField(name) != name {
					msg = "The field “" + fieldLabel([]byte(name)) + "” is too long."
				}
				return fail(&errUploadRefused{fiber.StatusUnprocessableEntity, shownField(name), msg})
			}
			if !storable(b) {
				return fail(&errUploadRefused{fiber.StatusUnprocessableEntity, shownField(name), (&badInput{Field: fieldLabel([]byte(name))}).Message()})
			}
			fields.Add(name, string(b))
			continue
		}
		fname := path.Base(strings.ReplaceAll(part.FileName(), `\`, "/"))
		if _, dup := stored[name]; part.FileName() == "" || dup {
			_, _ = io.Copy(io.Discard, io.LimitReader(part, 64<<10))
			continue // the file input left empty (or a second one: ignored)
		}
		if !storable([]byte(fname)) || len(fname) > 255 {
			return fail(&errUploadRefused{fiber.StatusUnprocessableEntity, name, "The file name cannot be used; rename the file."})
		}
		up, ok, err := h.receiveLessonFile(ctx, part, prefix, name, fname, max)
		if err != nil {
			var r *errUploadRefused
			if errors.As(err, &r) {
				return fail(err)
			}
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.Canceled) || errors.Is(err, multipart.ErrMessageTooLarge) {
				return fail(&errUploadRefused{fiber.StatusBadRequest, name, "The upload was interrupted. Try again."})
			}
			h.Log.Warn("training upload failed", "kind", name, "err", err)
			return fail(&errUploadRefused{fiber.StatusUnprocessableEntity, name, "The file could not be stored; try again."})
		}
		if ok {
			stored[name] = up
		}
	}
	if err := form.finish(); err != nil {
		return fail(err)
	}
	return fields, stored, nil
}

// receiveLessonFile streams one file to storage: sniffed by its first bytes
// (a video must be MP4 or WebM, whatever its name says), at most max bytes.
// An empty file is no file (ok false).
func (h *Handler) receiveLessonFile(ctx context.Context, r io.Reader, prefix, kind, fname string, max int64) (upload, bool, error) {
	br := bufio.NewReaderSize(r, media.SniffLen)
	head, err := br.Peek(media.SniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return upload{}, false, err
	}
	if len(head) == 0 {
		return upload{}, false, nil
	}
	typ := media.Sniff(head)
	if kind == "video" && typ != "video/mp4" && typ != "video/webm" {
		return upload{}, false, &errUploadRefused{fiber.StatusUnprocessableEntity, kind,
			"“" + fname + "” is not an MP4 or WebM video (its content is " + typ + "). Upload an MP4 or WebM video."}
	}
	u := upload{Key: prefix + "/" + kind + "-" + randomHex(), Type: typ, Name: media.DispositionName(fname, kind)}
	lr := &uploadLimit{r: br, left: max}
	if _, err := h.Files.Put(ctx, u.Key, lr, -1, typ); err != nil {
		_ = h.Files.Delete(context.WithoutCancel(ctx), u.Key)
		if lr.left < 0 {
			return upload{}, false, fileTooLarge(max, fname, kind)
		}
		return upload{}, false, err
	}
	return u, true, nil
}

// shownField is where the form shows a refusal of the field name: at the
// field, or at the title for a field the form does not have.
func shownField(name string) string {
	switch name {
	case "title", "body", "embed":
		return name
	}
	return "title"
}

// fileTooLarge is the 413 shown at the lesson form's field.
func fileTooLarge(max int64, fname, field string) error {
	what := "The file is"
	if fname != "" {
		what = "“" + fname + "” is"
	}
	hint := "Make it smaller."
	if field == "video" {
		hint = "Make it smaller, or put it on YouTube or Vimeo and give its link."
	}
	return &errUploadRefused{fiber.StatusRequestEntityTooLarge, field, what + " larger than " + resource.Size(max) + ", the upload limit. " + hint}
}

// dropUploads deletes files stored for a form that was then refused.
func (h *Handler) dropUploads(ctx context.Context, files map[string]upload) {
	for _, f := range files {
		_ = h.Files.Delete(context.WithoutCancel(ctx), f.Key)
	}
}

var errOverUploadLimit = errors.New("over the upload limit")

// uploadLimit yields at most left bytes of r; one more is an error (the
// storage's Put then fails and leaves nothing).
type uploadLimit struct {
	r    io.Reader
	left int64
}

func (l *uploadLimit) Read(p []byte) (int, error) {
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, errOverUploadLimit
	}
	return n, err
}
