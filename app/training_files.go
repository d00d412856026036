package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/training"
	"partnerportal/queries"
)

func (h *Handler) courseCover(c *fiber.Ctx) error {
	course, err := h.visibleCourse(c)
	if err != nil {
		return err
	}
	return h.serveStored(c, course.CoverKey, "cover.jpg", "image/jpeg", true)
}

func (h *Handler) lessonVideo(c *fiber.Ctx) error {
	_, l, err := h.lessonInCourse(c)
	if err != nil {
		return err
	}
	return h.serveStored(c, l.VideoKey, "lesson-video", l.VideoType, true)
}

func (h *Handler) lessonAttachment(c *fiber.Ctx) error {
	_, l, err := h.lessonInCourse(c)
	if err != nil {
		return err
	}
	// Always a download, never shown inline.
	return h.serveStored(c, l.AttachmentKey, l.AttachmentName, l.AttachmentType, false)
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
	return h.serveStored(c, key, "certificate-"+cert.PublicID+".pdf", "application/pdf", true)
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
	return h.serveStored(c, key, "badge.png", "image/png", true)
}

func (h *Handler) baseURL() string { return strings.TrimSuffix(h.Config.BaseURL.String(), "/") }
