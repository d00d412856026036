package app

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// saveAgreementDraft saves the title and the draft text. A draft is created
// (as the next version) only when the text differs from the published one, so
// renaming an agreement does not start a new version. Invalid input comes
// back in the editor with field errors (422) and nothing is saved.
func (h *Handler) saveAgreementDraft(c *fiber.Ctx) error {
	u := currentUser(c)
	a, err := h.staffAgreement(c)
	if err != nil {
		return err
	}
	p := h.newPage(c, a.Title)
	body := strings.TrimSpace(strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n"))
	p.Form = map[string]string{"title": strings.TrimSpace(c.FormValue("title")), "body": body}
	errs := map[string]string{}
	if problem := agreementTitleProblem(p.Form["title"]); problem != "" {
		errs["title"] = problem
	}
	if n := utf8.RuneCountInString(body); n < 1 || n > maxAgreementBody || !utf8.ValidString(body) ||
		strings.ContainsRune(body, 0) {
		errs["body"] = "Enter the agreement text (1 to 200,000 characters)."
	}
	if len(errs) > 0 {
		p.Errors = errs
		return h.renderConsoleAgreement(c, fiber.StatusUnprocessableEntity, p, a, "")
	}

	scope := queries.GetDraftVersionParams{OrganizationID: u.OrganizationID, AgreementID: a.ID}
	sum := agreementHash(body)
	msg := "The draft is saved. Publish it when partners should sign it."
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		if err := q.UpdateAgreementTitle(c.Context(), queries.UpdateAgreementTitleParams{
			OrganizationID: u.OrganizationID, ID: a.ID, Title: p.Form["title"]}); err != nil {
			return err
		}
		_, err := q.GetDraftVersion(c.Context(), scope)
		if queries.IsNotFound(err) {
			pub, perr := q.GetLatestPublishedVersion(c.Context(), queries.GetLatestPublishedVersionParams(scope))
			if perr == nil && pub.Body == body {
				msg = "The title is saved. The text is the same as the published version, so no draft was started."
				return nil
			}
			if perr != nil && !queries.IsNotFound(perr) {
				return perr
			}
		} else if err != nil {
			return err
		}
		_, err = q.SaveDraftVersion(c.Context(), queries.SaveDraftVersionParams{Now: h.Clock.Now(),
			OrganizationID: u.OrganizationID, AgreementID: a.ID, Body: body, BodySha256: sum, CreatedBy: &u.ID})
		return err
	})
	if err != nil {
		return err
	}
	h.flash(c, msg)
	return redirect(c, "/console/agreements/"+strconv.FormatInt(a.ID, 10))
}
