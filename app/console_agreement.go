package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// consoleAgreementPage is what pages/console_agreement shows.
type consoleAgreementPage struct {
	Agreement   queries.Agreement
	Draft       *queries.AgreementVersion // nil when there is no draft
	Published   *queries.AgreementVersion // latest published version, nil before the first
	NextVersion int32                     // the number the draft is published as
	Versions    []queries.ListAgreementVersionsRow
	Signatures  []queries.ListSignaturesForAgreementRow
	OrgEnabled  bool
	Notice      string // why an action was refused, if it was
}

// showConsoleAgreement shows one agreement: the draft editor, the publish and
// enable switches, the version history and who signed which version.
func (h *Handler) showConsoleAgreement(c *fiber.Ctx) error {
	a, err := h.staffAgreement(c)
	if err != nil {
		return err
	}
	return h.renderConsoleAgreement(c, fiber.StatusOK, h.newPage(c, a.Title), a, "")
}

// staffAgreement loads the :id agreement of the staff user's organization;
// another organization's agreement is a 404.
func (h *Handler) staffAgreement(c *fiber.Ctx) (queries.Agreement, error) {
	id, err := paramID(c)
	if err != nil {
		return queries.Agreement{}, err
	}
	return h.Store.GetAgreement(c.Context(), queries.GetAgreementParams{OrganizationID: currentUser(c).OrganizationID, ID: id})
}

// renderConsoleAgreement loads the rest of the page. p.Form, when already
// set, holds the editor's submitted values; otherwise the editor starts from
// the draft, or from the latest published text.
func (h *Handler) renderConsoleAgreement(c *fiber.Ctx, status int, p *Page, a queries.Agreement, notice string) error {
	ctx := c.Context()
	u := p.User
	scope := queries.GetDraftVersionParams{OrganizationID: u.OrganizationID, AgreementID: a.ID}
	d := consoleAgreementPage{Agreement: a, OrgEnabled: u.AgreementsEnabled, Notice: notice, NextVersion: 1}

	draft, err := h.Store.GetDraftVersion(ctx, scope)
	switch {
	case err == nil:
		d.Draft = &draft
	case !queries.IsNotFound(err):
		return err
	}
	pub, err := h.Store.GetLatestPublishedVersion(ctx, queries.GetLatestPublishedVersionParams(scope))
	switch {
	case err == nil:
		d.Published = &pub
		d.NextVersion = pub.Version + 1
	case !queries.IsNotFound(err):
		return err
	}
	if d.Draft != nil {
		d.NextVersion = d.Draft.Version
	}
	if d.Versions, err = h.Store.ListAgreementVersions(ctx, queries.ListAgreementVersionsParams(scope)); err != nil {
		return err
	}
	if d.Signatures, err = h.Store.ListSignaturesForAgreement(ctx, queries.ListSignaturesForAgreementParams(scope)); err != nil {
		return err
	}
	if p.Form == nil {
		p.Form = map[string]string{"title": a.Title}
		switch {
		case d.Draft != nil:
			p.Form["body"] = d.Draft.Body
		case d.Published != nil:
			p.Form["body"] = d.Published.Body
		}
	}
	p.Section = "agreements"
	p.Data = d
	return h.render(c, status, "pages/console_agreement", "", p)
}
