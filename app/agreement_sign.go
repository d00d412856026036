package app

import (
	"encoding/hex"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// signPage is what pages/agreement_sign shows: the first agreement version
// the partner company still has to sign.
type signPage struct {
	Version queries.ListUnsignedAgreementVersionsRow
	SHA256  string // hex hash of Version.Body, sent back with the form
	Step    int    // position of this agreement among those signed in this run
	Total   int
	Done    int    // agreements already signed in this run (carried by the form)
	Notice  string // why the form was refused as a whole, if it was
}

// showAgreementSign shows the next agreement the company has to sign, or
// sends the user on to the dashboard when there is none.
func (h *Handler) showAgreementSign(c *fiber.Ctx) error {
	u := currentUser(c)
	pending, err := h.pendingAgreements(c, u)
	if err != nil {
		return err
	}
	if len(pending) == 0 {
		return redirect(c, "/dashboard")
	}
	p := h.newPage(c, "Sign the partner agreement")
	p.Form = map[string]string{}
	return h.renderAgreementSign(c, fiber.StatusOK, p, pending, signedSoFar(c.QueryInt("done")), "")
}

// renderAgreementSign shows pending[0] with the form, its errors and notice.
func (h *Handler) renderAgreementSign(c *fiber.Ctx, status int, p *Page,
	pending []queries.ListUnsignedAgreementVersionsRow, done int, notice string) error {
	v := pending[0]
	p.Title = "Sign: " + v.Title
	p.Data = signPage{
		Version: v, SHA256: hex.EncodeToString(agreementHash(v.Body)),
		Step: done + 1, Total: done + len(pending), Done: done, Notice: notice,
	}
	return h.render(c, status, "pages/agreement_sign", "", p)
}

// signedSoFar bounds the "agreements signed in this run" counter, which only
// numbers the pages ("2 of 3") and comes from the URL or the form.
func signedSoFar(n int) int {
	if n < 0 || n > 100 {
		return 0
	}
	return n
}
