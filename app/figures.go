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
func (h *Handler) commissionFigures(ctx context.Context, u *User, p Period) (pending, paid []string, err error) {
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
