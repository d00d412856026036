package app

import (
	"bytes"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// publishAgreement publishes the saved draft as the next version: from then
// on every partner company is asked to sign it (while the agreement and the
// organization's switch are on). Without a draft, or with a draft identical
// to the published text, it refuses and says why.
func (h *Handler) publishAgreement(c *fiber.Ctx) error {
	u := currentUser(c)
	a, err := h.staffAgreement(c)
	if err != nil {
		return err
	}
	scope := queries.GetDraftVersionParams{OrganizationID: u.OrganizationID, AgreementID: a.ID}
	var published queries.AgreementVersion
	notice := ""
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		draft, err := q.GetDraftVersion(c.Context(), scope)
		if queries.IsNotFound(err) {
			notice = "There is no draft to publish. Write the new text in the editor and save it as a draft first."
			return nil
		} else if err != nil {
			return err
		}
		prev, err := q.GetLatestPublishedVersion(c.Context(), queries.GetLatestPublishedVersionParams(scope))
		if err == nil && bytes.Equal(prev.BodySha256, draft.BodySha256) {
			notice = "The draft is the same text as version " + strconv.Itoa(int(prev.Version)) +
				". Change the text before publishing, so partners are not asked to sign the same text twice."
			return nil
		} else if err != nil && !queries.IsNotFound(err) {
			return err
		}
		published, err = q.PublishDraftVersion(c.Context(), queries.PublishDraftVersionParams{Now: h.Clock.Now(), OrganizationID: scope.OrganizationID, AgreementID: scope.AgreementID})
		if queries.IsNotFound(err) { // published by someone else a moment ago
			notice = "There is no draft to publish any more: it was published a moment ago."
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	if notice != "" {
		return h.renderConsoleAgreement(c, fiber.StatusConflict, h.newPage(c, a.Title), a, notice)
	}
	h.Log.Info("agreement version published", "agreement_id", a.ID, "version", published.Version, "user_id", u.ID)
	msg := "Version " + strconv.Itoa(int(published.Version)) + " is published."
	switch {
	case !u.AgreementsEnabled:
		msg += " Agreements are off for your organization, so partners are not asked to sign it until you turn them on."
	case !a.Enabled:
		msg += " This agreement is disabled, so partners are not asked to sign it until you enable it."
	default:
		msg += " Every partner company is asked to sign it the next time they open the portal."
	}
	h.flash(c, msg)
	return redirect(c, "/console/agreements/"+strconv.FormatInt(a.ID, 10))
}
