package app

import (
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

const signupPreflightMaxAge = 600 // seconds a browser may reuse a preflight answer

// signupFromBrowser is POST /api/v1/signups/browser?org={slug}, called by the
// attribution script (static/track.js) from the vendor's website. It carries
// no key: what authorises it is the page's origin, which must be one of the
// organization's allowed origins, and a valid click id of the organization,
// which only a visit through a partner link produces.
func (h *Handler) signupFromBrowser(c *fiber.Ctx) error {
	org, err := h.signupOrigin(c)
	if err != nil {
		return err
	}
	if err := h.limitSignups(c); err != nil {
		return err
	}
	return h.registerSignup(c, org)
}

// signupPreflight answers the browser's CORS preflight for the POST above
// (the script sends Content-Type: application/json, which needs one).
func (h *Handler) signupPreflight(c *fiber.Ctx) error {
	if _, err := h.signupOrigin(c); err != nil {
		return err
	}
	c.Set(fiber.HeaderAccessControlAllowMethods, fiber.MethodPost)
	c.Set(fiber.HeaderAccessControlAllowHeaders, fiber.HeaderContentType)
	c.Set(fiber.HeaderAccessControlMaxAge, strconv.Itoa(signupPreflightMaxAge))
	return c.SendStatus(fiber.StatusNoContent)
}

// signupOrigin resolves ?org= and checks the request's Origin against the
// organization's allowed_origins (exact match, "null" never). Only an allowed
// origin gets Access-Control-Allow-Origin, set here before anything else can
// fail, so the script can read every later answer, errors included.
func (h *Handler) signupOrigin(c *fiber.Ctx) (queries.Organization, error) {
	c.Vary(fiber.HeaderOrigin)
	slug := c.Query("org")
	var org queries.Organization
	if orgSlugRe.MatchString(slug) {
		var err error
		org, err = h.Store.GetOrganizationBySlug(c.Context(), slug)
		if err != nil && !queries.IsNotFound(err) {
			return org, err
		}
	}
	if org.ID == 0 {
		return org, apiFail(fiber.StatusNotFound, "Unknown organization: include the script from /t/<organization>.js.")
	}
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" || origin == "null" || !slices.Contains(org.AllowedOrigins, origin) {
		return org, apiFail(fiber.StatusForbidden,
			"This website is not allowed to report sign-ups for this organization: add its origin to the allowed origins.")
	}
	c.Set(fiber.HeaderAccessControlAllowOrigin, origin)
	return org, nil
}
