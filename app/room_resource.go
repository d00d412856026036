package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/resource"
	"partnerportal/queries"
)

// A resource's page in Partner Room, its preview fragment, its files and
// preview images. Every one checks on the server that the resource belongs
// to the partner's organization, is not archived and is visible to the
// partner's tier (GetVisibleResource / GetVisibleVersion): anything else is
// a 404, the same as a resource that does not exist.

type roomResourceData struct {
	Resource queries.GetVisibleResourceRow
	Versions []queries.ResourceVersion
	Current  *queries.ResourceVersion
	Preview  *previewView
	Base     string
}

func (h *Handler) visibleResource(c *fiber.Ctx) (queries.GetVisibleResourceRow, error) {
	u := currentUser(c)
	id, err := resourceID(c)
	if err != nil {
		return queries.GetVisibleResourceRow{}, err
	}
	return h.Store.GetVisibleResource(c.Context(), queries.GetVisibleResourceParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: id})
}

func currentOf(versions []queries.ResourceVersion, id *int64) *queries.ResourceVersion {
	if id == nil {
		return nil
	}
	for i := range versions {
		if versions[i].ID == *id {
			return &versions[i]
		}
	}
	return nil
}

func (h *Handler) showRoomResource(c *fiber.Ctx) error {
	u := currentUser(c)
	r, err := h.visibleResource(c)
	if err != nil {
		return err
	}
	d := &roomResourceData{Resource: r, Base: "/partner-room/" + strconv.FormatInt(r.ID, 10)}
	if d.Versions, err = h.Store.ListResourceVersions(c.Context(), queries.ListResourceVersionsParams{OrganizationID: u.OrganizationID, ResourceID: r.ID}); err != nil {
		return err
	}
	d.Current = currentOf(d.Versions, r.CurrentVersionID)
	if d.Preview, err = h.makePreview(c, d.Base, d.Current); err != nil {
		return err
	}
	if err := h.Store.RecordResourceEvent(c.Context(), queries.RecordResourceEventParams{
		OrganizationID: u.OrganizationID, ResourceID: r.ID, PartnerID: u.PartnerID, UserID: &u.ID, Kind: "view", Now: h.Clock.Now(),
	}); err != nil {
		return err
	}
	p := h.newPage(c, r.Title)
	p.Section = "partner-room"
	p.Summary = r.Title + " in Partner Room"
	p.Data = d
	return h.render(c, fiber.StatusOK, "pages/room_resource", "", p)
}

func (h *Handler) showRoomPreview(c *fiber.Ctx) error {
	u := currentUser(c)
	r, err := h.visibleResource(c)
	if err != nil {
		return err
	}
	var cur *queries.ResourceVersion
	if r.CurrentVersionID != nil {
		v, err := h.Store.GetResourceVersion(c.Context(), queries.GetResourceVersionParams{OrganizationID: u.OrganizationID, ID: *r.CurrentVersionID})
		if err != nil {
			return err
		}
		cur = &v
	}
	return h.renderPreview(c, "/partner-room/"+strconv.FormatInt(r.ID, 10), cur)
}

func (h *Handler) visibleVersion(c *fiber.Ctx) (queries.ResourceVersion, error) {
	u := currentUser(c)
	id, err := resourceID(c)
	if err != nil {
		return queries.ResourceVersion{}, err
	}
	vid, err := strconv.ParseInt(c.Params("vid"), 10, 64)
	if err != nil {
		return queries.ResourceVersion{}, fiber.ErrNotFound
	}
	return h.Store.GetVisibleVersion(c.Context(), queries.GetVisibleVersionParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ResourceID: id, ID: vid})
}

// downloadRoomFile sends a version's file: an attachment (counted as a
// download), or with ?inline=1 in the page (the video player; only types
// resource.InlineType allows, never HTML, SVG or XML), with Range support.
func (h *Handler) downloadRoomFile(c *fiber.Ctx) error {
	u := currentUser(c)
	v, err := h.visibleVersion(c)
	if err != nil {
		return err
	}
	inline := c.Query("inline") == "1" && resource.InlineType(v.Mime) != ""
	if !inline && c.Get(fiber.HeaderRange) == "" && c.Method() == fiber.MethodGet {
		if err := h.Store.RecordResourceEvent(c.Context(), queries.RecordResourceEventParams{
			OrganizationID: u.OrganizationID, ResourceID: v.ResourceID, PartnerID: u.PartnerID, UserID: &u.ID, Kind: "download", Now: h.Clock.Now(),
		}); err != nil {
			return err
		}
	}
	return h.serveStored(c, v.StorageKey, v.FileName, v.Mime, inline)
}

func (h *Handler) showRoomPage(c *fiber.Ctx) error {
	v, err := h.visibleVersion(c)
	if err != nil {
		return err
	}
	return h.servePage(c, v)
}

// The console's counterparts: staff see every resource of their organization.

func (h *Handler) staffVersion(c *fiber.Ctx) (queries.ResourceVersion, error) {
	u := currentUser(c)
	id, err := resourceID(c)
	if err != nil {
		return queries.ResourceVersion{}, err
	}
	vid, err := strconv.ParseInt(c.Params("vid"), 10, 64)
	if err != nil {
		return queries.ResourceVersion{}, fiber.ErrNotFound
	}
	v, err := h.Store.GetResourceVersion(c.Context(), queries.GetResourceVersionParams{OrganizationID: u.OrganizationID, ID: vid})
	if err != nil {
		return v, err
	}
	if v.ResourceID != id {
		return v, fiber.ErrNotFound
	}
	return v, nil
}

func (h *Handler) downloadConsoleFile(c *fiber.Ctx) error {
	v, err := h.staffVersion(c)
	if err != nil {
		return err
	}
	return h.serveStored(c, v.StorageKey, v.FileName, v.Mime, c.Query("inline") == "1")
}

func (h *Handler) showConsolePage(c *fiber.Ctx) error {
	v, err := h.staffVersion(c)
	if err != nil {
		return err
	}
	return h.servePage(c, v)
}

func (h *Handler) showConsolePreview(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	r, err := h.Store.GetResourceForStaff(c.Context(), queries.GetResourceForStaffParams{OrganizationID: u.OrganizationID, ID: id})
	if err != nil {
		return err
	}
	var cur *queries.ResourceVersion
	if r.CurrentVersionID != nil {
		v, err := h.Store.GetResourceVersion(c.Context(), queries.GetResourceVersionParams{OrganizationID: u.OrganizationID, ID: *r.CurrentVersionID})
		if err != nil {
			return err
		}
		cur = &v
	}
	return h.renderPreview(c, "/console/resources/"+strconv.FormatInt(id, 10), cur)
}
