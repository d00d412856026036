package app

import (
	"context"

	"partnerportal/app/money"
	"partnerportal/queries"
)

// amounts shows sums of money as one figure per currency (amounts in
// different currencies are never added), the organization's currency first;
// no sums at all read as zero in the organization's currency.
func amounts(sums map[string]int64, fallbackCurrency string) []string {
	if len(sums) == 0 {
		return []string{money.Format(0, fallbackCurrency)}
	}
	curs := make([]string, 0, len(sums))
	for cur := range sums {
		curs = append(curs, cur)
	}
	curs = sortedCurrencies(curs, fallbackCurrency)
	out := make([]string, 0, len(curs))
	for _, cur := range curs {
		out = append(out, money.Format(sums[cur], cur))
	}
	return out
}

// commissionFigures are the partner's pending and paid commissions in a
// period, per currency, read from the commissions table (empty until the
// commission worker ships, so they honestly read zero).
//
// Over the lifetime (the Leads page, the Dashboard as it opens) they are
// the partner's totals per currency and status, which triggers keep in
// commission_totals: a few rows instead of every commission of the partner
// (23,430 rows, ≈ 10 ms of PostgreSQL CPU for each page view at 1M leads;
// docs/BENCHMARKS.md, issue 10). The lifetime period covers every date a
// commission can carry, so both give the same sums.
func (h *Handler) commissionFigures(ctx context.Context, u *User, p Period) (pending, paid []string, err error) {
	if p.IsLifetime() {
		totals, err := h.Store.SumCommissionsByStatus(ctx, queries.SumCommissionsByStatusParams{
			OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
		if err != nil {
			return nil, nil, err
		}
		pend, pd := map[string]int64{}, map[string]int64{}
		for _, t := range totals {
			switch t.Status {
			case "pending", "approved":
				pend[t.Currency] += t.AmountMinor
			case "paid":
				pd[t.Currency] += t.AmountMinor
			}
		}
		for _, m := range []map[string]int64{pend, pd} {
			for cur, v := range m {
				if v == 0 {
					delete(m, cur)
				}
			}
		}
		return amounts(pend, u.Currency), amounts(pd, u.Currency), nil
	}
	rows, err := h.Store.SumCommissionsForPartner(ctx, queries.SumCommissionsForPartnerParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, PeriodFrom: p.From, PeriodTo: p.To})
	if err != nil {
		return nil, nil, err
	}
	pend, pd := map[string]int64{}, map[string]int64{}
	for _, r := range rows {
		if r.PendingMinor != 0 {
			pend[r.Currency] = r.PendingMinor
		}
		if r.PaidMinor != 0 {
			pd[r.Currency] = r.PaidMinor
		}
	}
	return amounts(pend, u.Currency), amounts(pd, u.Currency), nil
}
