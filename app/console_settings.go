package app

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// Limits of the tracking-link settings.
const (
	maxAllowListEntries = 50
	maxAllowListEntry   = 500
)

// showConsoleSettings is the vendor's tracking-link settings: where links
// may point, which websites may run the attribution script, the attribution
// window and model, and the status sign-up leads arrive with.
func (h *Handler) showConsoleSettings(c *fiber.Ctx) error {
	u := currentUser(c)
	org, err := h.Store.GetOrganization(c.Context(), u.OrganizationID)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Settings")
	p.Section = "settings"
	p.Form = map[string]string{
		"link_destinations":       strings.Join(org.LinkDestinations, "\n"),
		"allowed_origins":         strings.Join(org.AllowedOrigins, "\n"),
		"attribution_window_days": strconv.Itoa(int(org.AttributionWindowDays)),
		"attribution_model":       org.AttributionModel,
		"signup_lead_status":      org.SignupLeadStatus,
	}
	return h.renderConsoleSettings(c, fiber.StatusOK, p, len(org.LinkDestinations) == 0)
}

func (h *Handler) renderConsoleSettings(c *fiber.Ctx, status int, p *Page, noDestinations bool) error {
	p.Data = fiber.Map{"Tab": "links", "NoDestinations": noDestinations}
	return h.render(c, status, "pages/console_settings", "", p)
}

// updateConsoleSettings saves the settings, or shows the form again with
// every problem beside its field (422) and saves nothing.
func (h *Handler) updateConsoleSettings(c *fiber.Ctx) error {
	u := currentUser(c)
	p := h.newPage(c, "Settings")
	p.Section = "settings"
	p.Form = map[string]string{
		"link_destinations":       c.FormValue("link_destinations"),
		"allowed_origins":         c.FormValue("allowed_origins"),
		"attribution_window_days": strings.TrimSpace(c.FormValue("attribution_window_days")),
		"attribution_model":       c.FormValue("attribution_model"),
		"signup_lead_status":      c.FormValue("signup_lead_status"),
	}
	errs := map[string]string{}
	dests, problem := parseDestinations(p.Form["link_destinations"])
	if problem != "" {
		errs["link_destinations"] = problem
	}
	origins, problem := parseOrigins(p.Form["allowed_origins"])
	if problem != "" {
		errs["allowed_origins"] = problem
	}
	days, err := strconv.Atoi(p.Form["attribution_window_days"])
	if err != nil || days < 1 || days > 365 {
		errs["attribution_window_days"] = "Enter a number of days from 1 to 365."
	}
	model := p.Form["attribution_model"]
	if model != "last_click" && model != "first_click" {
		errs["attribution_model"] = "Choose last click or first click."
	}
	status := p.Form["signup_lead_status"]
	if status != "in_review" && status != "approved" {
		errs["signup_lead_status"] = "Choose In Review or Approved."
	}
	if len(errs) > 0 {
		p.Errors = errs
		return h.renderConsoleSettings(c, fiber.StatusUnprocessableEntity, p, len(dests) == 0)
	}
	if err := h.Store.UpdateOrganizationLinkSettings(c.Context(), queries.UpdateOrganizationLinkSettingsParams{
		ID: u.OrganizationID, LinkDestinations: dests, AllowedOrigins: origins,
		AttributionWindowDays: int32(days), AttributionModel: model, SignupLeadStatus: status,
	}); err != nil {
		return err
	}
	h.flash(c, "Settings saved.")
	return redirect(c, "/console/settings")
}

// allowListLines splits a textarea into its non-empty trimmed lines.
func allowListLines(text string) ([]string, string) {
	var out []string
	for line := range strings.Lines(text) {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	if len(out) > maxAllowListEntries {
		return nil, fmt.Sprintf("Enter at most %d lines.", maxAllowListEntries)
	}
	return out, ""
}

// parseDestinations reads the allowed link destinations: one absolute
// http(s) URL prefix per line (site and optional path). Scheme and host are
// lower-cased; duplicates are dropped. An empty list is allowed, but then
// partners cannot create links.
func parseDestinations(text string) ([]string, string) {
	lines, problem := allowListLines(text)
	if problem != "" {
		return nil, problem
	}
	out := []string{}
	seen := map[string]bool{}
	for i, line := range lines {
		u, err := url.Parse(line)
		switch {
		case len(line) > maxAllowListEntry:
			return nil, fmt.Sprintf("Line %d is longer than %d characters.", i+1, maxAllowListEntry)
		case err != nil || (!strings.EqualFold(u.Scheme, "https") && !strings.EqualFold(u.Scheme, "http")) ||
			u.Host == "" || u.Opaque != "":
			return nil, fmt.Sprintf("Line %d (%q) is not a full web address. Write each one like https://www.example.com/ or https://www.example.com/signup.", i+1, line)
		case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
			return nil, fmt.Sprintf("Line %d (%q): write only the site and an optional path, without a user name, ? or #.", i+1, line)
		case u.Port() != "" && !validPort(u.Port()):
			return nil, fmt.Sprintf("Line %d (%q) has an invalid port.", i+1, line)
		}
		u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
		s := u.String()
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, ""
}

// parseOrigins reads the website origins allowed to run the attribution
// script: one scheme://host[:port] per line, no path, stored the way
// browsers send the Origin header (lower case, default port left out).
func parseOrigins(text string) ([]string, string) {
	lines, problem := allowListLines(text)
	if problem != "" {
		return nil, problem
	}
	out := []string{}
	seen := map[string]bool{}
	for i, line := range lines {
		u, err := url.Parse(line)
		switch {
		case len(line) > maxAllowListEntry:
			return nil, fmt.Sprintf("Line %d is longer than %d characters.", i+1, maxAllowListEntry)
		case err != nil || (!strings.EqualFold(u.Scheme, "https") && !strings.EqualFold(u.Scheme, "http")) ||
			u.Host == "" || u.Opaque != "":
			return nil, fmt.Sprintf("Line %d (%q) is not a website origin. Write each one like https://www.example.com.", i+1, line)
		case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
			return nil, fmt.Sprintf("Line %d (%q): an origin is only scheme, host and optional port, with no path, like https://www.example.com.", i+1, line)
		case u.Port() != "" && !validPort(u.Port()):
			return nil, fmt.Sprintf("Line %d (%q) has an invalid port.", i+1, line)
		}
		scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
		if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
			port = ""
		}
		s := scheme + "://" + host
		if strings.Contains(host, ":") { // IPv6 literal
			s = scheme + "://[" + host + "]"
		}
		if port != "" {
			s += ":" + port
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, ""
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535 && strconv.Itoa(n) == p
}
