package app

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/hibiken/asynq"

	"partnerportal/app/invoice"
	"partnerportal/workers"
)

// runInvoicesNow queues the organization's invoice run (the worker's task):
// for a manual program everything approved up to today, otherwise the last
// closed period.
func (h *Handler) runInvoicesNow(c *fiber.Ctx) error {
	u := currentUser(c)
	s, err := invoice.LoadSettings(c.Context(), h.Store.Queries, u.OrganizationID)
	if err != nil {
		return err
	}
	p, err := invoice.ForRun(s.Period, s.Loc, h.Clock.Now(), "")
	if err != nil {
		return err
	}
	_, err = h.Queue.EnqueueContext(c.Context(), workers.NewInvoiceRunTask(u.OrganizationID, p))
	switch {
	case err == nil:
		h.flash(c, "The invoice run for "+p.Label+" has started: invoices appear here within a minute.")
	case errors.Is(err, asynq.ErrTaskIDConflict):
		h.flash(c, "An invoice run for "+p.Label+" is already under way.")
	default:
		return err
	}
	return redirect(c, "/console/invoices")
}
