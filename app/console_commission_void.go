package app

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/commission"
	"partnerportal/app/money"
	"partnerportal/queries"
)

type voidCommissionData struct {
	Row  commissionRow
	Back string
}

func (h *Handler) loadConsoleCommission(c *fiber.Ctx) (commissionRow, error) {
	u := currentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return commissionRow{}, fiber.ErrNotFound
	}
	r, err := h.Store.GetCommission(c.Context(), queries.GetCommissionParams{OrganizationID: u.OrganizationID, ID: id})
	if queries.IsNotFound(err) {
		return commissionRow{}, fiber.ErrNotFound
	}
	if err != nil {
		return commissionRow{}, err
	}
	return newCommissionRow(r.Commission, r.LeadCompany, r.PartnerName, h.Clock.Now()), nil
}

// showVoidCommission asks for the reason before voiding (a destructive action).
func (h *Handler) showVoidCommission(c *fiber.Ctx) error {
	row, err := h.loadConsoleCommission(c)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Void commission")
	p.Section = "commissions"
	p.Data = voidCommissionData{Row: row, Back: backToCommissions(c)}
	return h.render(c, fiber.StatusOK, "pages/console_commission_void", "", p)
}

func (h *Handler) voidCommission(c *fiber.Ctx) error {
	u := currentUser(c)
	row, err := h.loadConsoleCommission(c)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	p := h.newPage(c, "Void commission")
	p.Section = "commissions"
	p.Data = voidCommissionData{Row: row, Back: backToCommissions(c)}
	if l := len([]rune(reason)); l < 3 || l > 500 {
		p.Errors = map[string]string{"reason": "Say why, in 3 to 500 characters: the partner sees it."}
		p.Form = map[string]string{"reason": reason}
		return h.render(c, fiber.StatusUnprocessableEntity, "pages/console_commission_void", "", p)
	}
	eng := &commission.Engine{Now: h.Clock.Now}
	err = eng.Void(c.Context(), h.Store.Queries, u.OrganizationID, row.ID, reason)
	if errors.Is(err, commission.ErrNotVoidable) {
		p.Errors = map[string]string{"reason": "This commission is " + statusLabel(row.Status) + " and can no longer be voided; add an adjustment instead."}
		p.Form = map[string]string{"reason": reason}
		return h.render(c, fiber.StatusUnprocessableEntity, "pages/console_commission_void", "", p)
	}
	if err != nil {
		return err
	}
	h.flash(c, "Voided the "+money.Format(row.AmountMinor, row.CurrencyCode)+" commission of "+row.Partner+".")
	return redirect(c, backToCommissions(c))
}
