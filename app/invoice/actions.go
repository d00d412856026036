package invoice

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"partnerportal/app/money"
	"partnerportal/queries"
)

// ErrNotPending is returned for an invoice that is already paid or void.
var ErrNotPending = errors.New("invoice: not pending")

// MarkPaid marks a pending invoice paid on paidOn with a payment reference,
// and its commissions paid, and tells the partner's admins. Paid invoices
// are never changed again. Run it in the caller's transaction; it returns
// the notifications whose emails the caller queues after the commit.
func MarkPaid(ctx context.Context, q *queries.Queries, org, id int64, paidOn time.Time, reference string, user *int64, now time.Time) ([]int64, error) {
	inv, err := q.MarkInvoicePaid(ctx, queries.MarkInvoicePaidParams{OrganizationID: org, ID: id, PaidOn: date(paidOn),
		PaymentReference: reference, Now: now})
	if queries.IsNotFound(err) {
		return nil, ErrNotPending
	}
	if err != nil {
		return nil, err
	}
	if _, err := q.MarkInvoiceCommissionsPaid(ctx, queries.MarkInvoiceCommissionsPaidParams{OrganizationID: org, InvoiceID: id, Now: now}); err != nil {
		return nil, err
	}
	if err := q.AddInvoiceEvent(ctx, queries.AddInvoiceEventParams{OrganizationID: org, InvoiceID: id, Kind: "paid",
		Detail: "Paid on " + paidOn.Format("2 Jan 2006") + ", reference " + reference, UserID: user, Now: now}); err != nil {
		return nil, err
	}
	return q.NotifyInvoicePartnerAdmins(ctx, queries.NotifyInvoicePartnerAdminsParams{OrganizationID: org, PartnerID: inv.PartnerID,
		Body: fmt.Sprintf("Invoice %s (%s) was paid on %s, reference %s.", inv.Number, money.Format(inv.TotalMinor, inv.Currency),
			paidOn.Format("2 Jan 2006"), reference),
		Link: fmt.Sprintf("/payments/invoices/%d", inv.ID), Now: now})
}

// Void voids a pending invoice with a reason: its lines stop being live, so
// its commissions (still approved) go on the next run's invoice.
func Void(ctx context.Context, q *queries.Queries, org, id int64, reason string, user *int64, now time.Time) error {
	if _, err := q.VoidInvoice(ctx, queries.VoidInvoiceParams{OrganizationID: org, ID: id, VoidReason: reason, Now: now}); queries.IsNotFound(err) {
		return ErrNotPending
	} else if err != nil {
		return err
	}
	if _, err := q.ReleaseInvoiceLines(ctx, queries.ReleaseInvoiceLinesParams{OrganizationID: org, InvoiceID: id}); err != nil {
		return err
	}
	return q.AddInvoiceEvent(ctx, queries.AddInvoiceEventParams{OrganizationID: org, InvoiceID: id, Kind: "voided",
		Detail: reason, UserID: user, Now: now})
}

// CreateBatch puts the pending invoices among ids that are in no batch into
// a new payout batch; it reports the batch and how many joined (none: no
// batch is kept).
func CreateBatch(ctx context.Context, q *queries.Queries, org int64, ids []int64, user *int64, now time.Time) (int64, int, error) {
	batch, err := q.CreatePayoutBatch(ctx, queries.CreatePayoutBatchParams{OrganizationID: org, CreatedBy: user, Now: now})
	if err != nil {
		return 0, 0, err
	}
	joined, err := q.AddInvoicesToBatch(ctx, queries.AddInvoicesToBatchParams{OrganizationID: org, BatchID: &batch, Ids: ids})
	if err != nil {
		return 0, 0, err
	}
	if len(joined) == 0 {
		return 0, 0, ErrNotPending
	}
	for _, id := range joined {
		if err := q.AddInvoiceEvent(ctx, queries.AddInvoiceEventParams{OrganizationID: org, InvoiceID: id, Kind: "batched",
			Detail: fmt.Sprintf("In payout batch %d", batch), UserID: user, Now: now}); err != nil {
			return 0, 0, err
		}
	}
	return batch, len(joined), nil
}

// PayBatch marks an open batch paid and every pending invoice in it paid
// with the batch's date and reference.
func PayBatch(ctx context.Context, q *queries.Queries, org, batch int64, paidOn time.Time, reference string, user *int64, now time.Time) ([]int64, error) {
	if _, err := q.MarkPayoutBatchPaid(ctx, queries.MarkPayoutBatchPaidParams{OrganizationID: org, ID: batch, PaidOn: date(paidOn),
		PaymentReference: reference}); queries.IsNotFound(err) {
		return nil, ErrNotPending
	} else if err != nil {
		return nil, err
	}
	invs, err := q.ListBatchInvoices(ctx, queries.ListBatchInvoicesParams{OrganizationID: org, BatchID: &batch})
	if err != nil {
		return nil, err
	}
	var notes []int64
	for _, inv := range invs {
		if inv.Status != "pending" {
			continue
		}
		n, err := MarkPaid(ctx, q, org, inv.ID, paidOn, reference, user, now)
		if err != nil {
			return nil, err
		}
		notes = append(notes, n...)
	}
	return notes, nil
}

// CleanReference trims a payment reference; ok is false when it is empty,
// too long or has characters a bank file cannot carry.
func CleanReference(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 35 {
		return s, false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return s, false
		}
	}
	return s, true
}
