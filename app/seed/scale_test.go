package seed_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"partnerportal/app/apptest"
	"partnerportal/app/clock"
	"partnerportal/app/money"
	"partnerportal/app/seed"
	"partnerportal/queries"
)

const scaleN = 20000

// tableCounts are the row counts of every table the scale seed writes.
func tableCounts(t *testing.T, store *queries.Store) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range []string{"organizations", "tiers", "partners", "users", "tracking_links", "leads", "lead_events", "commissions"} {
		var n int64
		if err := store.Pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func scalar(t *testing.T, store *queries.Store, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := store.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestScale(t *testing.T) {
	ctx := context.Background()
	store := apptest.NewStore(t)
	log := slog.New(slog.DiscardHandler)
	before := tableCounts(t, store)

	now := clock.SuiteNow() // the data set's "now"; the checks below use it, not the database's
	if err := seed.Scale(ctx, store, log, scaleN, false, now); err != nil {
		t.Fatal(err)
	}
	org, err := store.GetOrganizationBySlug(ctx, seed.ScaleSlug)
	if err != nil {
		t.Fatal(err)
	}
	if org.Name != "Scale Corp" || org.TimeZone != "America/Chicago" || org.Currency != "USD" || org.AgreementsEnabled {
		t.Errorf("organization = %+v", org)
	}
	after := tableCounts(t, store)
	// The triggers were off for the COPY: the seed computed the day rows.
	if n := scalar(t, store, "SELECT count(*) FROM lead_daily_counts WHERE organization_id = $1", org.ID); n == 0 {
		t.Error("no lead_daily_counts rows for Scale Corp")
	}
	apptest.CheckDaily(t, store, org.ID, "after the scale seed")

	// Every new row belongs to Scale Corp: the growth of each table equals
	// the rows the organization owns.
	for table, n := range after {
		var owned int64
		if table == "organizations" {
			owned = 1
		} else {
			owned = scalar(t, store, "SELECT count(*) FROM "+table+" WHERE organization_id = $1", org.ID)
		}
		if n-before[table] != owned {
			t.Errorf("%s grew by %d rows, Scale Corp owns %d", table, n-before[table], owned)
		}
	}

	if got := scalar(t, store, "SELECT count(*) FROM leads WHERE organization_id = $1", org.ID); got != scaleN {
		t.Errorf("leads = %d, want %d", got, scaleN)
	}
	if got := scalar(t, store, "SELECT count(*) FROM partners WHERE organization_id = $1", org.ID); got != 1000 {
		t.Errorf("partners = %d, want 1000", got)
	}
	big := scalar(t, store, `SELECT count(*) FROM leads l JOIN partners p ON p.id = l.partner_id
		WHERE l.organization_id = $1 AND p.name = 'Hundredk Partners'`, org.ID)
	if big != scaleN/10 {
		t.Errorf("Hundredk Partners has %d leads, want %d", big, scaleN/10)
	}
	// Partners without a lead, and the next-biggest partner: a long tail,
	// but nobody close to Hundredk.
	if top := scalar(t, store, `SELECT max(c) FROM (SELECT count(*) c FROM leads l JOIN partners p ON p.id = l.partner_id
		WHERE l.organization_id = $1 AND p.name <> 'Hundredk Partners' GROUP BY l.partner_id) s`, org.ID); top >= big/2 || top < 100 {
		t.Errorf("second-biggest partner has %d leads (Hundredk %d): distribution not skewed as intended", top, big)
	}
	for _, c := range []struct {
		what   string
		sql    string
		lo, hi int64
	}{
		{"users per partner", `SELECT min(c) * 10 + max(c) FROM (SELECT count(u.id) c FROM partners p
			LEFT JOIN users u ON u.partner_id = p.id WHERE p.organization_id = $1 GROUP BY p.id) s`, 13, 13}, // 1..3
		{"default links", `SELECT count(*) FROM tracking_links WHERE organization_id = $1 AND is_default`, 1000, 1000},
		{"partners without tier", `SELECT count(*) FROM partners WHERE organization_id = $1 AND tier_id IS NULL`, 0, 0},
		{"% in review", `SELECT 100 * count(*) FILTER (WHERE status = 'in_review') / count(*) FROM leads WHERE organization_id = $1`, 17, 23},
		{"% rejected", `SELECT 100 * count(*) FILTER (WHERE status = 'rejected') / count(*) FROM leads WHERE organization_id = $1`, 8, 13},
		{"% won", `SELECT 100 * count(*) FILTER (WHERE stage = 'won') / count(*) FROM leads WHERE organization_id = $1`, 15, 25},
		{"‰ duplicates", `SELECT 1000 * count(*) FILTER (WHERE duplicate_of_lead_id IS NOT NULL AND duplicate_reason <> '') / count(*)
			FROM leads WHERE organization_id = $1`, 15, 40},
		{"% referral", `SELECT 100 * count(*) FILTER (WHERE source = 'referral') / count(*) FROM leads WHERE organization_id = $1`, 7, 13},
		{"link sign-ups with their link", `SELECT count(*) FROM leads WHERE organization_id = $1 AND source = 'referral_link' AND tracking_link_id IS NOT NULL`, scaleN / 50, scaleN / 10},
		{"bad stage for status", `SELECT count(*) FROM leads WHERE organization_id = $1 AND (status = 'approved') = (stage = 'new')`, 0, 0},
		{"won without revenue or date", `SELECT count(*) FROM leads WHERE organization_id = $1 AND stage = 'won' AND (revenue_minor = 0 OR won_at IS NULL OR won_at < created_at)`, 0, 0},
		{"revenue or won_at not won", `SELECT count(*) FROM leads WHERE organization_id = $1 AND stage <> 'won' AND (revenue_minor <> 0 OR won_at IS NOT NULL)`, 0, 0},
		{"created in the last year", `SELECT count(*) FROM leads WHERE organization_id = $1 AND created_at BETWEEN $2::timestamptz - interval '366 days' AND $2::timestamptz`, scaleN, scaleN},
		{"recent half busier", `SELECT (count(*) FILTER (WHERE created_at > $2::timestamptz - interval '182 days') > count(*) * 55 / 100)::int FROM leads WHERE organization_id = $1`, 1, 1},
		{"ids ascend with time", `SELECT count(*) FROM (SELECT created_at < lag(created_at) OVER (ORDER BY id) AS back FROM leads WHERE organization_id = $1) s WHERE back`, 0, 0},
		{"duplicate target missing or later", `SELECT count(*) FROM leads l WHERE l.organization_id = $1 AND l.duplicate_of_lead_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM leads d WHERE d.organization_id = l.organization_id AND d.id = l.duplicate_of_lead_id AND d.created_at <= l.created_at
				AND (lower(d.domain) = lower(l.domain) OR lower(d.email) = lower(l.email)))`, 0, 0},
		{"same email across partners", `SELECT count(*) FROM (SELECT lower(email) FROM leads WHERE organization_id = $1 GROUP BY 1 HAVING count(DISTINCT partner_id) > 1) s`, 1, scaleN},
		{"leads without created event", `SELECT count(*) FROM leads l WHERE l.organization_id = $1 AND NOT EXISTS
			(SELECT 1 FROM lead_events e WHERE e.organization_id = l.organization_id AND e.lead_id = l.id AND e.kind = 'created' AND e.created_at = l.created_at)`, 0, 0},
		{"decided leads without decision event", `SELECT count(*) FROM leads l WHERE l.organization_id = $1 AND l.status <> 'in_review' AND NOT EXISTS
			(SELECT 1 FROM lead_events e WHERE e.organization_id = l.organization_id AND e.lead_id = l.id AND e.kind = l.status)`, 0, 0},
		{"won leads without won event", `SELECT count(*) FROM leads l WHERE l.organization_id = $1 AND l.stage = 'won' AND NOT EXISTS
			(SELECT 1 FROM lead_events e WHERE e.organization_id = l.organization_id AND e.lead_id = l.id AND e.kind = 'won' AND e.created_at = l.won_at)`, 0, 0},
		{"events in the future", `SELECT count(*) FROM lead_events WHERE organization_id = $1 AND created_at > $2::timestamptz`, 0, 0},
		{"events per lead ×100", `SELECT 100 * (SELECT count(*) FROM lead_events WHERE organization_id = $1) / (SELECT count(*) FROM leads WHERE organization_id = $1)`, 200, 235},
		{"commissions (every won lead)", `SELECT count(*) FROM commissions WHERE organization_id = $1`, scaleN * 20 / 100, scaleN * 26 / 100},
		{"commission statuses", `SELECT count(DISTINCT status) FROM commissions WHERE organization_id = $1`, 2, 3},
		{"commission on a lead not won", `SELECT count(*) FROM commissions c JOIN leads l ON l.organization_id = c.organization_id AND l.id = c.lead_id
			WHERE c.organization_id = $1 AND (l.stage <> 'won' OR l.partner_id <> c.partner_id)`, 0, 0},
	} {
		args := []any{org.ID}
		if strings.Contains(c.sql, "$2") {
			args = append(args, now)
		}
		if got := scalar(t, store, c.sql, args...); got < c.lo || got > c.hi {
			t.Errorf("%s = %d, want %d…%d", c.what, got, c.lo, c.hi)
		}
	}

	// Every partner-owned row names a partner of its own organization, and
	// every event and commission points at a lead of the same partner.
	for _, q := range []string{
		`SELECT count(*) FROM users x JOIN partners p ON p.id = x.partner_id WHERE p.organization_id <> x.organization_id`,
		`SELECT count(*) FROM tracking_links x JOIN partners p ON p.id = x.partner_id WHERE p.organization_id <> x.organization_id`,
		`SELECT count(*) FROM leads x JOIN partners p ON p.id = x.partner_id WHERE p.organization_id <> x.organization_id`,
		`SELECT count(*) FROM lead_events x JOIN partners p ON p.id = x.partner_id WHERE p.organization_id <> x.organization_id`,
		`SELECT count(*) FROM commissions x JOIN partners p ON p.id = x.partner_id WHERE p.organization_id <> x.organization_id`,
		`SELECT count(*) FROM partners x JOIN tiers t ON t.id = x.tier_id WHERE t.organization_id <> x.organization_id`,
		`SELECT count(*) FROM lead_events e JOIN leads l ON l.id = e.lead_id WHERE (l.organization_id, l.partner_id) <> (e.organization_id, e.partner_id)`,
		`SELECT count(*) FROM leads l JOIN users u ON u.id = l.created_by_user_id WHERE u.organization_id <> l.organization_id
			OR (u.partner_id IS NOT NULL AND u.partner_id <> l.partner_id)`,
		`SELECT count(*) FROM leads l JOIN tracking_links k ON k.id = l.tracking_link_id WHERE (k.organization_id, k.partner_id) <> (l.organization_id, l.partner_id)`,
	} {
		if got := scalar(t, store, q); got != 0 {
			t.Errorf("%d rows cross an owner boundary: %s", got, q)
		}
	}

	// Commission amounts come from money.ApplyBps with the partner's tier.
	rows, err := store.Pool.Query(ctx, `SELECT c.amount_minor, c.rate_bps, l.revenue_minor, t.commission_bps
		FROM commissions c JOIN leads l ON l.organization_id = c.organization_id AND l.id = c.lead_id
		JOIN partners p ON p.id = c.partner_id JOIN tiers t ON t.id = p.tier_id WHERE c.organization_id = $1`, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var amount, revenue int64
		var rate, tier int32
		if err := rows.Scan(&amount, &rate, &revenue, &tier); err != nil {
			t.Fatal(err)
		}
		if rate != tier || amount != money.ApplyBps(revenue, int64(tier)) {
			t.Errorf("commission %d at %d bps on revenue %d (tier %d bps)", amount, rate, revenue, tier)
		}
	}
	rows.Close()

	// The people the benchmarks sign in as.
	for email, role := range map[string]string{seed.ScaleStaffEmail: "staff", seed.ScaleBigAdmin: "partner_admin"} {
		u, err := store.GetUserByEmail(ctx, email)
		if err != nil || u.Role != role || u.OrganizationID != org.ID {
			t.Errorf("%s: %+v, %v", email, u, err)
		}
	}

	// A second run changes nothing.
	if err := seed.Scale(ctx, store, log, scaleN, false, clock.SuiteNow()); err != nil {
		t.Fatal(err)
	}
	again := tableCounts(t, store)
	for table, n := range after {
		if again[table] != n {
			t.Errorf("second run: %s went from %d to %d rows", table, n, again[table])
		}
	}

	// --reset rebuilds Scale Corp only; the demo organizations keep their rows.
	if err := seed.Scale(ctx, store, log, scaleN, true, clock.SuiteNow()); err != nil {
		t.Fatal(err)
	}
	rebuilt, err := store.GetOrganizationBySlug(ctx, seed.ScaleSlug)
	if err != nil {
		t.Fatal(err)
	}
	if rebuilt.ID == org.ID {
		t.Error("--reset kept the old organization row")
	}
	if got := tableCounts(t, store); got["leads"] != after["leads"] || got["partners"] != after["partners"] ||
		got["lead_events"] != after["lead_events"] || got["users"] != after["users"] {
		t.Errorf("after --reset: %v, want the counts of the first load %v", got, after)
	}
	if got := scalar(t, store, "SELECT count(*) FROM leads WHERE organization_id <> $1", rebuilt.ID); got != before["leads"] {
		t.Errorf("other organizations have %d leads after --reset, had %d", got, before["leads"])
	}
	apptest.CheckDaily(t, store, rebuilt.ID, "after --reset")
	if got := scalar(t, store, "SELECT count(*) FROM lead_daily_counts WHERE organization_id = $1", org.ID); got != 0 {
		t.Errorf("the deleted organization keeps %d lead_daily_counts rows", got)
	}
	// The demo organizations' day rows (kept by the triggers) are untouched.
	orgs, err := store.Pool.Query(ctx, "SELECT id FROM organizations WHERE id <> $1", rebuilt.ID)
	if err != nil {
		t.Fatal(err)
	}
	var others []int64
	var id int64
	for orgs.Next() {
		if err := orgs.Scan(&id); err != nil {
			t.Fatal(err)
		}
		others = append(others, id)
	}
	for _, id := range others {
		apptest.CheckDaily(t, store, id, "another organization after --reset")
	}
}

func TestScaleRejectsSillySizes(t *testing.T) {
	for _, n := range []int{-1, 0, 99} {
		if err := seed.Scale(context.Background(), nil, slog.New(slog.DiscardHandler), n, false, clock.SuiteNow()); err == nil {
			t.Errorf("Scale(%d) returned no error", n)
		}
	}
}

// With the foreign-key triggers on (what a non-superuser gets), PostgreSQL
// itself checks every reference the generator writes.
func TestScaleWithForeignKeyTriggers(t *testing.T) {
	seed.KeepTriggers(true)
	t.Cleanup(func() { seed.KeepTriggers(false) })
	store := apptest.NewStore(t)
	if err := seed.Scale(context.Background(), store, slog.New(slog.DiscardHandler), 2000, false, clock.SuiteNow()); err != nil {
		t.Fatal(err)
	}
	if n := scalar(t, store, "SELECT count(*) FROM leads l JOIN organizations o ON o.id = l.organization_id WHERE o.slug = $1", seed.ScaleSlug); n != 2000 {
		t.Errorf("leads = %d, want 2000", n)
	}
	// Here the triggers on leads ran for the COPY as well; the rebuild after
	// it gives the same rows.
	org, err := store.GetOrganizationBySlug(context.Background(), seed.ScaleSlug)
	if err != nil {
		t.Fatal(err)
	}
	apptest.CheckDaily(t, store, org.ID, "scale seed with triggers on")
}
