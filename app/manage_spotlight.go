package app

import (
	"context"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/spotlight"
	"partnerportal/queries"
)

// Manage → Spotlight: the partner company's public profile in the vendor's
// partner directory. A first save creates it as a draft; publishing makes it
// public (or sends it for review when the vendor wants approval).

// spotlightForm is the editor's data: values as submitted or saved, the
// vendor's lists to choose from, and the profile's state.
type spotlightForm struct {
	Profile            spotlight.Profile
	Settings           queries.DirectorySetting
	Saved              *queries.PartnerProfile // nil before the first save
	Areas              []areaOption
	Langs              []spotlight.Language
	PublicURL, LogoURL string
}

type areaOption struct {
	Code, Name, Group string
	Checked           bool
}

func (f spotlightForm) Has(list []string, v string) bool { return slices.Contains(list, v) }

// areaOptions lists regions then countries, the chosen ones first so that a
// person without JavaScript sees what they picked without scrolling.
func areaOptions(chosen []string) []areaOption {
	var top, rest []areaOption
	add := func(o areaOption) {
		o.Checked = slices.Contains(chosen, o.Code)
		if o.Checked {
			top = append(top, o)
		} else {
			rest = append(rest, o)
		}
	}
	for _, r := range spotlight.Regions() {
		add(areaOption{Code: r.Code, Name: r.Name, Group: "Region"})
	}
	for _, c := range spotlight.Countries() {
		add(areaOption{Code: c.Code, Name: c.Name, Group: "Country"})
	}
	return append(top, rest...)
}

func profileOf(p queries.PartnerProfile) spotlight.Profile {
	return spotlight.Profile{CompanyName: p.CompanyName, Website: p.Website, Tagline: p.Tagline, Description: p.Description,
		FreeSpecialty: p.FreeSpecialty, Specialties: p.Specialties, Areas: p.Areas, Platforms: p.Platforms,
		Languages: p.Languages, BudgetBand: p.BudgetBand, ContactEmail: p.ContactEmail}
}

// loadSpotlight reads the settings and the company's profile (nil if none).
func (h *Handler) loadSpotlight(ctx context.Context, u *User) (queries.DirectorySetting, *queries.PartnerProfile, error) {
	s, err := h.directorySettings(ctx, h.Store.Queries, u.OrganizationID)
	if err != nil {
		return s, nil, err
	}
	p, err := h.Store.GetPartnerProfile(ctx, queries.GetPartnerProfileParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
	if queries.IsNotFound(err) {
		return s, nil, nil
	}
	if err != nil {
		return s, nil, err
	}
	return s, &p, nil
}

func (h *Handler) showSpotlight(c *fiber.Ctx) error {
	u := currentUser(c)
	s, saved, err := h.loadSpotlight(c.Context(), u)
	if err != nil {
		return err
	}
	f := spotlightForm{Settings: s, Saved: saved}
	if saved != nil {
		f.Profile = profileOf(*saved)
	} else {
		partner, err := h.Store.GetPartner(c.Context(), queries.GetPartnerParams{OrganizationID: u.OrganizationID, ID: u.PartnerID})
		if err != nil {
			return err
		}
		f.Profile = spotlight.Profile{CompanyName: partner.Name, Website: partner.Website}
	}
	return h.renderSpotlight(c, fiber.StatusOK, h.newPage(c, "Spotlight"), f)
}

func (h *Handler) renderSpotlight(c *fiber.Ctx, status int, p *Page, f spotlightForm) error {
	p.Section = "manage"
	p.Summary = "Your company's public profile in the partner directory of " + p.User.OrganizationName + "."
	f.Areas = areaOptions(f.Profile.Areas)
	f.Langs = spotlight.Languages()
	if f.Saved != nil {
		f.PublicURL = "/partners/" + f.Settings.Slug + "/" + f.Saved.Slug
		if f.Saved.LogoKey != "" {
			f.LogoURL = "/manage/spotlight/logo.png?v=" + logoVersion(f.Saved.LogoKey)
		}
	}
	p.Data = fiber.Map{"Tab": "spotlight", "F": f}
	return h.render(c, status, "pages/manage_spotlight", "", p)
}

// saveSpotlight saves the profile, or shows the form again with the problems
// beside their fields (422) and saves nothing.
func (h *Handler) saveSpotlight(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	s, saved, err := h.loadSpotlight(ctx, u)
	if err != nil {
		return err
	}
	prof, errs := spotlight.ParseProfile(func(k string) string { return c.FormValue(k) }, func(k string) []string { return formValues(c, k) }, rulesOf(s))
	p := h.newPage(c, "Spotlight")
	f := spotlightForm{Settings: s, Saved: saved, Profile: prof}
	if len(errs) > 0 {
		p.Errors = errs
		return h.renderSpotlight(c, fiber.StatusUnprocessableEntity, p, f)
	}
	now := h.Clock.Now()
	msg := "Your profile is saved."
	err = h.Store.Tx(ctx, func(q *queries.Queries) error {
		if saved == nil {
			slug, err := freeProfileSlug(ctx, q, u, prof.CompanyName)
			if err != nil {
				return err
			}
			_, err = q.CreatePartnerProfile(ctx, queries.CreatePartnerProfileParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID,
				Slug: slug, CompanyName: prof.CompanyName, Website: prof.Website, Tagline: prof.Tagline, Description: prof.Description,
				Specialties: prof.Specialties, FreeSpecialty: prof.FreeSpecialty, Areas: prof.Areas, Platforms: prof.Platforms,
				BudgetBand: prof.BudgetBand, Languages: prof.Languages, ContactEmail: prof.ContactEmail, Facets: prof.Facets(), Now: now})
			msg = "Your profile is saved as a draft. Preview it, then publish it when it is ready."
			return err
		}
		state := saved.State
		if state == spotlight.Published && s.ApprovalRequired {
			state = spotlight.Pending
			msg = "Your changes are saved and sent for review; the directory shows your profile again once the program team approves it."
		} else if state == spotlight.Published {
			msg = "Your changes are saved and live in the directory."
		}
		_, err := q.UpdatePartnerProfileContent(ctx, queries.UpdatePartnerProfileContentParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID,
			CompanyName: prof.CompanyName, Website: prof.Website, Tagline: prof.Tagline, Description: prof.Description,
			Specialties: prof.Specialties, FreeSpecialty: prof.FreeSpecialty, Areas: prof.Areas, Platforms: prof.Platforms,
			BudgetBand: prof.BudgetBand, Languages: prof.Languages, ContactEmail: prof.ContactEmail, Facets: prof.Facets(),
			State: state, Now: now})
		return err
	})
	if err != nil {
		return err
	}
	h.flash(c, msg)
	return redirect(c, "/manage/spotlight")
}

// freeProfileSlug names the profile in URLs after the company, with a number
// when another partner of the organization has that name already.
func freeProfileSlug(ctx context.Context, q *queries.Queries, u *User, name string) (string, error) {
	base := spotlight.Slugify(name)
	slug := base
	for i := 2; ; i++ {
		taken, err := q.PartnerProfileSlugTaken(ctx, queries.PartnerProfileSlugTakenParams{OrganizationID: u.OrganizationID, Slug: slug, PartnerID: u.PartnerID})
		if err != nil || !taken {
			return slug, err
		}
		slug = base + "-" + strconv.Itoa(i)
	}
}

// formValues returns every value of a repeated form field (checkboxes).
func formValues(c *fiber.Ctx, key string) []string {
	var out []string
	if mf, err := c.MultipartForm(); err == nil && mf != nil {
		return mf.Value[key]
	}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if string(k) == key {
			out = append(out, string(v))
		}
	})
	return out
}
