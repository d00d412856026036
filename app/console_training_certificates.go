package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

type consoleCertificatesData struct {
	List []certRow
}

type certRow struct {
	queries.Certificate
	Status string
}

func (h *Handler) renderConsoleCertificates(c *fiber.Ctx, status int, errs, form map[string]string) error {
	u := currentUser(c)
	list, err := h.Store.ListCertificatesForStaff(c.Context(), u.OrganizationID)
	if err != nil {
		return err
	}
	d := &consoleCertificatesData{}
	now := h.Clock.Now()
	for _, x := range list {
		st := "valid"
		switch {
		case x.RevokedAt != nil:
			st = "revoked"
		case x.ExpiresAt != nil && !now.Before(*x.ExpiresAt):
			st = "expired"
		}
		d.List = append(d.List, certRow{x, st})
	}
	p := h.newPage(c, "Certificates")
	p.Section = "training"
	p.Data, p.Errors, p.Form = d, errs, form
	return h.render(c, status, "pages/console_certificates", "", p)
}

func (h *Handler) showConsoleCertificates(c *fiber.Ctx) error {
	return h.renderConsoleCertificates(c, fiber.StatusOK, nil, nil)
}

// revokeCertificate revokes with a reason; the public page then says revoked.
func (h *Handler) revokeCertificate(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return fiber.ErrNotFound
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	if l := len([]rune(reason)); l < 1 || l > 500 {
		key := "reason-" + c.Params("id")
		return h.renderConsoleCertificates(c, fiber.StatusUnprocessableEntity, map[string]string{key: "Give the reason (up to 500 characters); the verification page shows it."},
			map[string]string{key: reason})
	}
	by := u.ID
	_, err = h.Store.RevokeCertificate(c.Context(), queries.RevokeCertificateParams{Now: h.Clock.Now(), OrganizationID: u.OrganizationID,
		ID: int64(id), Reason: reason, RevokedBy: &by})
	if err != nil {
		return err // not found, or already revoked: 404
	}
	h.flash(c, "Certificate revoked.")
	return redirect(c, "/console/training/certificates")
}
