package app

import (
	"context"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/valyala/fasthttp"

	"partnerportal/queries"
)

// MonthChartRows runs the Dashboard's month-bucket chart queries the way
// showOverview does (month rows for whole months, day rows for the partial
// ones), for tests that compare them with the day-row queries.
func MonthChartRows(ctx context.Context, q *queries.Queries, orgID, partnerID int64, from, to pgtype.Date, firstMonth int32) (
	[]queries.ChartCreatedLeadsForPartnerRow, []queries.ChartWonLeadsForPartnerRow, error) {
	u := &User{}
	u.OrganizationID, u.PartnerID = orgID, partnerID
	r := newMonthRanges(from, to)
	created, err := chartCreatedByMonth(ctx, q, u, r, firstMonth)
	if err != nil {
		return nil, nil, err
	}
	won, err := chartWonByMonth(ctx, q, u, r, firstMonth)
	return created, won, err
}

// FrontRedirects is the handler the server puts in front of Fiber's router,
// around next (what the router would do), for tests that tell which of the
// two answered.
func FrontRedirects(d *Deps, next fasthttp.RequestHandler) fasthttp.RequestHandler {
	return (&Handler{Deps: d}).frontRedirects(next)
}
