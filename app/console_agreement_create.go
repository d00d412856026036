package app

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// createAgreement adds an agreement (no text yet) and opens its page, or shows
// the list again with the problem beside the title field (422).
func (h *Handler) createAgreement(c *fiber.Ctx) error {
	u := currentUser(c)
	p := h.newPage(c, "Agreements")
	p.Form = map[string]string{"title": strings.TrimSpace(c.FormValue("title"))}
	if problem := agreementTitleProblem(p.Form["title"]); problem != "" {
		p.Errors = map[string]string{"title": problem}
		return h.renderConsoleAgreements(c, fiber.StatusUnprocessableEntity, p)
	}
	a, err := h.Store.CreateAgreement(c.Context(), queries.CreateAgreementParams{
		OrganizationID: u.OrganizationID, Title: p.Form["title"]})
	if err != nil {
		return err
	}
	h.flash(c, "The agreement is created. Write its text, save the draft, then publish it when it is ready.")
	return redirect(c, "/console/agreements/"+strconv.FormatInt(a.ID, 10))
}

// agreementTitleProblem is the message for an unusable title, or "".
func agreementTitleProblem(title string) string {
	if n := utf8.RuneCountInString(title); n < 1 || n > maxAgreementTitle || !utf8.ValidString(title) {
		return "Enter a title of 1 to 200 characters."
	}
	return ""
}
