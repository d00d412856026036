package app

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/media"
	"partnerportal/app/storage"
	"partnerportal/app/training"
	"partnerportal/queries"
)

// serveStored streams a stored file. Only types safe to show inline are
// inline (media.SafeInline); anything else downloads as an attachment.
func (h *Handler) serveStored(c *fiber.Ctx, key, mime, name string) error {
	if key == "" || h.Files == nil {
		return fiber.ErrNotFound
	}
	obj, err := h.Files.Open(c.Context(), key)
	if errors.Is(err, storage.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	disp := "attachment"
	if media.SafeInline(mime) {
		disp = "inline"
	} else {
		mime = "application/octet-stream"
	}
	name = media.DispositionName(name, "download")
	c.Set(fiber.HeaderContentType, mime)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, disp, asciiName(name), url.PathEscape(name)))
	c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	return c.SendStream(obj, int(obj.Info().Size))
}

func asciiName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '_'
		}
		return r
	}, s)
}

func (h *Handler) courseCover(c *fiber.Ctx) error {
	course, err := h.visibleCourse(c)
	if err != nil {
		return err
	}
	return h.serveStored(c, course.CoverKey, "image/jpeg", "cover.jpg")
}

func (h *Handler) lessonVideo(c *fiber.Ctx) error {
	_, l, err := h.lessonInCourse(c)
	if err != nil {
		return err
	}
	return h.serveStored(c, l.VideoKey, l.VideoType, "lesson-video")
}

func (h *Handler) lessonAttachment(c *fiber.Ctx) error {
	_, l, err := h.lessonInCourse(c)
	if err != nil {
		return err
	}
	mime := l.AttachmentType
	if mime != "application/pdf" {
		mime = "application/octet-stream" // a download, never shown inline
	}
	if err := h.serveStored(c, l.AttachmentKey, mime, l.AttachmentName); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, strings.Replace(c.GetRespHeader(fiber.HeaderContentDisposition), "inline", "attachment", 1))
	return nil
}

// certificatePDF is the signed-in holder's certificate; another person's
// (even in the same company) is a 404.
func (h *Handler) certificatePDF(c *fiber.Ctx) error {
	u := currentUser(c)
	cert, err := h.Store.GetMyCertificate(c.Context(), queries.GetMyCertificateParams{OrganizationID: u.OrganizationID,
		PartnerID: u.PartnerID, UserID: u.ID, PublicID: strings.ToUpper(c.Params("cert"))})
	if err != nil {
		return err
	}
	key, err := training.EnsurePDF(c.Context(), h.Store, h.Files, cert, h.baseURL())
	if err != nil {
		return err
	}
	return h.serveStored(c, key, "application/pdf", "certificate-"+cert.PublicID+".pdf")
}

// accreditationBadge is a badge image, for anyone of the organization.
func (h *Handler) accreditationBadge(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := c.ParamsInt("id")
	if err != nil {
		return fiber.ErrNotFound
	}
	key, err := h.Store.GetAccreditationBadgeKey(c.Context(), queries.GetAccreditationBadgeKeyParams{OrganizationID: u.OrganizationID, ID: int64(id)})
	if err != nil {
		return err
	}
	return h.serveStored(c, key, "image/png", "badge.png")
}

func (h *Handler) baseURL() string { return strings.TrimSuffix(h.Config.BaseURL.String(), "/") }
