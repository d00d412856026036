package app

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/spotlight"
	"partnerportal/queries"
)

// Console → Settings → Partner directory: on/off, its address, the lists
// partners choose from, approval, featured partners and their order, and
// the origins that may frame it. Profiles waiting for approval are decided
// on the same page (console_directory_review.go).

type consoleDirectory struct {
	S        queries.DirectorySetting
	Profiles []queries.ListProfilesForConsoleRow
	Pending  []queries.ListPendingProfilesRow
	Featured map[int64]string // partner id → position as typed
}

func (h *Handler) loadConsoleDirectory(c *fiber.Ctx, u *User) (consoleDirectory, error) {
	ctx := c.Context()
	s, err := h.directorySettings(ctx, h.Store.Queries, u.OrganizationID)
	if err != nil {
		return consoleDirectory{}, err
	}
	profiles, err := h.Store.ListProfilesForConsole(ctx, u.OrganizationID)
	if err != nil {
		return consoleDirectory{}, err
	}
	pending, err := h.Store.ListPendingProfiles(ctx, u.OrganizationID)
	if err != nil {
		return consoleDirectory{}, err
	}
	cd := consoleDirectory{S: s, Profiles: profiles, Pending: pending, Featured: map[int64]string{}}
	for i, id := range s.FeaturedPartnerIds {
		cd.Featured[id] = strconv.Itoa(i + 1)
	}
	return cd, nil
}

func settingsForm(s queries.DirectorySetting) map[string]string {
	f := map[string]string{"slug": s.Slug, "specialties": strings.Join(s.Specialties, "\n"), "platforms": strings.Join(s.Platforms, "\n"),
		"budget_bands": strings.Join(s.BudgetBands, "\n"), "frame_origins": strings.Join(s.FrameOrigins, "\n")}
	if s.Enabled {
		f["enabled"] = "on"
	}
	if s.ApprovalRequired {
		f["approval_required"] = "on"
	}
	return f
}

func (h *Handler) showConsoleDirectory(c *fiber.Ctx) error {
	u := currentUser(c)
	cd, err := h.loadConsoleDirectory(c, u)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Partner directory")
	p.Form = settingsForm(cd.S)
	return h.renderConsoleDirectory(c, fiber.StatusOK, p, cd)
}

func (h *Handler) renderConsoleDirectory(c *fiber.Ctx, status int, p *Page, cd consoleDirectory) error {
	p.Section = "settings"
	p.Data = fiber.Map{"Tab": "directory", "D": cd}
	return h.render(c, status, "pages/console_directory", "", p)
}

// saveConsoleDirectory validates every field and saves all or nothing.
func (h *Handler) saveConsoleDirectory(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	cd, err := h.loadConsoleDirectory(c, u)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Partner directory")
	p.Form = map[string]string{}
	for _, k := range []string{"enabled", "slug", "specialties", "platforms", "budget_bands", "approval_required", "frame_origins"} {
		p.Form[k] = strings.TrimSpace(c.FormValue(k))
	}
	errs := map[string]string{}
	if !spotlight.ValidSlug(p.Form["slug"]) {
		errs["slug"] = "Use lowercase letters, digits and dashes (up to 63), like acme."
	}
	lists := map[string][]string{}
	for _, k := range []string{"specialties", "platforms", "budget_bands"} {
		v, msg := spotlight.ParseList(p.Form[k], 50)
		if msg != "" {
			errs[k] = msg
		}
		lists[k] = v
	}
	origins, msg := spotlight.ParseOrigins(p.Form["frame_origins"])
	if msg != "" {
		errs["frame_origins"] = msg
	}
	// Featured: a position number per partner; blank is not featured.
	type pos struct {
		id int64
		n  int
	}
	var featured []pos
	cd.Featured = map[int64]string{}
	for _, pr := range cd.Profiles {
		raw := strings.TrimSpace(c.FormValue("featured_" + strconv.FormatInt(pr.PartnerID, 10)))
		cd.Featured[pr.PartnerID] = raw
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 999 {
			errs["featured"] = "Featured positions are whole numbers from 1 to 999 (leave blank for not featured)."
			continue
		}
		featured = append(featured, pos{pr.PartnerID, n})
	}
	sort.SliceStable(featured, func(i, j int) bool { return featured[i].n < featured[j].n })
	ids := []int64{}
	for _, f := range featured {
		ids = append(ids, f.id)
	}
	if len(errs) > 0 {
		p.Errors = errs
		return h.renderConsoleDirectory(c, fiber.StatusUnprocessableEntity, p, cd)
	}
	err = h.Store.Tx(ctx, func(q *queries.Queries) error {
		if _, err := q.UpdateDirectorySettings(ctx, queries.UpdateDirectorySettingsParams{OrganizationID: u.OrganizationID,
			Enabled: p.Form["enabled"] != "", Slug: p.Form["slug"], Specialties: lists["specialties"], Platforms: lists["platforms"],
			BudgetBands: lists["budget_bands"], ApprovalRequired: p.Form["approval_required"] != "", FeaturedPartnerIds: ids,
			FrameOrigins: origins, Now: h.Clock.Now()}); err != nil {
			return err
		}
		return q.RankFeaturedProfiles(ctx, queries.RankFeaturedProfilesParams{OrganizationID: u.OrganizationID, Featured: ids})
	})
	if queries.IsDuplicate(err) {
		p.Errors = map[string]string{"slug": "Another organization's directory uses this address. Choose another."}
		return h.renderConsoleDirectory(c, fiber.StatusUnprocessableEntity, p, cd)
	}
	if err != nil {
		return err
	}
	h.flash(c, "Directory settings saved.")
	return redirect(c, "/console/directory")
}

func (cd consoleDirectory) IsPending(state string) bool {
	return slices.Contains([]string{spotlight.Pending}, state)
}
