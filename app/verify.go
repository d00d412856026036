package app

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/training"
	"partnerportal/queries"
)

// Public certificate verification: /verify/{id} (a page, no sign-in),
// /verify/{id}.json (the Open Badges 3.0 credential signed as VC-JWT) and
// the issuer's public key (/.well-known/jwks.json, /.well-known/did.json).

type verifyData struct {
	Cert     queries.Certificate
	Status   string
	URL      string
	LinkedIn string
}

func (h *Handler) issuer() *training.Issuer {
	if h.Config.BadgeSigningKey == nil {
		return nil
	}
	return &training.Issuer{Key: h.Config.BadgeSigningKey, Base: h.Config.BaseURL}
}

func (h *Handler) publicCertificate(c *fiber.Ctx) (queries.Certificate, error) {
	id := strings.ToUpper(c.Params("id"))
	if len(id) < 16 || len(id) > 32 {
		return queries.Certificate{}, fiber.ErrNotFound
	}
	return h.Store.GetCertificateByPublicID(c.Context(), id)
}

// linkedInURL fills LinkedIn's "Add to profile" form for a certification.
func linkedInURL(cert queries.Certificate, verify string) string {
	v := url.Values{}
	v.Set("startTask", "CERTIFICATION_NAME")
	v.Set("name", cert.CourseTitle)
	v.Set("organizationName", cert.OrgName)
	v.Set("issueYear", fmt.Sprint(cert.IssuedAt.UTC().Year()))
	v.Set("issueMonth", fmt.Sprint(int(cert.IssuedAt.UTC().Month())))
	if cert.ExpiresAt != nil {
		v.Set("expirationYear", fmt.Sprint(cert.ExpiresAt.UTC().Year()))
		v.Set("expirationMonth", fmt.Sprint(int(cert.ExpiresAt.UTC().Month())))
	}
	v.Set("certUrl", verify)
	v.Set("certId", cert.PublicID)
	return "https://www.linkedin.com/profile/add?" + v.Encode()
}

func (h *Handler) showVerify(c *fiber.Ctx) error {
	cert, err := h.publicCertificate(c)
	if err != nil {
		return err
	}
	verify := training.VerifyURL(h.baseURL(), cert.PublicID)
	d := &verifyData{Cert: cert, Status: training.Status(cert, h.Clock.Now()), URL: verify, LinkedIn: linkedInURL(cert, verify)}
	p := h.newPage(c, "Certificate "+cert.PublicID)
	p.Summary = "Verification of a certificate issued by " + cert.OrgName
	p.Data = d
	return h.render(c, fiber.StatusOK, "pages/verify", "", p)
}

func (h *Handler) verifyJSON(c *fiber.Ctx) error {
	cert, err := h.publicCertificate(c)
	if err != nil {
		return err
	}
	iss := h.issuer()
	if iss == nil {
		return fiber.NewError(fiber.StatusServiceUnavailable, "Signed credentials are not configured (BADGE_SIGNING_KEY).")
	}
	jwt, err := iss.Sign(cert)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{
		"status":              training.Status(cert, h.Clock.Now()),
		"credential":          iss.Credential(cert),
		"vc_jwt":              jwt,
		"verification_method": iss.KeyID(),
		"jwks_uri":            h.baseURL() + "/.well-known/jwks.json",
	})
}

func (h *Handler) jwks(c *fiber.Ctx) error {
	iss := h.issuer()
	if iss == nil {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.JSON(iss.JWKS())
}

func (h *Handler) didDocument(c *fiber.Ctx) error {
	iss := h.issuer()
	if iss == nil {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.JSON(iss.DIDDocument())
}
