package queries

// Hand-written companion of the sqlc code for queries whose best plan
// depends on the values passed.

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// CustomPlans returns the queries run as unnamed statements (pgx's
// QueryExecModeCacheDescribe), so PostgreSQL plans every execution with the
// actual values. With the default named statements it switches to a generic
// plan after five runs, and a generic plan cannot fold optional filters
// (an empty search term, no status) or the chosen ORDER BY away, nor pick
// the plan for the range asked (a month or the whole lifetime): the lead
// list counts would read every row from the table instead of an index-only
// scan. Planning costs a fraction of a millisecond; still one round trip.
func (s *Store) CustomPlans() *Queries { return New(customPlanDB{s.Pool}) }

type customPlanDB struct{ db DBTX }

func withMode(args []any) []any {
	return append([]any{pgx.QueryExecModeCacheDescribe}, args...)
}

func (d customPlanDB) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return d.db.Exec(ctx, sql, withMode(args)...)
}

func (d customPlanDB) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return d.db.Query(ctx, sql, withMode(args)...)
}

func (d customPlanDB) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return d.db.QueryRow(ctx, sql, withMode(args)...)
}
