package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/secret"
	"partnerportal/queries"
)

// apiKeyPrefix starts every organization API key, so a leaked key is easy to
// recognise (and to search for in code).
const apiKeyPrefix = "pp_live_"

// apiKeyShown is how much of a key is stored in clear for display: the
// prefix and four characters of the secret.
const apiKeyShown = len(apiKeyPrefix) + 4

// showAPIKeys lists the organization's API keys for the server-to-server
// sign-up API: name, prefix, created, last used, revoked.
func (h *Handler) showAPIKeys(c *fiber.Ctx) error {
	p := h.newPage(c, "API keys")
	p.Form = map[string]string{"name": ""}
	return h.renderAPIKeys(c, fiber.StatusOK, p, "")
}

func (h *Handler) renderAPIKeys(c *fiber.Ctx, status int, p *Page, newKey string) error {
	u := currentUser(c)
	keys, err := h.Store.ListAPIKeys(c.Context(), u.OrganizationID)
	if err != nil {
		return err
	}
	p.Section = "settings"
	p.Data = fiber.Map{"Tab": "api-keys", "Keys": keys, "NewKey": newKey}
	return h.render(c, status, "pages/console_api_keys", "", p)
}

// createAPIKey makes a key and shows it once, in this response only; the
// database keeps its SHA-256 and the first characters for display.
func (h *Handler) createAPIKey(c *fiber.Ctx) error {
	u := currentUser(c)
	p := h.newPage(c, "API keys")
	p.Form = map[string]string{"name": strings.TrimSpace(c.FormValue("name"))}
	if n := len([]rune(p.Form["name"])); n < 1 || n > 100 {
		p.Errors = map[string]string{"name": "Name the key (1 to 100 characters), for example after the system that uses it."}
		return h.renderAPIKeys(c, fiber.StatusUnprocessableEntity, p, "")
	}
	key := apiKeyPrefix + secret.New()
	row, err := h.Store.CreateAPIKey(c.Context(), queries.CreateAPIKeyParams{Now: h.Clock.Now(),
		OrganizationID: u.OrganizationID, Name: p.Form["name"], Prefix: key[:apiKeyShown],
		KeyHash: secret.Hash(key), CreatedBy: &u.ID})
	if err != nil {
		return err
	}
	h.Log.Info("api key created", "api_key_id", row.ID, "organization_id", u.OrganizationID, "user_id", u.ID)
	c.Set(fiber.HeaderCacheControl, "no-store")
	p.Form["name"] = ""
	return h.renderAPIKeys(c, fiber.StatusCreated, p, key)
}

// revokeAPIKey stops a key from working; it stays in the list as revoked.
func (h *Handler) revokeAPIKey(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := paramID(c)
	if err != nil {
		return err
	}
	n, err := h.Store.RevokeAPIKey(c.Context(), queries.RevokeAPIKeyParams{Now: h.Clock.Now(), OrganizationID: u.OrganizationID, ID: id})
	if err != nil {
		return err
	}
	if n == 0 {
		return fiber.ErrNotFound // not this organization's, or revoked already
	}
	h.Log.Info("api key revoked", "api_key_id", id, "organization_id", u.OrganizationID, "user_id", u.ID)
	h.flash(c, "The key is revoked. Requests using it are refused from now on.")
	return redirect(c, "/console/api-keys")
}
