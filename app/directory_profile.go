package app

import (
	"encoding/xml"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/markdown"
	"partnerportal/app/spotlight"
	"partnerportal/queries"
)

// loadPublishedProfile finds a published profile of an enabled directory; a
// draft, pending or declined profile is a 404 like one that does not exist.
func (h *Handler) loadPublishedProfile(c *fiber.Ctx) (queries.GetDirectoryBySlugRow, queries.PartnerProfile, error) {
	d, err := h.loadDirectory(c)
	if err != nil {
		return d, queries.PartnerProfile{}, err
	}
	slug := c.Params("partner")
	if !spotlight.ValidSlug(slug) {
		return d, queries.PartnerProfile{}, fiber.ErrNotFound
	}
	p, err := h.Store.GetPublishedProfile(c.Context(), queries.GetPublishedProfileParams{OrganizationID: d.OrganizationID, Slug: slug})
	return d, p, err
}

// showDirectoryProfile is a partner's public page.
func (h *Handler) showDirectoryProfile(c *fiber.Ctx) error {
	d, prof, err := h.loadPublishedProfile(c)
	if err != nil {
		return err
	}
	base := directoryBase(d)
	v := viewProfile(prof, base, publicLogoURL(base, prof))
	if c.Get("Sec-Fetch-Dest") == "iframe" {
		// Inside the vendor's site our CSRF cookie (SameSite=Lax) is not
		// sent with a POST, so the contact form opens in a tab of its own.
		v.ContactTarget = "_blank"
	}
	p := h.newPage(c, prof.CompanyName+" · "+d.OrganizationName+" partner")
	p.Summary = profileSummary(prof, d.OrganizationName)
	p.Meta = &PageMeta{Canonical: h.absURL(v.URL), OGTitle: prof.CompanyName, OGDescription: p.Summary}
	if v.LogoURL != "" {
		p.Meta.OGImage = h.absURL(v.LogoURL)
	}
	p.Data = fiber.Map{"P": v, "Base": base, "OrgName": d.OrganizationName}
	return h.render(c, fiber.StatusOK, "pages/directory_profile", "", p)
}

// profileSummary is the meta description: the tagline, else the start of
// the description as plain text.
func profileSummary(p queries.PartnerProfile, org string) string {
	s := p.Tagline
	if s == "" {
		s = markdown.Plain(p.Description)
	}
	if s == "" {
		s = p.CompanyName + " is a partner of " + org + "."
	}
	if r := []rune(s); len(r) > 160 {
		s = string(r[:157]) + "…"
	}
	return s
}

// showDirectoryLogo serves a published profile's logo PNG.
func (h *Handler) showDirectoryLogo(c *fiber.Ctx) error {
	_, prof, err := h.loadPublishedProfile(c)
	if err != nil {
		return err
	}
	return h.sendLogo(c, prof.LogoKey, "public, max-age=86400")
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type sitemapSet struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

// showDirectorySitemap lists the directory and every published profile.
func (h *Handler) showDirectorySitemap(c *fiber.Ctx) error {
	d, err := h.loadDirectory(c)
	if err != nil {
		return err
	}
	rows, err := h.Store.ListPublishedProfileSlugs(c.Context(), d.OrganizationID)
	if err != nil {
		return err
	}
	base := directoryBase(d)
	set := sitemapSet{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", URLs: []sitemapURL{{Loc: h.absURL(base)}}}
	for _, r := range rows {
		set.URLs = append(set.URLs, sitemapURL{Loc: h.absURL(base + "/" + r.Slug), LastMod: r.UpdatedAt.UTC().Format("2006-01-02")})
	}
	out, err := xml.MarshalIndent(set, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/xml; charset=utf-8")
	return c.Send(append([]byte(xml.Header), out...))
}
