package app

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime/multipart"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/media"
	"partnerportal/app/resource"
	"partnerportal/app/training"
	"partnerportal/queries"
)

// upload is a stored file's key, sniffed type and name.
type upload struct{ Key, Type, Name string }

func randomHex() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// formFile returns the uploaded file of a field, or nil when none was sent.
func formFile(c *fiber.Ctx, field string) *multipart.FileHeader {
	if !strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEMultipartForm) {
		return nil
	}
	fh, err := c.FormFile(field)
	if err != nil || fh == nil || fh.Size == 0 {
		return nil
	}
	return fh
}

// storeTrainingFile stores an uploaded image, re-encoded: "cover" (JPEG
// 1280×720 filled) or "badge" (PNG 256×256). Lesson videos and attachments
// stream instead (console_training_upload.go).
func (h *Handler) storeTrainingFile(c *fiber.Ctx, fh *multipart.FileHeader, prefix, kind string) (upload, string) {
	f, err := fh.Open()
	if err != nil {
		return upload{}, "The file could not be read; try again."
	}
	defer f.Close()
	u := upload{Name: media.DispositionName(fh.Filename, kind)}
	w, hgt, fill, format, ext, mime := 1280, 720, true, media.JPEG, ".jpg", "image/jpeg"
	if kind == "badge" {
		w, hgt, fill, format, ext, mime = 256, 256, false, media.PNG, ".png", "image/png"
	}
	b, _, err := media.Image(f, w, hgt, fill, format)
	if err != nil {
		return upload{}, "Upload a PNG, JPEG, GIF or WebP image."
	}
	u.Type, u.Key = mime, prefix+"/"+kind+"-"+randomHex()+ext
	if h.Files == nil {
		return upload{}, "File uploads are not configured."
	}
	if _, err := h.Files.Put(c.Context(), u.Key, bytes.NewReader(b), int64(len(b)), u.Type); err != nil {
		h.Log.Warn("training upload failed", "kind", kind, "err", err)
		return upload{}, "The file could not be stored; try again."
	}
	return u, ""
}

func coursePrefix(orgID, courseID int64) string {
	return fmt.Sprintf("org/%d/training/courses/%d", orgID, courseID)
}

func (h *Handler) uploadCourseCover(c *fiber.Ctx) error {
	u := currentUser(c)
	co, err := h.staffCourse(c)
	if err != nil {
		return err
	}
	fh := formFile(c, "cover")
	if fh == nil {
		return h.renderConsoleCourse(c, fiber.StatusUnprocessableEntity, co, map[string]string{"cover": "Choose an image to upload."}, nil)
	}
	up, msg := h.storeTrainingFile(c, fh, coursePrefix(u.OrganizationID, co.ID), "cover")
	if msg != "" {
		return h.renderConsoleCourse(c, fiber.StatusUnprocessableEntity, co, map[string]string{"cover": msg}, nil)
	}
	if err := h.Store.SetCourseCover(c.Context(), queries.SetCourseCoverParams{Now: h.Clock.Now(), OrganizationID: u.OrganizationID, ID: co.ID, CoverKey: up.Key}); err != nil {
		return err
	}
	h.flash(c, "Cover image saved.")
	return redirect(c, fmt.Sprintf("/console/training/courses/%d", co.ID))
}

type lessonInput struct {
	Title, Body, Embed string
	Video, Attachment  *upload
}

// files are the lesson's newly stored files.
func (in lessonInput) files() map[string]upload {
	m := map[string]upload{}
	if in.Video != nil {
		m["video"] = *in.Video
	}
	if in.Attachment != nil {
		m["attachment"] = *in.Attachment
	}
	return m
}

// readLessonForm reads and validates a lesson. A multipart form streams
// (readLessonUpload: its files are stored as they arrive and deleted again
// when the form is refused); a URL-encoded one has no files. status is the
// refusal's (422, or 413 for a file over the limit) when errs is not empty.
func (h *Handler) readLessonForm(c *fiber.Ctx, co queries.Course) (in lessonInput, errs, form map[string]string, status int, err error) {
	u := currentUser(c)
	var vals url.Values
	files := map[string]upload{}
	if streamedUpload(c) {
		v, f, err := h.readLessonUpload(c, coursePrefix(u.OrganizationID, co.ID))
		var r *errUploadRefused
		if errors.As(err, &r) {
			return in, map[string]string{r.field: r.msg}, lessonFormValues(v), r.status, nil
		}
		if err != nil {
			return in, nil, nil, 0, err
		}
		vals, files = v, f
	} else {
		vals = url.Values{"title": {c.FormValue("title")}, "body": {c.FormValue("body")}, "embed": {c.FormValue("embed")}}
	}
	form = lessonFormValues(vals)
	errs = map[string]string{}
	in = lessonInput{Title: form["title"], Body: form["body"]}
	if l := len([]rune(in.Title)); l < 1 || l > 200 {
		errs["title"] = "Give the lesson a title of up to 200 characters."
	}
	if len([]rune(in.Body)) > 100000 {
		errs["body"] = "At most 100,000 characters."
	}
	embed, err := training.EmbedURL(form["embed"])
	if err != nil {
		errs["embed"] = "Videos can be embedded from YouTube or Vimeo (an https:// link)."
	}
	in.Embed = embed
	video, hasVideo := files["video"]
	if hasVideo && in.Embed != "" {
		errs["video"] = "Upload a video or give an embed link, not both."
	}
	if len(errs) > 0 {
		h.dropUploads(c.Context(), files)
		return in, errs, form, fiber.StatusUnprocessableEntity, nil
	}
	if hasVideo {
		in.Video = &video
	}
	if a, ok := files["attachment"]; ok {
		in.Attachment = &a
	}
	return in, nil, form, 0, nil
}

func lessonFormValues(v url.Values) map[string]string {
	return map[string]string{"title": strings.TrimSpace(v.Get("title")), "body": v.Get("body"), "embed": strings.TrimSpace(v.Get("embed"))}
}

func (h *Handler) addLesson(c *fiber.Ctx) error {
	u := currentUser(c)
	co, err := h.staffCourse(c)
	if err != nil {
		return err
	}
	in, errs, form, status, err := h.readLessonForm(c, co)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		lessonErrs := map[string]string{}
		for k, v := range errs {
			lessonErrs["lesson_"+k] = v
		}
		return h.renderConsoleCourse(c, status, co, lessonErrs, mergeForm(courseFormValues(co), form))
	}
	p := queries.CreateLessonParams{Now: h.Clock.Now(), OrganizationID: u.OrganizationID, CourseID: co.ID, Title: in.Title, BodyMd: in.Body, EmbedUrl: in.Embed}
	if in.Video != nil {
		p.VideoKey, p.VideoType = in.Video.Key, in.Video.Type
	}
	if in.Attachment != nil {
		p.AttachmentKey, p.AttachmentName, p.AttachmentType = in.Attachment.Key, in.Attachment.Name, in.Attachment.Type
	}
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		if _, err := q.CreateLesson(c.Context(), p); err != nil {
			return err
		}
		return q.BumpCourseVersion(c.Context(), queries.BumpCourseVersionParams{Now: h.Clock.Now(), OrganizationID: u.OrganizationID, ID: co.ID})
	})
	if err != nil {
		h.dropUploads(c.Context(), in.files())
		return err
	}
	h.flash(c, "Lesson added.")
	return redirect(c, fmt.Sprintf("/console/training/courses/%d#lessons", co.ID))
}

func mergeForm(a, b map[string]string) map[string]string {
	for k, v := range b {
		a["lesson_"+k] = v
	}
	return a
}

// staffLesson is the :lesson of the :id course of the organization.
func (h *Handler) staffLesson(c *fiber.Ctx) (queries.Course, queries.Lesson, error) {
	co, err := h.staffCourse(c)
	if err != nil {
		return co, queries.Lesson{}, err
	}
	id, err := c.ParamsInt("lesson")
	if err != nil || id <= 0 {
		return co, queries.Lesson{}, fiber.ErrNotFound
	}
	l, err := h.Store.GetLesson(c.Context(), queries.GetLessonParams{OrganizationID: co.OrganizationID, CourseID: co.ID, ID: int64(id)})
	return co, l, err
}

type consoleLessonData struct {
	Course    queries.Course
	Lesson    queries.Lesson
	MaxUpload string // UPLOAD_MAX_BYTES, e.g. "100 MB"
}

func (h *Handler) showConsoleLesson(c *fiber.Ctx) error {
	co, l, err := h.staffLesson(c)
	if err != nil {
		return err
	}
	return h.renderConsoleLesson(c, fiber.StatusOK, co, l, nil, map[string]string{"title": l.Title, "body": l.BodyMd, "embed": l.EmbedUrl})
}

func (h *Handler) renderConsoleLesson(c *fiber.Ctx, status int, co queries.Course, l queries.Lesson, errs, form map[string]string) error {
	p := h.newPage(c, "Lesson: "+l.Title)
	p.Section = "training"
	p.Data, p.Errors, p.Form = &consoleLessonData{Course: co, Lesson: l, MaxUpload: resource.Size(h.Config.UploadMaxBytes)}, errs, form
	return h.render(c, status, "pages/console_lesson", "", p)
}

// saveLesson edits a lesson; its id stays, so progress on it is kept. A
// published course gets a new version.
func (h *Handler) saveLesson(c *fiber.Ctx) error {
	u := currentUser(c)
	co, l, err := h.staffLesson(c)
	if err != nil {
		return err
	}
	in, errs, form, status, err := h.readLessonForm(c, co)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderConsoleLesson(c, status, co, l, errs, form)
	}
	now := h.Clock.Now()
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		if _, err := q.UpdateLesson(c.Context(), queries.UpdateLessonParams{OrganizationID: u.OrganizationID, CourseID: co.ID, ID: l.ID,
			Title: in.Title, BodyMd: in.Body, EmbedUrl: in.Embed}); err != nil {
			return err
		}
		if in.Video != nil {
			if err := q.SetLessonVideo(c.Context(), queries.SetLessonVideoParams{OrganizationID: u.OrganizationID, ID: l.ID, VideoKey: in.Video.Key, VideoType: in.Video.Type}); err != nil {
				return err
			}
		}
		if in.Attachment != nil {
			if err := q.SetLessonAttachment(c.Context(), queries.SetLessonAttachmentParams{OrganizationID: u.OrganizationID, ID: l.ID,
				AttachmentKey: in.Attachment.Key, AttachmentName: in.Attachment.Name, AttachmentType: in.Attachment.Type}); err != nil {
				return err
			}
		}
		return q.BumpCourseVersion(c.Context(), queries.BumpCourseVersionParams{Now: now, OrganizationID: u.OrganizationID, ID: co.ID})
	})
	if err != nil {
		h.dropUploads(c.Context(), in.files())
		return err
	}
	h.flash(c, "Lesson saved.")
	return redirect(c, fmt.Sprintf("/console/training/courses/%d#lessons", co.ID))
}

// removeLesson takes a lesson out of the course (kept for the record:
// progress elsewhere in the course is unaffected).
func (h *Handler) removeLesson(c *fiber.Ctx) error {
	u := currentUser(c)
	co, l, err := h.staffLesson(c)
	if err != nil {
		return err
	}
	now := h.Clock.Now()
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		if err := q.RemoveLesson(c.Context(), queries.RemoveLessonParams{Now: now, OrganizationID: u.OrganizationID, CourseID: co.ID, ID: l.ID}); err != nil {
			return err
		}
		return q.BumpCourseVersion(c.Context(), queries.BumpCourseVersionParams{Now: now, OrganizationID: u.OrganizationID, ID: co.ID})
	})
	if err != nil {
		return err
	}
	h.flash(c, "Lesson removed.")
	return redirect(c, fmt.Sprintf("/console/training/courses/%d#lessons", co.ID))
}

// moveLesson moves a lesson one place up or down.
func (h *Handler) moveLesson(c *fiber.Ctx) error {
	u := currentUser(c)
	co, l, err := h.staffLesson(c)
	if err != nil {
		return err
	}
	dir := c.FormValue("dir")
	if dir != "up" && dir != "down" {
		return h.renderConsoleCourse(c, fiber.StatusUnprocessableEntity, co, map[string]string{"move": "Move a lesson up or down."}, nil)
	}
	now := h.Clock.Now()
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		list, err := q.ListLessonsForStaff(c.Context(), queries.ListLessonsForStaffParams{OrganizationID: u.OrganizationID, CourseID: co.ID})
		if err != nil {
			return err
		}
		ids := make([]int64, len(list))
		for i, x := range list {
			ids[i] = x.ID
		}
		for i, id := range ids {
			if id != l.ID {
				continue
			}
			j := i - 1
			if dir == "down" {
				j = i + 1
			}
			if j < 0 || j >= len(ids) {
				return nil
			}
			ids[i], ids[j] = ids[j], ids[i]
			break
		}
		for pos, id := range ids {
			if err := q.SetLessonPosition(c.Context(), queries.SetLessonPositionParams{OrganizationID: u.OrganizationID, CourseID: co.ID, ID: id, Position: int32(pos)}); err != nil {
				return err
			}
		}
		return q.BumpCourseVersion(c.Context(), queries.BumpCourseVersionParams{Now: now, OrganizationID: u.OrganizationID, ID: co.ID})
	})
	if err != nil {
		return err
	}
	return redirect(c, fmt.Sprintf("/console/training/courses/%d#lessons", co.ID))
}
