package app

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"partnerportal/queries"
)

// monthRanges splits a period's days [from, to) for the month-bucket chart
// queries: the whole months [MonthFrom, MonthTo) are read from the month rows
// (lead_monthly_counts, lead_monthly_wins), the partial first month's days
// [DayFrom, HeadTo) and the partial last month's [TailFrom, DayTo) from the
// day rows. Together they cover every day of the period exactly once; a
// period inside one month has no whole month and is all head.
type monthRanges struct {
	DayFrom, HeadTo, MonthFrom, MonthTo, TailFrom, DayTo pgtype.Date
}

func newMonthRanges(from, to pgtype.Date) monthRanges {
	first := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }
	monthFrom := first(from.Time) // the first whole month starts on or after from
	if !monthFrom.Equal(from.Time) {
		monthFrom = monthFrom.AddDate(0, 1, 0)
	}
	monthTo := first(to.Time) // and the last one ends on or before to
	if monthTo.Before(monthFrom) {
		monthTo = monthFrom // no whole month
	}
	headTo := monthFrom
	if to.Time.Before(headTo) {
		headTo = to.Time
	}
	tailFrom := monthTo
	if tailFrom.Before(headTo) {
		tailFrom = headTo
	}
	d := func(t time.Time) pgtype.Date { return pgtype.Date{Time: t, Valid: true} }
	return monthRanges{DayFrom: from, HeadTo: d(headTo), MonthFrom: d(monthFrom), MonthTo: d(monthTo), TailFrom: d(tailFrom), DayTo: to}
}

// chartCreatedByMonth is ChartCreatedLeadsForPartner with unit month, read
// through the month rows; the rows are the same.
func chartCreatedByMonth(ctx context.Context, q *queries.Queries, u *User, r monthRanges, firstMonth int32) ([]queries.ChartCreatedLeadsForPartnerRow, error) {
	rows, err := q.ChartCreatedLeadsByMonthForPartner(ctx, queries.ChartCreatedLeadsByMonthForPartnerParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, FirstMonth: firstMonth,
		DayFrom: r.DayFrom, HeadTo: r.HeadTo, MonthFrom: r.MonthFrom, MonthTo: r.MonthTo, TailFrom: r.TailFrom, DayTo: r.DayTo})
	out := make([]queries.ChartCreatedLeadsForPartnerRow, len(rows))
	for i, row := range rows {
		out[i] = queries.ChartCreatedLeadsForPartnerRow(row)
	}
	return out, err
}

// chartWonByMonth is ChartWonLeadsForPartner with unit month, read through
// the month rows.
func chartWonByMonth(ctx context.Context, q *queries.Queries, u *User, r monthRanges, firstMonth int32) ([]queries.ChartWonLeadsForPartnerRow, error) {
	rows, err := q.ChartWonLeadsByMonthForPartner(ctx, queries.ChartWonLeadsByMonthForPartnerParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, FirstMonth: firstMonth,
		DayFrom: r.DayFrom, HeadTo: r.HeadTo, MonthFrom: r.MonthFrom, MonthTo: r.MonthTo, TailFrom: r.TailFrom, DayTo: r.DayTo})
	out := make([]queries.ChartWonLeadsForPartnerRow, len(rows))
	for i, row := range rows {
		out[i] = queries.ChartWonLeadsForPartnerRow(row)
	}
	return out, err
}
