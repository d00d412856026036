package app

import (
	"bytes"
	"encoding/xml"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/assets"
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

// showDirectorySitemap lists the directory and every published profile.
// The XML is appended directly (encoding/xml's reflection took ~10 ms for
// 10,000 profiles): the base address is escaped once, slugs are [a-z0-9-]
// (the table's CHECK; checked again here, cheaply) and dates digits.
func (h *Handler) showDirectorySitemap(c *fiber.Ctx) error {
	d, err := h.loadDirectory(c)
	if err != nil {
		return err
	}
	// 10,000 profiles make a 1 MB document: built and compressed once per
	// version of the published set, not per request (docs/BENCHMARKS.md,
	// directory section).
	v, err := h.Store.PublishedProfilesVersion(c.Context(), d.OrganizationID)
	if err != nil {
		return err
	}
	base := h.absURL(directoryBase(d))
	key := sitemapKey{org: d.OrganizationID, base: base, n: v.N, idSum: v.IDSum, last: v.LastUpdated.UnixMicro()}
	sm := h.sitemaps().get(key)
	if sm == nil {
		rows, err := h.Store.ListPublishedProfileSlugs(c.Context(), d.OrganizationID)
		if err != nil {
			return err
		}
		sm = newSitemap(renderSitemap(base, rows))
		h.sitemaps().put(key, sm)
	}
	c.Set(fiber.HeaderContentType, "application/xml; charset=utf-8")
	c.Vary(fiber.HeaderAcceptEncoding)
	switch enc := c.Get(fiber.HeaderAcceptEncoding); {
	case assets.Accepts(enc, "br"):
		c.Set(fiber.HeaderContentEncoding, "br")
		return c.Send(sm.br)
	case assets.Accepts(enc, "gzip"):
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(sm.gzip)
	}
	return c.Send(sm.raw)
}

// renderSitemap writes the sitemap of a directory whose address is base.
func renderSitemap(base string, rows []queries.ListPublishedProfileSlugsRow) []byte {
	var esc bytes.Buffer
	xml.EscapeText(&esc, []byte(base)) //nolint:errcheck // a bytes.Buffer does not fail
	b := esc.Bytes()
	out := make([]byte, 0, 200+len(rows)*(len(b)+100))
	out = append(out, xml.Header...)
	out = append(out, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+"\n  <url><loc>"...)
	out = append(append(out, b...), "</loc></url>\n"...)
	for _, r := range rows {
		if !xmlSafeSlug(r.Slug) {
			continue
		}
		out = append(append(out, "  <url><loc>"...), b...)
		out = append(append(append(out, '/'), r.Slug...), "</loc><lastmod>"...)
		out = r.UpdatedAt.UTC().AppendFormat(out, "2006-01-02")
		out = append(out, "</lastmod></url>\n"...)
	}
	return append(out, "</urlset>\n"...)
}

// xmlSafeSlug: only [a-z0-9-], nothing XML would need escaped.
func xmlSafeSlug(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; (b < 'a' || b > 'z') && (b < '0' || b > '9') && b != '-' {
			return false
		}
	}
	return s != ""
}
