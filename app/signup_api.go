package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/secret"
	"partnerportal/queries"
)

// signupFromServer is POST /api/v1/signups: the vendor's server reports a
// sign-up with the organization's API key (Authorization: Bearer <key>); the
// organization comes from the key. See registerSignup for the rest.
func (h *Handler) signupFromServer(c *fiber.Ctx) error {
	if err := h.limitSignups(c); err != nil { // first, so keys cannot be guessed at speed
		return err
	}
	org, err := h.apiKeyOrganization(c)
	if err != nil {
		return err
	}
	return h.registerSignup(c, org)
}

// apiKeyOrganization authenticates the request by its API key: the key's
// SHA-256 is looked up, a revoked key is refused, and a good key's
// last_used_at is brought up to date.
func (h *Handler) apiKeyOrganization(c *fiber.Ctx) (queries.Organization, error) {
	unauthorized := func(msg string) (queries.Organization, error) {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="partner portal"`)
		return queries.Organization{}, apiFail(fiber.StatusUnauthorized, msg)
	}
	scheme, key, _ := strings.Cut(strings.TrimSpace(c.Get(fiber.HeaderAuthorization)), " ")
	key = strings.TrimSpace(key)
	if !strings.EqualFold(scheme, "Bearer") || key == "" {
		return unauthorized("Send the organization's API key in the Authorization header: Bearer <key>.")
	}
	if len(key) > 200 {
		return unauthorized("This API key is not valid.")
	}
	ctx := c.Context()
	k, err := h.Store.FindAPIKeyByHash(ctx, secret.Hash(key))
	if queries.IsNotFound(err) {
		return unauthorized("This API key is not valid.")
	}
	if err != nil {
		return queries.Organization{}, err
	}
	if k.RevokedAt != nil {
		return unauthorized("This API key was revoked. Create a new one in the console.")
	}
	if err := h.Store.TouchAPIKey(ctx, queries.TouchAPIKeyParams{Now: h.Clock.Now(), OrganizationID: k.OrganizationID, ID: k.ID}); err != nil {
		return queries.Organization{}, err
	}
	return h.Store.GetOrganization(ctx, k.OrganizationID)
}
