package app

import (
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/clicks"
)

// utmRe is what a UTM value may hold: short, URL-safe, no spaces.
var utmRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{0,100}$`)

const maxDestinationLen = 2000

// linkFormFields are the fields of the new/edit link form.
var linkFormFields = []string{"name", "kind", "destination", "utm_source", "utm_medium", "utm_campaign"}

// readLinkForm reads the submitted link form, trimmed.
func readLinkForm(c *fiber.Ctx) map[string]string {
	f := map[string]string{}
	for _, k := range linkFormFields {
		f[k] = strings.TrimSpace(c.FormValue(k))
	}
	return f
}

// validateLinkForm checks a link form against the organization's allowed
// destinations and returns the problems by field (none: valid). The kind is
// only checked for a new link: an existing link keeps its kind.
func validateLinkForm(f map[string]string, allowed []string, isNew bool) map[string]string {
	errs := map[string]string{}
	if n := len([]rune(f["name"])); n < 1 || n > 200 {
		errs["name"] = "Name the link (1 to 200 characters), for example after the campaign or the place you share it."
	}
	if isNew && f["kind"] != "referral" && f["kind"] != "marketplace" {
		errs["kind"] = "Choose Referral or Marketplace."
	}
	switch d := f["destination"]; {
	case len(allowed) == 0:
		errs["destination"] = "Your program has not set up where links may point yet. Ask the program team to add allowed destinations."
	case d == "":
		errs["destination"] = "Enter the page the link sends visitors to. " + allowedList(allowed)
	case len(d) > maxDestinationLen || !clicks.Allowed(d, allowed):
		errs["destination"] = "This address is not allowed. " + allowedList(allowed)
	}
	for _, k := range []string{"utm_source", "utm_medium", "utm_campaign"} {
		if !utmRe.MatchString(f[k]) {
			errs[k] = "Use at most 100 letters, digits, dots, dashes or underscores (no spaces)."
		}
	}
	return errs
}

// allowedList tells partners which destinations they may use.
func allowedList(allowed []string) string {
	if len(allowed) == 1 {
		return "It must start with " + allowed[0]
	}
	return "It must start with one of: " + strings.Join(allowed, ", ")
}
