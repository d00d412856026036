package seed

// Scale loads the data set the portal is measured with ("measured at 1M
// leads"): a separate organization, Scale Corp, with 1,000 partner companies,
// N leads and their history, written with COPY in one transaction. The shape
// of the data (names, distributions) is in scale_gen.go.

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerportal/app/commission"
	"partnerportal/app/money"
	"partnerportal/queries"
)

// Scale Corp's fixed identity. Its users sign in like any other:
// staff@scale.test (staff) and admin@hundredk.test (the 10 % partner).
const (
	ScaleSlug       = "scale"
	ScaleStaffEmail = "staff@scale.test"
	ScaleBigAdmin   = "admin@hundredk.test"
	scaleMaxLeads   = 50_000_000
)

// Scale creates Scale Corp with n leads. It does nothing when Scale Corp
// already has leads, unless reset is set, in which case that organization's
// data (and only it) is deleted and built again. The tables are vacuumed and
// analyzed afterwards so the planner and index-only scans see real figures.
func Scale(ctx context.Context, store *queries.Store, log *slog.Logger, n int, reset bool, now time.Time) error {
	if n < 100 || n > scaleMaxLeads {
		return fmt.Errorf("--scale wants between 100 and %d leads, got %d", scaleMaxLeads, n)
	}
	start := time.Now()
	org, err := store.GetOrganizationBySlug(ctx, ScaleSlug)
	switch {
	case err == nil:
		have, err := store.CountLeadsForOrganization(ctx, org.ID)
		if err != nil {
			return err
		}
		if have > 0 && !reset {
			log.Info("scale data already loaded: nothing to do (--reset rebuilds it)", "organization_id", org.ID, "leads", have)
			return nil
		}
		if err := purgeScale(ctx, store, log, org.ID); err != nil {
			return fmt.Errorf("reset scale data: %w", err)
		}
	case !queries.IsNotFound(err):
		return err
	}

	built, err := buildScale(ctx, store, log, n, now)
	if err != nil || !built {
		return err
	}
	t := time.Now()
	// Outside the transaction: VACUUM cannot run inside one. It sets the
	// visibility map (index-only scans) and hint bits, as production tables
	// have them; ANALYZE gives the planner the real distribution.
	if _, err := store.Pool.Exec(ctx, "VACUUM (ANALYZE) organizations, tiers, partners, users, tracking_links, leads, lead_events, commissions, lead_daily_counts, lead_daily_wins"); err != nil {
		return fmt.Errorf("vacuum analyze: %w", err)
	}
	log.Info("scale: vacuum analyze", "took", time.Since(t).Round(time.Millisecond))
	log.Info("scale data loaded", "leads", n, "partners", scalePartnerCount, "took", time.Since(start).Round(time.Millisecond),
		"sign_in", ScaleStaffEmail+", "+ScaleBigAdmin)
	return nil
}

// buildScale writes the whole organization in one transaction, so a failed
// or interrupted run leaves nothing behind. It reports false when another
// run loaded the data first.
func buildScale(ctx context.Context, store *queries.Store, log *slog.Logger, n int, now time.Time) (bool, error) {
	now = now.UTC().Truncate(time.Hour)
	rng := rand.New(rand.NewPCG(uint64(n), 0x5ca1e))
	step := time.Now()
	partners := scalePartners(rng, now)
	// Ids first, each block in a short transaction of its own (see
	// reserveIDs): inside the main one, locking users would wait for itself.
	leadIDs, err := reserveAll(ctx, store, partners, n)
	if err != nil {
		return false, err
	}
	log.Info("scale: ids reserved", "took", time.Since(step).Round(time.Millisecond))

	tx, err := store.Pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	// One scale seed at a time; commit without waiting for the WAL flush
	// (a crash loses the whole transaction, never half of it).
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(727275)"); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
		return false, err
	}
	q := store.WithTx(tx)
	org, err := q.UpsertOrganization(ctx, queries.UpsertOrganizationParams{
		Name: "Scale Corp", Slug: ScaleSlug, TimeZone: scaleTimeZone, Currency: "USD", AgreementsEnabled: false})
	if err != nil {
		return false, err
	}
	if have, err := q.CountLeadsForOrganization(ctx, org.ID); err != nil {
		return false, err
	} else if have > 0 {
		log.Info("scale data was loaded by another run meanwhile", "leads", have)
		return false, nil
	}
	if have, err := q.CountPartnersForOrganization(ctx, org.ID); err != nil {
		return false, err
	} else if have > 0 {
		return false, fmt.Errorf("organization %q has %d partners but no leads: run with --reset", ScaleSlug, have)
	}
	tierIDs := make([]int64, len(scaleTiers))
	for i, t := range scaleTiers {
		row, err := q.UpsertTier(ctx, queries.UpsertTierParams{OrganizationID: org.ID, Name: t.name,
			CommissionBps: t.bps, Benefits: t.benefits, Position: int32(i)})
		if err != nil {
			return false, err
		}
		tierIDs[i] = row.ID
	}
	staff, err := q.UpsertUser(ctx, queries.UpsertUserParams{CreatedAt: now, OrganizationID: org.ID, Role: "staff",
		Email: ScaleStaffEmail, Name: "Stella Staff"})
	if err != nil {
		return false, err
	}

	fast, err := fastLoad(ctx, tx, log, n)
	if err != nil {
		return false, err
	}

	c := &scaleCopy{tx: tx, org: org.ID, log: log, now: now}
	step = time.Now()
	if err := c.partners(ctx, partners, tierIDs); err != nil {
		return false, err
	}
	log.Info("scale: partners, users, tracking links", "partners", len(partners), "took", time.Since(step).Round(time.Millisecond))

	step = time.Now()
	leads := genLeads(rng, now, leadIDs, partners, leadCounts(rng, n, len(partners)), staff.ID)
	log.Info("scale: generated leads", "leads", n, "took", time.Since(step).Round(time.Millisecond))

	for _, s := range []struct {
		name string
		run  func(context.Context, []scalePartner, []scaleLead, int64) (int64, error)
	}{{"leads", c.leads}, {"lead_events", c.events}, {"commissions", c.commissions}} {
		step = time.Now()
		rows, err := s.run(ctx, partners, leads, staff.ID)
		if err != nil {
			return false, fmt.Errorf("copy %s: %w", s.name, err)
		}
		log.Info("scale: copied "+s.name, "rows", rows, "took", time.Since(step).Round(time.Millisecond))
	}
	if err := fast.finish(ctx, tx, log, org.ID); err != nil {
		return false, err
	}
	// The day rows of the Dashboard and the lead list's counts: the triggers
	// on leads that keep them did not run with session_replication_role =
	// replica, so they are computed from the loaded leads (and recomputed,
	// the same, when the triggers did run).
	step = time.Now()
	if _, err := tx.Exec(ctx, "SELECT lead_daily_rebuild($1)", org.ID); err != nil {
		return false, fmt.Errorf("lead_daily_rebuild: %w", err)
	}
	log.Info("scale: daily lead figures", "took", time.Since(step).Round(time.Millisecond))
	step = time.Now()
	if err := tx.Commit(ctx); err != nil {
		return false, err
	}
	log.Info("scale: commit", "took", time.Since(step).Round(time.Millisecond))
	return true, nil
}

// reserveAll gives the partners, their users and default links their ids and
// returns n lead ids.
func reserveAll(ctx context.Context, store *queries.Store, partners []scalePartner, n int) ([]int64, error) {
	users := 0
	for _, p := range partners {
		users += len(p.users)
	}
	pids, err := reserveIDs(ctx, store, "partners", len(partners))
	if err != nil {
		return nil, err
	}
	lids, err := reserveIDs(ctx, store, "tracking_links", len(partners))
	if err != nil {
		return nil, err
	}
	uids, err := reserveIDs(ctx, store, "users", users)
	if err != nil {
		return nil, err
	}
	k := 0
	for i := range partners {
		p := &partners[i]
		p.id, p.linkID = pids[i], lids[i]
		for j := range p.users {
			p.users[j].id = uids[k]
			k++
		}
	}
	return reserveIDs(ctx, store, "leads", n)
}

// reserveIDs takes a contiguous block of count values from a table's identity
// sequence, so rows written with COPY (which may set identity columns) can
// refer to each other without reading ids back. It runs in a transaction of
// its own that locks the table against inserts for a moment, so no insert's
// default nextval() lands inside the block; setval is never rolled back, so a
// failed seed only leaves a gap. (nextval() a million times takes seconds.)
func reserveIDs(ctx context.Context, store *queries.Store, table string, count int) ([]int64, error) {
	var first int64
	err := pgx.BeginFunc(ctx, store.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "LOCK TABLE "+pgx.Identifier{table}.Sanitize()+" IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT setval(s, nextval(s) + $2 - 1) - $2 + 1
			FROM pg_get_serial_sequence($1, 'id') s`, table, count).Scan(&first)
	})
	if err != nil {
		return nil, fmt.Errorf("reserve %s ids: %w", table, err)
	}
	ids := make([]int64, count)
	for i := range ids {
		ids[i] = first + int64(i)
	}
	return ids, nil
}

// purgeScale deletes the organization and everything it owns. The bulk rows
// go first and the tables are vacuumed before the organization row: deleting
// its users sets leads.created_by_user_id and lead_events.actor_user_id to
// NULL, which scans those tables once per user (no index on those columns),
// and a scan over a million dead rows per user would take minutes.
func purgeScale(ctx context.Context, store *queries.Store, log *slog.Logger, orgID int64) error {
	start := time.Now()
	tx, err := store.Pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	for _, table := range []string{"lead_events", "commissions", "outbox_events", "notifications"} {
		if _, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE organization_id = $1", orgID); err != nil {
			return fmt.Errorf("delete %s: %w", table, err)
		}
	}
	// With the history gone, the ON DELETE CASCADE trigger that runs for
	// every deleted lead finds nothing to do: skip it (a million lookups)
	// when lead_events is the only table referencing leads and the role may.
	var super string
	var others int
	if err := tx.QueryRow(ctx, `SELECT current_setting('is_superuser'), (SELECT count(*) FROM pg_constraint
		WHERE contype = 'f' AND confrelid = 'leads'::regclass AND conrelid <> 'lead_events'::regclass)`).Scan(&super, &others); err != nil {
		return err
	}
	quick := super == "on" && others == 0 && !keepTriggers
	if quick {
		if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, "DELETE FROM leads WHERE organization_id = $1", orgID); err != nil {
		return fmt.Errorf("delete leads: %w", err)
	}
	if quick {
		if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = origin"); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	deleted := time.Since(start)
	if _, err := store.Pool.Exec(ctx, "VACUUM leads, lead_events"); err != nil {
		return err
	}
	vacuumed := time.Since(start)
	if _, err := store.Pool.Exec(ctx, "DELETE FROM organizations WHERE id = $1", orgID); err != nil {
		return err
	}
	log.Info("scale: previous data deleted", "organization_id", orgID, "took", time.Since(start).Round(time.Millisecond),
		"rows", deleted.Round(time.Millisecond), "vacuum", (vacuumed - deleted).Round(time.Millisecond))
	return nil
}

// scaleCopy writes the generated records with COPY inside the transaction.
type scaleCopy struct {
	tx  pgx.Tx
	org int64
	log *slog.Logger
	now time.Time // the data set's "now"
}

func (c *scaleCopy) partners(ctx context.Context, partners []scalePartner, tierIDs []int64) error {
	var prow, urow, lrow [][]any
	for _, p := range partners {
		prow = append(prow, []any{p.id, c.org, p.name, "https://" + p.slug + ".test", tierIDs[p.tier], p.created})
		lrow = append(lrow, []any{p.linkID, c.org, p.id, "scale-" + p.slug, "Default referral link", "referral",
			"https://scale.test/signup", true, true, p.created})
		for j, u := range p.users {
			urow = append(urow, []any{u.id, c.org, p.id, u.role, u.email, u.name, p.created.Add(time.Duration(j) * 24 * time.Hour)})
		}
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"partners", []string{"id", "organization_id", "name", "website", "tier_id", "created_at"}, prow},
		{"users", []string{"id", "organization_id", "partner_id", "role", "email", "name", "created_at"}, urow},
		{"tracking_links", []string{"id", "organization_id", "partner_id", "code", "name", "kind", "destination",
			"is_default", "active", "created_at"}, lrow},
	} {
		if _, err := c.tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("copy %s: %w", t.table, queries.Classify(err))
		}
	}
	return nil
}

var leadColumns = []string{"id", "organization_id", "partner_id", "created_by_user_id", "source", "status", "stage",
	"company", "domain", "contact_name", "email", "phone", "currency", "deal_value_minor", "revenue_minor", "notes",
	"rejection_reason", "tracking_link_id", "duplicate_of_lead_id", "duplicate_reason", "created_at", "updated_at", "won_at"}

func (c *scaleCopy) leads(ctx context.Context, partners []scalePartner, leads []scaleLead, _ int64) (int64, error) {
	row := make([]any, len(leadColumns))
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(leads) {
			return nil, nil
		}
		l := &leads[i]
		i++
		p := &partners[l.partner]
		co := companyAt(int(l.company))
		row[0], row[1], row[2] = l.id, c.org, p.id
		row[3] = nil
		if l.creator != 0 {
			row[3] = l.creator
		}
		row[4], row[5], row[6] = sourceNames[l.source], statusNames[l.status], stageNames[l.stage]
		row[7], row[8], row[9], row[10] = co.name, co.domain, scaleFirst[l.first]+" "+scaleLast[l.last], l.email
		row[11] = ""
		if l.phone {
			row[11] = l.phoneNumber()
		}
		row[12], row[13], row[14] = "USD", l.value, l.revenue
		row[15], row[16] = "", ""
		if l.note > 0 {
			row[15] = scaleNotes[l.note-1]
		}
		switch {
		case l.reject > 0:
			row[16] = scaleRejections[l.reject-1]
		case l.reject < 0:
			row[16] = scaleDupRejection
		}
		row[17] = nil
		if l.source == srcLink {
			row[17] = p.linkID
		}
		row[18], row[19] = nil, ""
		if l.dupOf != 0 {
			row[18], row[19] = l.dupOf, l.duplicateReason(&leads[l.dupIdx])
		}
		row[20], row[21] = usTime(l.created), usTime(l.updated())
		row[22] = nil
		if l.stage == sgWon {
			row[22] = usTime(l.closed)
		}
		return row, nil
	})
	n, err := c.tx.CopyFrom(ctx, pgx.Identifier{"leads"}, leadColumns, src)
	return n, queries.Classify(err)
}

// events writes each lead's history: created, duplicate (when flagged),
// approved or rejected, won or lost.
func (c *scaleCopy) events(ctx context.Context, partners []scalePartner, leads []scaleLead, staffID int64) (int64, error) {
	cols := []string{"organization_id", "partner_id", "lead_id", "actor_user_id", "kind", "changes", "note", "created_at"}
	row := make([]any, len(cols))
	var buf []byte
	i, step := 0, 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		for i < len(leads) {
			l := &leads[i]
			s := step
			step++
			row[0], row[1], row[2] = c.org, partners[l.partner].id, l.id
			row[3], row[6] = staffID, ""
			switch s {
			case 0:
				row[3] = nil
				if l.creator != 0 {
					row[3] = l.creator
				}
				buf = l.createdChanges(buf, companyAt(int(l.company)))
				row[4], row[5], row[7] = "created", buf, usTime(l.created)
				return row, nil
			case 1:
				if l.dupOf == 0 {
					continue
				}
				row[3] = nil
				row[4], row[5], row[6], row[7] = "duplicate", emptyChanges, l.duplicateReason(&leads[l.dupIdx]), usTime(l.created)
				return row, nil
			case 2:
				switch l.status {
				case stApproved:
					row[4], row[5] = "approved", approvedChanges
				case stRejected:
					row[4], row[5] = "rejected", rejectedChanges
					if l.reject > 0 {
						row[6] = scaleRejections[l.reject-1]
					} else {
						row[6] = scaleDupRejection
					}
				default:
					continue
				}
				row[7] = usTime(l.decided)
				return row, nil
			case 3:
				switch l.stage {
				case sgWon:
					buf = append(append(append(buf[:0], `{"Stage":{"old":"Proposal","new":"Won"},"Revenue":{"old":"","new":"`...),
						money.Format(l.revenue, "USD")...), `"}}`...)
					row[4], row[5] = "won", buf
				case sgLost:
					row[4], row[5] = "lost", lostChanges
				default:
					continue
				}
				row[7] = usTime(l.closed)
				return row, nil
			}
			i, step = i+1, 0
		}
		return nil, nil
	})
	n, err := c.tx.CopyFrom(ctx, pgx.Identifier{"lead_events"}, cols, src)
	return n, queries.Classify(err)
}

var (
	emptyChanges    = []byte(`{}`)
	approvedChanges = []byte(`{"Status":{"old":"In review","new":"Approved"}}`)
	rejectedChanges = []byte(`{"Status":{"old":"In review","new":"Rejected"}}`)
	lostChanges     = []byte(`{"Stage":{"old":"Proposal","new":"Lost"}}`)
)

// commissions writes the rows the commission worker would have written for
// every won lead: paid when won long ago, approved, or still pending.
func (c *scaleCopy) commissions(ctx context.Context, partners []scalePartner, leads []scaleLead, _ int64) (int64, error) {
	cols := []string{"organization_id", "partner_id", "lead_id", "kind", "amount_minor", "currency", "rate_bps",
		"status", "created_at", "paid_at", "basis_minor", "tier_name", "stage", "earning_key", "earned_at",
		"approvable_at", "approved_at", "lead_company"}
	var rows [][]any
	now := c.now
	for i := range leads {
		l := &leads[i]
		if l.stage != sgWon {
			continue
		}
		p := &partners[l.partner]
		bps := scaleTiers[p.tier].bps
		won := usTime(l.closed)
		status, paid := "pending", any(nil)
		switch age := now.Sub(won); {
		case age > 75*24*time.Hour:
			status, paid = "paid", won.Add(45*24*time.Hour)
		case age > 30*24*time.Hour:
			status = "approved"
		}
		var approved any
		if status != "pending" {
			approved = won.Add(30 * 24 * time.Hour)
		}
		rows = append(rows, []any{c.org, p.id, l.id, "revenue_share", money.ApplyBps(l.revenue, int64(bps)), "USD", bps, status,
			won, paid, l.revenue, scaleTiers[p.tier].name, "won", commission.RevenueKey(l.id), won,
			won.Add(30 * 24 * time.Hour), approved, companyAt(int(l.company)).name})
	}
	n, err := c.tx.CopyFrom(ctx, pgx.Identifier{"commissions"}, cols, pgx.CopyFromRows(rows))
	return n, queries.Classify(err)
}
