package app

// Shared by Manage → Spotlight, its preview, the public directory and the
// console: the directory settings row, and a profile as the public sees it.

import (
	"context"
	"crypto/rand"
	"html/template"
	"path"
	"slices"
	"strings"

	"partnerportal/app/markdown"
	"partnerportal/app/spotlight"
	"partnerportal/queries"
)

// directorySettings returns the organization's settings, creating the row
// (directory off, named by the organization's slug) on first use.
func (h *Handler) directorySettings(ctx context.Context, q *queries.Queries, orgID int64) (queries.DirectorySetting, error) {
	s, err := q.GetDirectorySettings(ctx, orgID)
	if err == nil || !queries.IsNotFound(err) {
		return s, err
	}
	org, err := q.GetOrganization(ctx, orgID)
	if err != nil {
		return s, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return s, err
	}
	return q.EnsureDirectorySettings(ctx, queries.EnsureDirectorySettingsParams{
		OrganizationID: orgID, Slug: org.Slug, FormKey: key, Now: h.Clock.Now()})
}

func rulesOf(s queries.DirectorySetting) spotlight.Settings {
	return spotlight.Settings{Specialties: s.Specialties, Platforms: s.Platforms, BudgetBands: s.BudgetBands}
}

// profileView is a profile as the directory shows it.
type profileView struct {
	Name, Tagline, Website, Budget, ContactEmail string
	Description                                  template.HTML
	LogoURL, URL, ContactURL                     string
	ContactTarget                                string // "_blank" inside a frame (see showDirectoryProfile)
	Initials                                     string
	Specialties, Areas, Platforms, Languages     []string
}

// logoVersion is the part of a logo key that changes with the picture, used
// as a cache-busting query so the logo can be cached for long.
func logoVersion(key string) string {
	b := strings.TrimSuffix(path.Base(key), ".png")
	if i := strings.LastIndexByte(b, '-'); i >= 0 {
		return b[i+1:]
	}
	return b
}

func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			out = append(out, r)
			break
		}
		if len(out) == 2 {
			break
		}
	}
	return strings.ToUpper(string(out))
}

// viewProfile builds the public view; base is the directory's path
// ("/partners/acme"), logoURL where the logo is served from ("" for none).
func viewProfile(p queries.PartnerProfile, base, logoURL string) profileView {
	v := profileView{Name: p.CompanyName, Tagline: p.Tagline, Website: p.Website, Budget: p.BudgetBand,
		ContactEmail: p.ContactEmail, Description: markdown.Render(p.Description), LogoURL: logoURL,
		URL: base + "/" + p.Slug, ContactURL: base + "/" + p.Slug + "/contact", Initials: initials(p.CompanyName),
		Specialties: slices.Clone(p.Specialties), Platforms: p.Platforms}
	if p.FreeSpecialty != "" {
		v.Specialties = append(v.Specialties, p.FreeSpecialty)
	}
	for _, a := range p.Areas {
		v.Areas = append(v.Areas, spotlight.AreaName(a))
	}
	for _, l := range p.Languages {
		v.Languages = append(v.Languages, spotlight.LanguageName(l))
	}
	return v
}

// publicLogoURL is where the directory serves a published profile's logo.
func publicLogoURL(base string, p queries.PartnerProfile) string {
	if p.LogoKey == "" {
		return ""
	}
	return base + "/" + p.Slug + "/logo.png?v=" + logoVersion(p.LogoKey)
}
