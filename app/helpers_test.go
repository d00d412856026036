package app_test

import (
	"testing"
	"time"

	"partnerportal/app/apptest"
)

// Helpers shared by the handler and browser tests.

// noAgreementsEnv starts the portal with agreements off in every
// organization, so partner pages open without signing one first.
func noAgreementsEnv(t *testing.T) *apptest.Env {
	t.Helper()
	env := apptest.NewEnv(t)
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE organizations SET agreements_enabled = false"); err != nil {
		t.Fatal(err)
	}
	return env
}

// signedIn is a client signed in as email through the emailed link.
func signedIn(t *testing.T, env *apptest.Env, email string) *apptest.Client {
	t.Helper()
	c := env.Client(t)
	c.SignIn(email)
	return c
}

// queryInt runs a query that returns one integer.
func queryInt(t *testing.T, env *apptest.Env, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := env.Store.Pool.QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s %v: %v", sql, args, err)
	}
	return n
}

// orgNow is the harness clock's time in the time zone of the organization
// with that slug: what the portal takes as "now" for that organization's
// pages. Tests compute dates from it, never from the wall clock.
func orgNow(t *testing.T, env *apptest.Env, slug string) time.Time {
	t.Helper()
	var tz string
	if err := env.Store.Pool.QueryRow(t.Context(), "SELECT time_zone FROM organizations WHERE slug = $1", slug).Scan(&tz); err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	return env.Clock.Now().In(loc)
}
