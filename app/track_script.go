package app

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
	"partnerportal/static"
)

var orgSlugRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// trackPlaceholder is where static/track.js receives its settings. Served raw
// (from /static) the placeholder leaves CONFIG null and the script inert.
const trackPlaceholder = "/*PP_CONFIG*/null"

// trackHead and trackTail are static/track.js around the placeholder, split
// once at start-up.
var trackHead, trackTail = splitTrackScript()

func splitTrackScript() (string, string) {
	b, err := static.FS.ReadFile("track.js")
	if err != nil {
		panic("static/track.js missing: " + err.Error())
	}
	head, tail, ok := strings.Cut(string(b), trackPlaceholder)
	if !ok || strings.Contains(tail, trackPlaceholder) {
		panic("static/track.js must hold " + trackPlaceholder + " exactly once")
	}
	return head, tail
}

// trackConfig is what the script learns about the organization. The
// attribution model is applied by the script itself (see static/track.js):
// last_click overwrites the pp_click cookie, first_click keeps it.
type trackConfig struct {
	BaseURL    string `json:"base_url"`
	Org        string `json:"org"`
	WindowDays int32  `json:"window_days"`
	Model      string `json:"model"`
}

// trackScript renders the script for one organization. The settings go in as
// JSON from json.Marshal, which escapes <, >, &, U+2028 and U+2029, so no
// value can end the script or break out of the object literal.
func trackScript(baseURL string, org queries.Organization) ([]byte, error) {
	cfg, err := json.Marshal(trackConfig{
		BaseURL: strings.TrimSuffix(baseURL, "/"), Org: org.Slug,
		WindowDays: org.AttributionWindowDays, Model: org.AttributionModel,
	})
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(trackHead)+len(cfg)+len(trackTail))
	out = append(append(append(out, trackHead...), cfg...), trackTail...)
	return out, nil
}

// serveTrackScript is GET /t/{org_slug}.js, the attribution script the vendor
// includes on its website. It is a hot route: loaded on the vendor's pages by
// every visitor, it sets and reads no cookie of ours. Browsers keep it five
// minutes, so a settings change reaches visitors within that time.
func (h *Handler) serveTrackScript(c *fiber.Ctx) error {
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set("Cross-Origin-Resource-Policy", "cross-origin") // meant to be embedded by the vendor's site
	c.Set(fiber.HeaderContentType, "application/javascript; charset=utf-8")
	slug := c.Params("slug")
	if !orgSlugRe.MatchString(slug) {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(fiber.StatusNotFound).SendString("// partner portal: no such organization\n")
	}
	org, err := h.Store.GetOrganizationBySlug(c.Context(), slug)
	if queries.IsNotFound(err) {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(fiber.StatusNotFound).SendString("// partner portal: no such organization\n")
	}
	if err != nil {
		return err
	}
	js, err := trackScript(h.Config.BaseURL.String(), org)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(js)
}
