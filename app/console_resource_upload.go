package app

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/resource"
	"partnerportal/queries"
	"partnerportal/workers"
)

// The two Partner Room uploads, POST /console/resources (new resources: one
// per file, or one link) and POST /console/resources/:id/files (a new version
// of one resource). Their multipart bodies are read as they arrive
// (StreamRequestBody; limitBody and checkInput leave them alone): each file
// streams through resource.Receive into storage, sniffed and bounded by
// UPLOAD_MAX_BYTES, so a 100 MB upload never sits in memory. The database
// rows are written only once every file arrived, in one transaction, so a
// refused file leaves nothing half-saved. With JavaScript, static/upload.js
// sends one request per file and draws its progress bar.

const (
	maxUploadFiles  = 20
	maxUploadFields = 64
	maxFieldBytes   = 16 << 10
)

// errUploadRefused carries the status and field message of a refused upload.
type errUploadRefused struct {
	status int
	field  string
	msg    string
}

func (e *errUploadRefused) Error() string { return e.msg }

// readUpload reads the streamed multipart body: the fields (the CSRF token
// first when it was not sent as a header) and the files, stored as they come.
func (h *Handler) readUpload(c *fiber.Ctx, maxFiles int) (url.Values, []resource.Stored, error) {
	u := currentUser(c)
	ctx := c.Context()
	mt, params, err := mime.ParseMediaType(string(c.Request().Header.ContentType()))
	if err != nil || mt != fiber.MIMEMultipartForm || params["boundary"] == "" {
		return nil, nil, &errUploadRefused{fiber.StatusUnprocessableEntity, "file", "Choose a file to upload."}
	}
	if n := c.Request().Header.ContentLength(); maxFiles == 1 && int64(n) > h.Config.UploadMaxBytes+1<<20 {
		return nil, nil, tooLarge(h.Config.UploadMaxBytes, "")
	}
	form := newStreamedForm(c, params["boundary"], maxUploadFields+maxUploadFiles, "file", "file")
	fields := url.Values{}
	var stored []resource.Stored
	fail := func(err error) (url.Values, []resource.Stored, error) {
		for _, s := range stored {
			_ = h.Files.Delete(context.WithoutCancel(ctx), s.Key)
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
		if part.FileName() == "" && name != "file" {
			b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			if err != nil || len(b) > maxFieldBytes {
				return fail(&errUploadRefused{fiber.StatusUnprocessableEntity, name, "This field is too long."})
			}
			if !storable([]byte(name)) || !storable(b) {
				return fail(&errUploadRefused{fiber.StatusUnprocessableEntity, "file", (&badInput{Field: fieldLabel([]byte(name))}).Message()})
			}
			fields.Add(name, string(b))
			continue
		}
		fname := path.Base(strings.ReplaceAll(part.FileName(), `\`, "/"))
		if part.FileName() == "" {
			continue // the file input left empty
		}
		if !storable([]byte(fname)) {
			return fail(&errUploadRefused{fiber.StatusUnprocessableEntity, "file", (&badInput{Field: fieldLabel([]byte(name))}).Message()})
		}
		if len(fname) > 255 {
			return fail(&errUploadRefused{fiber.StatusUnprocessableEntity, "file", "The file name is too long; rename the file."})
		}
		if len(stored) >= maxFiles {
			return fail(&errUploadRefused{fiber.StatusUnprocessableEntity, "file", "Upload at most " + strconv.Itoa(maxFiles) + " files at once."})
		}
		s, err := resource.Receive(ctx, h.Files, u.OrganizationID, fname, part, h.Config.UploadMaxBytes, h.Config.UploadAllowedTypes)
		var et resource.ErrType
		var tl resource.ErrTooLarge
		switch {
		case errors.As(err, &et):
			return fail(&errUploadRefused{fiber.StatusUnprocessableEntity, "file",
				"“" + fname + "” is not a kind of file Partner Room accepts (its content is " + et.Type + "). Accepted: PDF, images, videos (MP4, WebM), text, Markdown, office documents and ZIP."})
		case errors.As(err, &tl):
			return fail(tooLarge(tl.Max, fname))
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.Canceled) || errors.Is(err, multipart.ErrMessageTooLarge):
			// The browser stopped sending (closed the tab, lost the network).
			return fail(&errUploadRefused{fiber.StatusBadRequest, "file", "The upload was interrupted. Try again."})
		case err != nil:
			return fail(err)
		}
		stored = append(stored, s)
	}
	if err := form.finish(); err != nil {
		return fail(err)
	}
	return fields, stored, nil
}

func tooLarge(max int64, name string) error {
	what := "The file is"
	if name != "" {
		what = "“" + name + "” is"
	}
	return &errUploadRefused{fiber.StatusRequestEntityTooLarge, "file",
		what + " larger than " + resource.Size(max) + ", the upload limit. Make it smaller or share it as a link."}
}

// uploadFailed renders the form again with the refusal in place.
func (h *Handler) uploadFailed(c *fiber.Ctx, id int64, err error, form map[string]string) error {
	var r *errUploadRefused
	if !errors.As(err, &r) {
		return err
	}
	return h.renderResourceForm(c, r.status, id, map[string]string{r.field: r.msg}, form)
}

// createResources makes one resource per uploaded file, or one link.
func (h *Handler) createResources(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	v, files, err := h.readUpload(c, maxUploadFiles)
	if err != nil {
		return h.uploadFailed(c, 0, err, firstValues(v))
	}
	f, errs, form, err := h.readResourceFields(ctx, u.OrganizationID, v)
	if err != nil {
		return err
	}
	if len(files) == 0 && f.Link == "" {
		errs["file"] = "Choose one or more files, or enter a link."
	}
	if len(files) == 0 && f.Title == "" {
		errs["title"] = "Give the resource a title."
	}
	if len(files) > 0 && f.Link != "" {
		errs["link"] = "A resource is a file or a link: leave the link empty when uploading files."
	}
	if len(errs) > 0 {
		for _, s := range files {
			_ = h.Files.Delete(context.WithoutCancel(ctx), s.Key)
		}
		return h.renderResourceForm(c, fiber.StatusUnprocessableEntity, 0, errs, form)
	}
	now := h.Clock.Now()
	var ids, versions []int64
	err = h.Store.Tx(ctx, func(q *queries.Queries) error {
		make1 := func(title string) (int64, error) {
			r, err := q.CreateResource(ctx, queries.CreateResourceParams{
				OrganizationID: u.OrganizationID, CategoryID: f.CategoryID, Title: title, Description: f.Description,
				Tags: f.Tags, Visibility: f.Visibility, Featured: f.Featured, LinkUrl: f.Link, CreatedBy: &u.ID, Now: now,
			})
			if err != nil {
				return 0, err
			}
			ids = append(ids, r.ID)
			return r.ID, setResourceTiers(ctx, q, u.OrganizationID, r.ID, f)
		}
		if len(files) == 0 {
			_, err := make1(f.Title)
			return err
		}
		for _, s := range files {
			title := f.Title
			if title == "" || len(files) > 1 || v.Get("several") == "1" {
				title = titleFromName(s.Name)
			}
			id, err := make1(title)
			if err != nil {
				return err
			}
			vid, err := addVersion(ctx, q, u, id, s, now)
			if err != nil {
				return err
			}
			versions = append(versions, vid)
		}
		return nil
	})
	if err != nil {
		for _, s := range files {
			_ = h.Files.Delete(context.WithoutCancel(ctx), s.Key)
		}
		return err
	}
	h.enqueuePreviews(c, files, versions)
	if len(ids) == 1 {
		h.flash(c, "Added “"+titleOr(f.Title, files)+"”.")
		return redirect(c, "/console/resources/"+strconv.FormatInt(ids[0], 10))
	}
	h.flash(c, "Added "+strconv.Itoa(len(ids))+" resources.")
	return redirect(c, "/console/resources")
}

// replaceResourceFile adds a new version; the old ones stay listed.
func (h *Handler) replaceResourceFile(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	if _, err := h.Store.GetResourceForStaff(ctx, queries.GetResourceForStaffParams{OrganizationID: u.OrganizationID, ID: id}); err != nil {
		return err
	}
	_, files, err := h.readUpload(c, 1)
	if err != nil {
		return h.uploadFailed(c, id, err, nil)
	}
	if len(files) == 0 {
		return h.renderResourceForm(c, fiber.StatusUnprocessableEntity, id, map[string]string{"file": "Choose the new file."}, nil)
	}
	var vid int64
	err = h.Store.Tx(ctx, func(q *queries.Queries) error {
		var err error
		vid, err = addVersion(ctx, q, u, id, files[0], h.Clock.Now())
		return err
	})
	if err != nil {
		_ = h.Files.Delete(context.WithoutCancel(ctx), files[0].Key)
		return err
	}
	h.enqueuePreviews(c, files, []int64{vid})
	h.flash(c, "Uploaded “"+files[0].Name+"” as the new version.")
	return redirect(c, "/console/resources/"+strconv.FormatInt(id, 10))
}

func addVersion(ctx context.Context, q *queries.Queries, u *User, resourceID int64, s resource.Stored, now time.Time) (int64, error) {
	state := "none"
	if resource.NeedsWorker(s.Type) {
		state = "pending"
	}
	v, err := q.CreateResourceVersion(ctx, queries.CreateResourceVersionParams{
		OrganizationID: u.OrganizationID, ResourceID: resourceID, StorageKey: s.Key, FileName: s.Name, Mime: s.Type,
		SizeBytes: s.Size, Sha256: s.SHA256, CreatedBy: &u.ID, Now: now, PreviewState: state,
	})
	if err != nil {
		return 0, err
	}
	return v.ID, q.SetResourceCurrentVersion(ctx, queries.SetResourceCurrentVersionParams{
		OrganizationID: u.OrganizationID, ID: resourceID, VersionID: &v.ID, Now: now,
	})
}

// enqueuePreviews asks the worker for text and previews once the rows
// committed; a lost enqueue is picked up by the worker's sweep.
func (h *Handler) enqueuePreviews(c *fiber.Ctx, files []resource.Stored, versions []int64) {
	if h.Queue == nil {
		return
	}
	u := currentUser(c)
	for i, s := range files {
		if !resource.NeedsWorker(s.Type) {
			continue
		}
		if _, err := h.Queue.EnqueueContext(c.Context(), workers.NewResourcePreviewTask(u.OrganizationID, versions[i])); err != nil {
			h.Log.Warn("resource preview left to the sweep", "version_id", versions[i], "err", err)
		}
	}
}

func titleFromName(name string) string {
	t := strings.TrimSpace(strings.TrimSuffix(name, path.Ext(name)))
	t = strings.NewReplacer("_", " ", "-", " ").Replace(t)
	if t == "" {
		t = name
	}
	if r := []rune(t); len(r) > 200 {
		t = string(r[:200])
	}
	return t
}

func titleOr(title string, files []resource.Stored) string {
	if title != "" {
		return title
	}
	if len(files) > 0 {
		return titleFromName(files[0].Name)
	}
	return "the resource"
}

func firstValues(v url.Values) map[string]string {
	m := map[string]string{}
	for k := range v {
		m[k] = v.Get(k)
	}
	return m
}
