package app

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/resource"
	"partnerportal/queries"
)

// A Partner Room resource's details, as staff edit them: the new-resource
// form (with files or a link) and the edit page (details, versions, replace
// the file, archive).

type resourceFields struct {
	Title, Description, Link, Visibility string
	CategoryID                           *int64
	Tags                                 []string
	TierIDs                              []int64
	Featured                             bool
}

type consoleResourceData struct {
	Resource   *queries.GetResourceForStaffRow
	Versions   []queries.ResourceVersion
	Categories []queries.ListResourceCategoriesRow
	Tiers      []queries.Tier
	TierIDs    []int64
	MaxBytes   int64
	MaxSize    string
	Accept     string
	Preview    *previewView
}

// readResourceFields takes the fields from form values (urlencoded, or the
// streamed multipart's fields) and checks them; form echoes them back.
func (h *Handler) readResourceFields(ctx context.Context, orgID int64, v url.Values) (resourceFields, map[string]string, map[string]string, error) {
	f := resourceFields{
		Title: strings.TrimSpace(resource.CleanText([]byte(v.Get("title")))), Description: strings.TrimSpace(resource.CleanText([]byte(v.Get("description")))),
		Link: strings.TrimSpace(v.Get("link")), Visibility: v.Get("visibility"), Featured: v.Get("featured") == "1",
	}
	form := map[string]string{"title": f.Title, "description": f.Description, "link": f.Link, "visibility": f.Visibility,
		"category": v.Get("category"), "tags": v.Get("tags")}
	if f.Featured {
		form["featured"] = "1"
	}
	errs := map[string]string{}
	if len([]rune(f.Title)) > 200 {
		errs["title"] = "At most 200 characters."
	}
	if len([]rune(f.Description)) > 5000 {
		errs["description"] = "At most 5,000 characters."
	}
	if f.Link != "" {
		u, err := url.Parse(f.Link)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(f.Link) > 2000 {
			errs["link"] = "Enter a full web address starting with https://."
		}
	}
	for _, t := range strings.Split(v.Get("tags"), ",") {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || slices.Contains(f.Tags, t) {
			continue
		}
		if len([]rune(t)) > 40 {
			errs["tags"] = "Keep each tag under 40 characters."
		}
		f.Tags = append(f.Tags, t)
	}
	if len(f.Tags) > 20 {
		errs["tags"] = "At most 20 tags."
	}
	if f.Tags == nil {
		f.Tags = []string{}
	}
	if raw := v.Get("category"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		cats, lerr := h.Store.ListResourceCategories(ctx, orgID)
		if lerr != nil {
			return f, nil, nil, lerr
		}
		if err != nil || !slices.ContainsFunc(cats, func(c queries.ListResourceCategoriesRow) bool { return c.ID == id }) {
			errs["category"] = "Choose a category from the list."
		} else {
			f.CategoryID = &id
		}
	}
	switch f.Visibility {
	case "all", "":
		f.Visibility = "all"
	case "tiers":
		tiers, err := h.Store.ListTiers(ctx, orgID)
		if err != nil {
			return f, nil, nil, err
		}
		for _, raw := range v["tier"] {
			id, err := strconv.ParseInt(raw, 10, 64)
			if err != nil || !slices.ContainsFunc(tiers, func(t queries.Tier) bool { return t.ID == id }) {
				errs["tier"] = "Choose tiers from the list."
				continue
			}
			f.TierIDs = append(f.TierIDs, id)
			form["tier-"+raw] = "1"
		}
		if len(f.TierIDs) == 0 && errs["tier"] == "" {
			errs["tier"] = "Choose at least one tier, or show it to all partners."
		}
	default:
		errs["visibility"] = "Choose who may see it."
	}
	return f, errs, form, nil
}

func (h *Handler) loadConsoleResource(c *fiber.Ctx, id int64) (*consoleResourceData, error) {
	u := currentUser(c)
	ctx := c.Context()
	d := &consoleResourceData{MaxBytes: h.Config.UploadMaxBytes, MaxSize: resource.Size(h.Config.UploadMaxBytes),
		Accept: strings.Join(h.Config.UploadAllowedTypes, ",")}
	var err error
	if id != 0 {
		r, err := h.Store.GetResourceForStaff(ctx, queries.GetResourceForStaffParams{OrganizationID: u.OrganizationID, ID: id})
		if err != nil {
			return nil, err
		}
		d.Resource = &r
		if d.Versions, err = h.Store.ListResourceVersions(ctx, queries.ListResourceVersionsParams{OrganizationID: u.OrganizationID, ResourceID: id}); err != nil {
			return nil, err
		}
		if d.Preview, err = h.makePreview(c, "/console/resources/"+strconv.FormatInt(id, 10), currentOf(d.Versions, r.CurrentVersionID)); err != nil {
			return nil, err
		}
		if d.TierIDs, err = h.Store.ListResourceTierIDs(ctx, queries.ListResourceTierIDsParams{OrganizationID: u.OrganizationID, ResourceID: id}); err != nil {
			return nil, err
		}
	}
	if d.Categories, err = h.Store.ListResourceCategories(ctx, u.OrganizationID); err != nil {
		return nil, err
	}
	if d.Tiers, err = h.Store.ListTiers(ctx, u.OrganizationID); err != nil {
		return nil, err
	}
	return d, nil
}

// formOf is the edit form's starting values.
func formOf(d *consoleResourceData) map[string]string {
	r := d.Resource
	f := map[string]string{"title": r.Title, "description": r.Description, "link": r.LinkUrl, "visibility": r.Visibility,
		"tags": strings.Join(r.Tags, ", ")}
	if r.CategoryID != nil {
		f["category"] = strconv.FormatInt(*r.CategoryID, 10)
	}
	if r.Featured {
		f["featured"] = "1"
	}
	for _, id := range d.TierIDs {
		f["tier-"+strconv.FormatInt(id, 10)] = "1"
	}
	return f
}

func (h *Handler) renderResourceForm(c *fiber.Ctx, status int, id int64, errs, form map[string]string) error {
	d, err := h.loadConsoleResource(c, id)
	if err != nil {
		return err
	}
	title := "New resources"
	if d.Resource != nil {
		title = d.Resource.Title
		if form == nil {
			form = formOf(d)
		}
	}
	if form == nil {
		form = map[string]string{"visibility": "all"}
	}
	p := h.newPage(c, title)
	p.Section = "resources"
	p.Data, p.Errors, p.Form = d, errs, form
	if len(errs) > 0 {
		announceError(c, errorSummary(errs))
	}
	return h.render(c, status, "pages/console_resource", "", p)
}

func (h *Handler) showNewResource(c *fiber.Ctx) error {
	return h.renderResourceForm(c, fiber.StatusOK, 0, nil, nil)
}

func resourceID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

func (h *Handler) showConsoleResource(c *fiber.Ctx) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	return h.renderResourceForm(c, fiber.StatusOK, id, nil, nil)
}

// updateResource saves the details (not the file: see replaceResourceFile).
func (h *Handler) updateResource(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	cur, err := h.Store.GetResourceForStaff(c.Context(), queries.GetResourceForStaffParams{OrganizationID: u.OrganizationID, ID: id})
	if err != nil {
		return err
	}
	v, _ := url.ParseQuery(string(c.Body()))
	f, errs, form, err := h.readResourceFields(c.Context(), u.OrganizationID, v)
	if err != nil {
		return err
	}
	if f.Title == "" {
		errs["title"] = "Give the resource a title."
	}
	if cur.CurrentVersionID == nil && f.Link == "" {
		errs["link"] = "A resource without a file needs a link."
	}
	if len(errs) > 0 {
		return h.renderResourceForm(c, fiber.StatusUnprocessableEntity, id, errs, form)
	}
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		if _, err := q.UpdateResource(c.Context(), queries.UpdateResourceParams{
			OrganizationID: u.OrganizationID, ID: id, CategoryID: f.CategoryID, Title: f.Title, Description: f.Description,
			Tags: f.Tags, Visibility: f.Visibility, Featured: f.Featured, LinkUrl: f.Link, Now: h.Clock.Now(),
		}); err != nil {
			return err
		}
		return setResourceTiers(c.Context(), q, u.OrganizationID, id, f)
	})
	if err != nil {
		return err
	}
	h.flash(c, "Saved “"+f.Title+"”.")
	return redirect(c, "/console/resources/"+strconv.FormatInt(id, 10))
}

func setResourceTiers(ctx context.Context, q *queries.Queries, orgID, id int64, f resourceFields) error {
	if err := q.ClearResourceTiers(ctx, queries.ClearResourceTiersParams{OrganizationID: orgID, ResourceID: id}); err != nil {
		return err
	}
	if f.Visibility != "tiers" {
		return nil
	}
	for _, t := range f.TierIDs {
		if err := q.AddResourceTier(ctx, queries.AddResourceTierParams{OrganizationID: orgID, ResourceID: id, TierID: t}); err != nil {
			return err
		}
	}
	return nil
}

// archiveResource hides a resource from partners (archived=1) or brings it back.
func (h *Handler) archiveResource(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	archive := c.FormValue("archived") != "0"
	r, err := h.Store.SetResourceArchived(c.Context(), queries.SetResourceArchivedParams{
		OrganizationID: u.OrganizationID, ID: id, Archived: archive, Now: h.Clock.Now(),
	})
	if err != nil {
		return err
	}
	if archive {
		h.flash(c, "Archived “"+r.Title+"”: partners no longer see it.")
		return redirect(c, "/console/resources")
	}
	h.flash(c, "“"+r.Title+"” is back in Partner Room.")
	return redirect(c, "/console/resources/"+strconv.FormatInt(id, 10))
}
