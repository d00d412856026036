package app_test

// Benchmarks at scale ("measured at 1M leads"): the real web tier, started
// in-process on a real port against the database `portal seed --scale N`
// built, signed in through the real sign-in flow. For each view it times
// the whole request (wall time on loopback: the portal sends no
// Server-Timing header) and, interleaved with it, the bare SQL the handler
// runs for that view (the same sqlc methods and parameters, run the way the
// handler runs them). It reports p50/p95/p99 of both and their ratio. It
// never asserts a timing. docs/BENCHMARKS.md has the recipe and the figures:
//
//	BENCH_DATABASE_URL='postgres://postgres@127.0.0.1:5432/partnerportal_bench?sslmode=disable' \
//	  go test ./app -run '^$' -bench Scale -benchtime 300x -count 1
//
// Without BENCH_DATABASE_URL every benchmark skips.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"golang.org/x/sync/errgroup"

	"partnerportal/app/apptest"
	"partnerportal/app/seed"
	"partnerportal/queries"
)

// benchCase is one view: the URL and headers htmx sends, what the response
// must contain to count as the real thing, and the handler's queries.
type benchCase struct {
	name    string
	staff   bool // signed in as staff@scale.test, else admin@hundredk.test
	page    bool // a full page (no htmx headers), not a fragment
	path    string
	headers map[string]string
	marker  string
	sql     func(ctx context.Context) error
}

// scaleIDs are the rows the benchmarks act as.
type scaleIDs struct {
	org, partner int64
	tz           string
}

func BenchmarkScale(b *testing.B) {
	dbURL := os.Getenv("BENCH_DATABASE_URL")
	if dbURL == "" {
		b.Skip("BENCH_DATABASE_URL is not set: these benchmarks need a database built with `portal seed --scale N` (docs/BENCHMARKS.md)")
	}
	env := apptest.NewEnv(b, apptest.Options{DatabaseURL: dbURL})
	ctx := context.Background()
	org, err := env.Store.GetOrganizationBySlug(ctx, seed.ScaleSlug)
	if err != nil {
		b.Fatalf("no Scale Corp in %s (run `portal seed --scale N` first): %v", dbURL, err)
	}
	admin, err := env.Store.GetUserByEmail(ctx, seed.ScaleBigAdmin)
	if err != nil || admin.PartnerID == nil {
		b.Fatalf("%s: %+v, %v", seed.ScaleBigAdmin, admin, err)
	}
	ids := scaleIDs{org: org.ID, partner: *admin.PartnerID, tz: org.TimeZone}

	// One sign-in each (the portal allows five links per address an hour).
	sessions := map[bool]string{}
	for staff, email := range map[bool]string{false: seed.ScaleBigAdmin, true: seed.ScaleStaffEmail} {
		cl := env.Client(b)
		cl.SignIn(email)
		var pairs []string
		for _, ck := range cl.Cookies() {
			pairs = append(pairs, ck.Name+"="+ck.Value)
		}
		sessions[staff] = strings.Join(pairs, "; ")
	}
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	for _, c := range scaleCases(env.Store, ids, env.Clock.Now()) {
		b.Run(c.name, func(b *testing.B) {
			get := func() (int, string) {
				req, err := http.NewRequest(http.MethodGet, env.URL+c.path, nil)
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("Cookie", sessions[c.staff])
				for k, v := range c.headers {
					req.Header.Set(k, v)
				}
				res, err := hc.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				body, err := io.ReadAll(res.Body)
				res.Body.Close()
				if err != nil {
					b.Fatal(err)
				}
				return res.StatusCode, string(body)
			}
			// Measure the real thing: a 200 fragment with its rows, not a
			// redirect to the sign-in page or an error banner.
			status, body := get()
			if status != http.StatusOK || !strings.Contains(body, c.marker) || strings.Contains(body, "<html") != c.page {
				b.Fatalf("GET %s: status %d, want a page (%v) with %q; body:\n%.2000s", c.path, status, c.page, c.marker, body)
			}
			for range 5 { // warm caches, pools and statement caches on both sides
				get()
				if err := c.sql(ctx); err != nil {
					b.Fatal(err)
				}
			}
			web := make([]time.Duration, 0, b.N)
			bare := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				if status, _ := get(); status != http.StatusOK {
					b.Fatalf("GET %s: status %d", c.path, status)
				}
				web = append(web, time.Since(start))

				b.StopTimer()
				start = time.Now()
				if err := c.sql(ctx); err != nil {
					b.Fatal(err)
				}
				bare = append(bare, time.Since(start))
				b.StartTimer()
			}
			b.StopTimer()
			w, s := percentiles(web), percentiles(bare)
			b.ReportMetric(w[0], "p50-ms")
			b.ReportMetric(w[1], "p95-ms")
			b.ReportMetric(w[2], "p99-ms")
			b.ReportMetric(s[0], "sql-p50-ms")
			b.ReportMetric(s[1], "sql-p95-ms")
			b.ReportMetric(s[2], "sql-p99-ms")
			if s[0] > 0 {
				b.ReportMetric(w[0]/s[0], "web/sql-p50")
			}
		})
	}
}

// percentiles returns p50, p95 and p99 in milliseconds (nearest rank).
func percentiles(d []time.Duration) [3]float64 {
	slices.Sort(d)
	var out [3]float64
	for i, p := range []int{50, 95, 99} {
		k := (len(d)*p + 99) / 100
		out[i] = float64(d[max(k-1, 0)]) / float64(time.Millisecond)
	}
	return out
}

func htmx(target string) map[string]string {
	return map[string]string{"HX-Request": "true", "HX-Current-URL": "http://localhost/", "HX-Target": target}
}

// scaleCases lists the measured views. Each sql func mirrors its handler's
// queries and parameters; keep them in step when a handler changes:
// app/leads_list.go + app/lead_list.go (loadLeadList), app/dashboard.go
// (showOverview) + app/chart.go (newChartSpan), app/review_queue.go
// (showReviewQueue), app/console_home.go.
func scaleCases(store *queries.Store, ids scaleIDs, now time.Time) []benchCase {
	loc, err := time.LoadLocation(ids.tz)
	if err != nil {
		loc = time.UTC
	}
	lifetime := [2]time.Time{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}

	// (a) The Leads page's list fragment for the 100k-lead partner: a
	// status tab, a search, sorted by deal value, page 3.
	leadList := func(name, q string) benchCase {
		path := "/leads?status=approved&sort=value&dir=desc&page=3"
		if q != "" {
			path += "&q=" + q
		}
		return benchCase{name: name, path: path, headers: htmx("lead-results"), marker: `id="lead-results"`,
			sql: func(ctx context.Context) error {
				return leadListSQL(ctx, store, ids, lifetime, benchDays(lifetime, loc), "approved", q, "value", "desc", 2)
			}}
	}
	// (b) The Dashboard's period switch: figures, chart and the first page
	// of the list for the period, in one fragment.
	dashboard := func(period string) benchCase {
		from, to, bounds, unit := benchPeriod(period, now, loc, lifetime)
		return benchCase{name: "dashboard_" + period, path: "/dashboard?period=" + period, headers: htmx("overview"),
			marker: `id="overview"`, sql: func(ctx context.Context) error {
				return dashboardSQL(ctx, store, ids, from, to, benchDays([2]time.Time{from, to}, loc), bounds, unit)
			}}
	}
	// (c) The vendor's review queue: in-review leads of all 1,000 partners.
	review := benchCase{name: "review_queue_in_review", staff: true, path: "/console/leads?status=in_review",
		headers: htmx("review-results"), marker: `id="review-results"`,
		sql: func(ctx context.Context) error { return reviewSQL(ctx, store, ids, "in_review") }}

	// (e) The partner's Commissions tab (the 100k-lead partner's admin):
	// the whole page, or the list fragment the filters and pager ask for.
	payments := func(fragment bool, name, query string) benchCase {
		c := benchCase{name: name, page: !fragment, path: "/payments?" + query, marker: `id="commission-table"`}
		if fragment {
			c.headers = htmx("commission-results")
		}
		status, q, _, page := commissionQuery(query)
		c.sql = func(ctx context.Context) error {
			return paymentsSQL(ctx, store, ids, lifetime, status, q, page, !fragment)
		}
		return c
	}
	// (f) The console Commissions list (staff, always a whole page).
	consoleCommissions := func(name, query string) benchCase {
		status, _, partner, page := commissionQuery(query)
		pid, _ := strconv.ParseInt(partner, 10, 64)
		return benchCase{name: name, staff: true, page: true, path: "/console/commissions?" + query, marker: `id="commission-total"`,
			sql: func(ctx context.Context) error {
				return consoleCommissionsSQL(ctx, store, ids, lifetime, pid, status, page)
			}}
	}

	// (d) The staff console's home: program-wide counts.
	home := benchCase{name: "console_home_page", staff: true, page: true, path: "/console", marker: `id="metric-leads"`,
		sql: func(ctx context.Context) error { return consoleHomeSQL(ctx, store, ids) }}

	return []benchCase{
		leadList("leads_approved_q_logistics_value_desc_p3", "logistics"),
		leadList("leads_approved_q_com_value_desc_p3", "com"),                 // ~20,000 matches: beyond the count's cap
		leadList("leads_approved_q_harborfield_value_desc_p3", "harborfield"), // a rare term: 37 matches
		leadList("leads_approved_value_desc_p3", ""),
		dashboard("last_90_days"),
		dashboard("this_year"),
		dashboard("lifetime"),
		review,
		home,
		payments(false, "payments_default_page", ""),
		payments(true, "payments_status_approved", "status=approved"),
		payments(true, "payments_q_logistics", "q=logistics"),
		payments(true, "payments_page3", "page=3"),
		consoleCommissions("console_commissions_default_page", ""),
		consoleCommissions("console_commissions_partner_hundredk_page", "partner="+strconv.FormatInt(ids.partner, 10)),
		consoleCommissions("console_commissions_status_pending_page", "status=pending"),
		consoleCommissions("console_commissions_page3_page", "page=3"),
	}
}

// commissionCases are the partner's Commissions tab (app/payments.go,
// showPaymentsTab) and the console Commissions list
// (app/console_commissions.go, showConsoleCommissions), lifetime period.
// query is the query string: status, q, partner and page as the handlers
// read them.
func commissionQuery(query string) (status, q, partner string, page int32) {
	v, _ := url.ParseQuery(query)
	page = 1
	if n, err := strconv.Atoi(v.Get("page")); err == nil && n > 0 {
		page = int32(n)
	}
	return v.Get("status"), v.Get("q"), v.Get("partner"), page
}

// benchPeriod mirrors app.parsePeriod, chartUnit and newChartSpan for the
// periods measured: local calendar days in the organization's time zone,
// [from, to), and the days the chart's buckets start on.
func benchPeriod(key string, now time.Time, loc *time.Location, lifetime [2]time.Time) (from, to time.Time, bounds []pgtype.Date, unit string) {
	y, m, d := now.In(loc).Date()
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	first, last := date(1970, 1, 1), date(y, m, d)
	unit = "month"
	switch key {
	case "last_90_days":
		first, unit = date(y, m, d-89), "week"
	case "this_year":
		first, last = date(y, 1, 1), date(y, 12, 31)
	}
	trunc := func(t time.Time) time.Time {
		if unit == "week" {
			return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
		}
		return date(t.Year(), t.Month(), 1)
	}
	local := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc).UTC() }
	for t := trunc(first); !t.After(trunc(last)); {
		bounds = append(bounds, pgtype.Date{Time: t, Valid: true})
		if unit == "week" {
			t = t.AddDate(0, 0, 7)
		} else {
			t = t.AddDate(0, 1, 0)
		}
	}
	if key == "lifetime" {
		return lifetime[0], lifetime[1], bounds, unit
	}
	return local(first), local(last.AddDate(0, 0, 1)), bounds, unit
}

// benchDays mirrors app.Period.Days: the local dates the period's instants
// fall on.
func benchDays(period [2]time.Time, loc *time.Location) [2]pgtype.Date {
	var out [2]pgtype.Date
	for i, t := range period {
		y, m, d := t.In(loc).Date()
		out[i] = pgtype.Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), Valid: true}
	}
	return out
}

// leadListSQL is loadLeadList. Without a search: the day rows' status
// counts and the page of rows, side by side. With one (searchLeadList): one
// pass that counts up to the cap and sorts the page (one row more), then
// the page's rows by id; past the cap the bounded walk along the sort order,
// and when it comes back short
// the page sorted from the search keys. Planned for the actual values.
func leadListSQL(ctx context.Context, store *queries.Store, ids scaleIDs, period [2]time.Time, days [2]pgtype.Date,
	status, q, sort, dir string, page int32) error {
	const countCap = 2500 // app.searchCountCap = app.searchWalkLimit
	cp := store.CustomPlans()
	list := queries.ListLeadsForPartnerParams{
		OrganizationID: ids.org, PartnerID: ids.partner, CreatedFrom: period[0], CreatedTo: period[1],
		Status: status, Q: q, Sort: sort, Dir: dir, RowLimit: 25, RowOffset: page * 25}
	if q != "" {
		found, err := cp.SearchLeadPageForPartner(ctx, queries.SearchLeadPageForPartnerParams{
			OrganizationID: ids.org, PartnerID: ids.partner, CreatedFrom: period[0], CreatedTo: period[1], Q: q,
			MaxCount: countCap + 1, Status: status, Sort: sort, Dir: dir, RowLimit: 26, RowOffset: list.RowOffset})
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return fmt.Errorf("search %q: no rows on page %d", q, page+1)
		}
		if found[0].Total <= countCap {
			pageIDs := make([]int64, len(found))
			for i, r := range found {
				pageIDs[i] = r.ID
			}
			_, err = store.ListLeadsForPartnerByIDs(ctx, queries.ListLeadsForPartnerByIDsParams{
				OrganizationID: ids.org, PartnerID: ids.partner, Ids: pageIDs})
			return err
		}
		walked, err := cp.WalkLeadsForPartner(ctx, queries.WalkLeadsForPartnerParams{
			OrganizationID: ids.org, PartnerID: ids.partner, CreatedFrom: period[0], CreatedTo: period[1],
			Sort: sort, Dir: dir, ScanLimit: countCap, Status: status, Q: q, RowLimit: 26, RowOffset: list.RowOffset})
		if err != nil || len(walked) == 26 {
			return err
		}
		_, err = cp.SearchLeadsForPartner(ctx, queries.SearchLeadsForPartnerParams{
			OrganizationID: list.OrganizationID, PartnerID: list.PartnerID, CreatedFrom: list.CreatedFrom,
			CreatedTo: list.CreatedTo, Status: status, Q: q, Sort: sort, Dir: dir, RowLimit: 26, RowOffset: list.RowOffset})
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		_, err := store.CountLeadsForPartnerByStatusDaily(gctx, queries.CountLeadsForPartnerByStatusDailyParams{
			OrganizationID: ids.org, PartnerID: ids.partner, DayFrom: days[0], DayTo: days[1]})
		return err
	})
	g.Go(func() error {
		_, err := cp.ListLeadsForPartner(gctx, list)
		return err
	})
	return g.Wait()
}

// dashboardSQL is showOverview for a period change without a search: the
// list's first page (its counts come from the chart rows), the two chart
// series and the commission sums, side by side.
func dashboardSQL(ctx context.Context, store *queries.Store, ids scaleIDs, from, to time.Time, days [2]pgtype.Date, bounds []pgtype.Date, unit string) error {
	firstMonth := int32(bounds[0].Time.Year()*12 + int(bounds[0].Time.Month()))
	cp := store.CustomPlans()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		_, err := cp.ListLeadsForPartner(gctx, queries.ListLeadsForPartnerParams{
			OrganizationID: ids.org, PartnerID: ids.partner, CreatedFrom: from, CreatedTo: to,
			Sort: "created", Dir: "desc", RowLimit: 25})
		return err
	})
	g.Go(func() error {
		_, err := cp.ChartCreatedLeadsForPartner(gctx, queries.ChartCreatedLeadsForPartnerParams{
			OrganizationID: ids.org, PartnerID: ids.partner, DayFrom: days[0], DayTo: days[1],
			Unit: unit, FirstBucket: bounds[0], FirstMonth: firstMonth})
		return err
	})
	g.Go(func() error {
		_, err := cp.ChartWonLeadsForPartner(gctx, queries.ChartWonLeadsForPartnerParams{
			OrganizationID: ids.org, PartnerID: ids.partner, DayFrom: days[0], DayTo: days[1],
			Unit: unit, FirstBucket: bounds[0], FirstMonth: firstMonth})
		return err
	})
	g.Go(func() error {
		_, err := store.SumCommissionsForPartner(gctx, queries.SumCommissionsForPartnerParams{
			OrganizationID: ids.org, PartnerID: ids.partner, PeriodFrom: from, PeriodTo: to})
		return err
	})
	return g.Wait()
}

// reviewSQL is showReviewQueue's first page: counters, the capped count, the
// page of rows and the partner select, one after the other.
func reviewSQL(ctx context.Context, store *queries.Store, ids scaleIDs, status string) error {
	const countCap = 10000 // app.reviewCountCap
	q := store.CustomPlans()
	if _, err := q.LeadStatusTotals(ctx, ids.org); err != nil {
		return err
	}
	if _, err := q.CountLeadsForReview(ctx, queries.CountLeadsForReviewParams{OrganizationID: ids.org, Status: status, MaxCount: countCap}); err != nil {
		return err
	}
	if _, err := q.ListLeadsForReview(ctx, queries.ListLeadsForReviewParams{OrganizationID: ids.org, Status: status, RowLimit: 25}); err != nil {
		return err
	}
	_, err := q.ListPartnerChoices(ctx, ids.org)
	return err
}

// consoleHomeSQL is showConsoleHome: the partner count, then the status
// totals.
func consoleHomeSQL(ctx context.Context, store *queries.Store, ids scaleIDs) error {
	if _, err := store.CountPartnersForOrganization(ctx, ids.org); err != nil {
		return err
	}
	_, err := store.LeadStatusTotals(ctx, ids.org)
	return err
}

// paymentsSQL is showPaymentsTab for the Commissions tab: the count, then the
// page of rows; on a whole page also the figures and the About panel
// (loadPaymentFigures).
func paymentsSQL(ctx context.Context, store *queries.Store, ids scaleIDs, period [2]time.Time, status, q string, page int32, whole bool) error {
	const perPage, countCap = 25, 5000 // app.commissionsPerPage, app.commissionCountCap
	cp := store.CustomPlans()
	if _, err := cp.CountCommissionsForPartner(ctx, queries.CountCommissionsForPartnerParams{
		OrganizationID: ids.org, PartnerID: ids.partner, Status: status, Kinds: []string{},
		PeriodFrom: period[0], PeriodTo: period[1], Search: strings.ToLower(q), MaxCount: countCap}); err != nil {
		return err
	}
	if _, err := cp.ListCommissionsForPartner(ctx, queries.ListCommissionsForPartnerParams{
		OrganizationID: ids.org, PartnerID: ids.partner, Status: status, Kinds: []string{},
		PeriodFrom: period[0], PeriodTo: period[1], Search: strings.ToLower(q),
		MaxRows: perPage, SkipRows: (page - 1) * perPage}); err != nil {
		return err
	}
	if !whole {
		return nil
	}
	if _, err := store.SumCommissionsByStatus(ctx, queries.SumCommissionsByStatusParams{OrganizationID: ids.org, PartnerID: ids.partner}); err != nil {
		return err
	}
	prog, err := store.GetPartnerProgram(ctx, queries.GetPartnerProgramParams{OrganizationID: ids.org, PartnerID: ids.partner})
	if err != nil {
		return err
	}
	if prog.TierID != nil {
		_, err = store.ListStageIncentives(ctx, queries.ListStageIncentivesParams{OrganizationID: ids.org, TierID: *prog.TierID})
	}
	return err
}

// consoleCommissionsSQL is showConsoleCommissions: the count, the page of
// rows and the partner select, one after the other.
func consoleCommissionsSQL(ctx context.Context, store *queries.Store, ids scaleIDs, period [2]time.Time, partner int64, status string, page int32) error {
	const perPage, countCap = 50, 5000 // app.commissionCountCap
	cp := store.CustomPlans()
	if _, err := cp.CountCommissionsForOrganization(ctx, queries.CountCommissionsForOrganizationParams{
		OrganizationID: ids.org, PartnerID: partner, Status: status, PeriodFrom: period[0], PeriodTo: period[1],
		MaxCount: countCap}); err != nil {
		return err
	}
	if _, err := cp.ListCommissionsForOrganization(ctx, queries.ListCommissionsForOrganizationParams{
		OrganizationID: ids.org, PartnerID: partner, Status: status, PeriodFrom: period[0], PeriodTo: period[1],
		MaxRows: perPage, SkipRows: (page - 1) * perPage}); err != nil {
		return err
	}
	_, err := cp.ListPartnerChoices(ctx, ids.org)
	return err
}
