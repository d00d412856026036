package app_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerportal/app/apptest"
)

// The web tier and the workers take the time from the harness clock, never
// from the wall clock or the database's now(): with the clock set years
// ahead, every time the sign-in and a new lead write is at that time, and the
// pages count days from it.
func TestWebTierAndWorkersTakeTimeFromTheClock(t *testing.T) {
	env := noAgreementsEnv(t)
	at := time.Date(2031, 5, 1, 16, 0, 0, 0, time.UTC) // May 1, noon in New York
	env.Clock.Set(at)
	c := signedIn(t, env, "admin@northwind.test")
	id := lwCreate(t, c, lwLeadForm("Clockwork Ltd", "ops@clockwork.test"))
	if r := c.Post(fmt.Sprintf("/leads/%d/notes", id), map[string][]string{"note": {"Called them."}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("note: status %d", r.StatusCode)
	}
	ttl := env.Config.LoginLinkTTL
	until := at.Add(2 * time.Minute) // the clock moves on with real time
	for _, tc := range []struct{ what, sql string }{
		{"sign-in link expiry (worker)", "SELECT expires_at - $3::interval FROM login_tokens"},
		{"sign-in link sent (worker)", "SELECT sent_at FROM login_tokens"},
		{"sign-in link used (web)", "SELECT used_at FROM login_tokens"},
		{"session start (web)", "SELECT created_at FROM sessions"},
		{"session last seen (web)", "SELECT last_seen_at FROM sessions"},
		{"last sign-in (web)", "SELECT last_login_at FROM users WHERE email = 'admin@northwind.test'"},
		{"lead registered (web)", "SELECT created_at FROM leads WHERE company = 'Clockwork Ltd'"},
		{"lead history (web)", "SELECT e.created_at FROM lead_events e JOIN leads l ON l.id = e.lead_id WHERE l.company = 'Clockwork Ltd'"},
	} {
		q := "SELECT count(*), count(*) FILTER (WHERE t NOT BETWEEN $1 AND $2) FROM (" + tc.sql + ") s(t)"
		var n, off int64
		args := []any{at, until}
		if tc.what == "sign-in link expiry (worker)" {
			args = append(args, ttl.String())
		}
		if err := env.Store.Pool.QueryRow(t.Context(), q, args...).Scan(&n, &off); err != nil {
			t.Fatalf("%s: %v", tc.what, err)
		}
		if n == 0 || off != 0 {
			t.Errorf("%s: %d of %d rows not at the clock's time (%s)", tc.what, off, n, at.Format(time.RFC3339))
		}
	}
	// The custom range starts as this month up to today: on May 1, one day.
	r := c.Get("/dashboard?period=custom")
	if got := r.Doc.Find("#period-label").Text(); got != "May 1, 2031" {
		t.Errorf("custom range on the clock's May 1: %q", got)
	}
	if got := metric(c.Get("/dashboard?period=this_month").Doc, "metric-leads"); got != "1" {
		t.Errorf("leads this month (May 2031): %s, want the one just registered", got)
	}
	// A month later the session has ended (idle timeout) and the lead is
	// last month's, without waiting a month.
	env.Clock.Advance(31 * 24 * time.Hour)
	if r := c.Get("/dashboard"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("a month idle, the session still works: status %d", r.StatusCode)
	}
	c.SignIn("admin@northwind.test")
	if got := metric(c.Get("/dashboard?period=this_month").Doc, "metric-leads"); got != "0" {
		t.Errorf("leads this month (June 2031): %s", got)
	}
	if got := metric(c.Get("/dashboard?period=last_month").Doc, "metric-leads"); got != "1" {
		t.Errorf("leads last month (May 2031): %s", got)
	}
	noZeroTimes(t, env)
}

// noZeroTimes fails when any timestamp in the database is before 2000: a
// query parameter for the time (Now, CreatedAt, …) left unset writes year 1.
func noZeroTimes(t *testing.T, env *apptest.Env) {
	t.Helper()
	rows, err := env.Store.Pool.Query(t.Context(), `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type = 'timestamp with time zone' ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	type column struct{ Table, Name string }
	cols, err := pgx.CollectRows(rows, pgx.RowToStructByPos[column])
	if err != nil || len(cols) == 0 {
		t.Fatalf("timestamp columns: %v %v", cols, err)
	}
	for _, c := range cols {
		q := fmt.Sprintf("SELECT count(*) FROM %s WHERE %s < '2000-01-01'",
			pgx.Identifier{c.Table}.Sanitize(), pgx.Identifier{c.Name}.Sanitize())
		if n := queryInt(t, env, q); n != 0 {
			t.Errorf("%s.%s: %d rows before 2000 (a time parameter left unset?)", c.Table, c.Name, n)
		}
	}
}

// stampedByClock fails unless the one timestamp sql returns lies between
// since and the harness clock's now: the row took its time from the clock
// (not the database's now(), not a parameter left unset).
func stampedByClock(t *testing.T, env *apptest.Env, since time.Time, sql string, args ...any) {
	t.Helper()
	var at *time.Time
	if err := env.Store.Pool.QueryRow(t.Context(), sql, args...).Scan(&at); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if until := env.Clock.Now(); at == nil || at.Before(since) || at.After(until) {
		t.Errorf("%s: %v, want the clock's time (%s to %s)", sql, at, since.Format(time.RFC3339), until.Format(time.RFC3339))
	}
}
